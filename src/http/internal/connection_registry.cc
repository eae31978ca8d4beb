// SPDX-License-Identifier: Apache-2.0
#include "http/internal/connection_registry.h"

namespace mamori::http::internal {

uint64_t ConnectionRegistry::Add(std::weak_ptr<Drainable> connection, bool rejecting) {
  std::lock_guard lock(mu_);
  uint64_t id = next_id_++;
  entries_.emplace(id, Entry{std::move(connection), rejecting});
  if (rejecting) ++rejecting_;
  return id;
}

void ConnectionRegistry::Remove(uint64_t id) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(id);
  if (it == entries_.end()) return;
  if (it->second.rejecting) --rejecting_;
  entries_.erase(it);
  if (entries_.empty()) empty_.notify_all();
}

size_t ConnectionRegistry::active() const {
  std::lock_guard lock(mu_);
  return entries_.size() - rejecting_;
}

size_t ConnectionRegistry::rejecting() const {
  std::lock_guard lock(mu_);
  return rejecting_;
}

std::vector<std::shared_ptr<Drainable>> ConnectionRegistry::Snapshot() const {
  std::lock_guard lock(mu_);
  std::vector<std::shared_ptr<Drainable>> out;
  for (const auto& [id, entry] : entries_) {
    if (auto strong = entry.connection.lock()) out.push_back(std::move(strong));
  }
  return out;
}

bool ConnectionRegistry::WaitUntilEmpty(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  // Condition-variable deadlines are an OS edge like socket timers; the
  // duration comes from ServerOptions (see README, design notes).
  return empty_.wait_for(lock, timeout, [&] { return entries_.empty(); });
}

}  // namespace mamori::http::internal
