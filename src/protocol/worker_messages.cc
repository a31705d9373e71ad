#include "protocol/worker_messages.h"

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "model/task_spec_json.h"
#include "protocol/msgpack_reader.h"

namespace allot {
namespace {

using json = nlohmann::json;

constexpr int64_t kInt32Max = std::numeric_limits<int32_t>::max();
constexpr int64_t kInt32Min = std::numeric_limits<int32_t>::min();
constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();
constexpr int64_t kUint32Max = std::numeric_limits<uint32_t>::max();
constexpr int64_t kMaxSignal = 64;  // SIGRTMAX on Linux

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

// ---- Encoding ---------------------------------------------------------------------------------

json IntsToJson(const std::vector<int>& values) { return json(values); }

json CpusToJson(const std::vector<Cpu>& list) {
  json cpus = json::array();
  for (const Cpu& c : list) cpus.push_back({c.os_index, c.package, c.numa_node, c.core});
  return cpus;
}

json MachineToJson(const Machine& m) {
  json cpus = CpusToJson(m.cpus);
  json custom = json::object();
  for (const auto& [name, amount] : m.custom) custom[name] = amount;
  json j = {{"cpus", std::move(cpus)},
            {"memory", m.memory_bytes},
            {"gpus", IntsToJson(m.gpus)},
            {"custom", std::move(custom)}};
  // Absent for a worker that runs its tasks itself (and from an older worker).
  if (!m.executor.empty()) j["executor"] = m.executor;
  return j;
}

json RunningToJson(const RunningAttempt& a) {
  return {{"execution", a.execution},   {"task", a.task},
          {"attempt", a.attempt},       {"cpus", IntsToJson(a.cpus)},
          {"gpus", IntsToJson(a.gpus)}, {"memory", a.memory_bytes}};
}

json ExitToJson(const ExitReport& e) {
  json j = {{"execution", e.execution},
          {"task", e.task},
          {"attempt", e.attempt},
          {"exit_code", e.usage.exit_code},
          {"signal", e.usage.term_signal},
          {"wall_us", e.usage.wall.count()},
          {"user_us", e.usage.user_cpu.count()},
          {"sys_us", e.usage.sys_cpu.count()},
          {"max_rss", e.usage.max_rss_bytes},
          {"read_bytes", e.usage.read_bytes},
          {"write_bytes", e.usage.write_bytes},
          {"peak_cores_milli", std::llround(e.usage.peak_cores * 1000)},
          {"memory_exceeded", e.usage.memory_exceeded},
          {"stderr_tail", e.usage.stderr_tail},
          {"error", e.error},
          {"stopped_by_worker", e.stopped_by_worker}};
  if (!e.usage.checkpoint.empty()) {
    j["checkpoint"] = e.usage.checkpoint;
    j["checkpointed"] = e.usage.checkpointed;
  }
  if (!e.usage.outputs.empty()) j["outputs"] = e.usage.outputs;
  if (!e.usage.result.empty()) j["result"] = e.usage.result;
  if (!e.usage.slurm_job.empty()) j["slurm_job"] = e.usage.slurm_job;
  if (!e.usage.output_error.empty()) j["output_error"] = e.usage.output_error;
  return j;
}

json LaunchToJson(const AttemptToLaunch& a) {
  json env = json::array();
  for (const auto& [key, value] : a.env) env.push_back({key, value});
  json j = {{"execution", a.execution},   {"task", a.task},
            {"attempt", a.attempt},       {"command", a.command},
            {"env", std::move(env)},      {"workdir", a.workdir},
            {"cpus", IntsToJson(a.cpus)}, {"gpus", IntsToJson(a.gpus)},
            {"memory", a.memory_bytes}};
  if (a.checkpoint) j["checkpoint"] = CheckpointSpecToJson(*a.checkpoint);
  if (a.outputs) j["outputs"] = {{"paths", a.outputs->paths}, {"validate", a.outputs->validate}};
  if (!a.inputs.empty()) j["inputs"] = a.inputs;
  if (!a.dep_results.empty()) j["dep_results"] = a.dep_results;
  if (a.job) {
    json job = json::object();
    JobSpecToJson(*a.job, &job);
    j["job"] = std::move(job);
  }
  if (a.time_limit || !a.batch_tags.empty()) {
    json batch = {{"grace_us", a.grace_period.count()}, {"tags", a.batch_tags}};
    if (a.time_limit) batch["time_limit_us"] = a.time_limit->count();
    j["batch"] = std::move(batch);
  }
  if (!a.nodes.empty()) {
    json nodes = json::array();
    for (const LaunchNode& n : a.nodes) {
      nodes.push_back({{"name", n.name}, {"cpus", IntsToJson(n.cpus)}});
    }
    j["nodes"] = std::move(nodes);
  }
  return j;
}

template <class T, class F>
json ListToJson(const std::vector<T>& items, F to_json) {
  json out = json::array();
  for (const T& item : items) out.push_back(to_json(item));
  return out;
}

json MetricToJson(const MetricReport& r) {
  json one = {{"execution", r.execution},
              {"name", r.name},
              {"value", r.value},
              {"time_us", r.time_us}};
  if (r.step) one["step"] = *r.step;
  if (r.index > 0) one["index"] = r.index;
  return one;
}

json ToJson(const WorkerToServer& message) {
  return std::visit(Overloaded{
                        [](const RegisterMessage& m) -> json {
                          json j = {{"name", m.name},
                                    {"host", m.host},
                                    {"pid", m.pid},
                                    {"machine", MachineToJson(m.machine)},
                                    {"running", ListToJson(m.running, RunningToJson)},
                                    {"finished", ListToJson(m.finished, ExitToJson)}};
                          if (m.stops_us > 0) j["stops_us"] = m.stops_us;
                          if (!m.slurm_job.empty()) j["slurm_job"] = m.slurm_job;
                          if (!m.metrics.empty()) j["metrics"] = ListToJson(m.metrics, MetricToJson);
                          if (!m.node.name.empty()) {
                            j["node"] = {{"name", m.node.name},
                                         {"cpus", CpusToJson(m.node.cpus)},
                                         {"memory", m.node.memory_bytes}};
                          }
                          return j;
                        },
                        [](const HeartbeatMessage& m) -> json {
                          json running = json::array();
                          for (uint64_t e : m.running) running.push_back(e);
                          json cores = json::array();
                          for (int64_t c : m.node.core_busy_permille) cores.push_back(c);
                          return {{"running", std::move(running)},
                                  {"node",
                                   {{"cores_busy_milli", m.node.cores_busy_milli},
                                    {"core_busy_permille", std::move(cores)},
                                    {"memory_total", m.node.memory_total},
                                    {"memory_available", m.node.memory_available},
                                    {"load1_centi", m.node.load1_centi}}}};
                        },
                        [](const ExitedMessage& m) -> json {
                          return {{"exits", ListToJson(m.exits, ExitToJson)}};
                        },
                        [](const GoodbyeMessage& m) -> json {
                          return {{"reason", m.reason}};
                        },
                        [](const MetricsMessage& m) -> json {
                          return {{"metrics", ListToJson(m.metrics, MetricToJson)}};
                        },
                        [](const NodeExitedMessage& m) -> json {
                          json j = ExitToJson(m.exit);
                          j["run"] = m.run;
                          return j;
                        },
                    },
                    message);
}

json ToJson(const ServerToWorker& message) {
  return std::visit(
      Overloaded{
          [](const WelcomeMessage& m) -> json {
            json j = {{"worker_id", m.worker_id},
                      {"instance", m.instance},
                      {"heartbeat_ms", m.heartbeat_ms},
                      {"output_dir", m.output_dir}};
            if (m.machine) j["machine"] = MachineToJson(*m.machine);
            return j;
          },
          [](const LaunchMessage& m) -> json {
            return {{"attempts", ListToJson(m.attempts, LaunchToJson)}, {"acked", json(m.acked)}};
          },
          [](const SignalMessage& m) -> json {
            return {{"signals", ListToJson(m.signals, [](const SignalRequest& s) -> json {
                       return {{"execution", s.execution}, {"signal", s.signal}};
                     })}};
          },
          [](const AckMessage& m) -> json {
            return {{"acked", json(m.acked)}};
          },
          [](const ReregisterMessage&) -> json { return json::object(); },
          [](const StopMessage& m) -> json {
            return {{"kill", m.kill}};
          },
          [](const RefuseMessage& m) -> json {
            return {{"reason", m.reason}};
          },
          [](const NodeRunMessage& m) -> json {
            return {{"execution", m.execution}, {"run", m.run},
                    {"task", m.task},           {"attempt", m.attempt},
                    {"node", m.node},           {"command", m.command},
                    {"cwd", m.cwd},             {"cpus", IntsToJson(m.cpus)}};
          },
      },
      message);
}

// ---- Decoding ---------------------------------------------------------------------------------

// Reads message fields into values, through one MsgpackReader that keeps the first problem.
class Decoder {
 public:
  explicit Decoder(MsgpackReader* r) : r_(*r) {}

