#include "model/json_source.h"

#include <cstring>
#include <iterator>
#include <regex>
#include <string>
#include <utility>
#include <vector>

namespace allot {
namespace {

// A char iterator that publishes how far the parser has read.
class CountingIterator {
 public:
  using iterator_category = std::input_iterator_tag;
  using value_type = char;
  using difference_type = std::ptrdiff_t;
  using pointer = const char*;
  using reference = const char&;

  CountingIterator(const char* p, const char** cursor) : p_(p), cursor_(cursor) {}
  reference operator*() const { return *p_; }
  CountingIterator& operator++() {
    *cursor_ = ++p_;
    return *this;
  }
  CountingIterator operator++(int) {
    CountingIterator old = *this;
    ++*this;
    return old;
  }
  bool operator==(const CountingIterator& other) const { return p_ == other.p_; }

 private:
  const char* p_;
  const char** cursor_;
};

// nlohmann SAX handler building an ordered DOM and the line of each key and array element.
class Builder {
 public:
  Builder(std::string_view text, const char** cursor, SourceDoc* doc)
      : text_(text), cursor_(cursor), doc_(doc) {}

  bool null() { return Value(OrderedJson(nullptr)); }
  bool boolean(bool v) { return Value(OrderedJson(v)); }
  bool number_integer(OrderedJson::number_integer_t v) { return Value(OrderedJson(v)); }
  bool number_unsigned(OrderedJson::number_unsigned_t v) { return Value(OrderedJson(v)); }
  bool number_float(OrderedJson::number_float_t v, const std::string&) {
    return Value(OrderedJson(v));
  }
  bool string(std::string& v) { return Value(OrderedJson(std::move(v))); }
  bool binary(OrderedJson::binary_t& v) { return Value(OrderedJson::binary(std::move(v))); }

  bool start_object(size_t) { return Open(OrderedJson::object()); }
  bool start_array(size_t) { return Open(OrderedJson::array()); }
  bool end_object() { return Close(); }
  bool end_array() { return Close(); }

  bool key(std::string& k) {
    Frame& f = stack_.back();
    path_.resize(f.path_length);
    AppendPathSegment(&path_, k);
    int line = CurrentLine();
    if (int first = doc_->lines.Set(path_, line); first != 0) {
      doc_->duplicate_keys.push_back(
          {line, 0, "duplicate key '" + k + "' (first at line " + std::to_string(first) + ")"});
    }
    f.key = std::move(k);
    return true;
  }

  bool parse_error(size_t position, const std::string& last_token,
                   const nlohmann::detail::exception& ex) {
    error_.message = ex.what();
    static const std::regex kWhere(R"(at line (\d+), column (\d+): (.*))");
    std::smatch m;
    if (std::regex_search(error_.message, m, kWhere)) {
      error_.line = std::stoi(m[1]);
      error_.column = std::stoi(m[2]);
      error_.message = m[3];
    } else {
      error_.line = LineOf(position);
      size_t colon = error_.message.find(": ");
      if (colon != std::string::npos) error_.message.erase(0, colon + 2);
    }
    return false;
  }

  const SourceError& error() const { return error_; }

 private:
  struct Frame {
    OrderedJson* container = nullptr;
    size_t path_length = 0;
    size_t next_index = 0;
    std::string key;
  };

  // 1-based line of the token just read. The character most recently read may be one past the
  // token (the lexer reads one beyond a number), so it is not counted.
  int CurrentLine() { return LineOf(static_cast<size_t>(*cursor_ - text_.data())); }

  int LineOf(size_t consumed) {
    size_t end = consumed == 0 ? 0 : consumed - 1;
    if (end > text_.size()) end = text_.size();
    while (counted_ < end) {
      const void* nl = std::memchr(text_.data() + counted_, '\n', end - counted_);
      if (nl == nullptr) {
        counted_ = end;
        break;
      }
      ++newlines_;
      counted_ = static_cast<const char*>(nl) - text_.data() + 1;
    }
    return newlines_ + 1;
  }

  // Places `v` in the current container; returns where it went.
  OrderedJson* Place(OrderedJson v) {
    if (stack_.empty()) {
      doc_->root = std::move(v);
      return &doc_->root;
    }
    Frame& f = stack_.back();
    if (f.container->is_array()) {
      path_.resize(f.path_length);
      path_.push_back('/');
      path_.append(std::to_string(f.next_index++));
      doc_->lines.Set(path_, CurrentLine());
      f.container->push_back(std::move(v));
      return &f.container->back();
    }
    OrderedJson& slot = (*f.container)[f.key];
    slot = std::move(v);
    return &slot;
  }

  bool Value(OrderedJson v) {
    Place(std::move(v));
    return true;
  }

  bool Open(OrderedJson empty) {
    if (stack_.empty()) doc_->lines.Set("", CurrentLine());
    OrderedJson* container = Place(std::move(empty));
    // Place() left path_ naming the new container.
    Frame frame;
    frame.container = container;
    frame.path_length = stack_.empty() ? 0 : path_.size();
    stack_.push_back(std::move(frame));
    return true;
  }

  bool Close() {
    stack_.pop_back();
    return true;
  }

  std::string_view text_;
  const char** cursor_;
  SourceDoc* doc_;
  std::vector<Frame> stack_;
  std::string path_;
  size_t counted_ = 0;
  int newlines_ = 0;
  SourceError error_;
};

}  // namespace

bool ParseJsonSource(std::string_view text, SourceDoc* doc, SourceError* error) {
  const char* cursor = text.data();
  Builder builder(text, &cursor, doc);
  CountingIterator first(text.data(), &cursor);
  CountingIterator last(text.data() + text.size(), &cursor);
  bool ok = OrderedJson::sax_parse(first, last, &builder);
  if (!ok) *error = builder.error();
  return ok;
}

}  // namespace allot
