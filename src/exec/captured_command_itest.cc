#include "exec/captured_command.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace allot {
namespace {

using namespace std::chrono_literals;

TEST(CapturedCommandTest, FeedsStdinAndCapturesBothStreamsAndTheExitCode) {
  CapturedOutput r = RunCaptured({"sh", "-c", "cat; echo oops >&2; exit 3"}, "#!/bin/sh\nhi\n",
                                 10s);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.out, "#!/bin/sh\nhi\n");
  EXPECT_EQ(r.err, "oops\n");
}

TEST(CapturedCommandTest, ALargeInputTheCommandIgnoresDoesNotHang) {
  CapturedOutput r = RunCaptured({"true"}, std::string(1 << 20, 'x'), 10s);
  EXPECT_EQ(r.exit_code, 0);
}

TEST(CapturedCommandTest, AMissingProgramIs127WithWhy) {
  CapturedOutput r = RunCaptured({"no-such-program-allot"}, "", 10s);
  EXPECT_EQ(r.exit_code, 127);
  EXPECT_THAT(r.err, ::testing::HasSubstr("no-such-program-allot"));
}

TEST(CapturedCommandTest, ACommandPastItsTimeoutIsKilledWithItsChildren) {
  CapturedOutput r = RunCaptured({"sh", "-c", "sleep 30 & sleep 30"}, "", 300ms);
  EXPECT_EQ(r.exit_code, 124);
}

}  // namespace
}  // namespace allot