  void Int(const json& obj, const std::string& path, const char* key, int64_t lo, int64_t hi,
           int64_t* out) {
    if (const json* v = r_.Field(obj, path, key)) r_.Int(*v, JoinPath(path, key), lo, hi, out);
  }
  void Int32(const json& obj, const std::string& path, const char* key, int64_t lo, int* out) {
    int64_t v = 0;
    Int(obj, path, key, lo, kInt32Max, &v);
    *out = static_cast<int>(v);
  }
  void Uint32(const json& obj, const std::string& path, const char* key, uint32_t* out) {
    int64_t v = 0;
    Int(obj, path, key, 0, kUint32Max, &v);
    *out = static_cast<uint32_t>(v);
  }
  void Micros(const json& obj, const std::string& path, const char* key, Duration* out) {
    int64_t v = 0;
    Int(obj, path, key, 0, kInt64Max, &v);
    *out = Duration(v);
  }
  void Uint64(const json& obj, const std::string& path, const char* key, uint64_t* out) {
    if (const json* v = r_.Field(obj, path, key)) r_.Uint64(*v, JoinPath(path, key), out);
  }
  void String(const json& obj, const std::string& path, const char* key, std::string* out) {
    if (const json* v = r_.Field(obj, path, key)) r_.String(*v, JoinPath(path, key), out);
  }
  void Double(const json& obj, const std::string& path, const char* key, double* out) {
    if (const json* v = r_.Field(obj, path, key)) r_.Double(*v, JoinPath(path, key), out);
  }
  void Bool(const json& obj, const std::string& path, const char* key, bool* out) {
    if (const json* v = r_.Field(obj, path, key)) r_.Bool(*v, JoinPath(path, key), out);
  }
  // Calls item(element, element_path) for each element of the array field `key`.
  template <class F>
  void List(const json& obj, const std::string& path, const char* key, F item) {
    const json* v = r_.Field(obj, path, key);
    std::string where = JoinPath(path, key);
    if (v == nullptr || !r_.Array(*v, where)) return;
    for (size_t i = 0; i < v->size() && r_.ok(); ++i) item((*v)[i], IndexPath(where, i));
  }
  // An array of maps: calls item(map, map_path) for each.
  template <class F>
  void Maps(const json& obj, const std::string& path, const char* key, F item) {
    List(obj, path, key, [&](const json& v, const std::string& where) {
      if (r_.Object(v, where)) item(v, where);
    });
  }
  void Ints(const json& obj, const std::string& path, const char* key, int64_t lo,
            std::vector<int>* out) {
    List(obj, path, key, [&](const json& v, const std::string& where) {
      int64_t n = 0;
      if (r_.Int(v, where, lo, kInt32Max, &n)) out->push_back(static_cast<int>(n));
    });
  }
  void Executions(const json& obj, const std::string& path, const char* key,
                  std::vector<uint64_t>* out) {
    List(obj, path, key, [&](const json& v, const std::string& where) {
      uint64_t n = 0;
      if (r_.Uint64(v, where, &n)) out->push_back(n);
    });
  }

