// SPDX-License-Identifier: Apache-2.0
#include "store/internal/head_timer.h"

namespace mamori::store::internal {

void TreeHeadTimer::Start(std::chrono::milliseconds interval, uint64_t every_leaves,
                          std::function<void()> tick) {
  thread_ = std::thread([this, interval, every_leaves, tick = std::move(tick)] {
    while (true) {
      {
        std::unique_lock lock(mu_);
        cv_.wait_for(lock, interval, [&] { return stopping_ || leaves_ >= every_leaves; });
        if (stopping_) return;
        leaves_ = 0;
      }
      tick();
    }
  });
}

void TreeHeadTimer::Committed(uint64_t leaves) {
  if (leaves == 0) return;
  {
    std::lock_guard lock(mu_);
    leaves_ += leaves;
  }
  cv_.notify_all();
}

void TreeHeadTimer::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace mamori::store::internal
