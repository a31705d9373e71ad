#include "worker/exit_ledger.h"

#include <gtest/gtest.h>

namespace allot {
namespace {

using std::chrono::seconds;

ExitReport Exit(uint64_t execution, int code) {
  ExitReport e;
  e.execution = execution;
  e.task = "t" + std::to_string(execution);
  e.attempt = 1;
  e.usage.exit_code = code;
  return e;
}

std::vector<uint64_t> Executions(const std::vector<ExitReport>& exits) {
  std::vector<uint64_t> ids;
  for (const ExitReport& e : exits) ids.push_back(e.execution);
  return ids;
}

TEST(ExitLedgerTest, KeepsEveryExitUntilItIsAcked) {
  ExitLedger ledger;
  TimePoint t0{};
  ledger.Add(Exit(3, 0), t0);
  ledger.Add(Exit(1, 2), t0);
  ledger.Add(Exit(2, 0), t0);
  ledger.Ack({2, 99});
  EXPECT_EQ(ledger.size(), 2u);
  EXPECT_TRUE(ledger.Contains(1));
  EXPECT_FALSE(ledger.Contains(2));
  EXPECT_EQ(Executions(ledger.All(t0)), (std::vector<uint64_t>{1, 3}));
  ledger.Ack({1, 3});
  EXPECT_TRUE(ledger.empty());
}

TEST(ExitLedgerTest, ResendsOnlyExitsUnackedForTheWholeInterval) {
  ExitLedger ledger;
  TimePoint t0{};
  ledger.Add(Exit(1, 0), t0);
  ledger.Add(Exit(2, 0), t0 + seconds(20));
  EXPECT_TRUE(ledger.TakeDue(t0 + seconds(29), seconds(30)).empty());
  EXPECT_EQ(Executions(ledger.TakeDue(t0 + seconds(30), seconds(30))), std::vector<uint64_t>{1});
  // Sent again at 30 s: not due again before 60 s; the second one is due at 50 s.
  EXPECT_EQ(Executions(ledger.TakeDue(t0 + seconds(50), seconds(30))), std::vector<uint64_t>{2});
  EXPECT_EQ(Executions(ledger.TakeDue(t0 + seconds(60), seconds(30))), std::vector<uint64_t>{1});
}

TEST(ExitLedgerTest, ARegisterCountsAsSendingEverything) {
  ExitLedger ledger;
  TimePoint t0{};
  ledger.Add(Exit(1, 0), t0);
  EXPECT_EQ(ledger.All(t0 + seconds(25)).size(), 1u);
  EXPECT_TRUE(ledger.TakeDue(t0 + seconds(40), seconds(30)).empty());
}

}  // namespace
}  // namespace allot
