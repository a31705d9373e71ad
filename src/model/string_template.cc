#include "model/string_template.h"

namespace allot {

Result<StringTemplate> StringTemplate::Compile(std::string_view text,
                                               const std::vector<std::string>& parameters) {
  StringTemplate t;
  std::string literal;
  auto flush = [&] {
    if (!literal.empty()) t.parts_.push_back(Part{std::move(literal), kLiteral});
    literal.clear();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '}') {
      literal.push_back('}');
      if (i + 1 < text.size() && text[i + 1] == '}') ++i;
      continue;
    }
    if (c != '{') {
      literal.push_back(c);
      continue;
    }
    if (i + 1 < text.size() && text[i + 1] == '{') {
      literal.push_back('{');
      ++i;
      continue;
    }
    size_t close = text.find('}', i + 1);
    if (close == std::string_view::npos) {
      return Status::InvalidArgument("unclosed '{' at position " + std::to_string(i + 1) +
                                     "; write '{{' for a literal brace in a sweep task");
    }
    std::string_view name = text.substr(i + 1, close - i - 1);
    if (name == kDepOutputsPlaceholder || name.rfind(kDepResultPrefix, 0) == 0) {
      // Filled in at launch (model/outputs_spec.h), not by the sweep: kept as written.
      literal.append(text.substr(i, close - i + 1));
      i = close;
      continue;
    }
    size_t index = 0;
    while (index < parameters.size() && parameters[index] != name) ++index;
    if (index == parameters.size()) {
      std::string known;
      for (const std::string& p : parameters) known += (known.empty() ? "" : ", ") + p;
      return Status::InvalidArgument("'{" + std::string(name) +
                                     "}' is not a sweep parameter (parameters: " + known +
                                     "); write '{{' and '}}' for literal braces");
    }
    flush();
    t.parts_.push_back(Part{"", index});
    i = close;
  }
  flush();
  return t;
}

std::string StringTemplate::Render(const std::vector<const std::string*>& values) const {
  std::string out;
  for (const Part& part : parts_) {
    if (part.parameter == kLiteral) {
      out += part.literal;
    } else {
      out += *values[part.parameter];
    }
  }
  return out;
}

bool StringTemplate::HasParameters() const {
  for (const Part& part : parts_) {
    if (part.parameter != kLiteral) return true;
  }
  return false;
}

}  // namespace allot
