#include "cli/diagnostics_output.h"

#include <cerrno>
#include <cstring>
#include <fstream>

#include <fmt/format.h>

#include "model/diagnostic_json.h"

namespace allot {

CLI::Option* AddDiagnosticsJsonOption(CLI::App* cmd, std::string* path) {
  return cmd->add_option("--diagnostics-json", *path,
                         "When the input is refused, also write each problem to FILE as one "
                         "JSON object per line: {file, line, column, task, field, message, "
                         "text} (null where unknown)");
}

void WriteDiagnosticsJson(std::string_view command, const std::string& path,
                          const std::vector<Diagnostic>& diagnostics) {
  if (path.empty() || diagnostics.empty()) return;
  std::ofstream out(path, std::ios::trunc);
  // A file name or id need not be UTF-8; JSON must be (U+FFFD stands in, as in the API).
  for (const Diagnostic& d : diagnostics) {
    out << DiagnosticToJson(d).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
        << '\n';
  }
  out.close();
  if (!out) {
    fmt::print(stderr, "allot {}: cannot write the diagnostics to {}: {}\n", command, path,
               std::strerror(errno));
  }
}

}  // namespace allot