  void Cpus(const json& obj, const std::string& path, std::vector<Cpu>* out) {
    List(obj, path, "cpus", [&](const json& c, const std::string& at) {
      if (!r_.Array(c, at)) return;
      if (c.size() != 4) {
        r_.Fail(at, "expected [os, package, numa, core]");
        return;
      }
      int64_t f[4] = {0, 0, 0, 0};
      for (size_t i = 0; i < 4; ++i)
        r_.Int(c[i], IndexPath(at, i), i == 0 ? 0 : -1, kInt32Max, &f[i]);
      out->push_back(Cpu{static_cast<int>(f[0]), static_cast<int>(f[1]), static_cast<int>(f[2]),
                         static_cast<int>(f[3])});
    });
  }

  // The map `key` holding {cpus, memory, gpus, custom}.
  void ReadMachine(const json& obj, const std::string& path, const char* key, Machine* m) {
    const json* v = r_.Field(obj, path, key);
    std::string where = JoinPath(path, key);
    if (v == nullptr || !r_.Object(*v, where)) return;
    Cpus(*v, where, &m->cpus);
    Int(*v, where, "memory", 0, kInt64Max, &m->memory_bytes);
    Ints(*v, where, "gpus", 0, &m->gpus);
    if (v->contains("executor")) String(*v, where, "executor", &m->executor);
    const json* custom = r_.Field(*v, where, "custom");
    std::string custom_where = JoinPath(where, "custom");
    if (custom == nullptr || !r_.Object(*custom, custom_where)) return;
    for (const auto& [name, amount] : custom->items()) {
      int64_t n = 0;
      if (!r_.Int(amount, JoinPath(custom_where, name), 0, kInt64Max, &n)) return;
      m->custom[name] = n;
    }
  }

