// SPDX-License-Identifier: Apache-2.0
#include "core/logging.h"

#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/testing/log_capture.h"
#include "core/testing/status_matchers.h"

namespace mamori::core {
namespace {

using testing::LogCapture;
using testing::StatusIs;

// DESIGN invariant 5: runtime strings (a request body, a query value) cannot be
// log arguments; only literals, numbers, Status and vouched LogSafe text can.
static_assert(!Loggable<std::string>);
static_assert(!Loggable<const std::string&>);
static_assert(!Loggable<std::string_view>);
static_assert(!Loggable<const char*>);
static_assert(!Loggable<char*>);
static_assert(Loggable<const char (&)[6]>);
static_assert(Loggable<int>);
static_assert(Loggable<LogSafe>);
static_assert(Loggable<Status>);

TEST(LoggingTest, CaptureSeesFormattedLine) {
  LogCapture capture(/*quiet=*/true);
  LogInfo("listening on {} with {} threads", LogSafe::Vouch("127.0.0.1:8443", "config"), 2);
  EXPECT_TRUE(capture.Contains("listening on 127.0.0.1:8443 with 2 threads"));
}

TEST(LoggingTest, StatusIsLoggedWithItsCode) {
  LogCapture capture(/*quiet=*/true);
  LogWarn("commit failed: {}", UnavailableError("fsync failed"));
  EXPECT_TRUE(capture.Contains("commit failed: Unavailable: fsync failed"));
}

TEST(LoggingTest, LinesBelowLevelAreDropped) {
  LogCapture capture(/*quiet=*/true);
  SetLogLevel(LogLevel::kWarn);
  LogInfo("quiet line");
  LogWarn("loud line");
  SetLogLevel(LogLevel::kInfo);
  EXPECT_FALSE(capture.Contains("quiet line"));
  EXPECT_TRUE(capture.Contains("loud line"));
}

TEST(LoggingTest, CaptureCollectsLinesFromOtherThreads) {
  LogCapture capture(/*quiet=*/true);
  std::thread t([] { LogInfo("from worker {}", 1); });
  t.join();
  EXPECT_TRUE(capture.Contains("from worker 1"));
}

TEST(LoggingTest, ParseLogLevelRejectsUnknownName) {
  EXPECT_THAT(ParseLogLevel("verbose"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(*ParseLogLevel("debug"), LogLevel::kDebug);
}

}  // namespace
}  // namespace mamori::core
