#include "exec/stderr_tail.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <vector>

#include "common/utf8.h"

namespace allot {
namespace {

constexpr size_t kReadBytes = 4096;

std::string_view Trim(std::string_view s) {
  const char* blanks = " \t\r\v\f";
  size_t first = s.find_first_not_of(blanks);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(blanks) - first + 1);
}

}  // namespace

std::string FormatStderrTail(std::string_view text, size_t max_lines, size_t max_bytes) {
  std::vector<std::string_view> lines;  // last first
  size_t end = text.size();
  while (end > 0 && lines.size() < max_lines) {
    size_t nl = text.rfind('\n', end - 1);
    size_t start = nl == std::string_view::npos ? 0 : nl + 1;
    std::string_view line = Trim(text.substr(start, end - start));
    if (!line.empty()) lines.push_back(line);
    if (nl == std::string_view::npos) break;
    end = nl;
  }
  std::string joined;
  for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
    if (!joined.empty()) joined += " | ";
    joined.append(it->data(), it->size());
  }
  std::string out = EscapeForDisplay(joined);
  if (out.size() <= max_bytes) return out;
  const std::string_view ellipsis = "...";
  size_t cut = out.size() - (max_bytes - ellipsis.size());
  // Start on a whole UTF-8 character (escaping left only valid UTF-8 and ASCII escapes).
  while (cut < out.size() && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) ++cut;
  return std::string(ellipsis) + out.substr(cut);
}

std::string ReadStderrTail(const std::string& path, size_t max_lines) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) return {};
  struct stat st = {};
  std::string text;
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
    const off_t from = st.st_size > static_cast<off_t>(kReadBytes)
                           ? st.st_size - static_cast<off_t>(kReadBytes)
                           : 0;
    text.resize(kReadBytes);
    ssize_t n = pread(fd, text.data(), kReadBytes, from);
    text.resize(n > 0 ? static_cast<size_t>(n) : 0);
    // A cut first line is a fragment: drop it unless it is all there is.
    if (from > 0) {
      size_t nl = text.find('\n');
      if (nl != std::string::npos && nl + 1 < text.size()) text.erase(0, nl + 1);
    }
  }
  close(fd);
  return FormatStderrTail(text, max_lines);
}

}  // namespace allot
