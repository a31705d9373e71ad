// SourceBuilder: builds a SourceDoc from parse events (the JSON SAX handler and the YAML event
// handler both drive one), recording the line of every member and element and reporting
// duplicate keys (the last value wins, in the first one's place). Thread-compatible.
#pragma once

#include <functional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "model/source_doc.h"

namespace allot {

class SourceBuilder {
 public:
  // Called with each element of the task list (the root array, or the array under the root
  // object's "tasks" key) as soon as it is complete; the element is then dropped from the
  // document (left as null, its lines gone), which keeps the memory of a 100,000-task file
  // small and hot. The document records that it happened (SourceDoc::task_list_streamed).
  using TaskCallback = std::function<void(const SourceValue&)>;

  // `doc` must outlive the builder. `on_task` may be empty: nothing is streamed.
  explicit SourceBuilder(SourceDoc* doc, TaskCallback on_task = nullptr)
      : doc_(doc), on_task_(std::move(on_task)) {}

  // True when the innermost open container is an object waiting for a key.
  bool ExpectingKey() const;
  // The key of the next member of the innermost object, and the line it is on.
  void Key(std::string key, int line);
  // Places a scalar, or a complete value, as the next element or member (or as the root).
  // Returns where it went, valid until the next call, so a caller may fill in the lines of a
  // copied value.
  std::pair<OrderedJson*, LineNode*> Value(OrderedJson value, int line);
  // Starts an array or object (`empty`) as the next element or member; its children follow.
  // False, changing nothing, when it would nest deeper than kMaxSourceDepth.
  [[nodiscard]] bool Open(OrderedJson empty, int line);
  // Ends the innermost container; returns it, complete, valid until the next call.
  std::pair<OrderedJson*, LineNode*> Close();

 private:
  static constexpr size_t kIndexThreshold = 16;

  struct Frame {
    OrderedJson* container = nullptr;
    LineNode* node = nullptr;
    bool is_object = false;
    bool is_task_list = false;
    bool has_key = false;
    std::string key;
    int key_line = 0;
    // An object's members are gathered here and moved into it on Close: growing an
    // ordered_json object copies its members (their keys are const), deep.
    std::vector<std::pair<std::string, OrderedJson>> members;
    // Member positions of a large object, for finding duplicates quickly.
    std::unordered_map<std::string, size_t> index;
  };

  // Position of the pending key among the members of `f`, or npos.
  size_t FindMember(Frame& f) const;

  // Hands a completed element of a task list to on_task_, then drops it.
  void Stream(OrderedJson* value, LineNode* lines);

  SourceDoc* doc_;
  TaskCallback on_task_;
  std::vector<Frame> stack_;
};

}  // namespace allot
