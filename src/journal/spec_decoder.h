// SpecDecoder: turns the spec JSON of journal rows into TaskSpecs on background threads while
// the loading thread goes on reading rows, since parsing JSON is most of the cost of loading a
// large journal. Used by LoadJournal.
//
// Each Start() hands one chunk of rows to a thread of its own; at most max_in_flight() chunks
// run at once (Start waits for the oldest when that many are running). Jobs share no mutable
// state: each writes only its own rows and its own Status. One thread drives the object.
#pragma once

#include <deque>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"
#include "journal/journal_store.h"

namespace allot {

class SpecDecoder {
 public:
  // `max_in_flight` 0: one less than the hardware threads (the caller keeps one busy), at
  // least 1 and at most kMaxThreads.
  explicit SpecDecoder(unsigned max_in_flight = 0);
  // Waits for the jobs still running.
  ~SpecDecoder();
  SpecDecoder(const SpecDecoder&) = delete;
  SpecDecoder& operator=(const SpecDecoder&) = delete;

  // Starts setting targets[i]->spec from json[i] (and clearing targets[i]->brief).
  // REQUIRES: json.size() == targets.size(); the targets have their index set and stay where
  // they are until Wait() returns.
  void Start(std::vector<std::string> json, std::vector<Submission*> targets);
  // Waits for every started job. OK, or the Status (Corruption naming the task) of the first
  // row that failed, in row order.
  Status Wait();

  unsigned max_in_flight() const { return max_in_flight_; }
  static constexpr unsigned kMaxThreads = 8;

 private:
  struct Job {
    std::unique_ptr<Status> result;  // written by the job's thread, read after join
    std::jthread thread;
  };
  // Joins the oldest job; keeps its Status if it is the first failure.
  void JoinOldest();

  unsigned max_in_flight_;
  std::deque<Job> running_;
  Status first_error_;
};

}  // namespace allot
