#include "model/json_source.h"

#include <cstdio>
#include <cstring>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "common/utf8.h"
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
  bool string(std::string& v) {
    if (!NulFree(v)) return false;
    return Value(OrderedJson(std::move(v)));
  }
  bool binary(OrderedJson::binary_t& v) { return Value(OrderedJson::binary(std::move(v))); }

  bool start_object(size_t) { return Open(OrderedJson::object()); }
  bool start_array(size_t) { return Open(OrderedJson::array()); }
  bool end_object() {
    builder_.Close();
    return true;
  }
  bool end_array() {
    builder_.Close();
    return true;
  }
  bool key(std::string& k) {
    if (!NulFree(k)) return false;
    builder_.Key(std::move(k), CurrentLine());
    return true;
  }

  // nlohmann's message: "[json.exception.parse_error.101] parse error at line L, column C:
  // syntax error while parsing value - invalid string: ...; last read: '<token>'". The line
  // and column are taken from our own count; the token is shortened (it may be a whole
  // truncated file).
  bool parse_error(size_t position, const std::string& last_token,
                   const nlohmann::detail::exception& ex) {
    const size_t offset = position == 0 ? 0 : position - 1;
    error_.line = LineOf(offset + 1);
    error_.column = ColumnOf(offset);
    std::string_view what = ex.what();
    if (size_t colon = what.find(": "); colon != std::string_view::npos) {
      what.remove_prefix(colon + 2);
    }
    constexpr std::string_view kSyntax = "syntax error ";
    if (what.substr(0, kSyntax.size()) == kSyntax) what.remove_prefix(kSyntax.size());
    constexpr std::string_view kLastRead = "; last read: '";
    std::string message;
    if (size_t last = what.find(kLastRead); last != std::string_view::npos) {
      message = std::string(what.substr(0, last));
      std::string_view token = what.substr(last + kLastRead.size());
      // The token ends at "'; expected ..." when nlohmann says what it expected, else at the
      // final quote.
      std::string_view rest;
      if (size_t end = token.rfind("'; expected "); end != std::string_view::npos) {
        rest = token.substr(end + 1);
        token = token.substr(0, end);
      } else if (!token.empty() && token.back() == '\'') {
        token.remove_suffix(1);
      }
      message += "; last read: '" + Shortened(token) + "'" + std::string(rest);
    } else {
      message = std::string(what);
    }
    error_.message = std::move(message);
    return false;
  }

  const SourceError& error() const { return error_; }

 private:
  bool Open(OrderedJson empty) {
    if (builder_.Open(std::move(empty), CurrentLine())) return true;
    const size_t offset = static_cast<size_t>(*cursor_ - text_.data());
    error_.line = CurrentLine();
    error_.column = ColumnOf(offset == 0 ? 0 : offset - 1);
    error_.message = "arrays and objects nested more than " + std::to_string(kMaxSourceDepth) +
                     " levels deep";
    return false;
  }

  // Commands, paths and environment values are C strings: a NUL would silently cut them.
  bool NulFree(const std::string& v) {
    if (v.find('\0') == std::string::npos) return true;
    const size_t offset = static_cast<size_t>(*cursor_ - text_.data());
    error_.line = CurrentLine();
    error_.column = ColumnOf(offset == 0 ? 0 : offset - 1);
    error_.message = kNulMessage;
    return false;
  }

  // At most 40 bytes of a token, cut at a character boundary, with control characters and
  // bytes that are not UTF-8 written as \xNN (the token may be anything a file holds).
  static std::string Shortened(std::string_view token) {
    constexpr size_t kMax = 40;
    std::string out;
    size_t pos = 0;
    while (pos < token.size() && pos < kMax) {
      const size_t start = pos;
      char32_t c;
      if (DecodeUtf8(token, &pos, &c) && c >= 0x20 && c != 0x7F) {
        out.append(token.substr(start, pos - start));
      } else {
        pos = start + 1;
        char hex[8];
        std::snprintf(hex, sizeof hex, "\\x%02X", static_cast<unsigned char>(token[start]));
        out += hex;
      }
    }
    if (pos < token.size()) out += "...";
    return out;
  }

  // 1-based column of the byte at `offset`.
  int ColumnOf(size_t offset) const {
    if (offset > text_.size()) offset = text_.size();
    size_t line_start = text_.rfind('\n', offset == 0 ? 0 : offset - 1);
    line_start = (line_start == std::string_view::npos || offset == 0) ? 0 : line_start + 1;
    return static_cast<int>(offset - line_start) + 1;
  }

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
