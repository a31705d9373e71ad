// libFuzzer target, structure-aware: the bytes choose an allocation-scheduler task file (a JSON
// array of {id, command, cores, timeout, priority, max_retries, env, tags, workdir, ...}) whose
// syntax is always valid, so the fuzzer spends its time on field validation, ids, durations,
// sizes and dependencies rather than on JSON syntax.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "task_file_fuzz_check.h"

namespace {

using Json = nlohmann::json;

constexpr const char* kFields[] = {
    "id",       "command",  "cores",        "timeout",     "priority", "max_retries",
    "env",      "tags",     "workdir",      "retries",     "memory",   "memory_max",
    "gpus",     "depends_on", "time_limit", "time_estimate", "retry_backoff", "resources",
    "sweep",    "preemptible", "name",     "after"};

Json Scalar(FuzzedDataProvider& in) {
  switch (in.ConsumeIntegralInRange(0, 7)) {
    case 0: return nullptr;
    case 1: return in.ConsumeBool();
    case 2: return in.ConsumeIntegral<int64_t>();
    case 3: return in.ConsumeIntegralInRange<int64_t>(-3, 300);
    case 4: return in.ConsumeFloatingPoint<double>();
    case 5: return in.ConsumeRandomLengthString(24);
    case 6: return std::to_string(in.ConsumeIntegralInRange(0, 999)) +
                   in.PickValueInArray({"", "s", "m", "h", "min", "G", "M", "K", "x"});
    default: return in.PickValueInArray({"t1", "t2", "t*", "true", "sleep 1", "1:00:00", "4G"});
  }
}

Json Value(FuzzedDataProvider& in, int depth) {
  if (depth > 3 || in.ConsumeIntegralInRange(0, 3) != 0) return Scalar(in);
  if (in.ConsumeBool()) {
    Json a = Json::array();
    for (int n = in.ConsumeIntegralInRange(0, 4); n > 0; --n) a.push_back(Value(in, depth + 1));
    return a;
  }
  Json o = Json::object();
  for (int n = in.ConsumeIntegralInRange(0, 4); n > 0; --n) {
    std::string key = in.ConsumeBool() ? std::string(in.PickValueInArray(kFields))
                                       : in.ConsumeRandomLengthString(8);
    o[key] = Value(in, depth + 1);
  }
  return o;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  Json tasks = Json::array();
  for (int n = in.ConsumeIntegralInRange(1, 6); n > 0 && in.remaining_bytes() > 0; --n) {
    Json task = Json::object();
    task["id"] = in.ConsumeBool() ? Json("t" + std::to_string(n)) : Scalar(in);
    task["command"] = in.ConsumeBool() ? Json("true") : Scalar(in);
    for (int f = in.ConsumeIntegralInRange(0, 6); f > 0; --f) {
      task[in.PickValueInArray(kFields)] = Value(in, 1);
    }
    tasks.push_back(std::move(task));
  }
  // Invalid UTF-8 from the fuzzer's strings is replaced: the JSON reader's own checks are the
  // JSON target's business.
  allot::fuzz::CheckTaskFile("tasks.json",
                             tasks.dump(-1, ' ', false, Json::error_handler_t::replace));
  return 0;
}
