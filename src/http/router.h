// SPDX-License-Identifier: Apache-2.0
#pragma once

// http::Router: the route table. A route is a method, a path pattern made of
// literal segments and `{name}` captures, and a handler:
//
//   http::Router router;
//   MAMORI_RETURN_IF_ERROR(router.Add("GET", "/fhir/{type}/{id}",
//       [&](const http::Request& req, const http::PathParams& p) {
//         return fhir.Read(p.Get("type"), p.Get("id"));
//       }));
//   http::RegisterHealthRoutes(router);                  // GET /healthz
//   auto server = http::Server::Create(options, env, router.AsHandler());
//   for (const http::RouteInfo& r : router.Routes()) { ... }   // route-table walks
//
// Matching: one trailing '/' is ignored ("/fhir/" matches "/fhir"); the path splits on '/'; a
// literal matches itself, a capture matches one non-empty segment (raw, not percent-decoded:
// handlers validate ids). When several patterns match, the one with a literal at the first position
// where they differ wins, so "/fhir/metadata" beats "/fhir/{type}". No match: 404 OperationOutcome.
// A path that matches with other methods only: 405 with Allow. HEAD falls back to the GET route
// when no HEAD route matches.
//
// Ownership: the router owns its handlers. Thread-safety: Add() during set-up
// only; Handle() and Routes() are const and may run on many threads at once.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "http/request.h"
#include "http/response.h"

namespace mamori::http {

class AuditScope;  // http/audit.h
class PathParams;
struct Caller;  // http/auth_gate.h

// Who may run a route (DESIGN invariant 1: deny by default). The router asks
// the gate after matching and before the handler; a returned Response (401,
// 403) is sent instead of running the handler. `pattern` is "" when no route
// matched, so a gate can refuse unauthenticated callers even the 404.
class AccessGate {
 public:
  virtual ~AccessGate() = default;
  virtual std::optional<Response> Check(const Request& request, std::string_view method,
                                        std::string_view pattern, PathParams& params) const = 0;
};

// The captures of a matched pattern, and the request's audit scope (if the
// request is audited: fhir routes hand it to the write path).
class PathParams {
 public:
  AuditScope* audit() const { return audit_; }
  void set_audit(AuditScope* audit) { audit_ = audit; }
  // The authenticated caller, set by the AccessGate (null on public routes
  // without credentials), and the bearer token it presented.
  const Caller* caller() const { return caller_.get(); }
  void set_caller(std::shared_ptr<const Caller> caller) { caller_ = std::move(caller); }

  // The value captured by `{name}`, or "" when the pattern has no such name.
  std::string_view Get(std::string_view name) const;
  void Add(std::string name, std::string value);
  const std::vector<std::pair<std::string, std::string>>& entries() const { return entries_; }

 private:
  std::vector<std::pair<std::string, std::string>> entries_;
  AuditScope* audit_ = nullptr;
  std::shared_ptr<const Caller> caller_;
};

using RouteHandler = std::function<Response(const Request&, const PathParams&)>;

// One row of the table, as Routes() lists it.
struct RouteInfo {
  std::string method;   // "GET"
  std::string pattern;  // "/fhir/{type}/{id}"
};

class Router {
 public:
  // Adds a route. Returns kInvalidArgument when the pattern does not start
  // with '/', has an empty segment or a malformed or repeated capture, or the
  // method is empty; kAlreadyExists when the same method has a pattern with
  // the same shape (same literals, captures in the same places).
  core::Status Add(std::string method, std::string pattern, RouteHandler handler);
  // As Add, for a handler that never waits on other work (no group commit,
  // no Argon2id, no lock held long; at most a few reads of rows that are
  // normally in the page cache): the server may run it on its network thread
  // (ServerOptions::run_inline). Only where the audit append does not wait
  // either (RequestAuditor::WrapAsync).
  core::Status AddNonBlocking(std::string method, std::string pattern, RouteHandler handler);
  // Whether the route `request` matches was added with AddNonBlocking.
  bool IsNonBlocking(const Request& request) const;

  // Runs the best matching handler, or returns the 404/405 OperationOutcome.
  // The handler's exceptions propagate; the server catches them.
  Response Handle(const Request& request) const;
  // As Handle, telling `audit` (not null) which route matched and passing
  // it to the handler through PathParams::audit().
  Response Handle(const Request& request, AuditScope* audit) const;

  // Every route in insertion order.
  std::vector<RouteInfo> Routes() const;

  // A Handler that calls Handle(). Borrows *this, which must outlive it.
  Handler AsHandler() const;

  // Every later Handle() asks `gate` first. Borrowed; set during set-up only.
  void SetGate(const AccessGate* gate) { gate_ = gate; }

 private:
  struct Segment {
    bool is_capture;
    std::string text;  // the literal, or the capture's name
  };
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<Segment> segments;
    RouteHandler handler;
    bool non_blocking = false;
  };
  const Route* Find(const Request& request) const;
  Response NoRoute(const Request& request) const;

  static bool Matches(const Route& route, const std::vector<std::string_view>& parts);
  static bool MorePrecise(const Route& a, const Route& b);

  std::vector<Route> routes_;
  const AccessGate* gate_ = nullptr;
};

// Registers GET /healthz -> 200 {"status":"ok"} (application/json). The only
// route besides login that answers without authentication (DESIGN invariant 1).
core::Status RegisterHealthRoutes(Router& router);

}  // namespace mamori::http
