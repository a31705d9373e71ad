#include "model/yaml_source.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/utf8.h"
#include "model/source_builder.h"

namespace allot {
namespace {

bool IsDigits(std::string_view s, bool hex = false, bool octal = false) {
  if (s.empty()) return false;
  for (char c : s) {
    bool ok = octal ? (c >= '0' && c <= '7')
                    : (std::isdigit(static_cast<unsigned char>(c)) ||
                       (hex && std::isxdigit(static_cast<unsigned char>(c))));
    if (!ok) return false;
  }
  return true;
}

// [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
bool IsFloat(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  size_t int_digits = 0, frac_digits = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++int_digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++frac_digits;
  }
  if (int_digits == 0 && frac_digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    if (!IsDigits(s.substr(i))) return false;
    return true;
  }
  return i == s.size();
}

class YamlError {
 public:
  YamlError(const YAML::Mark& mark, std::string message)
      : mark_(mark), message_(std::move(message)) {}
  const YAML::Mark& mark() const { return mark_; }
  const std::string& message() const { return message_; }

 private:
  YAML::Mark mark_;
  std::string message_;
};

// The number of values in `v`, itself included.
size_t CountValues(const OrderedJson& v) {
  size_t n = 1;
  if (v.is_structured()) {
    for (const auto& child : v) n += CountValues(child);
  }
  return n;
}

// yaml-cpp event handler feeding a SourceBuilder, with anchors, aliases and merge keys.
// Aliases are copied, so a few lines can name billions of values ("billion laughs"); the
// values copied by aliases are counted against `alias_budget` and reading stops past it.
class Handler : public YAML::EventHandler {
 public:
  Handler(SourceDoc* doc, size_t alias_budget) : builder_(doc), alias_budget_(alias_budget) {}

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    Scalar(mark, anchor, OrderedJson(nullptr), "", true);
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    auto it = anchors_.find(anchor);
    if (it == anchors_.end()) throw YamlError(mark, "unknown alias");
    aliased_values_ += it->second.size;
    if (aliased_values_ > alias_budget_) {
      throw YamlError(mark, "aliases expand to more than " + std::to_string(alias_budget_) +
                                " values; write the values out or use fewer aliases");
    }
    if (builder_.ExpectingKey()) {
      if (!it->second.value.is_string()) throw YamlError(mark, "mapping keys must be scalars");
      return Key(mark, it->second.value.get<std::string>(), false);
    }
    auto [value, lines] = builder_.Value(it->second.value, Line(mark));
    // The alias's contents keep the lines where the anchor defined them.
    lines->children = it->second.lines.children;
  }
  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    if (size_t bad = FindInvalidUtf8(value); bad != std::string::npos) {
      throw YamlError(mark, "invalid UTF-8 (byte " + std::to_string(bad + 1) + " of the " +
                                (builder_.ExpectingKey() ? "key" : "value") + ")");
    }
    if (value.find('\0') != std::string::npos) throw YamlError(mark, kNulMessage);
    Scalar(mark, anchor, ScalarValue(tag, value), value, tag == "?");
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    Open(mark, anchor, OrderedJson::array());
  }
  void OnSequenceEnd() override { Close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    Open(mark, anchor, OrderedJson::object());
  }
  void OnMapEnd() override { Close(); }

 private:
  struct Anchored {
    OrderedJson value;
    LineNode lines;
    size_t size = 1;  // CountValues(value)
  };

  static int Line(const YAML::Mark& mark) { return mark.line + 1; }

  static OrderedJson ScalarValue(const std::string& tag, const std::string& value) {
    if (tag == "?") return PlainScalarValue(value);
    if (tag == "tag:yaml.org,2002:int" || tag == "tag:yaml.org,2002:float" ||
        tag == "tag:yaml.org,2002:bool" || tag == "tag:yaml.org,2002:null") {
      return PlainScalarValue(value);
    }
    return OrderedJson(value);
  }

  void Key(const YAML::Mark& mark, const std::string& key, bool plain) {
    if (plain && key == kMergeKey) merge_flags_.back() = true;
    builder_.Key(key, Line(mark));
  }

  void Scalar(const YAML::Mark& mark, YAML::anchor_t anchor, OrderedJson value,
              const std::string& text, bool plain) {
    if (builder_.ExpectingKey()) {
      if (anchor != 0) anchors_[anchor] = {OrderedJson(text), LineNode{Line(mark), {}}, 1};
      return Key(mark, text, plain);
    }
    auto [placed, lines] = builder_.Value(std::move(value), Line(mark));
    if (anchor != 0) anchors_[anchor] = {*placed, *lines, 1};
  }

  void Open(const YAML::Mark& mark, YAML::anchor_t anchor, OrderedJson empty) {
    if (builder_.ExpectingKey()) throw YamlError(mark, "mapping keys must be scalars");
    if (!builder_.Open(std::move(empty), Line(mark))) {
      throw YamlError(mark, "sequences and mappings nested more than " +
                                std::to_string(kMaxSourceDepth) + " levels deep");
    }
    open_anchors_.push_back(anchor);
    merge_flags_.push_back(false);
  }

  void Close() {
    auto [value, lines] = builder_.Close();
    if (merge_flags_.back()) ApplyMerges(value, lines);
    if (YAML::anchor_t anchor = open_anchors_.back(); anchor != 0) {
      anchors_[anchor] = {*value, *lines, CountValues(*value)};
    }
    open_anchors_.pop_back();
    merge_flags_.pop_back();
  }

  // "<<: *base" or "<<: [*a, *b]": members not written explicitly come from the merged
  // mappings, earlier ones first; the "<<" member itself goes away.
  static void ApplyMerges(OrderedJson* value, LineNode* lines) {
    auto& members = value->get_ref<OrderedJson::object_t&>();
    size_t pos = 0;
    while (pos < members.size() && (members.begin() + pos)->first != kMergeKey) ++pos;
    if (pos == members.size()) return;
    OrderedJson merged = std::move((members.begin() + pos)->second);
    LineNode merged_lines = std::move(lines->children[pos]);
    members.erase(members.begin() + pos);
    lines->children.erase(lines->children.begin() + pos);
    auto merge_one = [&](const OrderedJson& source, const LineNode* source_lines) {
      if (!source.is_object()) return;
      const auto& source_members = source.get_ref<const OrderedJson::object_t&>();
      for (size_t i = 0; i < source_members.size(); ++i) {
        const auto& [key, v] = *(source_members.begin() + i);
        if (value->contains(key)) continue;
        members.emplace_back(key, v);
        LineNode child{merged_lines.line, {}};
        if (source_lines != nullptr && i < source_lines->children.size()) {
          child = source_lines->children[i];
        }
        lines->children.push_back(std::move(child));
      }
    };
    if (merged.is_array()) {
      for (size_t i = 0; i < merged.size(); ++i) {
        merge_one(merged[i],
                  i < merged_lines.children.size() ? &merged_lines.children[i] : nullptr);
      }
    } else {
      merge_one(merged, &merged_lines);
    }
  }

  static constexpr const char* kMergeKey = "<<";

  SourceBuilder builder_;
  const size_t alias_budget_;
  size_t aliased_values_ = 0;
  std::unordered_map<YAML::anchor_t, Anchored> anchors_;
  std::vector<YAML::anchor_t> open_anchors_;  // per open container
  std::vector<bool> merge_flags_;             // per open container: has a "<<" key
};