  // The optional "node" {name, cpus, memory} of a register (absent from an older worker).
  void ReadNode(const json& obj, NodeResources* node) {
    if (!obj.contains("node")) return;
    const json* v = r_.Field(obj, "", "node");
    if (v == nullptr || !r_.Object(*v, "node")) return;
    String(*v, "node", "name", &node->name);
    if (r_.ok() && node->name.empty()) r_.Fail("node.name", "expected a non-empty string");
    Cpus(*v, "node", &node->cpus);
    Int(*v, "node", "memory", 0, kInt64Max, &node->memory_bytes);
  }

  void Running(const json& obj, const std::string& path, RunningAttempt* a) {
    Uint64(obj, path, "execution", &a->execution);
    String(obj, path, "task", &a->task);
    Uint32(obj, path, "attempt", &a->attempt);
    Ints(obj, path, "cpus", 0, &a->cpus);
    Ints(obj, path, "gpus", 0, &a->gpus);
    Int(obj, path, "memory", 0, kInt64Max, &a->memory_bytes);
  }

  void Metric(const json& v, const std::string& at, MetricReport* one) {
    Uint64(v, at, "execution", &one->execution);
    String(v, at, "name", &one->name);
    Double(v, at, "value", &one->value);
    Int(v, at, "time_us", 0, kInt64Max, &one->time_us);
    if (v.contains("step")) {
      int64_t step = 0;
      Int(v, at, "step", 0, kInt64Max, &step);
      one->step = step;
    }
    if (v.contains("index")) Int(v, at, "index", 1, kInt64Max, &one->index);
  }

