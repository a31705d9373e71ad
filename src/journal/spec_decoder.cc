#include "journal/spec_decoder.h"

#include <algorithm>
#include <thread>
#include <vector>

#include "journal/journal_rows.h"

namespace allot {
namespace {

Status DecodeRange(std::span<const std::string> json, std::span<Submission> out) {
  for (size_t i = 0; i < json.size(); ++i) {
    ALLOT_RETURN_IF_ERROR(DecodeSpec(json[i], out[i].index, &out[i].spec));
  }
  return Status::Ok();
}

}  // namespace

SpecDecoder::SpecDecoder(unsigned threads) {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  threads_ = std::min(threads, kMaxThreads);
}

Status SpecDecoder::Decode(std::span<const std::string> json, std::span<Submission> out) const {
  size_t n = json.size();
  size_t workers = std::clamp<size_t>(n / kMinRowsPerThread, 1, threads_);
  if (workers == 1) return DecodeRange(json, out);
  std::vector<Status> results(workers);
  {
    std::vector<std::jthread> pool;
    pool.reserve(workers - 1);
    size_t per = (n + workers - 1) / workers;
    for (size_t w = 0; w < workers; ++w) {
      size_t begin = std::min(n, w * per);
      size_t count = std::min(per, n - begin);
      auto job = [&, w, begin, count] {
        results[w] = DecodeRange(json.subspan(begin, count), out.subspan(begin, count));
      };
      if (w + 1 < workers) {
        pool.emplace_back(job);
      } else {
        job();  // the calling thread takes the last range
      }
    }
  }  // joins
  for (Status& s : results) {
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

}  // namespace allot