// Sees what follows the first document: anything but an empty document is an error, as it
// would otherwise be ignored.
class NextDocumentProbe : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override { start_ = mark; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override { Refuse(); }
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {
    Refuse();
  }
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    Refuse();
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    Refuse();
  }
  void OnMapEnd() override {}

 private:
  [[noreturn]] void Refuse() {
    throw YamlError(start_,
                    "a task file holds one YAML document, and a second one starts here; put "
                    "all tasks in one document (or in separate files)");
  }

  YAML::Mark start_;
};

}  // namespace

OrderedJson PlainScalarValue(const std::string& text) {
  std::string_view s = text;
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  std::string_view digits = s;
  bool negative = false;
  if (!digits.empty() && (digits[0] == '-' || digits[0] == '+')) {
    negative = digits[0] == '-';
    digits.remove_prefix(1);
  }
  int base = 0;
  if (IsDigits(digits)) {
    base = 10;
  } else if (s.size() > 2 && s[0] == '0' && s[1] == 'x' && IsDigits(s.substr(2), true)) {
    base = 16;
    digits = s.substr(2);
  } else if (s.size() > 2 && s[0] == '0' && s[1] == 'o' && IsDigits(s.substr(2), false, true)) {
    base = 8;
    digits = s.substr(2);
  }
  if (base != 0) {
    errno = 0;
    std::string d(digits);
    unsigned long long v = std::strtoull(d.c_str(), nullptr, base);
    if (errno == 0) {
      if (!negative && v <= static_cast<unsigned long long>(INT64_MAX)) {
        return static_cast<int64_t>(v);
      }
      if (negative && v == 0) return -0.0;  // keeps the sign, which sizes refuse
      if (negative && v <= static_cast<unsigned long long>(INT64_MAX) + 1) {
        return static_cast<int64_t>(0 - v);
      }
    }
    if (base != 10) return text;
    return std::strtod(text.c_str(), nullptr);
  }
  if (IsFloat(s)) return std::strtod(text.c_str(), nullptr);
  std::string_view inf = s;
  bool neg_inf = false;
  if (!inf.empty() && (inf[0] == '-' || inf[0] == '+')) {
    neg_inf = inf[0] == '-';
    inf.remove_prefix(1);
  }
  if (inf == ".inf" || inf == ".Inf" || inf == ".INF") {
    return neg_inf ? -HUGE_VAL : HUGE_VAL;
  }
  if (s == ".nan" || s == ".NaN" || s == ".NAN") return std::nan("");
  return text;
}

bool ParseYamlSource(std::string_view text, SourceDoc* doc, SourceError* error) {
  std::istringstream in{std::string(text)};
  // Expanding aliases may at most add a few values per byte of the file, and a million in any
  // case; real files use aliases for defaults, far below this.
  const size_t alias_budget = std::max<size_t>(1'000'000, 4 * text.size());
  Handler handler(doc, alias_budget);
  try {
    YAML::Parser parser(in);
    parser.HandleNextDocument(handler);
    NextDocumentProbe probe;
    parser.HandleNextDocument(probe);
  } catch (const YamlError& e) {
    *error = {e.mark().line + 1, e.mark().column + 1, e.message()};
    return false;
  } catch (const YAML::Exception& e) {
    *error = {e.mark.line + 1, e.mark.column + 1, e.msg};
    return false;
  }
  return true;
}

}  // namespace allot
