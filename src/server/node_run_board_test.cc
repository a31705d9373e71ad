// NodeRunBoard: a wait returns a run's end once, after it finished; before, it times out empty.
#include <gtest/gtest.h>

#include <thread>

#include "server/node_run_board.h"

namespace allot {
namespace {

using namespace std::chrono_literals;

TEST(NodeRunBoardTest, AWaitGetsTheEndOnceAndThenTheRunIsGone) {
  NodeRunBoard board;
  const uint32_t run = board.Open();
  EXPECT_EQ(board.Open(), run + 1);
  NodeRunEnd end;
  end.usage.exit_code = 3;
  board.Finish(run, end);
  Result<std::optional<NodeRunEnd>> got = board.Wait(run, 0ms);
  ASSERT_TRUE(got.ok());
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->usage.exit_code, 3);
  EXPECT_EQ(board.Wait(run, 0ms).status().code(), StatusCode::kNotFound);
}

TEST(NodeRunBoardTest, AnOpenRunWaitsEmptyUntilItEnds) {
  NodeRunBoard board;
  const uint32_t run = board.Open();
  Result<std::optional<NodeRunEnd>> empty = board.Wait(run, 0ms);
  ASSERT_TRUE(empty.ok());
  EXPECT_FALSE(empty->has_value());
  std::thread finisher([&] { board.Finish(run, NodeRunEnd{}); });
  Result<std::optional<NodeRunEnd>> got = board.Wait(run, std::chrono::hours(1));
  finisher.join();
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(got->has_value());
}

TEST(NodeRunBoardTest, PastItsWaitersAWaitAnswersAtOnceSayingBusy) {
  NodeRunBoard board(/*max_waiters=*/1);
  const uint32_t first = board.Open(), second = board.Open();
  std::thread waiter([&] { (void)board.Wait(first, std::chrono::hours(1)); });
  // Once the first wait blocks, the second is answered at once, busy; it blocked while not.
  bool busy = false;
  while (!busy) {
    Result<std::optional<NodeRunEnd>> got = board.Wait(second, 0ms, &busy);
    ASSERT_TRUE(got.ok());
    EXPECT_FALSE(got->has_value());
  }
  Result<std::optional<NodeRunEnd>> at_once = board.Wait(second, std::chrono::hours(1), &busy);
  ASSERT_TRUE(at_once.ok());
  EXPECT_TRUE(busy);
  EXPECT_FALSE(at_once->has_value());
  board.Finish(first, NodeRunEnd{});
  waiter.join();
}

TEST(NodeRunBoardTest, ClosingEndsOpenRunsWithTheReason) {
  NodeRunBoard board;
  const uint32_t run = board.Open();
  board.Close("the server is stopping");
  Result<std::optional<NodeRunEnd>> got = board.Wait(run, std::chrono::hours(1));
  ASSERT_TRUE(got.ok());
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((*got)->error, "the server is stopping");
}

}  // namespace
}  // namespace allot
