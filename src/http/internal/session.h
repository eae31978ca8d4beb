// SPDX-License-Identifier: Apache-2.0
#pragma once
// Private to http: include "http/server.h" instead.
//
// One TLS connection: handshake, request reads under the header/body limits
// and timeouts, dispatch to the Handler on the handler pool, response writes,
// keep-alive, the 503 answer for connections over the limit, and draining.
// The state shared by every connection of a server is SessionShared.
//
//   auto shared = std::make_shared<SessionShared>(options, env, handler, std::move(tls), n);
//   StartSession(std::move(accepted_socket), shared, /*reject=*/false);
//
// Ownership: a session owns itself through the asio handlers that reference
// it, and keeps `shared` alive. Thread-safety: StartSession may be called
// from any thread; the session then runs on its socket's executor, which is
// serial.

#include <atomic>
#include <memory>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/thread_pool.hpp>

#include "core/env.h"
#include "http/internal/connection_registry.h"
#include "http/internal/request_parser.h"
#include "http/response.h"
#include "http/server.h"

namespace mamori::http::internal {

struct SessionShared {
  SessionShared(const ServerOptions& o, core::Env& e, Handler h, boost::asio::ssl::context t,
                size_t handler_threads)
      : options(o),
        env(e),
        handler(std::move(h)),
        tls(std::move(t)),
        handler_pool(handler_threads),
        limits(LimitsFrom(o)) {}

  const ServerOptions options;
  core::Env env;
  const Handler handler;
  boost::asio::ssl::context tls;
  // Handlers run here, never on the network threads.
  boost::asio::thread_pool handler_pool;
  const ParserLimits limits;
  ConnectionRegistry registry;
  // Set once Shutdown() begins; new requests are answered with Connection: close.
  std::atomic<bool> draining{false};
};

// Starts serving `socket`, whose executor must be serial (a strand, or an
// io_context run by one thread). With `reject`, the
// connection completes TLS, is answered 503 with Retry-After and closed.
void StartSession(boost::asio::ip::tcp::socket socket, std::shared_ptr<SessionShared> shared,
                  bool reject);

}  // namespace mamori::http::internal
