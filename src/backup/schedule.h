// SPDX-License-Identifier: Apache-2.0
#pragma once

// backup::Schedule: when `serve` takes a backup (issue 8). Two spellings:
//
//   "daily 02:30"            every day at 02:30 ("daily 02:30, 14:30" for more)
//   "30 2 * * *"             five-field cron: minute hour day-of-month month
//                            day-of-week (0 or 7 = Sunday), each `*`, a number,
//                            a range `1-5`, a list `1,3`, or a step `*/15`,
//                            `0-30/10`; day-of-month and day-of-week together
//                            mean either, as in cron
//
// Times are in a fixed offset from UTC (default +09:00, Japan Standard Time,
// which has no daylight saving), not the machine's time zone.
//
//   MAMORI_ASSIGN_OR_RETURN(backup::Schedule s, backup::Schedule::Parse("daily 02:30"));
//   core::Clock::WallTime next = s.Next(env.clock().Now());
//
// Values; thread-safe as values.

#include <bitset>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/status.h"

namespace mamori::backup {

class Schedule {
 public:
  // Errors: kInvalidArgument naming the bad field.
  static core::Result<Schedule> Parse(std::string_view text, int utc_offset_minutes = 9 * 60);

  // The first whole minute matching the schedule strictly after `after`.
  core::Clock::WallTime Next(core::Clock::WallTime after) const;

  const std::string& text() const { return text_; }

 private:
  std::string text_;
  int offset_minutes_ = 0;
  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<32> days_;     // 1..31
  std::bitset<13> months_;   // 1..12
  std::bitset<7> weekdays_;  // 0 = Sunday
  bool any_day_ = true, any_weekday_ = true;
};

}  // namespace mamori::backup
