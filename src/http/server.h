// SPDX-License-Identifier: Apache-2.0
#pragma once

// http::Server: mamori's HTTPS listener. It owns the TLS configuration
// (GUIDELINE SYS-31), mutual TLS (SYS-35), the size limits and timeouts that
// protect it from malformed and slow clients, the connection limit, the
// security headers on every response (SYS-33, SYS-09), the access log and the
// exception boundary around the Handler. It serves HTTPS only: there is no
// plaintext listener (SYS-33).
//
// Borrows `env` (clock for access-log durations, random for request ids, file
// system for the PEM files) and owns the Handler; both must outlive the
// Server. The Handler runs on a separate pool of handler threads, so a slow
// handler does not stall TLS or parsing on the network threads.
//
// Thread-safety: Start(), Shutdown() and RunUntilSignal() may be called from
// any thread except a handler thread (Shutdown() waits for handlers); port()
// is safe at any time.
//
//   http::ServerOptions options;                      // production (cli serve)
//   options.cert_chain_path = dir + "/tls/server.pem";
//   options.key_path = dir + "/tls/server.key";
//   MAMORI_ASSIGN_OR_RETURN(auto server, http::Server::Create(options, env, router.AsHandler()));
//   return server->RunUntilSignal();                  // SIGTERM -> drain -> OK
//
//   options.port = 0;                                 // tests
//   auto server = *http::Server::Create(options, env, handler);
//   ASSERT_THAT(server->Start(), IsOk());
//   Connect(server->port()); ... server->Shutdown();

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/env.h"
#include "core/status.h"
#include "http/request.h"
#include "http/response.h"

namespace mamori::http {

namespace internal {
class ServerCore;
}  // namespace internal

struct ServerOptions {
  // Address to bind. Default "127.0.0.1": nothing is exposed until the
  // operator asks; "0.0.0.0" or "::" to serve the network.
  std::string listen_address = "127.0.0.1";
  // TCP port. Default 443 needs CAP_NET_BIND_SERVICE; 0 picks a free port
  // (tests), reported by Server::port().
  uint16_t port = 443;
  // Network threads that run TLS and parsing. Default 0 means
  // std::thread::hardware_concurrency(); more threads than cores only adds
  // context switches, since these threads never block.
  size_t threads = 0;
  // Threads that run Handlers, which may block on the store, fsync or
  // Argon2id. Default 0 means 32 x hardware_concurrency (at least 64): a
  // write mostly waits for its group commit, so the pool must hold enough
  // requests in flight to fill a group (8 threads capped groups at ~5 and
  // creates at ~2,300/s; 64 gave ~4,000/s on 2 cores). A waiting thread costs
  // its stack (8 MiB virtual, little resident).
  size_t handler_threads = 0;

  // PEM file with the server certificate followed by its intermediates.
  // Required. Read through env.fs().
  std::string cert_chain_path;
  // PEM file with the unencrypted private key of that certificate. Required;
  // keep it mode 0600. The bytes read are wiped after loading.
  std::string key_path;
  // PEM file with the CA certificate(s) that issue client certificates.
  // Default empty: no mutual TLS (clients are not asked for a certificate).
  // Set, clients are asked and a presented certificate must verify against
  // these CAs (and be within its validity period) or the handshake fails
  // (SYS-35).
  std::string client_ca_path;
  // With client_ca_path set: whether a client without a certificate fails
  // the handshake. Default false, so browsers with passwords and systems with
  // certificates share one port and `policy` decides per zone; true for a
  // listener that serves systems only.
  bool require_client_certificate = false;

  // Largest request line plus header fields. Default 16 KiB (larger than any
  // legitimate FHIR request's headers, small enough that 10,000 slow
  // connections cannot exhaust memory). Over it: 431.
  size_t max_header_bytes = 16 * 1024;
  // Largest request body, by Content-Length or by the sum of chunks. Default
  // 16 MiB: a FHIR transaction Bundle with attachments; larger uploads should
  // go through a streaming endpoint. Over it: 413, refused before the body is
  // read when Content-Length already says so.
  size_t max_body_bytes = 16 * 1024 * 1024;

