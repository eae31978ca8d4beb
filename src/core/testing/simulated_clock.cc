// SPDX-License-Identifier: Apache-2.0
#include "core/testing/simulated_clock.h"

namespace mamori::core {

SimulatedClock::SimulatedClock()
    : now_(FromUnixSeconds(1767225600)),  // 2026-01-01T00:00:00Z
      mono_(std::chrono::hours(1000)) {}

Clock::WallTime SimulatedClock::Now() const {
  std::lock_guard lock(mu_);
  return now_;
}

Clock::MonoTime SimulatedClock::Monotonic() const {
  std::lock_guard lock(mu_);
  return mono_;
}

void SimulatedClock::SleepUntil(MonoTime deadline) {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return mono_ >= deadline; });
}

void SimulatedClock::Advance(std::chrono::nanoseconds d) {
  MAMORI_CHECK(d.count() >= 0);
  {
    std::lock_guard lock(mu_);
    now_ += std::chrono::duration_cast<WallTime::duration>(d);
    mono_ += std::chrono::duration_cast<MonoTime::duration>(d);
  }
  cv_.notify_all();
}

void SimulatedClock::SetNow(WallTime t) {
  std::lock_guard lock(mu_);
  now_ = t;
}

}  // namespace mamori::core
