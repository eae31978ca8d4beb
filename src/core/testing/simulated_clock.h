// SPDX-License-Identifier: Apache-2.0
#pragma once

// SimulatedClock: a core::Clock for tests that moves only when told
// (STYLE.md rules 13 and 17: no test sleeps). Threads blocked in SleepUntil()
// wake when Advance() or SetMonotonic() passes their deadline.
//
//   core::SimulatedClock clock;                      // starts at 2026-01-01T00:00:00Z
//   clock.Advance(std::chrono::seconds(31));         // TOTP window moves one step
//   clock.SetNow(core::SimulatedClock::FromUnixSeconds(59));
//
// Thread-safety: all methods may be called from any thread.

#include <condition_variable>
#include <mutex>

#include "core/check.h"
#include "core/clock.h"

namespace mamori::core {

class SimulatedClock final : public Clock {
 public:
  // Starts at 2026-01-01T00:00:00Z wall time and an arbitrary monotonic origin.
  SimulatedClock();

  WallTime Now() const override;
  MonoTime Monotonic() const override;
  void SleepUntil(MonoTime deadline) override;

  // Moves both readings forward by `d`. REQUIRES: d >= 0.
  void Advance(std::chrono::nanoseconds d);
  // Sets wall time only (a system clock step); monotonic time does not move.
  void SetNow(WallTime t);

  static WallTime FromUnixSeconds(int64_t seconds) {
    return WallTime(std::chrono::seconds(seconds));
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  WallTime now_ MAMORI_GUARDED_BY(mu_);
  MonoTime mono_ MAMORI_GUARDED_BY(mu_);
};

}  // namespace mamori::core
