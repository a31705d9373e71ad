#include "report/group_by.h"

#include <cctype>

namespace allot {
namespace {

std::string TagOr(const TaskSpec& spec, const std::string& key, std::string fallback) {
  auto it = spec.tags.find(key);
  if (it == spec.tags.end() || it->second.empty()) return fallback;
  return it->second;
}

}  // namespace

std::string GroupBy::Name() const {
  switch (kind) {
    case Kind::kProject:
      return "project";
    case Kind::kScenario:
      return "scenario";
    case Kind::kProfile:
      return "profile";
    case Kind::kUser:
      return "user";
    case Kind::kTag:
      return "tag:" + tag_key;
    case Kind::kTask:
      return "task";
  }
  return "";
}

Result<GroupBy> ParseGroupBy(std::string_view text) {
  GroupBy by;
  if (text == "project") {
    by.kind = GroupBy::Kind::kProject;
  } else if (text == "scenario") {
    by.kind = GroupBy::Kind::kScenario;
  } else if (text == "profile") {
    by.kind = GroupBy::Kind::kProfile;
  } else if (text == "user") {
    by.kind = GroupBy::Kind::kUser;
  } else if (text == "task") {
    by.kind = GroupBy::Kind::kTask;
  } else if (text.starts_with("tag:") && text.size() > 4) {
    by.kind = GroupBy::Kind::kTag;
    by.tag_key = std::string(text.substr(4));
  } else {
    return Status::InvalidArgument("unknown grouping '" + std::string(text) +
                                   "' (expected project, scenario, profile, user, task or tag:KEY)");
  }
  return by;
}

std::string GroupOf(const TaskSpec& spec, const GroupBy& by, const std::string& default_user) {
  const std::string none(kNoGroup);
  switch (by.kind) {
    case GroupBy::Kind::kProject:
      return TagOr(spec, "project", none);
    case GroupBy::Kind::kScenario:
      return TagOr(spec, "scenario", none);
    case GroupBy::Kind::kProfile:
      return TagOr(spec, "profile", DerivedProfileName(spec.id));
    case GroupBy::Kind::kUser:
      return TagOr(spec, "user", default_user.empty() ? none : default_user);
    case GroupBy::Kind::kTag:
      return TagOr(spec, by.tag_key, none);
    case GroupBy::Kind::kTask:
      return spec.id;
  }
  return none;
}

}  // namespace allot
