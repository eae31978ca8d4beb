// SPDX-License-Identifier: Apache-2.0
#pragma once

// Test clients for the HTTPS server (test-only: mamori::http_testing). They
// use blocking POSIX sockets and OpenSSL directly, share no code with the
// server, and bound every wait with a timeout so a broken server fails a test
// instead of hanging it.
//
//   TlsClientOptions tls{.ca_path = pki.ca_cert};
//   auto r = HttpsRequest(server->port(), tls, BuildRequest("GET", "/healthz"));
//   ASSERT_THAT(r, IsOk());
//   EXPECT_EQ(r->status, 200);
//
//   auto raw = RawConnection::Connect(port);         // malformed bytes, idle sockets
//   (*raw)->Send("GARBAGE\r\n\r\n");
//
// Thread-safety: one connection per thread; the free functions are reentrant.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include <openssl/ssl.h>

#include "core/status.h"

namespace mamori::http::testing {

struct TlsClientOptions {
  // CA that must have issued the server certificate (verified, with the
  // 127.0.0.1 address checked against its SAN).
  std::string ca_path;
  // Optional client certificate and key (mutual TLS).
  std::string cert_path;
  std::string key_path;
  // Protocol range, e.g. TLS1_1_VERSION..TLS1_1_VERSION to try an old version.
  int min_version = TLS1_2_VERSION;
  int max_version = TLS1_3_VERSION;
  // TLS 1.2 cipher list to offer; empty keeps OpenSSL's default.
  std::string tls12_ciphers;
  // OpenSSL security level; -1 keeps the default. 0 lets the client offer
  // TLS 1.0/1.1 and SHA-1 so that the server is what refuses them.
  int security_level = -1;
  // Bound on connect, handshake and each read or write.
  std::chrono::milliseconds timeout{5000};
};

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // lowercased names; last value wins
  std::string body;
  // Header value or "" (name in any case).
  std::string Header(std::string_view name) const;
};

// "METHOD target HTTP/1.1" with Host, the extra header lines (each ending in
// \r\n) and, with a body, Content-Length.
std::string BuildRequest(std::string_view method, std::string_view target,
                         std::string_view extra_headers = "", std::string_view body = "");

// Parses one response with Content-Length framing out of `wire`; kInvalidArgument
// when it is not one. With `expect_body` false (a HEAD response) the body is
// not waited for.
core::Result<HttpResponse> ParseResponse(const std::string& wire, bool expect_body = true);

// A plain TCP connection to 127.0.0.1.
class RawConnection {
 public:
  // kUnavailable when the connection is refused or times out.
  static core::Result<std::unique_ptr<RawConnection>> Connect(
      uint16_t port, std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));
  ~RawConnection();
  core::Status Send(std::string_view bytes);
  // Reads until the peer closes or `timeout` passes; returns what arrived.
  std::string ReadUntilClose(std::chrono::milliseconds timeout);
  int fd() const { return fd_; }

 private:
  explicit RawConnection(int fd) : fd_(fd) {}
  int fd_;
};

// A TLS connection to 127.0.0.1.
class TlsConnection {
 public:
  // kUnavailable when TCP fails or the handshake fails (message has the
  // OpenSSL reason).
  static core::Result<std::unique_ptr<TlsConnection>> Connect(uint16_t port,
                                                              const TlsClientOptions& options);
  ~TlsConnection();
  core::Status Send(std::string_view bytes);
  // Reads one response. kUnavailable when the connection ends first (for
  // TLS 1.3 this is where a rejected client certificate shows).
  core::Result<HttpResponse> ReadResponse(bool expect_body = true);
  // "TLSv1.3", "TLSv1.2".
  std::string protocol() const;
  std::string cipher() const;

 private:
  TlsConnection(int fd, SSL_CTX* ctx, SSL* ssl) : fd_(fd), ctx_(ctx), ssl_(ssl) {}
  int fd_;
  SSL_CTX* ctx_;
  SSL* ssl_;
};

// Connects, sends `request`, reads one response.
core::Result<HttpResponse> HttpsRequest(uint16_t port, const TlsClientOptions& options,
                                        std::string_view request);

// Polls until a TCP connect to `port` is refused, up to `timeout`; returns
// whether it was.
bool WaitUntilConnectRefused(uint16_t port, std::chrono::milliseconds timeout);

}  // namespace mamori::http::testing
