// SPDX-License-Identifier: Apache-2.0
#pragma once
// Private to http: include "http/server.h" instead.
//
// The access log: one operator log line per answered request (DESIGN
// invariant 5). It carries the method (a standard method name, or OTHER), the
// path WITHOUT the query string, the status, the response body size, the
// duration in microseconds and the request id. Never the query, the body or
// any header value: those may hold patient data.
//
//   LogAccess({.method = "GET", .path = "/fhir/Patient/p1", .status = 200,
//              .bytes = 512, .duration_us = 830, .request_id = id});
//   // -> "access GET /fhir/Patient/p1 200 512B 830us id=3f2a..."
//
// Thread-safety: may be called from any thread.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace mamori::http::internal {

struct AccessRecord {
  std::string_view method;  // as received; non-standard methods log as OTHER
  std::string_view path;    // must already exclude the query string
  int status = 0;
  size_t bytes = 0;  // response body bytes
  int64_t duration_us = 0;
  std::string_view request_id;  // our own id (hex)
};

void LogAccess(const AccessRecord& record);

// `method` when it is one of the RFC 9110 / RFC 5789 methods, otherwise
// "OTHER" (a client-chosen token could carry anything), "-" when empty.
std::string_view LoggableMethod(std::string_view method);

}  // namespace mamori::http::internal
