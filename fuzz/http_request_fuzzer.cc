// libFuzzer target: the API's request parsing (server/http_request_parser.h) on arbitrary
// query strings and bodies, and a submitted body's task file through the task-file reader, as
// POST /api/v1/submit does. The first byte picks the endpoint; the rest is a query string
// (split on '&' and '=' as the HTTP library does) or a body.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "server/http_request_parser.h"
#include "task_file_fuzz_check.h"

namespace {

allot::QueryParams SplitQuery(std::string_view text) {
  allot::QueryParams params;
  while (!text.empty()) {
    size_t amp = text.find('&');
    std::string_view pair = text.substr(0, amp);
    size_t eq = pair.find('=');
    params.emplace(std::string(pair.substr(0, eq)),
                   eq == std::string_view::npos ? std::string() : std::string(pair.substr(eq + 1)));
    if (amp == std::string_view::npos) break;
    text.remove_prefix(amp + 1);
  }
  return params;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t selector = data[0];
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (selector % 8) {
    case 0: (void)allot::ParseTaskQuery(SplitQuery(rest)); break;
    case 1: (void)allot::ParseWaitQuery(SplitQuery(rest)); break;
    case 2: (void)allot::ParseEventsQuery(SplitQuery(rest)); break;
    case 3: {
      size_t slash = rest.find('/');
      (void)allot::ParseLogQuery(std::string(rest.substr(0, slash)),
                                 SplitQuery(slash == std::string_view::npos
                                                ? std::string_view()
                                                : rest.substr(slash + 1)));
      break;
    }
    case 4: (void)allot::ParseStopServerBody(rest); break;
    case 5: (void)allot::ParseControlBody(rest); break;
    case 6: (void)allot::CheckNoQueryParams(SplitQuery(rest)); break;
    default: {
      allot::Result<allot::SubmitRequest> submit = allot::ParseSubmitBody(rest);
      if (submit.ok()) allot::fuzz::CheckTaskFile(submit->name, submit->text);
      break;
    }
  }
  return 0;
}
