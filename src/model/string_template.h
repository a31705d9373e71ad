// StringTemplate: a string with {name} placeholders for sweep parameters, compiled once and
// rendered for every sweep row. "{{" and "}}" stand for literal braces; a lone '}' is kept
// as it is. "{dep.outputs}" and "{dep.result.KEY}" are no sweep parameters: they are kept as
// written, for the launch to fill in (model/outputs_spec.h, model/task_result.h).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace allot {

// The placeholder a command may use for its dependencies' declared outputs.
inline constexpr std::string_view kDepOutputsPlaceholder = "dep.outputs";
// "{dep.result.KEY}": a key of a dependency's result (model/task_result.h), filled at launch.
inline constexpr std::string_view kDepResultPrefix = "dep.result.";

class StringTemplate {
 public:
  // InvalidArgument naming the problem when `text` has a placeholder that is not one of
  // `parameters` or an unclosed '{'.
  static Result<StringTemplate> Compile(std::string_view text,
                                        const std::vector<std::string>& parameters);

  // REQUIRES: values.size() == the number of parameters given to Compile.
  std::string Render(const std::vector<const std::string*>& values) const;
  bool HasParameters() const;

 private:
  static constexpr size_t kLiteral = static_cast<size_t>(-1);
  struct Part {
    std::string literal;  // when parameter == kLiteral
    size_t parameter = kLiteral;
  };
  std::vector<Part> parts_;
};

}  // namespace allot
