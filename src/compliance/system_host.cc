// SPDX-License-Identifier: Apache-2.0
// SystemHost (probe.h): runs chronyc / timedatectl and makes a TLS handshake
// with OpenSSL. The OS edge of the probes; tests use a fake Host.
#include <netdb.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "compliance/probe.h"

namespace mamori::compliance {
namespace {

bool OnPath(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::string dirs = path != nullptr ? path : "/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string candidate = dirs.substr(start, end - start) + "/" + program;
    if (::access(candidate.c_str(), X_OK) == 0) return true;
    start = end + 1;
  }
  return false;
}

class RealHost final : public Host {
 public:
  core::Result<std::string> Run(const std::vector<std::string>& argv) override {
    if (argv.empty() || !OnPath(argv[0])) return core::NotFoundError("not installed");
    // The arguments are ours (fixed words), never user input.
    std::string command;
    for (const std::string& a : argv) command += a + " ";
    command += "2>/dev/null";
    std::FILE* p = ::popen(command.c_str(), "r");
    if (p == nullptr) return core::UnavailableError("cannot run " + argv[0]);
    std::string out;
    char buffer[4096];
    size_t n;
    while ((n = std::fread(buffer, 1, sizeof buffer, p)) > 0) out.append(buffer, n);
    int status = ::pclose(p);
    if (status != 0) return core::UnavailableError(argv[0] + " failed");
    return out;
  }

  core::Result<Handshake> TlsHandshake(const std::string& host, uint16_t port,
                                       const std::string& ca_file) override {
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    if (::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res) != 0) {
      return core::UnavailableError("cannot resolve " + host);
    }
    int fd = ::socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    timeval tv{.tv_sec = 3, .tv_usec = 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    int rc = ::connect(fd, res->ai_addr, res->ai_addrlen);
    ::freeaddrinfo(res);
    if (rc != 0) {
      ::close(fd);
      return core::UnavailableError("nothing listens");
    }
    SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
    if (!ca_file.empty() && SSL_CTX_load_verify_locations(ctx, ca_file.c_str(), nullptr) == 1) {
      SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    }
    SSL* ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    SSL_set_tlsext_host_name(ssl, "localhost");
    core::Result<Handshake> out = core::PermissionDeniedError("handshake refused");
    if (SSL_connect(ssl) == 1) {
      out = Handshake{.protocol = SSL_get_version(ssl), .cipher = SSL_get_cipher_name(ssl)};
      SSL_shutdown(ssl);
    } else {
      unsigned long e = ERR_get_error();
      char text[256] = "handshake refused";
      if (e != 0) ERR_error_string_n(e, text, sizeof text);
      out = core::PermissionDeniedError(text);
    }
    ERR_clear_error();
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    ::close(fd);
    return out;
  }
};

}  // namespace

std::unique_ptr<Host> SystemHost() { return std::make_unique<RealHost>(); }

}  // namespace mamori::compliance
