// SPDX-License-Identifier: Apache-2.0
#pragma once

// auth::LoginThrottle: slows password guessing (GUIDELINE SYS-43) without
// letting an attacker lock everyone out forever.
//
// Per account: after each consecutive failure the next attempt must wait a
// growing delay (1, 2, 4, 8 s ...); after `lock_after` failures (5) the
// account is locked for `lock_for` (15 min), and once that passes every
// further failure locks it again at once. A success or an administrator's
// Unlock() resets it. The check runs BEFORE the password is verified, so the
// sixth attempt inside the window is refused even with the right password.
//
// Per source address: more than `source_failures` failures (20) within
// `source_window` (15 min), across any accounts, blocks that source for
// `source_window`; this catches one machine trying many accounts.
//
// Not forever: the account counter is kept separately for each source that
// has logged in to that account successfully within `trusted_source_memory`
// (30 days) — the user's own terminal — and one shared counter for every other
// source. An attacker elsewhere locks only the shared counter, so the nurse at
// her usual terminal still gets in (with her password and TOTP).
//
// Unknown login ids are throttled exactly like real ones, so timing and
// messages do not reveal which ids exist.
//
//   auth::LoginThrottle throttle(env.clock());
//   if (auto wait = throttle.Admit(username, source); !wait.allowed) return 429/401 ...;
//   if (credentials_ok) throttle.RecordSuccess(username, source);
//   else throttle.RecordFailure(username, source);
//
// Thread-safety: all methods may be called concurrently. Memory: at most
// max_tracked entries; the oldest idle ones are dropped first.

#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/check.h"
#include "core/clock.h"

namespace mamori::auth {

struct ThrottlePolicy {
  std::chrono::seconds first_delay{1};
  std::chrono::seconds max_delay{16};
  int lock_after = 5;
  std::chrono::minutes lock_for{15};
  int source_failures = 20;
  std::chrono::minutes source_window{15};
  std::chrono::days trusted_source_memory{30};
  size_t max_tracked = 100'000;
};

struct Admission {
  bool allowed = true;
  // When refused: how long until the next attempt may be made.
  std::chrono::seconds retry_after{0};
  // When refused: why, for the audit event (never shown to the caller, who
  // gets one generic message): "account locked", "delay", "source blocked".
  std::string reason;
};

class LoginThrottle {
 public:
  explicit LoginThrottle(const core::Clock& clock, ThrottlePolicy policy = {})
      : clock_(clock), policy_(policy) {}

  Admission Admit(std::string_view login_id, std::string_view source) MAMORI_EXCLUDES(mu_);
  void RecordFailure(std::string_view login_id, std::string_view source) MAMORI_EXCLUDES(mu_);
  void RecordSuccess(std::string_view login_id, std::string_view source) MAMORI_EXCLUDES(mu_);
  // An administrator's unlock: clears every counter of the account.
  void Unlock(std::string_view login_id) MAMORI_EXCLUDES(mu_);

 private:
  struct Counter {
    int failures = 0;
    core::Clock::WallTime last_failure;
  };
  struct SourceWindow {
    int failures = 0;
    core::Clock::WallTime window_start;
    core::Clock::WallTime blocked_until;
  };

  std::string AccountKey(std::string_view login_id, std::string_view source,
                         core::Clock::WallTime now) const MAMORI_REQUIRES(mu_);
  std::chrono::seconds Wait(const Counter& counter, core::Clock::WallTime now) const;
  void Prune() MAMORI_REQUIRES(mu_);

  const core::Clock& clock_;
  const ThrottlePolicy policy_;
  std::mutex mu_;
  // Key: login id + "\n" + trusted source, or login id + "\n" for the shared one.
  std::unordered_map<std::string, Counter> accounts_ MAMORI_GUARDED_BY(mu_);
  std::unordered_map<std::string, SourceWindow> sources_ MAMORI_GUARDED_BY(mu_);
  // login id + "\n" + source -> last success.
  std::unordered_map<std::string, core::Clock::WallTime> trusted_ MAMORI_GUARDED_BY(mu_);
};

}  // namespace mamori::auth
