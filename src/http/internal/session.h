// SPDX-License-Identifier: Apache-2.0
#pragma once
// Private to http: include "http/server.h" instead.
//
// One TLS connection: handshake, request reads under the header/body limits
// and timeouts, dispatch to the Handler on the handler pool, response writes,
// keep-alive, the 503 answer for connections over the limit, and draining.
// The state shared by every connection of a server is SessionShared.
//
//   auto shared = std::make_shared<SessionShared>(options, env, async_handler, std::move(tls), n);
//   StartSession(std::move(accepted_socket), shared, /*reject=*/false);
//
// Ownership: a session owns itself through the asio handlers that reference
// it, and keeps `shared` alive. Thread-safety: StartSession may be called
// from any thread; the session then runs on its socket's executor, which is
// serial.

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/thread_pool.hpp>

#include "core/env.h"
#include "http/internal/connection_registry.h"
#include "http/internal/request_parser.h"
#include "http/response.h"
#include "http/server.h"

namespace mamori::http::internal {

// Requests handed to the handler and not answered yet.
class InFlightRequests {
 public:
  void Begin() {
    std::lock_guard lock(mu_);
    ++count_;
  }
  void End() {
    std::lock_guard lock(mu_);
    if (--count_ == 0) none_cv_.notify_all();
  }
  void WaitUntilNone() {
    std::unique_lock lock(mu_);
    none_cv_.wait(lock, [this] { return count_ == 0; });
  }

 private:
  std::mutex mu_;
  std::condition_variable none_cv_;
  int64_t count_ = 0;
};

struct SessionShared {
  SessionShared(const ServerOptions& o, core::Env& e, AsyncHandler h, boost::asio::ssl::context t,
                size_t handler_threads)
      : options(o),
        env(e),
        handler(std::move(h)),
        tls(std::move(t)),
        handler_pool(handler_threads),
        limits(LimitsFrom(o)) {}

  const ServerOptions options;
  core::Env env;
  const AsyncHandler handler;
  boost::asio::ssl::context tls;
  // Handlers run here, never on the network threads.
  boost::asio::thread_pool handler_pool;
  const ParserLimits limits;
  ConnectionRegistry registry;
  // Set once Shutdown() begins; new requests are answered with Connection: close.
  std::atomic<bool> draining{false};
  // Shutdown waits for these before it stops the threads answers are posted to.
  InFlightRequests in_flight;
};

// Starts serving `socket`, whose executor must be serial (a strand, or an
// io_context run by one thread). With `reject`, the
// connection completes TLS, is answered 503 with Retry-After and closed.
void StartSession(boost::asio::ip::tcp::socket socket, std::shared_ptr<SessionShared> shared,
                  bool reject);

}  // namespace mamori::http::internal
