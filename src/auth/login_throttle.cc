// SPDX-License-Identifier: Apache-2.0
#include "auth/login_throttle.h"

#include <algorithm>

namespace mamori::auth {
namespace {

std::string Join(std::string_view a, std::string_view b) {
  std::string key(a);
  key += '\n';
  key += b;
  return key;
}

std::chrono::seconds Ceil(core::Clock::WallTime::duration d) {
  return std::chrono::ceil<std::chrono::seconds>(
      std::max(d, core::Clock::WallTime::duration::zero()));
}

}  // namespace

std::string LoginThrottle::AccountKey(std::string_view login_id, std::string_view source,
                                      core::Clock::WallTime now) const {
  auto trusted = trusted_.find(Join(login_id, source));
  if (trusted != trusted_.end() && now - trusted->second < policy_.trusted_source_memory) {
    return Join(login_id, source);
  }
  return Join(login_id, "");
}

std::chrono::seconds LoginThrottle::Wait(const Counter& counter, core::Clock::WallTime now) const {
  if (counter.failures == 0) return std::chrono::seconds(0);
  core::Clock::WallTime::duration pause;
  if (counter.failures >= policy_.lock_after) {
    pause = policy_.lock_for;
  } else {
    auto delay = policy_.first_delay * (int64_t{1} << std::min(counter.failures - 1, 30));
    pause = std::min<core::Clock::WallTime::duration>(delay, policy_.max_delay);
  }
  return Ceil(counter.last_failure + pause - now);
}

Admission LoginThrottle::Admit(std::string_view login_id, std::string_view source) {
  core::Clock::WallTime now = clock_.Now();
  std::lock_guard<std::mutex> lock(mu_);
  if (auto s = sources_.find(std::string(source));
      s != sources_.end() && s->second.blocked_until > now) {
    return {.allowed = false,
            .retry_after = Ceil(s->second.blocked_until - now),
            .reason = "source blocked"};
  }
  auto account = accounts_.find(AccountKey(login_id, source, now));
  if (account == accounts_.end()) return {};
  std::chrono::seconds wait = Wait(account->second, now);
  if (wait.count() <= 0) return {};
  bool locked = account->second.failures >= policy_.lock_after;
  return {.allowed = false, .retry_after = wait, .reason = locked ? "account locked" : "delay"};
}

void LoginThrottle::RecordFailure(std::string_view login_id, std::string_view source) {
  core::Clock::WallTime now = clock_.Now();
  std::lock_guard<std::mutex> lock(mu_);
  Prune();
  Counter& counter = accounts_[AccountKey(login_id, source, now)];
  ++counter.failures;
  counter.last_failure = now;
  SourceWindow& window = sources_[std::string(source)];
  if (now - window.window_start >= policy_.source_window) {
    window.failures = 0;
    window.window_start = now;
  }
  if (++window.failures > policy_.source_failures) {
    window.blocked_until = now + policy_.source_window;
  }
}

void LoginThrottle::RecordSuccess(std::string_view login_id, std::string_view source) {
  core::Clock::WallTime now = clock_.Now();
  std::lock_guard<std::mutex> lock(mu_);
  Prune();
  accounts_.erase(AccountKey(login_id, source, now));
  trusted_[Join(login_id, source)] = now;
}

void LoginThrottle::Unlock(std::string_view login_id) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string prefix = Join(login_id, "");
  std::erase_if(accounts_, [&](const auto& entry) { return entry.first.starts_with(prefix); });
}

void LoginThrottle::Prune() {
  if (accounts_.size() + sources_.size() + trusted_.size() < policy_.max_tracked) return;
  // Drop what can no longer refuse anything: counters whose lock has passed
  // by a whole lock period, windows that ended, trust that expired.
  core::Clock::WallTime now = clock_.Now();
  std::erase_if(accounts_,
                [&](const auto& e) { return now - e.second.last_failure > 2 * policy_.lock_for; });
  std::erase_if(sources_, [&](const auto& e) {
    return e.second.blocked_until < now && now - e.second.window_start > policy_.source_window;
  });
  std::erase_if(trusted_,
                [&](const auto& e) { return now - e.second > policy_.trusted_source_memory; });
}

}  // namespace mamori::auth
