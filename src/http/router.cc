// SPDX-License-Identifier: Apache-2.0
#include "http/router.h"

#include <algorithm>
#include <set>

#include "http/audit.h"
#include "http/operation_outcome.h"

namespace mamori::http {
namespace {

// Splits "/a/b" into {"a", "b"}; "/" gives {""}.
std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> parts;
  path.remove_prefix(1);
  while (true) {
    size_t slash = path.find('/');
    parts.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return parts;
}

// "/fhir/" is "/fhir": clients such as fhir-kit-client post transactions to
// "[base]/". Only one trailing slash is dropped, and never from "/".
std::string_view WithoutTrailingSlash(std::string_view path) {
  if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  return path;
}

bool IsCaptureName(std::string_view name) {
  if (name.empty()) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

}  // namespace

std::string_view PathParams::Get(std::string_view name) const {
  for (const auto& [key, value] : entries_) {
    if (key == name) return value;
  }
  return {};
}

void PathParams::Add(std::string name, std::string value) {
  entries_.emplace_back(std::move(name), std::move(value));
}

core::Status Router::Add(std::string method, std::string pattern, RouteHandler handler) {
  if (method.empty()) return core::InvalidArgumentError("route method is empty");
  if (pattern.empty() || pattern[0] != '/') {
    return core::InvalidArgumentError("route pattern must start with '/': " + pattern);
  }
  Route route{method, pattern, {}, std::move(handler)};
  std::set<std::string> names;
  for (std::string_view part : SplitPath(pattern)) {
    bool capture = part.size() >= 2 && part.front() == '{' && part.back() == '}';
    std::string_view text = capture ? part.substr(1, part.size() - 2) : part;
    bool bad = capture ? (!IsCaptureName(text) || !names.insert(std::string(text)).second)
                       : text.find_first_of("{}") != std::string_view::npos;
    if (bad || (text.empty() && pattern != "/")) {
      return core::InvalidArgumentError("malformed route pattern: " + pattern);
    }
    route.segments.push_back({capture, std::string(text)});
  }
  for (const Route& other : routes_) {
    if (other.method != method || other.segments.size() != route.segments.size()) continue;
    bool same =
        std::equal(other.segments.begin(), other.segments.end(), route.segments.begin(),
                   [](const Segment& a, const Segment& b) {
                     return a.is_capture == b.is_capture && (a.is_capture || a.text == b.text);
                   });
    if (same) return core::AlreadyExistsError("duplicate route " + method + " " + pattern);
  }
  routes_.push_back(std::move(route));
  return core::Status::Ok();
}

bool Router::Matches(const Route& route, const std::vector<std::string_view>& parts) {
  if (route.segments.size() != parts.size()) return false;
  for (size_t i = 0; i < parts.size(); ++i) {
    const Segment& s = route.segments[i];
    if (s.is_capture ? parts[i].empty() : s.text != parts[i]) return false;
  }
  return true;
}

bool Router::MorePrecise(const Route& a, const Route& b) {
  for (size_t i = 0; i < a.segments.size(); ++i) {
    if (a.segments[i].is_capture != b.segments[i].is_capture) return !a.segments[i].is_capture;
  }
  return false;
}

core::Status Router::AddNonBlocking(std::string method, std::string pattern, RouteHandler handler) {
  MAMORI_RETURN_IF_ERROR(Add(std::move(method), std::move(pattern), std::move(handler)));
  routes_.back().non_blocking = true;
  return core::Status::Ok();
}

// The most precise route for the path and method. HEAD is answered by the
// GET route when there is no HEAD route (RFC 9110 section 9.3.2); the server
// sends the headers without the body.
const Router::Route* Router::Find(const Request& request) const {
  if (request.path.empty() || request.path[0] != '/') return nullptr;
  std::vector<std::string_view> parts = SplitPath(WithoutTrailingSlash(request.path));
  const bool head = request.method == "HEAD";
  const Route* best = nullptr;
  for (const Route& route : routes_) {
    if (!Matches(route, parts)) continue;
    bool method_ok = route.method == request.method || (head && route.method == "GET");
    if (method_ok && (best == nullptr || MorePrecise(route, *best) ||
                      (head && route.method == "HEAD" && !MorePrecise(*best, route)))) {
      best = &route;
    }
  }
  return best;
}

bool Router::IsNonBlocking(const Request& request) const {
  const Route* route = Find(request);
  return route != nullptr && route->non_blocking;
}

Response Router::Handle(const Request& request) const { return Handle(request, nullptr); }

Response Router::Handle(const Request& request, AuditScope* audit) const {
  const Route* best = Find(request);
  PathParams params;
  params.set_audit(audit);
  if (best == nullptr) {
    if (gate_ != nullptr) {
      if (std::optional<Response> refused = gate_->Check(request, request.method, "", params)) {
        return *std::move(refused);
      }
    }
    return NoRoute(request);
  }
  std::vector<std::string_view> parts = SplitPath(WithoutTrailingSlash(request.path));
  for (size_t i = 0; i < parts.size(); ++i) {
    if (best->segments[i].is_capture) params.Add(best->segments[i].text, std::string(parts[i]));
  }
  if (audit != nullptr) audit->OnRoute(best->method, best->pattern, params);
  if (gate_ != nullptr) {
    if (std::optional<Response> refused =
            gate_->Check(request, best->method, best->pattern, params)) {
      return *std::move(refused);
    }
  }
  return best->handler(request, params);
}

// 405 with Allow when the path exists for other methods, else 404. Only
// reached on a miss, so the common path builds no method set.
Response Router::NoRoute(const Request& request) const {
  std::set<std::string> allowed;
  if (!request.path.empty() && request.path[0] == '/') {
    std::vector<std::string_view> parts = SplitPath(WithoutTrailingSlash(request.path));
    for (const Route& route : routes_) {
      if (Matches(route, parts)) allowed.insert(route.method);
    }
  }
  if (allowed.empty()) {
    return OperationOutcomeResponse(404, IssueCode::kNotFound, "no route for this path");
  }
  Response r =
      OperationOutcomeResponse(405, IssueCode::kNotSupported, "method not allowed for this path");
  std::string allow;
  for (const std::string& m : allowed) allow += (allow.empty() ? "" : ", ") + m;
  r.headers.Set("Allow", allow);
  return r;
}

std::vector<RouteInfo> Router::Routes() const {
  std::vector<RouteInfo> out;
  out.reserve(routes_.size());
  for (const Route& r : routes_) out.push_back({r.method, r.pattern});
  return out;
}

Handler Router::AsHandler() const {
  return [this](const Request& request) { return Handle(request); };
}

core::Status RegisterHealthRoutes(Router& router) {
  return router.AddNonBlocking("GET", "/healthz", [](const Request&, const PathParams&) {
    return Response::Json(200, R"({"status":"ok"})");
  });
}

}  // namespace mamori::http
