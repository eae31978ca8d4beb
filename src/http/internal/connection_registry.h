// SPDX-License-Identifier: Apache-2.0
#pragma once
// Private to http: include "http/server.h" instead.
//
// ConnectionRegistry: the live connections of one server, so that the
// listener can enforce max_connections and Shutdown() can drain them. It holds
// weak references only: a connection owns itself (asio handlers keep it
// alive) and removes itself from its destructor.
//
//   uint64_t id = registry.Add(session, /*rejecting=*/false);   // listener
//   registry.Remove(id);                                          // ~Session
//   for (auto& c : registry.Snapshot()) c->BeginDrain();          // Shutdown
//   registry.WaitUntilEmpty(options.drain_timeout);
//
// Thread-safety: every method may be called from any thread.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "core/check.h"

namespace mamori::http::internal {

// What Shutdown() asks of a connection. Both calls return at once and act on
// the connection's own strand.
class Drainable {
 public:
  virtual ~Drainable() = default;
  // Finish the request in flight (answering with Connection: close), close at
  // once if idle.
  virtual void BeginDrain() = 0;
  // Close now, whatever the state.
  virtual void ForceClose() = 0;
};

class ConnectionRegistry {
 public:
  // Registers a connection; `rejecting` marks one that only answers 503.
  uint64_t Add(std::weak_ptr<Drainable> connection, bool rejecting);
  void Remove(uint64_t id);

  // Connections that are served (not rejecting).
  size_t active() const;
  size_t rejecting() const;

  // Strong references to every live connection.
  std::vector<std::shared_ptr<Drainable>> Snapshot() const;

  // Blocks until no connection is registered or `timeout` passes; returns
  // whether the registry emptied.
  bool WaitUntilEmpty(std::chrono::milliseconds timeout);

 private:
  struct Entry {
    std::weak_ptr<Drainable> connection;
    bool rejecting;
  };
  mutable std::mutex mu_;
  std::condition_variable empty_;
  uint64_t next_id_ MAMORI_GUARDED_BY(mu_) = 1;
  size_t rejecting_ MAMORI_GUARDED_BY(mu_) = 0;
  std::map<uint64_t, Entry> entries_ MAMORI_GUARDED_BY(mu_);
};

}  // namespace mamori::http::internal
