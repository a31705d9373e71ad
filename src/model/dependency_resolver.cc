#include "model/dependency_resolver.h"

#include <algorithm>
#include <cstdint>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "model/did_you_mean.h"
#include "model/glob.h"

namespace allot {
namespace {

constexpr uint32_t kNone = UINT32_MAX;
constexpr const char* kHeldDuplicate = "duplicate id: a task with this id was submitted before";
// Did-you-mean for unknown dependencies compares with every id: only for small files, and
// only for the first few.
constexpr size_t kMaxIdsForSuggestions = 5000;
constexpr int kMaxSuggestions = 20;

class Resolver {
 public:
  Resolver(std::vector<PendingTask>* tasks, bool ids_incomplete, const HeldTaskIds* held,
           DiagnosticSink* sink)
      : tasks_(*tasks),
        ids_incomplete_(ids_incomplete),
        held_(held),
        sink_(sink),
        edges_(tasks->size()),
        edge_lines_(tasks->size()) {}

  Status Run() {
    IndexIds();
    if (held_ != nullptr) ALLOT_RETURN_IF_ERROR(AskHeld());
    for (uint32_t i = 0; i < tasks_.size(); ++i) ResolveTask(i);
    FindCycles();
    for (uint32_t i = 0; i < tasks_.size(); ++i) {
      std::vector<std::string> ids;
      ids.reserve(edges_[i].size());
      for (uint32_t d : edges_[i]) ids.push_back(tasks_[d].spec.id);
      // Without held dependencies (every `allot run`), no lookup per task.
      auto h = held_deps_.empty() ? held_deps_.end() : held_deps_.find(i);
      if (h != held_deps_.end()) {
        for (std::string_view id : h->second) ids.emplace_back(id);
      }
      tasks_[i].spec.depends_on = std::move(ids);
    }
    return Status::Ok();
  }

 private:
  void IndexIds() {
    index_.reserve(tasks_.size());
    std::unordered_map<int, int> repeats;  // extra duplicates per line, after the first shown
    for (uint32_t i = 0; i < tasks_.size(); ++i) {
      const PendingTask& t = tasks_[i];
      auto [it, inserted] = index_.try_emplace(t.spec.id, i);
      if (inserted) continue;
      if (repeats[t.id_line]++ > 0) continue;
      sink_->Add(
          t.id_line, t.spec.id, "id",
          "duplicate id; first defined at line " + std::to_string(tasks_[it->second].id_line));
    }
    for (const auto& [line, count] : repeats) {
      if (count > 1) {
        sink_->Add(line, "", "id",
                   std::to_string(count - 1) + " more duplicate ids from this line");
      }
    }
  }

  // One question to the held ids: every id of the file (they must be new), every plain entry
  // the file does not have, every distinct pattern.
  Status AskHeld() {
    HeldQuery query;
    query.ids.reserve(index_.size());
    for (const auto& [id, i] : index_) query.ids.push_back(id);
    std::unordered_set<std::string_view> asked;
    for (const PendingTask& t : tasks_) {
      for (const std::string& entry : t.spec.depends_on) {
        if (!asked.insert(entry).second) continue;
        if (IsGlobPattern(entry)) {
          query.patterns.push_back(entry);
        } else if (!index_.count(entry)) {
          query.ids.push_back(entry);
        }
      }
    }
    Result<HeldAnswer> answer = held_->Lookup(query);
    if (!answer.ok()) return answer.status();
    held_answer_ = std::move(answer).value();
    if (held_answer_.held.size() != query.ids.size() ||
        held_answer_.matches.size() != query.patterns.size()) {
      return Status::Internal("the held task ids answered another question than was asked");
    }
    for (size_t k = 0; k < query.ids.size(); ++k) {
      if (held_answer_.held[k]) held_ids_.insert(query.ids[k]);
    }
    for (size_t k = 0; k < query.patterns.size(); ++k) {
      held_matches_.emplace(query.patterns[k], &held_answer_.matches[k]);
    }
    // Reported in file order, as the file's own duplicates are.
    for (const PendingTask& t : tasks_) {
      auto it = index_.find(t.spec.id);
      if (held_ids_.count(t.spec.id) && &tasks_[it->second] == &t) {
        sink_->Add(t.id_line, t.spec.id, "id", kHeldDuplicate);
      }
    }
    return Status::Ok();
  }

