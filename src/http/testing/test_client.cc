// SPDX-License-Identifier: Apache-2.0
#include "http/testing/test_client.h"

#include <poll.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <csignal>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>

#include "core/clock.h"

namespace mamori::http::testing {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string SslReason() {
  unsigned long err = ERR_get_error();
  ERR_clear_error();
  if (err == 0) return "no OpenSSL error";
  char buf[256];
  ERR_error_string_n(err, buf, sizeof(buf));
  return buf;
}

void SetTimeouts(int fd, std::chrono::milliseconds timeout) {
  timeval tv{};
  tv.tv_sec = static_cast<long>(timeout.count() / 1000);
  tv.tv_usec = static_cast<long>((timeout.count() % 1000) * 1000);
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

// A connected blocking socket with send/receive timeouts, or -errno.
int ConnectTcp(uint16_t port, std::chrono::milliseconds timeout) {
  // OpenSSL writes through write(2): a server that already closed must turn
  // into an error return, not a SIGPIPE that kills the test binary.
  static const bool sigpipe_ignored = std::signal(SIGPIPE, SIG_IGN) != SIG_ERR;
  (void)sigpipe_ignored;
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -errno;
  SetTimeouts(fd, timeout);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    int err = errno;
    close(fd);
    return -err;
  }
  return fd;
}

core::Result<SSL_CTX*> MakeClientContext(const TlsClientOptions& o) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (o.security_level >= 0) SSL_CTX_set_security_level(ctx, o.security_level);
  SSL_CTX_set_min_proto_version(ctx, o.min_version);
  SSL_CTX_set_max_proto_version(ctx, o.max_version);
  bool ok = true;
  if (!o.tls12_ciphers.empty()) ok = SSL_CTX_set_cipher_list(ctx, o.tls12_ciphers.c_str()) == 1;
  if (ok && !o.ca_path.empty()) {
    ok = SSL_CTX_load_verify_locations(ctx, o.ca_path.c_str(), nullptr) == 1;
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  }
  if (ok && !o.cert_path.empty()) {
    ok = SSL_CTX_use_certificate_chain_file(ctx, o.cert_path.c_str()) == 1 &&
         SSL_CTX_use_PrivateKey_file(ctx, o.key_path.c_str(), SSL_FILETYPE_PEM) == 1;
  }
  if (!ok) {
    SSL_CTX_free(ctx);
    return core::InvalidArgumentError("client TLS setup failed: " + SslReason());
  }
  return ctx;
}

}  // namespace

std::string HttpResponse::Header(std::string_view name) const {
  auto it = headers.find(Lower(name));
  return it == headers.end() ? "" : it->second;
}

std::string BuildRequest(std::string_view method, std::string_view target,
                         std::string_view extra_headers, std::string_view body) {
  std::string r = std::string(method) + " " + std::string(target) + " HTTP/1.1\r\n";
  r += "Host: 127.0.0.1\r\n";
  r += extra_headers;
  if (!body.empty()) r += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  r += "\r\n";
  r += body;
  return r;
}

core::Result<HttpResponse> ParseResponse(const std::string& wire, bool expect_body) {
  size_t end = wire.find("\r\n\r\n");
  if (end == std::string::npos || wire.compare(0, 9, "HTTP/1.1 ") != 0) {
    return core::InvalidArgumentError("not an HTTP/1.1 response");
  }
  HttpResponse r;
  r.status = std::atoi(wire.substr(9, 3).c_str());
  size_t line = wire.find("\r\n") + 2;
  while (line < end) {
    size_t eol = wire.find("\r\n", line);
    std::string field = wire.substr(line, eol - line);
    size_t colon = field.find(':');
    if (colon == std::string::npos) return core::InvalidArgumentError("bad header line");
    size_t v = field.find_first_not_of(' ', colon + 1);
    r.headers[Lower(field.substr(0, colon))] = v == std::string::npos ? "" : field.substr(v);
    line = eol + 2;
  }
  if (!expect_body) return r;
  size_t length = static_cast<size_t>(std::atoll(r.Header("content-length").c_str()));
  if (wire.size() < end + 4 + length) return core::InvalidArgumentError("truncated body");
  r.body = wire.substr(end + 4, length);
  return r;
}

