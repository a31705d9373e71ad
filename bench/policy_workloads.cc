#include "policy_workloads.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>

namespace allot::bench {
namespace {

using std::chrono::duration_cast;

// Own distributions: std's are not specified bit for bit across library versions.
class Draw {
 public:
  explicit Draw(uint64_t seed) : rng_(seed) {}
  double Uniform() { return static_cast<double>(rng_() >> 11) * 0x1.0p-53; }
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }
  int Int(int lo, int hi) { return lo + static_cast<int>(Uniform() * (hi - lo + 1)); }
  double Normal() {
    const double u = std::max(Uniform(), 1e-300), v = Uniform();
    return std::sqrt(-2 * std::log(u)) * std::cos(2 * M_PI * v);
  }
  double LogNormal(double median, double sigma) { return median * std::exp(sigma * Normal()); }
  double Exponential(double mean) { return -mean * std::log(std::max(Uniform(), 1e-300)); }
  double Pareto(double min, double alpha) {
    return min / std::pow(std::max(Uniform(), 1e-300), 1 / alpha);
  }

 private:
  std::mt19937_64 rng_;
};

Duration Seconds(double s) { return Duration(static_cast<int64_t>(std::llround(s * 1e6))); }

std::string Id(const std::string& profile, int64_t i) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%s-%06lld", profile.c_str(), static_cast<long long>(i));
  return buf;
}

ReplayTask Make(std::string id, int cores, double seconds, int priority = 0) {
  ReplayTask t;
  t.spec.id = std::move(id);
  t.spec.command = "true";
  t.spec.resources.cores = {cores, cores};
  t.spec.priority = priority;
  t.duration = Seconds(seconds);
  return t;
}

// Widths of the 32-core workloads: mostly narrow, a few the whole machine.
int Width(Draw& d) {
  const double u = d.Uniform();
  if (u < 0.50) return 1;
  if (u < 0.75) return 2;
  if (u < 0.87) return 4;
  if (u < 0.95) return 8;
  if (u < 0.985) return 16;
  return 32;
}

}  // namespace

Workload MixedSmall(uint64_t seed, bool unique_ids) {
  Draw d(seed);
  Workload w{unique_ids ? "mixed-120, unique ids (2 cores)" : "mixed-120 (2 cores)", 2, {}};
  for (int i = 0; i < 120; ++i) {
    const int cores = d.Uniform() < 0.5 ? 1 : 2;
    const double seconds = std::round(d.Uniform(0.08, 0.40) * 1000) / 1000;
    // Unique ids ("m7", as pilot_compat.sh writes them): no profile is shared, nothing is
    // learned per profile.
    std::string id = unique_ids ? "m" + std::to_string(i) : Id("mix", i);
    w.tasks.push_back(Make(std::move(id), cores, seconds, d.Int(0, 3)));
  }
  return w;
}

Workload MixedLarge(bool with_estimates, uint64_t seed) {
  Draw d(seed);
  Workload w{with_estimates ? "mixed-100k, estimates" : "mixed-100k, no estimates", 32, {}};
  struct Kind {
    int cores;
    double median;
  };
  std::vector<Kind> kinds;
  for (int k = 0; k < 10; ++k) kinds.push_back({Width(d), d.LogNormal(120, 1.0)});
  for (int i = 0; i < 100'000; ++i) {
    const int k = d.Int(0, 9);
    const double seconds = d.LogNormal(kinds[k].median, 0.5);
    ReplayTask t = Make(Id("kind" + std::string(1, static_cast<char>('a' + k)), i),
                        kinds[k].cores, seconds, d.Int(0, 3));
    if (with_estimates) t.spec.time_estimate = Seconds(seconds * d.Uniform(1, 3));
    w.tasks.push_back(std::move(t));
  }
  return w;
}

Workload LongTailed(uint64_t seed) {
  Draw d(seed);
  Workload w{"long-tailed-100k", 32, {}};
  for (int i = 0; i < 100'000; ++i) {
    const int cores = Width(d);
    const double seconds = std::min(d.Pareto(10, 1.2), 86400.0);
    w.tasks.push_back(Make(Id("w" + std::to_string(cores), i), cores, seconds, d.Int(0, 3)));
  }
  return w;
}

