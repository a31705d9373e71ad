#include "model/json_source.h"

#include <cstring>
#include <iterator>
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include "model/source_builder.h"

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

// nlohmann SAX handler feeding a SourceBuilder with the line of each token.
class Handler {
 public:
  Handler(std::string_view text, const char** cursor, SourceDoc* doc,
          SourceBuilder::TaskCallback on_task)
      : text_(text), cursor_(cursor), builder_(doc, std::move(on_task)) {}

  bool null() { return Value(OrderedJson(nullptr)); }
  bool boolean(bool v) { return Value(OrderedJson(v)); }
  bool number_integer(OrderedJson::number_integer_t v) { return Value(OrderedJson(v)); }
  bool number_unsigned(OrderedJson::number_unsigned_t v) { return Value(OrderedJson(v)); }
  bool number_float(OrderedJson::number_float_t v, const std::string&) {
    return Value(OrderedJson(v));
  }
  bool string(std::string& v) { return Value(OrderedJson(std::move(v))); }
  bool binary(OrderedJson::binary_t& v) { return Value(OrderedJson::binary(std::move(v))); }

  bool start_object(size_t) {
    builder_.Open(OrderedJson::object(), CurrentLine());
    return true;
  }
  bool start_array(size_t) {
    builder_.Open(OrderedJson::array(), CurrentLine());
    return true;
  }
  bool end_object() {
    builder_.Close();
    return true;
  }
  bool end_array() {
    builder_.Close();
    return true;
  }
  bool key(std::string& k) {
    builder_.Key(std::move(k), CurrentLine());
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
      // The caller says "JSON syntax error"; nlohmann's text repeats it.
      if (error_.message.rfind("syntax error ", 0) == 0) error_.message.erase(0, 13);
    } else {
      error_.line = LineOf(position);
      size_t colon = error_.message.find(": ");
      if (colon != std::string::npos) error_.message.erase(0, colon + 2);
    }
    return false;
  }

  const SourceError& error() const { return error_; }

 private:
  bool Value(OrderedJson v) {
    builder_.Value(std::move(v), CurrentLine());
    return true;
  }

  // 1-based line of the token just read. The character most recently read may be one past the
  // token (the lexer reads one beyond a number), so it is not counted.
  int CurrentLine() { return LineOf(static_cast<size_t>(*cursor_ - text_.data())); }

  // Offsets only grow, so newlines are counted once, incrementally.
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

  std::string_view text_;
  const char** cursor_;
  SourceBuilder builder_;
  size_t counted_ = 0;
  int newlines_ = 0;
  SourceError error_;
};

}  // namespace

bool ParseJsonSource(std::string_view text, SourceDoc* doc, SourceError* error,
                     SourceBuilder::TaskCallback on_task) {
  const char* cursor = text.data();
  Handler handler(text, &cursor, doc, std::move(on_task));
  CountingIterator first(text.data(), &cursor);
  CountingIterator last(text.data() + text.size(), &cursor);
  bool ok = OrderedJson::sax_parse(first, last, &handler);
  if (!ok) *error = handler.error();
  return ok;
}

}  // namespace allot
