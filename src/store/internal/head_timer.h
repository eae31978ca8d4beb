// SPDX-License-Identifier: Apache-2.0
#pragma once
// Private to store: include "store/store.h" instead.
//
// When a store signs its next tree head (issue 6: "every few seconds or N
// entries, whichever first"): a thread that calls the backend's `tick` every
// `interval`, or sooner once `every_leaves` leaves were committed since the
// last tick. What a tick does (check the log grew, take the issuer lock,
// sign) is the backend's. Both backends use it.
//
//   TreeHeadTimer timer;
//   timer.Start(interval, every_leaves, [this] { IssueIfGrown(); });
//   timer.Committed(leaves_in_this_group);   // committer thread, after a commit
//   timer.Stop();                            // joins; no tick runs after it returns
//
// Thread-safety: Committed from any thread; Start and Stop from the owner.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>

#include "core/check.h"

namespace mamori::store::internal {

class TreeHeadTimer {
 public:
  TreeHeadTimer() = default;
  ~TreeHeadTimer() { Stop(); }
  TreeHeadTimer(const TreeHeadTimer&) = delete;
  TreeHeadTimer& operator=(const TreeHeadTimer&) = delete;

  void Start(std::chrono::milliseconds interval, uint64_t every_leaves, std::function<void()> tick);
  void Committed(uint64_t leaves);
  void Stop();

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  uint64_t leaves_ MAMORI_GUARDED_BY(mu_) = 0;
  bool stopping_ MAMORI_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace mamori::store::internal
