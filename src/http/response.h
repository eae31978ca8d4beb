// SPDX-License-Identifier: Apache-2.0
#pragma once

// http::Response: what a handler returns, and http::Handler, the one entry
// point the server calls for every request that passed its limits.
//
// The server adds on every response, overriding a handler's value:
// Strict-Transport-Security, X-Content-Type-Options, Cache-Control: no-store,
// X-Frame-Options, X-Request-Id, Date, Content-Length and Connection
// (GUIDELINE SYS-31, SYS-33, SYS-09). Header values with CR, LF or NUL are
// dropped (response splitting).
//
// A Handler must not throw; if it does anyway the server answers 500 with an
// OperationOutcome and keeps serving (STYLE.md rule 25). Handlers run on the
// server's handler pool, so they may block (store I/O, Argon2id) without
// stalling network I/O; they must be safe to call from several threads at once.
//
//   http::Handler handler = [](const http::Request& req) {
//     return http::Response::Json(200, R"({"status":"ok"})");
//   };

#include <functional>
#include <string>

#include "http/headers.h"
#include "http/request.h"

namespace mamori::http {

struct Response {
  // HTTP status code, 100..599; anything else is answered as 500.
  int status = 200;
  // Extra header fields. Content-Type goes in `content_type`, not here.
  Headers headers;
  // The Content-Type header value; empty sends none (only for empty bodies).
  std::string content_type;
  std::string body;

  // `body` as application/json.
  static Response Json(int status, std::string body);
  // `body` as application/fhir+json (FHIR R4 JSON format).
  static Response FhirJson(int status, std::string body);
  // An empty body, e.g. 204.
  static Response Empty(int status);
};

using Handler = std::function<Response(const Request&)>;

// Hands a request's response back to its connection. Call it once, from any
// thread; later calls are ignored.
using Respond = std::function<void(Response)>;
// A handler that may answer after it returns (Server::CreateAsync): it calls
// `respond` itself or passes it on, e.g. to Store::WriteAsync, so that its
// thread is not held while a group commit makes the answer's audit event
// durable (issue 6).
using AsyncHandler = std::function<void(const Request&, Respond)>;

}  // namespace mamori::http