Workload Dags(uint64_t seed) {
  Draw d(seed);
  Workload w{"dag-100k (sim->reco->ana)", 32, {}};
  for (int c = 0; c < 33'333; ++c) {
    const int pri = d.Int(0, 3);
    w.tasks.push_back(Make(Id("sim", c), 1, d.LogNormal(300, 0.4), pri));
    w.tasks.push_back(Make(Id("reco", c), 4, d.LogNormal(120, 0.4), pri));
    w.tasks.back().spec.depends_on = {Id("sim", c)};
    w.tasks.push_back(Make(Id("ana", c), 1, d.LogNormal(30, 0.4), pri));
    w.tasks.back().spec.depends_on = {Id("reco", c)};
  }
  return w;
}

Workload Arrivals(uint64_t seed) {
  Draw d(seed);
  Workload w{"arrivals-100k (80% load, priorities)", 32, {}};
  // Narrow: 1-2 cores, ~60 s, priority 0-1; wide: 16-32 cores, ~600 s, priority 2-3.
  double t = 0;
  const double mean_core_seconds = 0.9 * (1.5 * 60) + 0.1 * (24 * 600);
  const double gap = mean_core_seconds / (0.8 * 32);
  for (int i = 0; i < 100'000; ++i) {
    t += d.Exponential(gap);
    const bool wide = d.Uniform() < 0.1;
    const int cores = wide ? (d.Uniform() < 0.5 ? 16 : 32) : d.Int(1, 2);
    const double seconds = d.LogNormal(wide ? 600 : 60, 0.6);
    ReplayTask task = Make(Id(wide ? "wide" : "narrow", i), cores, seconds,
                           wide ? d.Int(2, 3) : d.Int(0, 1));
    if (d.Uniform() < 0.5) task.spec.time_estimate = Seconds(seconds * d.Uniform(1, 2));
    task.submit_at = Seconds(t);
    w.tasks.push_back(std::move(task));
  }
  return w;
}

Workload ReadSwf(const std::string& path, const std::string& name, int64_t first,
                 int64_t count) {
  Workload w{name, 0, {}};
  const bool gz = path.size() > 3 && path.substr(path.size() - 3) == ".gz";
  FILE* f = gz ? popen(("gzip -dc '" + path + "'").c_str(), "r") : std::fopen(path.c_str(), "r");
  if (f == nullptr) return w;
  std::vector<ReplayTask> all;
  char line[1024];
  while (std::fgets(line, sizeof line, f) != nullptr) {
    std::string s(line);
    if (s.rfind(";", 0) == 0) {
      auto at = s.find("MaxProcs:");
      if (at != std::string::npos) w.cores = std::atoi(s.c_str() + at + 9);
      continue;
    }
    std::istringstream in(s);
    double v[18];
    int n = 0;
    while (n < 18 && in >> v[n]) ++n;
    if (n < 11) continue;
    const int procs = static_cast<int>(v[4] > 0 ? v[4] : v[7]);
    if (v[3] <= 0 || procs <= 0) continue;
    ReplayTask t = Make("job-" + std::to_string(static_cast<int64_t>(v[0])), procs, v[3]);
    t.spec.tags["profile"] = t.spec.id;  // no learning across jobs: EASY uses requested times
    if (v[8] > 0) t.spec.time_estimate = Seconds(v[8]);
    t.submit_at = Seconds(v[1]);
    all.push_back(std::move(t));
  }
  if (gz) pclose(f); else std::fclose(f);
  const int64_t end = count < 0 ? static_cast<int64_t>(all.size())
                                : std::min<int64_t>(all.size(), first + count);
  for (int64_t i = first; i < end; ++i) {
    ReplayTask t = all[i];
    t.spec.resources.cores.min = t.spec.resources.cores.max =
        std::min(t.spec.resources.cores.min, w.cores);
    w.tasks.push_back(std::move(t));
  }
  if (!w.tasks.empty()) {
    Duration base = w.tasks.front().submit_at;
    for (const ReplayTask& t : w.tasks) base = std::min(base, t.submit_at);
    for (ReplayTask& t : w.tasks) t.submit_at -= base;
  }
  return w;
}

bool WriteTaskFile(const Workload& w, const std::string& path) {
  std::ofstream out(path);
  out << "[\n";
  for (size_t i = 0; i < w.tasks.size(); ++i) {
    const ReplayTask& t = w.tasks[i];
    char secs[32];
    std::snprintf(secs, sizeof secs, "%.3f", ToSeconds(t.duration));
    out << "  {\"id\": \"" << t.spec.id << "\", \"command\": \"sleep " << secs
        << "\", \"cores\": " << t.spec.resources.cores.min
        << ", \"priority\": " << t.spec.priority << "}" << (i + 1 < w.tasks.size() ? "," : "")
        << "\n";
  }
  out << "]\n";
  return static_cast<bool>(out);
}

}  // namespace allot::bench
