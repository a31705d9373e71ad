#include "model/yaml_source.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>
#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstdlib>
#include <sstream>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

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

class Builder : public YAML::EventHandler {
 public:
  explicit Builder(SourceDoc* doc) : doc_(doc) {}

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override { done_ = true; }

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    Node(mark, anchor, OrderedJson(nullptr), "", true);
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    auto it = anchors_.find(anchor);
    if (it == anchors_.end()) throw YamlError(mark, "unknown alias");
    Node(mark, 0, it->second, "", false);
  }
  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    Node(mark, anchor, ScalarValue(tag, value), value, tag == "?");
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
  void OnMapEnd() override {
    ApplyMerges(stack_.back());
    Close();
  }

  bool done() const { return done_; }

 private:
  struct Frame {
    OrderedJson* container = nullptr;
    size_t path_length = 0;
    YAML::anchor_t anchor = 0;
    bool detached = false;  // inside a "<<" value: not part of the document's paths
    size_t next_index = 0;
    bool expecting_key = true;
    bool key_is_merge = false;
    std::string key;
    int key_line = 0;
    std::vector<OrderedJson> merges;  // values of "<<" keys, in order
  };

  static OrderedJson ScalarValue(const std::string& tag, const std::string& value) {
    if (tag == "?") return PlainScalarValue(value);
    if (tag == "tag:yaml.org,2002:int" || tag == "tag:yaml.org,2002:float" ||
        tag == "tag:yaml.org,2002:bool" || tag == "tag:yaml.org,2002:null") {
      return PlainScalarValue(value);
    }
    return OrderedJson(value);
  }

  // Handles a scalar, null or alias: a key when a mapping expects one, else a value.
  void Node(const YAML::Mark& mark, YAML::anchor_t anchor, OrderedJson value,
            const std::string& text, bool plain) {
    if (!stack_.empty() && stack_.back().container->is_object() && stack_.back().expecting_key) {
      Frame& f = stack_.back();
      if (!value.is_null() && !value.is_string() && !value.is_number() && !value.is_boolean()) {
        throw YamlError(mark, "mapping keys must be scalars");
      }
      f.key = value.is_string() ? value.get<std::string>() : text;
      if (value.is_null() && text.empty()) f.key = "";
      f.key_is_merge = plain && f.key == "<<";
      f.key_line = mark.line + 1;
      f.expecting_key = false;
      if (anchor != 0) anchors_[anchor] = OrderedJson(f.key);
      return;
    }
    if (anchor != 0) anchors_[anchor] = value;
    Place(mark, std::move(value));
  }

  OrderedJson* Place(const YAML::Mark& mark, OrderedJson value) {
    if (stack_.empty()) {
      doc_->root = std::move(value);
      return &doc_->root;
    }
    Frame& f = stack_.back();
    path_.resize(f.path_length);
    if (f.container->is_array()) {
      path_.push_back('/');
      path_.append(std::to_string(f.next_index++));
      if (!f.detached) doc_->lines.Set(path_, mark.line + 1);
      f.container->push_back(std::move(value));
      return &f.container->back();
    }
    f.expecting_key = true;
    if (f.key_is_merge) {
      f.merges.push_back(std::move(value));
      return &f.merges.back();
    }
    AppendPathSegment(&path_, f.key);
    if (f.detached) {
      OrderedJson& slot = (*f.container)[f.key];
      slot = std::move(value);
      return &slot;
    }
    if (int first = doc_->lines.Set(path_, f.key_line); first != 0) {
      doc_->duplicate_keys.push_back({f.key_line, 0,
                                      "duplicate key '" + f.key + "' (first at line " +
                                          std::to_string(first) + ")"});
    }
    OrderedJson& slot = (*f.container)[f.key];
    slot = std::move(value);
    return &slot;
  }

  void Open(const YAML::Mark& mark, YAML::anchor_t anchor, OrderedJson empty) {
    if (!stack_.empty() && stack_.back().container->is_object() && stack_.back().expecting_key) {
      throw YamlError(mark, "mapping keys must be scalars");
    }
    if (stack_.empty()) doc_->lines.Set("", mark.line + 1);
    // A merge value lives outside the document; its contents get no lines of their own.
    bool detached = !stack_.empty() && (stack_.back().detached ||
                                        (stack_.back().container->is_object() &&
                                         stack_.back().key_is_merge));
    OrderedJson* container = Place(mark, std::move(empty));
    Frame frame;
    frame.container = container;
    frame.path_length = stack_.empty() ? 0 : path_.size();
    frame.anchor = anchor;
    frame.detached = detached;
    stack_.push_back(std::move(frame));
  }

  void Close() {
    Frame& f = stack_.back();
    if (f.anchor != 0) anchors_[f.anchor] = *f.container;
    stack_.pop_back();
  }

  // "<<: *base" or "<<: [*a, *b]": keys not written explicitly come from the merged mappings.
  void ApplyMerges(Frame& f) {
    for (const OrderedJson& merge : f.merges) {
      const OrderedJson* sources = &merge;
      OrderedJson single = OrderedJson::array();
      if (merge.is_object()) {
        single.push_back(merge);
        sources = &single;
      }
      if (!sources->is_array()) continue;
      for (const OrderedJson& source : *sources) {
        if (!source.is_object()) continue;
        for (auto it = source.begin(); it != source.end(); ++it) {
          if (!f.container->contains(it.key())) (*f.container)[it.key()] = it.value();
        }
      }
    }
  }

  SourceDoc* doc_;
  std::vector<Frame> stack_;
  std::string path_;
  std::unordered_map<YAML::anchor_t, OrderedJson> anchors_;
  bool done_ = false;
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
  Builder builder(doc);
  try {
    YAML::Parser parser(in);
    parser.HandleNextDocument(builder);
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
