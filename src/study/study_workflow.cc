#include "study/study_workflow.h"

#include <utility>

namespace allot {
namespace {

OrderedJson ObjectOr(const OrderedJson& task, const char* key) {
  auto it = task.find(key);
  return it != task.end() && it->is_object() ? *it : OrderedJson::object();
}

OrderedJson Template(const StudySpec& spec, OrderedJson task, const OrderedJson& zip) {
  OrderedJson tags = ObjectOr(task, "tags");
  tags["scenario"] = "{trial}";
  tags["study"] = spec.name;
  task["tags"] = std::move(tags);
  OrderedJson resources = ObjectOr(task, "resources");
  resources[std::string(kStudyResource)] = 1;
  task["resources"] = std::move(resources);
  if (!task.contains("workdir") || task["workdir"].is_null()) task["workdir"] = ".";
  const bool takes_params = task.contains("python") || task.contains("script");
  if (takes_params && (!task.contains("params") || task["params"].is_null())) {
    OrderedJson params = OrderedJson::object();
    for (const StudyParameter& p : spec.space) params[p.name] = "{" + p.name + "}";
    task["params"] = std::move(params);
  }
  task["sweep"] = {{"zip", zip}};
  return task;
}

}  // namespace

std::string TrialTaskId(std::string_view trial, std::string_view local) {
  return local.empty() ? std::string(trial) : std::string(trial) + "-" + std::string(local);
}

std::vector<std::string> TrialTaskIds(const StudySpec& spec) {
  if (!spec.trial_is_workflow()) return {""};
  std::vector<std::string> ids;
  for (const OrderedJson& t : spec.trial["tasks"]) ids.push_back(t.value("id", ""));
  return ids;
}

OrderedJson CompileStudy(const StudySpec& spec, const std::vector<TrialPoint>& trials) {
  OrderedJson zip = OrderedJson::object();
  OrderedJson names = OrderedJson::array();
  for (const TrialPoint& t : trials) names.push_back(t.name);
  zip["trial"] = std::move(names);
  for (size_t d = 0; d < spec.space.size(); ++d) {
    OrderedJson column = OrderedJson::array();
    for (const TrialPoint& t : trials) column.push_back(t.values[d]);
    zip[spec.space[d].name] = std::move(column);
  }
  OrderedJson doc = OrderedJson::object();
  if (!spec.scenarios.is_null()) doc["scenarios"] = spec.scenarios;
  OrderedJson tasks = OrderedJson::array();
  if (!spec.trial_is_workflow()) {
    OrderedJson task = OrderedJson::object();
    task["id"] = "{trial}";
    for (auto it = spec.trial.begin(); it != spec.trial.end(); ++it) task[it.key()] = it.value();
    tasks.push_back(Template(spec, std::move(task), zip));
  } else {
    for (const OrderedJson& local : spec.trial["tasks"]) {
      OrderedJson task = local;
      task["id"] = TrialTaskId("{trial}", local.value("id", ""));
      if (auto deps = task.find("depends_on"); deps != task.end()) {
        if (deps->is_string()) {
          *deps = TrialTaskId("{trial}", deps->get<std::string>());
        } else if (deps->is_array()) {
          for (OrderedJson& d : *deps) d = TrialTaskId("{trial}", d.get<std::string>());
        }
      }
      tasks.push_back(Template(spec, std::move(task), zip));
    }
  }
  doc["tasks"] = std::move(tasks);
  return doc;
}

}  // namespace allot
