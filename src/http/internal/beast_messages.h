// SPDX-License-Identifier: Apache-2.0
#pragma once
// Private to http: include "http/server.h" instead.
//
// Converts between Beast messages (the wire) and http::Request/Response (what
// handlers see), and stamps the headers every response carries: the security
// headers of GUIDELINE SYS-31/SYS-33 (HSTS), SYS-09 (Cache-Control: no-store)
// and X-Request-Id. Keeping Beast types here keeps them out of public headers.
//
//   Request req = ToRequest(parser.release(), conn, NewRequestId(random));
//   BeastResponse wire = ToBeastResponse(handler(req), ctx);
//
// Thread-safety: pure functions.

#include <optional>
#include <string>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "http/request.h"
#include "http/response.h"

namespace mamori::http::internal {

using BeastRequest = boost::beast::http::request<boost::beast::http::string_body>;
using BeastResponse = boost::beast::http::response<boost::beast::http::string_body>;

// What the connection knows about the peer.
struct ConnectionInfo {
  std::string remote_address;
  uint16_t remote_port = 0;
  std::optional<ClientCertificate> client_certificate;
};

// Moves the parsed message into a Request; splits the target into path/query.
Request ToRequest(BeastRequest&& wire, const ConnectionInfo& conn, std::string request_id);

// Per-response facts decided by the connection.
struct ResponseContext {
  std::string request_id;         // our id, sent as X-Request-Id
  std::string client_request_id;  // echoed as X-Client-Request-Id when non-empty
  std::string date;               // HTTP-date for the Date header
  unsigned version = 11;          // 10 or 11, as the request
  bool keep_alive = true;         // false sends Connection: close
  bool head = false;              // HEAD: Content-Length of the body, no body bytes
};

// The wire response. A status outside 100..599 is replaced by a 500
// OperationOutcome; header values with CR, LF or NUL are dropped.
BeastResponse ToBeastResponse(Response&& response, const ResponseContext& ctx);

// The security headers every response carries, in order, for tests and docs.
inline constexpr char kHstsValue[] = "max-age=63072000; includeSubDomains";

}  // namespace mamori::http::internal
