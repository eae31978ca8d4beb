// SPDX-License-Identifier: Apache-2.0
// The one place in mamori allowed to read the system clocks (STYLE.md rule 13).
#include "core/clock.h"

#include <ctime>
#include <thread>

#include <fmt/format.h>

namespace mamori::core {
namespace {

class RealClock final : public Clock {
 public:
  WallTime Now() const override { return std::chrono::system_clock::now(); }
  MonoTime Monotonic() const override { return std::chrono::steady_clock::now(); }
  void SleepUntil(MonoTime deadline) override { std::this_thread::sleep_until(deadline); }
};

std::tm ToUtc(Clock::WallTime t) {
  std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return tm;
}

}  // namespace

Clock& Clock::Real() {
  static Clock* clock = new RealClock();  // never destroyed: used from static dtors
  return *clock;
}

std::string FormatRfc3339(Clock::WallTime t) {
  std::tm tm = ToUtc(t);
  auto since_epoch = t.time_since_epoch();
  auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch).count() % 1000;
  if (millis < 0) millis += 1000;
  return fmt::format("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}.{:03d}Z", tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
}

std::string FormatHttpDate(Clock::WallTime t) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::tm tm = ToUtc(t);
  return fmt::format("{}, {:02d} {} {:04d} {:02d}:{:02d}:{:02d} GMT", kDays[tm.tm_wday], tm.tm_mday,
                     kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

}  // namespace mamori::core
