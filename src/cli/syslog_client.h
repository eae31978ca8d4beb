// SPDX-License-Identifier: Apache-2.0
#pragma once

// Shipping audit events to a syslog collector (issue 6; GUIDELINE SYS-54:
// a copy of the access log outside the server's reach). Messages are RFC 5424,
// sent over TLS with RFC 5425 octet-counting framing ("LEN SP MSG"), which is
// what rsyslog (imtcp + ossl/gtls), syslog-ng and most SIEM collectors accept.
//
//   MAMORI_ASSIGN_OR_RETURN(auto sink, SyslogTlsClient::Connect({.host = "siem.example",
//                                          .port = 6514, .ca_file = "siem-ca.pem"}));
//   MAMORI_RETURN_IF_ERROR(sink->Send(SyslogMessage(index, event, json, Hostname())));
//   MAMORI_RETURN_IF_ERROR(sink->Close());
//
// Written by hand over OpenSSL: Debian has no C++ syslog-over-TLS client
// library, and the protocol is a framed write on a verified TLS stream.
// Not thread-safe; one client per export run.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"
#include "ledger/audit_event.h"

namespace mamori::cli {

// The RFC 5424 message of audit event `index`: facility authpriv (10),
// severity notice (5) for a success and warning (4) for a failure or an
// emergency access; TIMESTAMP the event time; APP-NAME "mamori"; MSGID the
// action; no structured data; MSG a UTF-8 BOM and the JSON line of
// AuditJsonLine.
std::string SyslogMessage(uint64_t index, const ledger::AuditEvent& event,
                          std::string_view event_json, std::string_view hostname);

// {"index":N, ...the event's own keys}: one line of `mamori audit export`.
std::string AuditJsonLine(uint64_t index, std::string_view event_json);

// This machine's name for the HOSTNAME field ("-" when it has none).
std::string Hostname();

struct SyslogTarget {
  std::string host;
  uint16_t port = 6514;
  // PEM file of the CA(s) that issued the collector's certificate; the
  // certificate must also name `host` (DNS name or IP address).
  std::string ca_file;
  // Optional client certificate and key (mutual TLS to the collector).
  std::string cert_file;
  std::string key_file;
};

// Parses "HOST:PORT" or "HOST" (port 6514, RFC 5425's).
// Errors: kInvalidArgument with what is wrong.
core::Result<SyslogTarget> ParseSyslogTarget(std::string_view text);

class SyslogTlsClient {
 public:
  // Connects and completes a verified TLS 1.2+ handshake.
  // Errors: kUnavailable (cannot connect, handshake or verification failed),
  // kInvalidArgument (unreadable CA, certificate or key file).
  static core::Result<std::unique_ptr<SyslogTlsClient>> Connect(const SyslogTarget& target);
  ~SyslogTlsClient();
  SyslogTlsClient(const SyslogTlsClient&) = delete;
  SyslogTlsClient& operator=(const SyslogTlsClient&) = delete;

  // Sends one framed message. Errors: kUnavailable.
  core::Status Send(std::string_view message);
  // Shuts TLS down cleanly so the collector has every byte. Errors: kUnavailable.
  core::Status Close();

 private:
  struct Connection;
  explicit SyslogTlsClient(std::unique_ptr<Connection> c);
  std::unique_ptr<Connection> connection_;
};

}  // namespace mamori::cli
