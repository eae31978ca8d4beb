// SPDX-License-Identifier: Apache-2.0
#pragma once
// Private to store: include "store/store.h" instead.
//
// The group commit both backends share (DESIGN "group commit"): writers
// queue their transaction bodies and wait; the store's one committer thread
// takes them in groups, runs each group in one database transaction and one
// sync, and wakes that group's writers. After a failed commit the queue is
// latched: every later write is refused until restart (STYLE.md, "a failed
// commit latches the store read-only").
//
//   WriteQueue writes(options.max_group_size);
//   committer = std::thread([&] { writes.Drain([&](auto& group) { RunGroup(group); }); });
//   core::Status s = writes.Submit([](Transaction& tx) { ... });   // any thread
//   writes.SubmitAsync(body, [](core::Status s) { ... });          // any thread, no wait
//   writes.Stop(); committer.join();                                 // at shutdown
//
// Thread-safety: Submit, SubmitAsync, Health, Latch and Stop from any thread;
// Drain from the committer thread only.

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <vector>

#include "core/check.h"
#include "core/status.h"
#include "store/store.h"

namespace mamori::store::internal {

class WriteQueue {
 public:
  struct Pending {
    std::function<core::Status(Transaction&)> body;
    core::Status result;  // set by the group's runner
    bool done = false;
    // Each writer waits on its own condition variable, so finishing a group
    // wakes that group's writers only, not every thread queued behind it (a
    // shared notify_all made audited reads spend their time in futex wakeups).
    std::condition_variable done_cv;
    // SubmitAsync: called with `result` after the group instead of waking a
    // waiter; the queue owns (and deletes) such a Pending.
    std::function<void(core::Status)> on_done;
  };
  using GroupRunner = std::function<void(std::vector<Pending*>& group)>;

  explicit WriteQueue(size_t max_group_size) : max_group_size_(max_group_size) {}

  // Queues `body` and waits until its group ran; returns its result.
  // Errors: the latch's kUnavailable, or kUnavailable while stopping.
  core::Status Submit(std::function<core::Status(Transaction&)> body);
  // Queues `body` and returns; `on_done` gets its result on the committer
  // thread after its group (or at once, on this thread, if refused).
  void SubmitAsync(std::function<core::Status(Transaction&)> body,
                   std::function<void(core::Status)> on_done);
  // Committer thread: runs `run` on each group (at most max_group_size
  // bodies, in queue order) until Stop() and the queue is empty.
  void Drain(const GroupRunner& run);
  // Refuses new writes; Drain returns once what is queued has run.
  void Stop();

  // OK, or why writes are refused since a failed commit.
  core::Status Health() const;
  // Refuses every later write with `reason` (logged once here).
  void Latch(const core::Status& reason);

 private:
  const size_t max_group_size_;
  mutable std::mutex mu_;
  std::condition_variable work_cv_;
  std::deque<Pending*> queue_ MAMORI_GUARDED_BY(mu_);
  bool stopping_ MAMORI_GUARDED_BY(mu_) = false;
  core::Status latched_ MAMORI_GUARDED_BY(mu_);
};

}  // namespace mamori::store::internal
