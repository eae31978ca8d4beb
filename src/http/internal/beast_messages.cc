// SPDX-License-Identifier: Apache-2.0
#include "http/internal/beast_messages.h"

#include <boost/beast/http/field.hpp>

#include "core/logging.h"
#include "http/operation_outcome.h"

namespace mamori::http::internal {
namespace {

namespace bhttp = boost::beast::http;

bool IsSafeFieldValue(std::string_view v) {
  return v.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

bool IsSafeFieldName(std::string_view n) {
  if (n.empty()) return false;
  for (char c : n) {
    bool token = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
    if (!token) return false;
  }
  return true;
}

// Headers the server owns; a handler's values for them are ignored.
bool IsServerOwned(std::string_view name) {
  for (std::string_view owned :
       {"strict-transport-security", "x-content-type-options", "cache-control", "x-frame-options",
        "x-request-id", "x-client-request-id", "date", "content-length", "connection",
        "transfer-encoding", "content-type"}) {
    if (EqualsIgnoreCase(name, owned)) return true;
  }
  return false;
}

void CopyHandlerHeaders(const Headers& headers, BeastResponse& wire) {
  for (const auto& [name, value] : headers.entries()) {
    if (IsServerOwned(name)) continue;
    if (!IsSafeFieldName(name) || !IsSafeFieldValue(value)) {
      core::LogWarn("dropped a response header with an invalid name or value");
      continue;
    }
    wire.insert(name, value);
  }
}

void StampServerHeaders(const ResponseContext& ctx, BeastResponse& wire) {
  // SYS-31/SYS-33: browsers must never fall back to plain HTTP (2 years).
  wire.set(bhttp::field::strict_transport_security, kHstsValue);
  wire.set("X-Content-Type-Options", "nosniff");
  // SYS-09: no patient data may stay in a browser or proxy cache.
  wire.set(bhttp::field::cache_control, "no-store");
  wire.set("X-Frame-Options", "DENY");
  wire.set("X-Request-Id", ctx.request_id);
  if (!ctx.client_request_id.empty()) wire.set("X-Client-Request-Id", ctx.client_request_id);
  if (!ctx.date.empty()) wire.set(bhttp::field::date, ctx.date);
}

}  // namespace

Request ToRequest(BeastRequest&& wire, const ConnectionInfo& conn, std::string request_id) {
  Request req;
  req.method = std::string(wire.method_string());
  req.target = std::string(wire.target());
  SplitTarget(req.target, req.path, req.query);
  for (const auto& field : wire) {
    req.headers.Add(std::string(field.name_string()), std::string(field.value()));
  }
  req.body = std::move(wire.body());
  req.remote_address = conn.remote_address;
  req.remote_port = conn.remote_port;
  req.client_certificate = conn.client_certificate;
  req.request_id = std::move(request_id);
  return req;
}

BeastResponse ToBeastResponse(Response&& response, const ResponseContext& ctx) {
  if (response.status < 100 || response.status > 599 || !IsSafeFieldValue(response.content_type)) {
    core::LogError("handler returned an invalid status or content type; answering 500");
    response = OperationOutcomeResponse(500, IssueCode::kException, "invalid handler response");
  }
  BeastResponse wire;
  wire.version(ctx.version);
  wire.result(static_cast<unsigned>(response.status));
  CopyHandlerHeaders(response.headers, wire);
  if (!response.content_type.empty()) wire.set(bhttp::field::content_type, response.content_type);
  StampServerHeaders(ctx, wire);
  wire.keep_alive(ctx.keep_alive);
  // 1xx, 204 and 304 carry neither a body nor Content-Length (RFC 9110 8.6).
  if (response.status < 200 || response.status == 204 || response.status == 304) return wire;
  size_t length = response.body.size();
  if (!ctx.head) wire.body() = std::move(response.body);
  wire.content_length(length);
  return wire;
}

}  // namespace mamori::http::internal
