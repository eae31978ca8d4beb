// SPDX-License-Identifier: Apache-2.0
#pragma once

// http::Request: one parsed HTTP request as handlers see it. A plain value with
// no Beast types: the server fills it from the wire, tests build it by hand.
//
// The server has already enforced the size limits (ServerOptions) and, with
// mutual TLS, verified the client certificate before a Request exists; a
// handler may rely on `client_certificate` having chained to the configured CA.
//
// Privacy (DESIGN invariant 5): `query`, `body` and header values may hold
// patient data; never log them or copy them into a Status message. `path` is
// logged by the access log (FHIR ids are opaque); `request_id` is safe to log.
//
// Thread-safety: a value; handlers receive it by const reference.
//
//   http::Request req;                      // tests
//   req.method = "GET";
//   req.target = "/fhir/Patient/p1?_format=json";
//   req.path = "/fhir/Patient/p1";
//   req.query = "_format=json";
//   Response r = router.Handle(req);

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "http/headers.h"

namespace mamori::http {

// The identity a client proved with its TLS certificate (mutual TLS).
struct ClientCertificate {
  // The verified subject distinguished name in RFC 2253 form,
  // e.g. "CN=emr-01,O=Clinic,C=JP".
  std::string subject;
  // SHA-256 over the certificate's DER encoding, 64 lowercase hex digits. The
  // same digest, base64url-encoded, is RFC 8705's `x5t#S256` token binding.
  std::string sha256_fingerprint;
};

struct Request {
  // The method token as sent, e.g. "GET" (case-sensitive per RFC 9110).
  std::string method;
  // The request-target exactly as received, e.g. "/fhir/Patient?name=x".
  std::string target;
  // `target` before the first '?', not percent-decoded.
  std::string path;
  // `target` after the first '?' (without it); empty when there is none.
  std::string query;
  Headers headers;
  std::string body;
  // The peer's IP address as text ("127.0.0.1", "::1") and port.
  std::string remote_address;
  uint16_t remote_port = 0;
  // Set when the client presented a certificate that verified against the
  // configured client CA; nullopt without mutual TLS or without a certificate.
  std::optional<ClientCertificate> client_certificate;
  // 32 lowercase hex digits (128 random bits), also sent as X-Request-Id.
  std::string request_id;
};

// Splits a request-target into path and query at the first '?'.
void SplitTarget(std::string_view target, std::string& path, std::string& query);

}  // namespace mamori::http
