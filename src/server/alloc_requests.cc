#include "server/alloc_requests.h"

#include <cmath>
#include <limits>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace allot {
namespace {

using Json = nlohmann::json;

Status Field(const std::string& key, const std::string& why) {
  return Status::InvalidArgument(fmt::format("body field '{}': {}", key, why));
}

Status Int(const Json& v, const std::string& key, int64_t min, int64_t* out) {
  if (!v.is_number_integer() || v.get<int64_t>() < min) {
    return Field(key, fmt::format("expected an integer of at least {}, got {}", min, v.dump()));
  }
  *out = v.get<int64_t>();
  return Status::Ok();
}

Status IntField(const Json& v, const std::string& key, int64_t min, int* out) {
  int64_t x = 0;
  ALLOT_RETURN_IF_ERROR(Int(v, key, min, &x));
  if (x > std::numeric_limits<int>::max()) return Field(key, "too large");
  *out = static_cast<int>(x);
  return Status::Ok();
}

Status Seconds(const Json& v, const std::string& key, int64_t min, Duration* out) {
  int64_t s = 0;
  ALLOT_RETURN_IF_ERROR(Int(v, key, min, &s));
  if (s > int64_t{10} * 365 * 86400) return Field(key, "more than ten years");
  *out = std::chrono::seconds(s);
  return Status::Ok();
}

}  // namespace

Result<AllocAddRequest> ParseAllocAddBody(std::string_view body) {
  Json json = Json::parse(std::string(body), nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) return Status::InvalidArgument("body: expected a JSON object");
  AllocAddRequest r;
  AllocQueueConfig& c = r.config;
  c.cores_per_worker = 0;  // from sinfo unless given
  bool has_time = false, has_workers = false, has_max = false;
  for (const auto& [key, v] : json.items()) {
    if (key == "kind") {
      if (v != "slurm") return Field(key, "unknown kind " + v.dump() + " (accepted: slurm)");
    } else if (key == "name") {
      if (!v.is_string()) return Field(key, "expected a string");
      c.name = v.get<std::string>();
    } else if (key == "partition") {
      if (!v.is_string()) return Field(key, "expected a string");
      r.slurm.partition = v.get<std::string>();
    } else if (key == "time_limit_s") {
      ALLOT_RETURN_IF_ERROR(Seconds(v, key, 1, &c.time_limit));
      has_time = true;
    } else if (key == "nodes") {
      ALLOT_RETURN_IF_ERROR(IntField(v, key, 1, &r.slurm.nodes));
    } else if (key == "workers_per_alloc") {
      ALLOT_RETURN_IF_ERROR(IntField(v, key, 1, &c.workers_per_alloc));
      has_workers = true;
    } else if (key == "cores_per_worker") {
      ALLOT_RETURN_IF_ERROR(IntField(v, key, 0, &c.cores_per_worker));
    } else if (key == "min_workers") {
      ALLOT_RETURN_IF_ERROR(IntField(v, key, 0, &c.min_workers));
    } else if (key == "max_workers") {
      ALLOT_RETURN_IF_ERROR(IntField(v, key, 1, &c.max_workers));
      has_max = true;
    } else if (key == "max_pending") {
      ALLOT_RETURN_IF_ERROR(IntField(v, key, 1, &c.max_pending));
    } else if (key == "idle_timeout_s") {
      ALLOT_RETURN_IF_ERROR(Seconds(v, key, 0, &c.idle_timeout));
    } else if (key == "min_utilization") {
      if (!v.is_number() || v.get<double>() < 0 || v.get<double>() > 1) {
        return Field(key, "expected a number from 0 to 1, got " + v.dump());
      }
      c.min_utilization = v.get<double>();
    } else if (key == "end_margin_s") {
      ALLOT_RETURN_IF_ERROR(Seconds(v, key, 0, &c.end_margin));
    } else if (key == "replace_before_s") {
      ALLOT_RETURN_IF_ERROR(Seconds(v, key, 0, &c.replace_before));
    } else if (key == "backoff_s") {
      ALLOT_RETURN_IF_ERROR(Seconds(v, key, 1, &c.backoff));
    } else if (key == "pause_after_failures") {
      ALLOT_RETURN_IF_ERROR(IntField(v, key, 1, &c.pause_after_failures));
    } else if (key == "sbatch_args") {
      if (!v.is_array()) return Field(key, "expected a list of strings");
      for (const Json& a : v) {
        if (!a.is_string()) return Field(key, "expected strings, got " + a.dump());
        r.slurm.extra.push_back(a.get<std::string>());
      }
    } else if (key == "dry_run") {
      if (!v.is_boolean()) return Field(key, "expected true or false");
      r.dry_run = v.get<bool>();
    } else {
      return Status::InvalidArgument(fmt::format(
          "body: unknown field '{}' (accepted: kind, name, partition, time_limit_s, nodes, "
          "workers_per_alloc, cores_per_worker, min_workers, max_workers, max_pending, "
          "idle_timeout_s, min_utilization, end_margin_s, replace_before_s, backoff_s, "
          "pause_after_failures, sbatch_args, dry_run)",
          key));
    }
  }
  if (!has_time) return Field("time_limit_s", "missing (the allocations' time limit)");
  if (!has_workers) c.workers_per_alloc = r.slurm.nodes;
  if (!has_max) c.max_workers = 4 * c.workers_per_alloc;
  if (c.name.empty()) c.name = r.slurm.partition.empty() ? "slurm" : r.slurm.partition;
  return r;
}

Result<AllocControlRequest> ParseAllocControl(std::string queue, std::string action,
                                              std::string_view body) {
  AllocControlRequest r;
  r.queue = std::move(queue);
  r.action = std::move(action);
  if (r.action != "pause" && r.action != "resume" && r.action != "remove") {
    return Status::InvalidArgument(fmt::format(
        "path: unknown queue action '{}' (accepted: pause, resume, remove)", r.action));
  }
  if (body.empty()) return r;
  Json json = Json::parse(std::string(body), nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) return Status::InvalidArgument("body: expected a JSON object");
  for (const auto& [key, v] : json.items()) {
    if (key != "force") {
      return Status::InvalidArgument("body: unknown field '" + key + "' (accepted: force)");
    }
    if (!v.is_boolean()) return Field(key, "expected true or false");
    r.force = v.get<bool>();
  }
  return r;
}

Result<AllocEventsRequest> ParseAllocEventsQuery(
    const std::multimap<std::string, std::string>& params) {
  AllocEventsRequest r;
  for (const auto& [key, value] : params) {
    if (key == "queue") {
      r.queue = value;
    } else if (key == "since" || key == "limit") {
      char* end = nullptr;
      const long long x = std::strtoll(value.c_str(), &end, 10);
      if (value.empty() || *end != '\0' || x < (key == "limit" ? 1 : 0)) {
        return Status::InvalidArgument(fmt::format(
            "query parameter '{}': expected a{} integer, got '{}'", key,
            key == "limit" ? " positive" : " non-negative", value));
      }
      if (key == "since") {
        r.since = x;
      } else {
        r.limit = static_cast<size_t>(std::min<long long>(x, 100000));
      }
    } else {
      return Status::InvalidArgument("query parameter '" + key +
                                     "': unknown (accepted: queue, since, limit)");
    }
  }
  return r;
}

}  // namespace allot