  const std::vector<uint32_t>& MatchPattern(const std::string& pattern) {
    auto [it, inserted] = pattern_cache_.try_emplace(pattern);
    if (!inserted) return it->second;
    if (sorted_.empty()) {
      sorted_.reserve(index_.size());
      for (const auto& [id, i] : index_) sorted_.emplace_back(id, i);
      std::sort(sorted_.begin(), sorted_.end());
    }
    std::string_view prefix = GlobLiteralPrefix(pattern);
    auto pos =
        std::lower_bound(sorted_.begin(), sorted_.end(), std::make_pair(prefix, uint32_t{0}));
    for (; pos != sorted_.end() && pos->first.substr(0, prefix.size()) == prefix; ++pos) {
      if (GlobMatch(pattern, pos->first)) it->second.push_back(pos->second);
    }
    std::sort(it->second.begin(), it->second.end());
    return it->second;
  }

  void ResolveTask(uint32_t i) {
    PendingTask& t = tasks_[i];
    std::vector<uint32_t>& out = edges_[i];
    std::vector<int>& lines = edge_lines_[i];
    for (size_t k = 0; k < t.spec.depends_on.size(); ++k) {
      const std::string& entry = t.spec.depends_on[k];
      int line = k < t.dep_lines.size() ? t.dep_lines[k] : t.spec.origin.line;
      if (IsGlobPattern(entry)) {
        size_t before = out.size();
        for (uint32_t m : MatchPattern(entry)) {
          if (m != i) out.push_back(m);
        }
        lines.resize(out.size(), line);
        bool held_match = false;
        if (auto h = held_matches_.find(entry); h != held_matches_.end() && !h->second->empty()) {
          held_match = true;
          std::vector<std::string_view>& deps = held_deps_[i];
          deps.insert(deps.end(), h->second->begin(), h->second->end());
        }
        if (out.size() == before && !held_match) {
          sink_->Add(line, t.spec.id, "depends_on",
                     "pattern '" + entry + "' matches no task" +
                         (MatchPattern(entry).empty() ? "" : " other than this one") +
                         IncompleteNote());
        }
        continue;
      }
      auto it = index_.find(entry);
      if (it != index_.end()) {
        out.push_back(it->second);
        lines.push_back(line);
      } else if (held_ids_.count(entry)) {
        held_deps_[i].push_back(entry);  // this task's own string: alive until written back
      } else {
        std::string message = "unknown task '" + entry + "'";
        if (index_.size() <= kMaxIdsForSuggestions && suggestions_++ < kMaxSuggestions) {
          if (ids_for_suggestions_.empty()) {
            for (const auto& [id, _] : index_) ids_for_suggestions_.push_back(id);
            std::sort(ids_for_suggestions_.begin(), ids_for_suggestions_.end());
          }
          std::string hint = DidYouMean(entry, ids_for_suggestions_);
          if (!hint.empty()) message += " (did you mean '" + hint + "'?)";
        }
        sink_->Add(line, t.spec.id, "depends_on", message + IncompleteNote());
      }
    }
    if (out.size() > 1) {
      std::unordered_set<uint32_t> seen;
      size_t w = 0;
      for (size_t k = 0; k < out.size(); ++k) {
        if (!seen.insert(out[k]).second) continue;
        out[w] = out[k];
        lines[w] = lines[k];
        ++w;
      }
      out.resize(w);
      lines.resize(w);
    }
    if (held_deps_.empty()) return;
    if (auto h = held_deps_.find(i); h != held_deps_.end() && h->second.size() > 1) {
      std::unordered_set<std::string_view> seen;
      std::vector<std::string_view>& deps = h->second;
      deps.erase(std::remove_if(deps.begin(), deps.end(),
                                [&seen](std::string_view d) { return !seen.insert(d).second; }),
                 deps.end());
    }
  }

  std::string IncompleteNote() const {
    return ids_incomplete_ ? " (unless it is a task whose id could not be read, see above)" : "";
  }

