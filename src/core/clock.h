// SPDX-License-Identifier: Apache-2.0
#pragma once

// core::Clock: the only source of time in mamori (STYLE.md rule 13).
//
// Two readings: Now() is wall-clock time for audit timestamps, token expiry and
// signed tree heads; Monotonic() is for timeouts, lockout windows, rate limits
// and batching. A source check (tools/check_sources.py) rejects a direct
// `::now()` call anywhere outside src/core.
//
// Production uses RealClock (Clock::Real()); tests use SimulatedClock from
// core/testing, which moves only when told and wakes threads waiting on it.
//
//   core::Clock& clock = env.clock();
//   auto deadline = clock.Monotonic() + std::chrono::seconds(30);
//   // test: SimulatedClock clock; clock.Advance(std::chrono::seconds(31));
//
// Thread-safety: all methods may be called from any thread.

#include <chrono>
#include <string>

namespace mamori::core {

class Clock {
 public:
  using WallTime = std::chrono::system_clock::time_point;
  using MonoTime = std::chrono::steady_clock::time_point;

  virtual ~Clock() = default;

  // Wall-clock time (UTC). Can jump when the system clock is set.
  virtual WallTime Now() const = 0;
  // A clock that never goes backwards; only differences are meaningful.
  virtual MonoTime Monotonic() const = 0;
  // Blocks the calling thread until Monotonic() >= deadline. SimulatedClock
  // returns when a test advances it past the deadline.
  virtual void SleepUntil(MonoTime deadline) = 0;

  // The process-wide real clock. Never destroyed.
  static Clock& Real();
};

// Formats a wall time as RFC 3339 UTC with millisecond precision, e.g.
// "2026-11-25T01:52:37.123Z" (also FHIR's instant format).
std::string FormatRfc3339(Clock::WallTime t);
// Formats a wall time as an HTTP-date (RFC 9110), e.g. "Wed, 25 Nov 2026 01:52:37 GMT".
std::string FormatHttpDate(Clock::WallTime t);

}  // namespace mamori::core