  void Exit(const json& obj, const std::string& path, ExitReport* e) {
    Uint64(obj, path, "execution", &e->execution);
    String(obj, path, "task", &e->task);
    Uint32(obj, path, "attempt", &e->attempt);
    Int32(obj, path, "exit_code", kInt32Min, &e->usage.exit_code);
    int64_t signal = 0;
    Int(obj, path, "signal", 0, kMaxSignal, &signal);
    e->usage.term_signal = static_cast<int>(signal);
    Micros(obj, path, "wall_us", &e->usage.wall);
    Micros(obj, path, "user_us", &e->usage.user_cpu);
    Micros(obj, path, "sys_us", &e->usage.sys_cpu);
    Int(obj, path, "max_rss", 0, kInt64Max, &e->usage.max_rss_bytes);
    Int(obj, path, "read_bytes", 0, kInt64Max, &e->usage.read_bytes);
    Int(obj, path, "write_bytes", 0, kInt64Max, &e->usage.write_bytes);
    int64_t peak_cores_milli = 0;
    Int(obj, path, "peak_cores_milli", 0, kInt64Max, &peak_cores_milli);
    e->usage.peak_cores = static_cast<double>(peak_cores_milli) / 1000;
    Bool(obj, path, "memory_exceeded", &e->usage.memory_exceeded);
    if (obj.contains("stderr_tail")) String(obj, path, "stderr_tail", &e->usage.stderr_tail);
    String(obj, path, "error", &e->error);
    // Absent from workers before it: their stops' exits count as the tasks' own.
    if (obj.contains("stopped_by_worker")) {
      Bool(obj, path, "stopped_by_worker", &e->stopped_by_worker);
    }
    if (obj.contains("checkpoint")) {
      String(obj, path, "checkpoint", &e->usage.checkpoint);
      Bool(obj, path, "checkpointed", &e->usage.checkpointed);
    }
    if (obj.contains("outputs")) String(obj, path, "outputs", &e->usage.outputs);
    if (obj.contains("result")) String(obj, path, "result", &e->usage.result);
    if (obj.contains("slurm_job")) String(obj, path, "slurm_job", &e->usage.slurm_job);
    if (obj.contains("output_error")) String(obj, path, "output_error", &e->usage.output_error);
  }

  void Launch(const json& obj, const std::string& path, AttemptToLaunch* a) {
    Uint64(obj, path, "execution", &a->execution);
    String(obj, path, "task", &a->task);
    Uint32(obj, path, "attempt", &a->attempt);
    String(obj, path, "command", &a->command);
    List(obj, path, "env", [&](const json& kv, const std::string& at) {
      if (!r_.Array(kv, at)) return;
      if (kv.size() != 2) {
        r_.Fail(at, "expected [name, value]");
        return;
      }
      std::pair<std::string, std::string> entry;
      if (r_.String(kv[0], IndexPath(at, 0), &entry.first) &&
          r_.String(kv[1], IndexPath(at, 1), &entry.second)) {
        a->env.push_back(std::move(entry));
      }
    });
    String(obj, path, "workdir", &a->workdir);
    Ints(obj, path, "cpus", 0, &a->cpus);
    Ints(obj, path, "gpus", 0, &a->gpus);
    Int(obj, path, "memory", 0, kInt64Max, &a->memory_bytes);
    if (auto it = obj.find("checkpoint"); it != obj.end()) {
      Result<CheckpointSpec> c = CheckpointSpecFromJson(*it);
      if (c.ok()) {
        a->checkpoint = std::move(*c);
      } else {
        r_.Fail(path + ".checkpoint", c.status().message());
      }
    }
    if (auto it = obj.find("outputs"); it != obj.end()) {
      const std::string at = path + ".outputs";
      OutputsSpec& o = a->outputs.emplace();
      if (r_.Object(*it, at)) {
        List(*it, at, "paths", [&](const json& p, const std::string& pat) {
          std::string s;
          if (r_.String(p, pat, &s)) o.paths.push_back(std::move(s));
        });
        String(*it, at, "validate", &o.validate);
      }
    }
    if (obj.contains("dep_results")) String(obj, path, "dep_results", &a->dep_results);
    if (auto it = obj.find("job"); it != obj.end()) {
      Result<Boxed<JobSpec>> job = JobSpecFromJson(*it);
      if (job.ok()) {
        a->job = std::move(*job);
      } else {
        r_.Fail(path + ".job", job.status().message());
      }
    }
    if (obj.contains("inputs")) {
      List(obj, path, "inputs", [&](const json& p, const std::string& at) {
        std::string s;
        if (r_.String(p, at, &s)) a->inputs.push_back(std::move(s));
      });
    }
    if (auto it = obj.find("batch"); it != obj.end()) {
      const std::string at = path + ".batch";
      if (!r_.Object(*it, at)) return;
      if (it->contains("time_limit_us")) {
        Duration limit{0};
        Micros(*it, at, "time_limit_us", &limit);
        a->time_limit = limit;
      }
      Micros(*it, at, "grace_us", &a->grace_period);
      const json* tags = r_.Field(*it, at, "tags");
      if (tags == nullptr || !r_.Object(*tags, at + ".tags")) return;
      for (const auto& [name, value] : tags->items()) {
        std::string s;
        if (r_.String(value, JoinPath(at + ".tags", name), &s)) a->batch_tags[name] = s;
      }
    }
    if (obj.contains("nodes")) {
      Maps(obj, path, "nodes", [&](const json& n, const std::string& at) {
        LaunchNode& node = a->nodes.emplace_back();
        String(n, at, "name", &node.name);
        Ints(n, at, "cpus", 0, &node.cpus);
      });
    }
  }