  // TLS handshake must finish within this. Default 10 s; shorter frees slots
  // taken by idle connects sooner, longer helps clients on bad links. On
  // expiry the connection is closed silently.
  std::chrono::milliseconds handshake_timeout{10'000};
  // From the end of the handshake (or the first byte of a keep-alive request)
  // to the end of the header fields. Default 10 s; this is the slowloris
  // bound. On expiry: 408 and close.
  std::chrono::milliseconds header_timeout{10'000};
  // From the end of the header fields to the end of the body. Default 60 s,
  // enough for 16 MiB at ~2 Mbit/s. On expiry: 408 and close.
  std::chrono::milliseconds body_timeout{60'000};
  // Writing one response must finish within this. Default 60 s; a client
  // that stops reading is then disconnected.
  std::chrono::milliseconds write_timeout{60'000};
  // A keep-alive connection may wait this long for its next request before it
  // is closed silently. Default 30 s; longer saves handshakes for busy EMR
  // clients, shorter frees connection slots.
  std::chrono::milliseconds idle_timeout{30'000};

  // Connections served at once (each holds a socket and ~50 KiB of buffers).
  // Default 1024. Beyond it a connection is accepted, completes TLS, gets 503
  // with Retry-After and an OperationOutcome, and is closed.
  size_t max_connections = 1024;
  // Seconds sent in Retry-After with that 503. Default 5.
  int retry_after_seconds = 5;
  // Names requests whose handler never waits on other work (health checks,
  // reads by id with an async handler: Router::IsNonBlocking). Those run on
  // the network thread, saving the two thread hand-offs of the handler pool
  // (half the CPU of a trivial request); a read that misses the page cache
  // holds that thread's other connections for one disk read. Every other
  // request runs on the pool. Default empty: everything on the pool.
  std::function<bool(const Request&)> run_inline;
  // Write one operator log line per request (method, path without query,
  // status, bytes, duration, request id). Default true. The audit ledger, not
  // this log, is the record of access; turning it off saves ~10% at peak load.
  bool access_log = true;
  // Shutdown() lets requests in flight finish for at most this long before it
  // closes their connections. Default 30 s, below systemd's 90 s stop timeout.
  std::chrono::milliseconds drain_timeout{30'000};
};

class Server {
 public:
  // Validates `options`, loads the certificate, key and client CA files and
  // binds the listening socket (so port() is known), without accepting yet.
  // Errors: kNotFound when a PEM file is missing, kInvalidArgument when a PEM
  // file does not parse, the key does not match the certificate, or an option
  // is out of range (each message names the file or option); kUnavailable
  // when the address cannot be bound (in use, permission).
  static core::Result<std::unique_ptr<Server>> Create(ServerOptions options, core::Env& env,
                                                      Handler handler);
  // The same with a handler that may answer later (response.h): Shutdown()
  // also waits until every request handed to it has been answered.
  static core::Result<std::unique_ptr<Server>> CreateAsync(ServerOptions options, core::Env& env,
                                                           AsyncHandler handler);

  // Shuts down if still running (see Shutdown()).
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Starts the network threads and accepts connections.
  // kFailedPrecondition when called twice or after Shutdown().
  core::Status Start();

  // Graceful stop: closes the listening socket (new connects are refused),
  // closes idle keep-alive connections, lets requests in flight finish and
  // answers them with Connection: close, then, after drain_timeout at most,
  // closes what is left, waits for running handlers to return and joins all
  // threads. Idempotent. A handler that never returns blocks it: handlers
  // cannot be interrupted.
  void Shutdown();

  // Starts if needed, blocks until SIGTERM or SIGINT, then Shutdown() and
  // returns OK (so `mamori serve` exits 0 under systemd). Returns Start()'s
  // error if it cannot start.
  core::Status RunUntilSignal();

  // The bound TCP port (the real one when options.port was 0).
  uint16_t port() const;

  // Blocks until RunUntilSignal() has installed its signal handler, so a test
  // may raise SIGTERM safely.
  void WaitForSignalHandlerForTest();

 private:
  explicit Server(std::shared_ptr<internal::ServerCore> core);

  std::shared_ptr<internal::ServerCore> core_;
};

}  // namespace mamori::http
