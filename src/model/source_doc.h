// SourceDoc: a task file read into one intermediate form, whatever its syntax (JSON or YAML):
// an ordered JSON value (object keys keep file order) plus the line of every object key and
// array element, so field parsing and validation are written once and still name lines.
//
// Paths are JSON pointers ("/tasks/3/cores"; '~' and '/' in keys escaped as "~0" and "~1").
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

namespace allot {

using OrderedJson = nlohmann::ordered_json;

// `parent` + "/" + the escaped key or index.
std::string ChildPath(std::string_view parent, std::string_view key);
std::string ChildPath(std::string_view parent, size_t index);
void AppendPathSegment(std::string* path, std::string_view key);

// Line of each key / array element. Thread-compatible.
class LineMap {
 public:
  // Records `line` for `path`. Returns the line already recorded when `path` was seen before
  // (a duplicate key), else 0.
  int Set(std::string path, int line);
  // The line of `path`, or of its nearest recorded ancestor; 0 when none.
  int Find(std::string_view path) const;
  size_t size() const { return lines_.size(); }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  std::unordered_map<std::string, int, Hash, std::equal_to<>> lines_;
};

// A problem found while reading the syntax: an error that stops reading, or a duplicate key.
struct SourceError {
  int line = 0;    // 1-based; 0 when unknown
  int column = 0;  // 1-based; 0 when unknown
  std::string message;
};

struct SourceDoc {
  OrderedJson root;
  LineMap lines;
  std::vector<SourceError> duplicate_keys;  // the document is still usable (last value wins)
};

}  // namespace allot