 private:
  MsgpackReader& r_;
};

// Parses the frame and its "t"; the rest is read by the caller with a reader named for the type.
Status ParseTyped(std::string_view frame, json* root, std::string* type) {
  ALLOT_RETURN_IF_ERROR(MsgpackReader::Parse(frame, root));
  auto t = root->find("t");
  if (t == root->end()) return Status::Corruption("worker message: no type field \"t\"");
  if (!t->is_string())
    return Status::Corruption("worker message: type field \"t\" is not a string");
  *type = t->get<std::string>();
  return Status::Ok();
}

std::string Frame(json j, std::string_view type) {
  j["t"] = type;
  std::vector<uint8_t> bytes = json::to_msgpack(j);
  return std::string(bytes.begin(), bytes.end());
}

}  // namespace

std::string_view MessageType(const WorkerToServer& message) {
  static constexpr std::string_view kNames[] = {"register", "heartbeat", "exited", "goodbye",
                                                "metrics",  "node_exited"};
  return kNames[message.index()];
}

std::string_view MessageType(const ServerToWorker& message) {
  static constexpr std::string_view kNames[] = {"welcome",    "launch", "signal", "ack",
                                                "reregister", "stop",   "refuse", "node_run"};
  return kNames[message.index()];
}

std::string Encode(const WorkerToServer& message) {
  return Frame(ToJson(message), MessageType(message));
}

std::string Encode(const ServerToWorker& message) {
  return Frame(ToJson(message), MessageType(message));
}

Result<WorkerToServer> DecodeWorkerToServer(std::string_view frame) {
  json root;
  std::string type;
  ALLOT_RETURN_IF_ERROR(ParseTyped(frame, &root, &type));
  MsgpackReader r(type);
  Decoder d(&r);
  WorkerToServer out;
  if (type == "register") {
    RegisterMessage m;
    d.String(root, "", "name", &m.name);
    d.String(root, "", "host", &m.host);
    d.Int(root, "", "pid", 0, kInt64Max, &m.pid);
    if (root.contains("stops_us")) d.Int(root, "", "stops_us", 0, kInt64Max, &m.stops_us);
    if (root.contains("slurm_job")) d.String(root, "", "slurm_job", &m.slurm_job);
    d.ReadMachine(root, "", "machine", &m.machine);
    d.ReadNode(root, &m.node);
    d.Maps(root, "", "running", [&](const json& v, const std::string& at) {
      d.Running(v, at, &m.running.emplace_back());
    });
    d.Maps(root, "", "finished", [&](const json& v, const std::string& at) {
      d.Exit(v, at, &m.finished.emplace_back());
    });
    if (root.contains("metrics")) {  // absent from older workers, and when there are none
      d.Maps(root, "", "metrics", [&](const json& v, const std::string& at) {
        d.Metric(v, at, &m.metrics.emplace_back());
      });
    }
    out = std::move(m);
  } else if (type == "heartbeat") {
    // Both parts are optional: a worker may have nothing to say yet.
    HeartbeatMessage m;
    if (root.contains("running")) d.Executions(root, "", "running", &m.running);
    if (const json* node = root.contains("node") ? r.Field(root, "", "node") : nullptr;
        node != nullptr && r.Object(*node, "node")) {
      NodeUsage& u = m.node;
      d.Int(*node, "node", "cores_busy_milli", 0, kInt64Max, &u.cores_busy_milli);
      d.List(*node, "node", "core_busy_permille", [&](const json& v, const std::string& where) {
        int64_t n = 0;
        if (r.Int(v, where, 0, 1000, &n)) u.core_busy_permille.push_back(n);
      });
      d.Int(*node, "node", "memory_total", 0, kInt64Max, &u.memory_total);
      d.Int(*node, "node", "memory_available", 0, kInt64Max, &u.memory_available);
      d.Int(*node, "node", "load1_centi", 0, kInt64Max, &u.load1_centi);
    }
    out = std::move(m);
  } else if (type == "exited") {
    ExitedMessage m;
    d.Maps(root, "", "exits",
           [&](const json& v, const std::string& at) { d.Exit(v, at, &m.exits.emplace_back()); });
    out = std::move(m);
  } else if (type == "goodbye") {
    GoodbyeMessage m;
    d.String(root, "", "reason", &m.reason);
    out = std::move(m);
  } else if (type == "metrics") {
    MetricsMessage m;
    d.Maps(root, "", "metrics", [&](const json& v, const std::string& at) {
      d.Metric(v, at, &m.metrics.emplace_back());
    });
    out = std::move(m);
  } else if (type == "node_exited") {
    NodeExitedMessage m;
    d.Uint32(root, "", "run", &m.run);
    d.Exit(root, "", &m.exit);
    out = std::move(m);
  } else {
    return Status::Corruption(
        "worker message: unknown type \"" + type +
        "\" from a worker (expected register, heartbeat, exited, goodbye, metrics or "
        "node_exited)");
  }
  ALLOT_RETURN_IF_ERROR(r.status());
  return out;
}

Result<ServerToWorker> DecodeServerToWorker(std::string_view frame) {
  json root;
  std::string type;
  ALLOT_RETURN_IF_ERROR(ParseTyped(frame, &root, &type));
  MsgpackReader r(type);
  Decoder d(&r);
  ServerToWorker out;
  if (type == "welcome") {
    WelcomeMessage m;
    d.Uint64(root, "", "worker_id", &m.worker_id);
    d.String(root, "", "instance", &m.instance);
    d.Int(root, "", "heartbeat_ms", 1, kInt32Max, &m.heartbeat_ms);
    d.String(root, "", "output_dir", &m.output_dir);
    if (root.contains("machine")) d.ReadMachine(root, "", "machine", &m.machine.emplace());
    out = std::move(m);
  } else if (type == "launch") {
    LaunchMessage m;
    d.Maps(root, "", "attempts", [&](const json& v, const std::string& at) {
      d.Launch(v, at, &m.attempts.emplace_back());
    });
    d.Executions(root, "", "acked", &m.acked);
    out = std::move(m);
  } else if (type == "signal") {
    SignalMessage m;
    d.Maps(root, "", "signals", [&](const json& v, const std::string& at) {
      SignalRequest& s = m.signals.emplace_back();
      d.Uint64(v, at, "execution", &s.execution);
      int64_t signal = 0;
      d.Int(v, at, "signal", 1, kMaxSignal, &signal);
      s.signal = static_cast<int>(signal);
    });
    out = std::move(m);
  } else if (type == "ack") {
    AckMessage m;
    d.Executions(root, "", "acked", &m.acked);
    out = std::move(m);
  } else if (type == "reregister") {
    out = ReregisterMessage{};
  } else if (type == "stop") {
    StopMessage m;
    d.Bool(root, "", "kill", &m.kill);
    out = std::move(m);
  } else if (type == "refuse") {
    RefuseMessage m;
    d.String(root, "", "reason", &m.reason);
    out = std::move(m);
  } else if (type == "node_run") {
    NodeRunMessage m;
    d.Uint64(root, "", "execution", &m.execution);
    d.Uint32(root, "", "run", &m.run);
    d.String(root, "", "task", &m.task);
    d.Uint32(root, "", "attempt", &m.attempt);
    d.String(root, "", "node", &m.node);
    d.String(root, "", "command", &m.command);
    d.String(root, "", "cwd", &m.cwd);
    d.Ints(root, "", "cpus", 0, &m.cpus);
    out = std::move(m);
  } else {
    return Status::Corruption(
        "worker message: unknown type \"" + type +
        "\" from the server (expected welcome, launch, signal, ack, reregister, stop, refuse or "
        "node_run)");
  }
  ALLOT_RETURN_IF_ERROR(r.status());
  return out;
}

}  // namespace allot
