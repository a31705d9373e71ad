#include "client/submit_document.h"

#include <cctype>
#include <charconv>
#include <filesystem>
#include <set>

#include <fmt/format.h>

#include "client/array_spec.h"
#include "model/shell_quote.h"
#include "common/units.h"

namespace allot {
namespace {

using Json = nlohmann::json;

constexpr std::string_view kIndex = "{index}";

// Doubles every brace except those of "{index}" (sweep templates: model/string_template.h).
std::string EscapeBraces(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text.substr(i, kIndex.size()) == kIndex) {
      out += kIndex;
      i += kIndex.size() - 1;
    } else if (text[i] == '{' || text[i] == '}') {
      out += text[i];
      out += text[i];
    } else {
      out += text[i];
    }
  }
  return out;
}

// The command line of an array task: "{index}" becomes digits, so a word whose only
// special characters are in "{index}" needs no quotes; other words are quoted and their
// other braces escaped.
std::string ArrayCommandLine(const std::vector<std::string>& words) {
  std::string line;
  for (size_t i = 0; i < words.size(); ++i) {
    std::string probe = words[i];
    for (size_t at = probe.find(kIndex); at != std::string::npos; at = probe.find(kIndex, at)) {
      probe.replace(at, kIndex.size(), "0");
    }
    const bool assignment_like = i == 0 && probe.find('=') != std::string::npos;
    std::string word;
    if (QuoteShellWord(probe) == probe && !assignment_like) {
      word = words[i];
    } else if (QuoteShellWord(words[i]) == words[i]) {
      word = "'" + words[i] + "'";
    } else {
      word = EscapeBraces(QuoteShellWord(words[i]));
    }
    if (i > 0) line += ' ';
    line += word;
  }
  return line;
}

bool ParseCount(std::string_view text, int64_t* out) {
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return !text.empty() && ec == std::errc() && ptr == text.data() + text.size();
}

Result<Json> CoresField(const std::string& cores) {
  size_t dash = cores.find('-');
  int64_t min = 0, max = 0;
  if (dash == std::string::npos) {
    if (ParseCount(cores, &min) && min >= 1) return Json(min);
  } else if (ParseCount(std::string_view(cores).substr(0, dash), &min) &&
             ParseCount(std::string_view(cores).substr(dash + 1), &max) && min >= 1 &&
             min <= max) {
    return Json{{"min", min}, {"max", max}};
  }
  return Status::InvalidArgument(fmt::format(
      "--cores: expected N or MIN-MAX with 1 <= MIN <= MAX (e.g. 4 or 2-8), got '{}'", cores));
}

bool IsVariableName(std::string_view name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  for (char c : name) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '_';
    if (!ok) return false;
  }
  return true;
}

// Splits KEY=VALUE items; checks each KEY once.
Status SplitPairs(const std::vector<std::string>& items, const char* flag, bool variable_names,
                  std::vector<std::pair<std::string, std::string>>* out) {
  std::set<std::string> seen;
  for (const std::string& item : items) {
    size_t eq = item.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Status::InvalidArgument(
          fmt::format("{}: expected KEY=VALUE, got '{}'", flag, item));
    }
    std::string key = item.substr(0, eq);
    if (variable_names && !IsVariableName(key)) {
      return Status::InvalidArgument(
          fmt::format("{}: '{}' is not a variable name (letters, digits, _)", flag, key));
    }
    if (!seen.insert(key).second) {
      return Status::InvalidArgument(fmt::format("{}: {} given twice", flag, key));
    }
    out->emplace_back(std::move(key), item.substr(eq + 1));
  }
  return Status::Ok();
}

}  // namespace

Result<Json> BuildSubmitDocument(const SubmitOptions& o) {
  if (o.command.empty()) return Status::InvalidArgument("no command to submit");
  if (o.name.empty()) return Status::InvalidArgument("--name: empty");
  const bool array = !o.array.empty();
  auto text = [array](std::string_view s) { return array ? EscapeBraces(s) : std::string(s); };

  Json task = Json::object();
  task["id"] = array ? EscapeBraces(o.name) + "-" + std::string(kIndex) : o.name;
  task["command"] = array ? ArrayCommandLine(o.command) : JoinShellWords(o.command);
  if (!o.cores.empty()) {
    ALLOT_ASSIGN_OR_RETURN(task["cores"], CoresField(o.cores));
  }
  if (!o.memory.empty()) {
    Result<int64_t> size = ParseSize(o.memory);
    if (!size.ok()) return Status::InvalidArgument("--mem: " + size.status().message());
    task["memory"] = o.memory;
  }
  if (o.nodes) {
    if (*o.nodes < 1) return Status::InvalidArgument("--nodes: must be >= 1");
    task["nodes"] = *o.nodes;
  }
  if (o.gpus) {
    if (*o.gpus < 0) return Status::InvalidArgument("--gpus: must be >= 0");
    task["gpus"] = *o.gpus;
  }
  for (auto [flag, field, value] :
       {std::tuple{"--time-limit", "time_limit", &o.time_limit},
        std::tuple{"--time-estimate", "time_estimate", &o.time_estimate}}) {
    if (value->empty()) continue;
    Result<Duration> d = ParseDuration(*value);
    if (!d.ok()) return Status::InvalidArgument(std::string(flag) + ": " + d.status().message());
    task[field] = *value;
  }
  if (o.priority) task["priority"] = *o.priority;
  if (o.max_retries) {
    if (*o.max_retries < 0) return Status::InvalidArgument("--max-retries: must be >= 0");
    task["max_retries"] = *o.max_retries;
  }
  if (!o.after.empty()) {
    Json deps = Json::array();
    for (const std::string& a : o.after) {
      if (a.empty()) return Status::InvalidArgument("--after: empty task id");
      deps.push_back(text(a));
    }
    task["depends_on"] = std::move(deps);
  }
  std::vector<std::pair<std::string, std::string>> tags, env;
  ALLOT_RETURN_IF_ERROR(SplitPairs(o.tags, "--tag", false, &tags));
  ALLOT_RETURN_IF_ERROR(SplitPairs(o.env, "--env", true, &env));
  if (!tags.empty()) {
    Json t = Json::object();
    for (const auto& [k, v] : tags) t[text(k)] = text(v);
    task["tags"] = std::move(t);
  }
  Json env_list = Json::array();  // a list keeps the order given
  for (const auto& [k, v] : env) env_list.push_back(k + "=" + text(v));
  if (array) env_list.push_back("ALLOT_ARRAY_INDEX=" + std::string(kIndex));
  if (!env_list.empty()) task["env"] = std::move(env_list);
  if (!o.workdir.empty()) task["workdir"] = text(o.workdir);
  if (array) {
    ALLOT_ASSIGN_OR_RETURN(std::vector<int64_t> indices, ParseArraySpec(o.array));
    task["sweep"] = {{"grid", {{"index", indices}}}};
  }
  return Json{{"tasks", Json::array({std::move(task)})}};
}

std::string CommandSubmissionName(const std::vector<std::string>& words) {
  std::string name = JoinShellWords(words);
  std::string ext = std::filesystem::path(name).extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (ext == ".json" || ext == ".yaml" || ext == ".yml") name += " (command)";
  return name;
}

std::string DefaultTaskName(std::string_view first_word, std::string_view suffix) {
  size_t slash = first_word.find_last_of('/');
  std::string_view base = slash == std::string_view::npos ? first_word : first_word.substr(slash + 1);
  std::string name;
  for (char c : base) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    name += ok ? c : '_';
  }
  if (name.empty()) name = "task";
  return name + "-" + std::string(suffix);
}

}  // namespace allot
