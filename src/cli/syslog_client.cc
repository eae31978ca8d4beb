// SPDX-License-Identifier: Apache-2.0
#include "cli/syslog_client.h"

#include <unistd.h>

#include <charconv>
#include <chrono>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "core/clock.h"

namespace mamori::cli {
namespace {

constexpr int kFacilityAuthpriv = 10;
constexpr int kSeverityWarning = 4;
constexpr int kSeverityNotice = 5;
constexpr size_t kMaxMsgIdLength = 32;  // RFC 5424 MSGID

// The newest queued OpenSSL error, or `fallback`.
std::string OpenSslReason(std::string_view fallback) {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return std::string(fallback);
  char text[256];
  ERR_error_string_n(code, text, sizeof(text));
  return text;
}

// RFC 5424 header fields are printable US-ASCII without spaces.
std::string HeaderField(std::string_view value, size_t max_length) {
  std::string out;
  for (char c : value.substr(0, max_length)) out += (c > 32 && c < 127) ? c : '_';
  return out.empty() ? "-" : out;
}

bool IsIpAddress(const std::string& host) {
  return host.find(':') != std::string::npos ||
         host.find_first_not_of("0123456789.") == std::string::npos;
}

}  // namespace

std::string AuditJsonLine(uint64_t index, std::string_view event_json) {
  // The event is a JSON object: splice the index in as its first key.
  std::string line = "{\"index\":" + std::to_string(index);
  if (event_json.size() > 2) line += ",";
  line += event_json.substr(1);
  return line;
}

std::string SyslogMessage(uint64_t index, const ledger::AuditEvent& event,
                          std::string_view event_json, std::string_view hostname) {
  bool notable = event.outcome != "success" || event.emergency;
  int pri = kFacilityAuthpriv * 8 + (notable ? kSeverityWarning : kSeverityNotice);
  std::string time = core::FormatRfc3339(
      core::Clock::WallTime(std::chrono::milliseconds(static_cast<int64_t>(event.time_ms))));
  // Appended piece by piece: GCC 12's -O3 -Wrestrict misfires on one long
  // chain of operator+ (a known false positive).
  std::string message = "<";
  message += std::to_string(pri);
  message += ">1 ";
  message += time;
  message += ' ';
  message += HeaderField(hostname, 255);
  message += " mamori - ";
  message += HeaderField(event.action, kMaxMsgIdLength);
  message += " - \xEF\xBB\xBF";
  message += AuditJsonLine(index, event_json);
  return message;
}

std::string Hostname() {
  char name[256] = {};
  if (gethostname(name, sizeof(name) - 1) != 0) return "-";
  return HeaderField(name, 255);
}

core::Result<SyslogTarget> ParseSyslogTarget(std::string_view text) {
  SyslogTarget target;
  size_t colon = text.rfind(':');
  bool bracketed = text.starts_with('[');
  if (colon == std::string_view::npos || (bracketed && colon < text.find(']'))) {
    target.host = std::string(text);
  } else {
    target.host = std::string(text.substr(0, colon));
    std::string_view port = text.substr(colon + 1);
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535) {
      return core::InvalidArgumentError("--syslog wants HOST:PORT with a port from 1 to 65535");
    }
    target.port = static_cast<uint16_t>(value);
  }
  if (target.host.starts_with('[') && target.host.ends_with(']')) {
    target.host = target.host.substr(1, target.host.size() - 2);
  }
  if (target.host.empty()) return core::InvalidArgumentError("--syslog names no host");
  return target;
}

struct SyslogTlsClient::Connection {
  ~Connection() {
    if (ssl != nullptr) SSL_free(ssl);  // frees the BIO too
    if (ctx != nullptr) SSL_CTX_free(ctx);
  }
  SSL_CTX* ctx = nullptr;
  SSL* ssl = nullptr;
  std::string peer;
};

SyslogTlsClient::SyslogTlsClient(std::unique_ptr<Connection> c) : connection_(std::move(c)) {}
SyslogTlsClient::~SyslogTlsClient() = default;

core::Result<std::unique_ptr<SyslogTlsClient>> SyslogTlsClient::Connect(const SyslogTarget& t) {
  auto c = std::make_unique<Connection>();
  c->peer = t.host + ":" + std::to_string(t.port);
  c->ctx = SSL_CTX_new(TLS_client_method());
  if (c->ctx == nullptr) return core::InternalError("cannot create a TLS context");
  SSL_CTX_set_min_proto_version(c->ctx, TLS1_2_VERSION);
  SSL_CTX_set_verify(c->ctx, SSL_VERIFY_PEER, nullptr);
  if (SSL_CTX_load_verify_locations(c->ctx, t.ca_file.c_str(), nullptr) != 1) {
    return core::InvalidArgumentError("cannot read the collector's CA file " + t.ca_file + ": " +
                                      OpenSslReason("not PEM"));
  }
  if (!t.cert_file.empty()) {
    if (SSL_CTX_use_certificate_chain_file(c->ctx, t.cert_file.c_str()) != 1 ||
        SSL_CTX_use_PrivateKey_file(c->ctx, t.key_file.c_str(), SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(c->ctx) != 1) {
      return core::InvalidArgumentError("cannot use the client certificate " + t.cert_file +
                                        " with key " + t.key_file + ": " + OpenSslReason(""));
    }
  }
  std::string address = (t.host.find(':') != std::string::npos ? "[" + t.host + "]" : t.host) +
                        ":" + std::to_string(t.port);
  BIO* bio = BIO_new_connect(address.c_str());
  if (bio == nullptr || BIO_do_connect(bio) <= 0) {
    if (bio != nullptr) BIO_free(bio);
    return core::UnavailableError("cannot connect to the syslog collector " + c->peer + ": " +
                                  OpenSslReason("connection refused"));
  }
  c->ssl = SSL_new(c->ctx);
  SSL_set_bio(c->ssl, bio, bio);
  if (IsIpAddress(t.host)) {
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(c->ssl), t.host.c_str());
  } else {
    SSL_set_tlsext_host_name(c->ssl, t.host.c_str());
    SSL_set1_host(c->ssl, t.host.c_str());
  }
  if (SSL_connect(c->ssl) != 1) {
    long verify = SSL_get_verify_result(c->ssl);
    std::string why = verify != X509_V_OK ? X509_verify_cert_error_string(verify)
                                          : OpenSslReason("handshake failed");
    return core::UnavailableError("TLS to the syslog collector " + c->peer + " failed: " + why);
  }
  return std::unique_ptr<SyslogTlsClient>(new SyslogTlsClient(std::move(c)));
}

core::Status SyslogTlsClient::Send(std::string_view message) {
  std::string frame = std::to_string(message.size()) + " ";
  frame += message;
  size_t written = 0;
  while (written < frame.size()) {
    size_t n = 0;
    if (SSL_write_ex(connection_->ssl, frame.data() + written, frame.size() - written, &n) != 1) {
      return core::UnavailableError("the syslog collector " + connection_->peer +
                                    " closed the connection: " + OpenSslReason("write failed"));
    }
    written += n;
  }
  return core::Status::Ok();
}

core::Status SyslogTlsClient::Close() {
  if (SSL_shutdown(connection_->ssl) < 0) {
    return core::UnavailableError("closing TLS to " + connection_->peer + ": " +
                                  OpenSslReason("shutdown failed"));
  }
  return core::Status::Ok();
}

}  // namespace mamori::cli