core::Result<std::unique_ptr<RawConnection>> RawConnection::Connect(
    uint16_t port, std::chrono::milliseconds timeout) {
  int fd = ConnectTcp(port, timeout);
  if (fd < 0) return core::UnavailableError("connect failed: errno " + std::to_string(-fd));
  return std::unique_ptr<RawConnection>(new RawConnection(fd));
}

RawConnection::~RawConnection() { close(fd_); }

core::Status RawConnection::Send(std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) return core::UnavailableError("send failed: errno " + std::to_string(errno));
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return core::Status::Ok();
}

std::string RawConnection::ReadUntilClose(std::chrono::milliseconds timeout) {
  core::Clock& clock = core::Clock::Real();
  auto deadline = clock.Monotonic() + timeout;
  std::string out;
  char buf[4096];
  while (clock.Monotonic() < deadline) {
    pollfd p{fd_, POLLIN, 0};
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock.Monotonic());
    if (poll(&p, 1, static_cast<int>(std::max<int64_t>(1, left.count()))) <= 0) continue;
    ssize_t n = recv(fd_, buf, sizeof(buf), 0);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

core::Result<std::unique_ptr<TlsConnection>> TlsConnection::Connect(
    uint16_t port, const TlsClientOptions& options) {
  MAMORI_ASSIGN_OR_RETURN(SSL_CTX * ctx, MakeClientContext(options));
  int fd = ConnectTcp(port, options.timeout);
  if (fd < 0) {
    SSL_CTX_free(ctx);
    return core::UnavailableError("connect failed: errno " + std::to_string(-fd));
  }
  SSL* ssl = SSL_new(ctx);
  std::unique_ptr<TlsConnection> conn(new TlsConnection(fd, ctx, ssl));
  X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), "127.0.0.1");
  SSL_set_fd(ssl, fd);
  if (SSL_connect(ssl) != 1) {
    return core::UnavailableError("TLS handshake failed: " + SslReason());
  }
  return conn;
}

TlsConnection::~TlsConnection() {
  SSL_free(ssl_);
  SSL_CTX_free(ctx_);
  close(fd_);
}

core::Status TlsConnection::Send(std::string_view bytes) {
  while (!bytes.empty()) {
    int n = SSL_write(ssl_, bytes.data(), static_cast<int>(bytes.size()));
    if (n <= 0) return core::UnavailableError("TLS write failed: " + SslReason());
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return core::Status::Ok();
}

core::Result<HttpResponse> TlsConnection::ReadResponse(bool expect_body) {
  std::string wire;
  char buf[4096];
  while (true) {
    core::Result<HttpResponse> parsed = ParseResponse(wire, expect_body);
    if (parsed.ok()) return parsed;
    int n = SSL_read(ssl_, buf, sizeof(buf));
    if (n <= 0) {
      return core::UnavailableError("connection ended before a full response: " + SslReason());
    }
    wire.append(buf, static_cast<size_t>(n));
  }
}

std::string TlsConnection::protocol() const { return SSL_get_version(ssl_); }

std::string TlsConnection::cipher() const { return SSL_get_cipher_name(ssl_); }

core::Result<HttpResponse> HttpsRequest(uint16_t port, const TlsClientOptions& options,
                                        std::string_view request) {
  MAMORI_ASSIGN_OR_RETURN(std::unique_ptr<TlsConnection> conn,
                          TlsConnection::Connect(port, options));
  MAMORI_RETURN_IF_ERROR(conn->Send(request));
  return conn->ReadResponse();
}

bool WaitUntilConnectRefused(uint16_t port, std::chrono::milliseconds timeout) {
  core::Clock& clock = core::Clock::Real();
  auto deadline = clock.Monotonic() + timeout;
  while (clock.Monotonic() < deadline) {
    int fd = ConnectTcp(port, std::chrono::milliseconds(500));
    if (fd == -ECONNREFUSED) return true;
    if (fd >= 0) close(fd);
    pollfd none{-1, 0, 0};
    poll(&none, 0, 10);  // bounded wait between attempts
  }
  return false;
}

}  // namespace mamori::http::testing
