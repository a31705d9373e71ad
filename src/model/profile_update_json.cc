#include "model/profile_update_json.h"

namespace allot {
namespace {

using nlohmann::json;

json Seconds(Duration d) {
  if (d.count() % 1000000 == 0) return d.count() / 1000000;
  return static_cast<double>(d.count()) / 1e6;
}

json Range(const IntRange& r) { return json{{"min", r.min}, {"max", r.max}}; }

}  // namespace

json ProfileUpdateToJson(const ProfileUpdate& u) {
  json j;
  j["profile"] = u.profile;
  if (u.task_id) j["task_id"] = *u.task_id;
  j["command"] = "update";
  json req = json::object();
  if (u.time) req["time"] = Seconds(*u.time);
  if (u.cpus) req["cpus"] = Range(*u.cpus);
  if (u.memory) req["memory"] = Range(*u.memory);
  if (u.threads) req["threads"] = Range(*u.threads);
  j["execution_requirement"] = std::move(req);
  return j;
}

}  // namespace allot
