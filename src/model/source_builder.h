// SourceBuilder: builds a SourceDoc from parse events (the JSON SAX handler and the YAML event
// handler both drive one), recording the line of every member and element and reporting
// duplicate keys (the last value wins, in the first one's place). Thread-compatible.
#pragma once

#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "model/source_doc.h"

namespace allot {

class SourceBuilder {
 public:
  // `doc` must outlive the builder.
  explicit SourceBuilder(SourceDoc* doc) : doc_(doc) {}

  // True when the innermost open container is an object waiting for a key.
  bool ExpectingKey() const;
  // The key of the next member of the innermost object, and the line it is on.
  void Key(std::string key, int line);
  // Places a scalar, or a complete value, as the next element or member (or as the root).
  // Returns where it went, so a caller may fill in the lines of a copied value.
  std::pair<OrderedJson*, LineNode*> Value(OrderedJson value, int line);
  // Starts an array or object (`empty`) as the next element or member; its children follow.
  void Open(OrderedJson empty, int line);
  // The innermost open container. REQUIRES: one is open.
  std::pair<OrderedJson*, LineNode*> Top() const;
  // Ends the innermost container.
  void Close();

 private:
  static constexpr size_t kIndexThreshold = 16;

  struct Frame {
    OrderedJson* container = nullptr;
    LineNode* node = nullptr;
    bool has_key = false;
    std::string key;
    int key_line = 0;
    // Member positions of a large object, for finding duplicates quickly.
    std::unordered_map<std::string, size_t> index;
  };

  // Position of `key` in the object of `f`, or npos.
  size_t FindMember(Frame& f) const;

  SourceDoc* doc_;
  std::vector<Frame> stack_;
};

}  // namespace allot
