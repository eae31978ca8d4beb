// SPDX-License-Identifier: Apache-2.0
// The backup schedule inside `serve` (issue 8): "daily HH:MM" and five-field
// cron, in Japan Standard Time by default.
#include "backup/schedule.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/testing/status_matchers.h"

namespace mamori::backup {
namespace {

using core::StatusCode;
using core::testing::IsOk;
using core::testing::StatusIs;

core::Clock::WallTime Utc(int y, unsigned mo, unsigned d, int h, int mi) {
  using namespace std::chrono;
  return sys_days{year{y} / month{mo} / day{d}} + hours{h} + minutes{mi};
}

std::string Next(std::string_view text, core::Clock::WallTime after, int offset = 9 * 60) {
  auto s = Schedule::Parse(text, offset);
  EXPECT_THAT(s, IsOk());
  std::string at = core::FormatRfc3339(s->Next(after));  // 2026-11-25T17:30:00.000Z
  return at.substr(0, 19) + "Z";
}

TEST(ScheduleTest, DailyAtATimeInJapanStandardTime) {
  // 02:30 JST is 17:30 UTC the day before.
  EXPECT_EQ(Next("daily 02:30", Utc(2026, 11, 25, 7, 0)), "2026-11-25T17:30:00Z");
  EXPECT_EQ(Next("daily 02:30", Utc(2026, 11, 25, 17, 30)), "2026-11-26T17:30:00Z");
  EXPECT_EQ(Next("daily 02:30", Utc(2026, 11, 25, 17, 29)), "2026-11-25T17:30:00Z");
  EXPECT_EQ(Next("daily 02:30, 14:30", Utc(2026, 11, 25, 18, 0)), "2026-11-26T05:30:00Z");
  EXPECT_EQ(Next("daily 02:30", Utc(2026, 11, 25, 7, 0), 0), "2026-11-26T02:30:00Z");
}

TEST(ScheduleTest, CronFields) {
  auto after = Utc(2026, 11, 25, 7, 7);  // Wednesday 16:07 JST
  EXPECT_EQ(Next("*/15 * * * *", after), "2026-11-25T07:15:00Z");
  EXPECT_EQ(Next("0 3 * * 0", after), "2026-11-28T18:00:00Z");         // Sunday 03:00 JST
  EXPECT_EQ(Next("0 3 * * 7", after), "2026-11-28T18:00:00Z");         // 7 is Sunday too
  EXPECT_EQ(Next("0 3 1 * *", after), "2026-11-30T18:00:00Z");         // 1 December 03:00 JST
  EXPECT_EQ(Next("0 3 1 * 5", after), "2026-11-26T18:00:00Z");         // the 1st or a Friday
  EXPECT_EQ(Next("0 9-17/4 * * 1-5", after), "2026-11-25T08:00:00Z");  // 17:00 JST
  EXPECT_EQ(Next("30 2 * 1 *", after), "2026-12-31T17:30:00Z");        // January only
}

TEST(ScheduleTest, BadSchedulesAreRefusedNamingTheField) {
  for (const char* bad : {"daily 2:30", "daily 24:00", "daily", "* * * *", "60 * * * *",
                          "* 24 * * *", "* * 0 * *", "* * * 13 *", "* * * * 8", "*/0 * * * *",
                          "5-1 * * * *", "a * * * *", "daily 01:10, 02:20"}) {
    EXPECT_THAT(Schedule::Parse(bad), StatusIs(StatusCode::kInvalidArgument)) << bad;
  }
  auto s = Schedule::Parse("61 * * * *");
  EXPECT_THAT(std::string(s.status().message()), ::testing::HasSubstr("minute"));
}

}  // namespace
}  // namespace mamori::backup
