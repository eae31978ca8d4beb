// SPDX-License-Identifier: Apache-2.0
#include "store/internal/write_queue.h"

#include <memory>

#include "core/logging.h"

namespace mamori::store::internal {

core::Status WriteQueue::Submit(std::function<core::Status(Transaction&)> body) {
  Pending pending{.body = std::move(body)};
  std::unique_lock lock(mu_);
  if (!latched_.ok()) return latched_;
  if (stopping_) return core::UnavailableError("the store is shutting down");
  queue_.push_back(&pending);
  work_cv_.notify_one();
  pending.done_cv.wait(lock, [&] { return pending.done; });
  return std::move(pending.result);
}

void WriteQueue::SubmitAsync(std::function<core::Status(Transaction&)> body,
                             std::function<void(core::Status)> on_done) {
  auto pending = std::make_unique<Pending>();
  pending->body = std::move(body);
  pending->on_done = std::move(on_done);
  core::Status refused;
  {
    std::lock_guard lock(mu_);
    if (!latched_.ok()) {
      refused = latched_;
    } else if (stopping_) {
      refused = core::UnavailableError("the store is shutting down");
    } else {
      queue_.push_back(pending.release());
      work_cv_.notify_one();
      return;
    }
  }
  pending->on_done(std::move(refused));
}

void WriteQueue::Drain(const GroupRunner& run) {
  std::vector<Pending*> group;
  while (true) {
    {
      std::unique_lock lock(mu_);
      work_cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, nothing left
      while (!queue_.empty() && group.size() < max_group_size_) {
        group.push_back(queue_.front());
        queue_.pop_front();
      }
    }
    run(group);
    std::vector<std::unique_ptr<Pending>> async_done;
    {
      // Notify under the lock: a woken writer returns and destroys its
      // Pending (and the condition variable) as soon as it holds mu_, so a
      // waiter's Pending is not touched after its notify.
      std::lock_guard lock(mu_);
      for (Pending* p : group) {
        if (p->on_done) {
          async_done.emplace_back(p);
          continue;
        }
        p->done = true;
        p->done_cv.notify_one();
      }
    }
    // Outside the lock: a callback may queue another write.
    for (auto& p : async_done) p->on_done(std::move(p->result));
    group.clear();
  }
}

void WriteQueue::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  work_cv_.notify_all();
}

core::Status WriteQueue::Health() const {
  std::lock_guard lock(mu_);
  return latched_;
}

void WriteQueue::Latch(const core::Status& reason) {
  core::LogError("store: commit failed, the store is now read-only until restart: {}", reason);
  std::lock_guard lock(mu_);
  latched_ = core::UnavailableError("the store is read-only after a failed commit (" +
                                    reason.message() + "); restart mamori after fixing the cause");
}

}  // namespace mamori::store::internal