  // Tarjan's strongly connected components, iterative.
  void FindCycles() {
    const uint32_t n = static_cast<uint32_t>(tasks_.size());
    std::vector<uint32_t> order(n, kNone), low(n, 0);
    std::vector<bool> on_stack(n, false);
    std::vector<uint32_t> stack;
    struct Frame {
      uint32_t node;
      size_t next;
    };
    std::vector<Frame> calls;
    uint32_t counter = 0;
    for (uint32_t root = 0; root < n; ++root) {
      if (order[root] != kNone) continue;
      calls.push_back({root, 0});
      order[root] = low[root] = counter++;
      stack.push_back(root);
      on_stack[root] = true;
      while (!calls.empty()) {
        Frame& f = calls.back();
        uint32_t v = f.node;
        if (f.next < edges_[v].size()) {
          uint32_t w = edges_[v][f.next++];
          if (order[w] == kNone) {
            order[w] = low[w] = counter++;
            stack.push_back(w);
            on_stack[w] = true;
            calls.push_back({w, 0});
          } else if (on_stack[w]) {
            low[v] = std::min(low[v], order[w]);
          }
          continue;
        }
        if (low[v] == order[v]) {
          std::vector<uint32_t> component;
          uint32_t w;
          do {
            w = stack.back();
            stack.pop_back();
            on_stack[w] = false;
            component.push_back(w);
          } while (w != v);
          bool self_loop = std::find(edges_[v].begin(), edges_[v].end(), v) != edges_[v].end();
          if (component.size() > 1 || self_loop) ReportCycle(component);
        }
        calls.pop_back();
        if (!calls.empty()) {
          uint32_t parent = calls.back().node;
          low[parent] = std::min(low[parent], low[v]);
        }
      }
    }
  }

  // Prints the shortest cycle through the first task (in file order) of `component`.
  void ReportCycle(const std::vector<uint32_t>& component) {
    uint32_t start = *std::min_element(component.begin(), component.end());
    std::unordered_set<uint32_t> members(component.begin(), component.end());
    std::unordered_map<uint32_t, uint32_t> parent;
    std::vector<uint32_t> frontier = {start};
    uint32_t last = kNone;
    for (size_t head = 0; head < frontier.size() && last == kNone; ++head) {
      uint32_t v = frontier[head];
      for (uint32_t w : edges_[v]) {
        if (w == start) {
          last = v;
          break;
        }
        if (members.count(w) && parent.try_emplace(w, v).second) frontier.push_back(w);
      }
    }
    std::vector<uint32_t> path;
    for (uint32_t v = last; v != start; v = parent[v]) path.push_back(v);
    path.push_back(start);
    std::reverse(path.begin(), path.end());
    std::string text;
    for (uint32_t v : path) text += tasks_[v].spec.id + " -> ";
    text += tasks_[start].spec.id;
    // Reported where the first task depends on the next one in the cycle.
    uint32_t next = path.size() > 1 ? path[1] : start;
    const std::vector<uint32_t>& deps = edges_[start];
    size_t k = std::find(deps.begin(), deps.end(), next) - deps.begin();
    const PendingTask& t = tasks_[start];
    sink_->Add(edge_lines_[start][k], t.spec.id, "depends_on", "dependency cycle: " + text);
  }

  std::vector<PendingTask>& tasks_;
  bool ids_incomplete_;
  const HeldTaskIds* held_;  // may be null
  HeldAnswer held_answer_;
  std::unordered_set<std::string_view> held_ids_;  // asked about and held
  std::unordered_map<std::string_view, const std::vector<std::string>*> held_matches_;
  // Per task, the held ids it depends on (views into tasks_ and held_answer_).
  std::unordered_map<uint32_t, std::vector<std::string_view>> held_deps_;
  DiagnosticSink* sink_;
  std::vector<std::vector<uint32_t>> edges_;  // task -> the tasks it depends on
  std::vector<std::vector<int>> edge_lines_;  // the depends_on line of each edge
  std::vector<std::string_view> ids_for_suggestions_;
  int suggestions_ = 0;
  std::unordered_map<std::string_view, uint32_t> index_;
  std::vector<std::pair<std::string_view, uint32_t>> sorted_;
  std::unordered_map<std::string, std::vector<uint32_t>> pattern_cache_;
};

}  // namespace

Status ResolveDependencies(std::vector<PendingTask>* tasks, bool ids_incomplete,
                           const HeldTaskIds* held, DiagnosticSink* sink) {
  return Resolver(tasks, ids_incomplete, held, sink).Run();
}

bool CheckIdsStillNew(const std::vector<TaskSpec>& tasks, const HeldTaskIds& held,
                      std::vector<Diagnostic>* diagnostics) {
  bool all_new = true;
  for (const TaskSpec& t : tasks) {
    if (!held.Contains(t.id)) continue;
    all_new = false;
    if (diagnostics == nullptr) continue;
    Diagnostic d;
    d.file = t.origin.file;
    d.line = t.origin.line;
    d.task_id = t.id;
    d.field = "id";
    d.message = kHeldDuplicate;
    diagnostics->push_back(std::move(d));
  }
  return all_new;
}

}  // namespace allot
