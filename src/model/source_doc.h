// SourceDoc: a task file read into one intermediate form, whatever its syntax (JSON or YAML):
// an ordered JSON value (object keys keep file order) plus, beside it, a tree of the line of
// every object member and array element. Field parsing and validation are written once, on
// SourceValue, and still name lines.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace allot {

using OrderedJson = nlohmann::ordered_json;

// How deeply arrays and objects may nest in a task file or an API body. A task file needs
// about six levels; the limit keeps every recursive walk (destruction, dumping, field
// parsing) far from the stack's end whatever the input.
inline constexpr int kMaxSourceDepth = 100;

// Why a string holding U+0000 is refused: commands, paths and environment values are C
// strings, which would silently end at it.
inline constexpr const char* kNulMessage =
    "a string contains a NUL character (\\u0000), which no command, path or environment "
    "value can hold";

// The lines of one value and of its children. children[i] belongs to element i of an array, or
// to the i-th member of an object (in the object's order). May have fewer children than the
// value (values copied in by YAML merge keys); lookups then fall back to the parent's line.
struct LineNode {
  int line = 0;  // 1-based line of the member's key, or of the element; 0 when unknown
  std::vector<LineNode> children;
};

// A problem found while reading the syntax: an error that stops reading, or a duplicate key.
struct SourceError {
  int line = 0;    // 1-based; 0 when unknown
  int column = 0;  // 1-based; 0 when unknown
  std::string message;
};

struct SourceDoc {
  OrderedJson root;
  LineNode lines;
  std::vector<SourceError> duplicate_keys;  // the document is still usable (last value wins)
  // The task list's elements were handed out while reading and are null here
  // (SourceBuilder::TaskCallback); the list still has its length.
  bool task_list_streamed = false;
};

// A value of a SourceDoc with its line: what field parsing works on. Cheap to copy; refers
// into the document, which must outlive it.
class SourceValue {
 public:
  SourceValue(const OrderedJson& value, const LineNode* lines, int fallback_line)
      : value_(&value), lines_(lines), fallback_line_(fallback_line) {}
  explicit SourceValue(const SourceDoc& doc) : SourceValue(doc.root, &doc.lines, 1) {}

  const OrderedJson& json() const { return *value_; }
  // The line of this value (its key's line for an object member); the nearest known one.
  int line() const {
    return lines_ != nullptr && lines_->line != 0 ? lines_->line : fallback_line_;
  }
  size_t size() const { return value_->size(); }

  // REQUIRES: json() is an array or an object, i < size(). Element i, or the i-th member.
  SourceValue Child(size_t i) const;
  // REQUIRES: json() is an object, i < size().
  const std::string& KeyAt(size_t i) const;
  // The member named `key` of an object; nullopt when absent or not an object.
  std::optional<SourceValue> Find(std::string_view key) const;

 private:
  const OrderedJson* value_;
  const LineNode* lines_;
  int fallback_line_;
};

}  // namespace allot
