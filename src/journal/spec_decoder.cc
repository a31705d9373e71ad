#include "journal/spec_decoder.h"

#include <algorithm>

#include "journal/journal_rows.h"

namespace allot {

SpecDecoder::SpecDecoder(unsigned max_in_flight) {
  if (max_in_flight == 0) {
    unsigned hw = std::thread::hardware_concurrency();
    max_in_flight = hw > 1 ? hw - 1 : 1;
  }
  max_in_flight_ = std::min(max_in_flight, kMaxThreads);
}

SpecDecoder::~SpecDecoder() { (void)Wait(); }

void SpecDecoder::Start(std::vector<std::string> json, std::vector<Submission*> targets) {
  if (json.empty()) return;
  while (running_.size() >= max_in_flight_) JoinOldest();
  auto result = std::make_unique<Status>();
  Status* out = result.get();
  std::jthread thread([json = std::move(json), targets = std::move(targets), out] {
    for (size_t i = 0; i < json.size(); ++i) {
      Submission& target = *targets[i];
      Status s = DecodeSpec(json[i], target.index, &target.spec);
      if (!s.ok()) {
        *out = std::move(s);
        return;
      }
      target.brief = false;
    }
  });
  running_.push_back({std::move(result), std::move(thread)});
}

void SpecDecoder::JoinOldest() {
  Job& job = running_.front();
  job.thread.join();
  if (first_error_.ok() && !job.result->ok()) first_error_ = std::move(*job.result);
  running_.pop_front();
}

Status SpecDecoder::Wait() {
  while (!running_.empty()) JoinOldest();
  return first_error_;
}

}  // namespace allot
