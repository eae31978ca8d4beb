// SPDX-License-Identifier: Apache-2.0
#pragma once

// ledger::AuditEvent: what one leaf of the audit log records (issue 6;
// DESIGN invariant 3; GUIDELINE SYS-52): who (user, role, client certificate,
// source address), did what (action, route, resource, the patients
// concerned), with which outcome, when, and whether emergency access was
// used. It is serialised to compact JSON (FORMAT.md "Audit event") and that
// JSON is sealed with the audit key into the leaf, so the fields, which name
// patients, are never stored in plaintext (DESIGN invariant 4).
//
//   ledger::AuditEvent e{.time_ms = now_ms, .action = "read", .method = "GET",
//                        .route = "/fhir/{type}/{id}", .resource_type = "Patient",
//                        .resource_id = "p1", .patients = {"p1"}, .http_status = 200};
//   MAMORI_RETURN_IF_ERROR(tx.AppendAudit(ledger::ToJson(e)).status());
//
// Values only; thread-safe as values.

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace mamori::ledger {

struct AuditEvent {
  // Version of the JSON layout (FORMAT.md); readers refuse others.
  static constexpr int kVersion = 1;

  // Milliseconds since the Unix epoch, UTC, from core::Clock::Now().
  uint64_t time_ms = 0;
  // The authenticated principal and its role. "anonymous" and "" until the
  // identity issue brings authentication.
  std::string user = "anonymous";
  std::string role;
  // The verified client certificate subject (mutual TLS), "" without one.
  std::string client_subject;
  // The peer's IP address.
  std::string source_address;
  // What was done: a FHIR interaction code ("read", "vread", "create",
  // "update", "delete", "history", "transaction", "capabilities"), an audit
  // route ("audit-sth", "audit-proof"), "health", "pki" or "unrouted".
  std::string action;
  // The HTTP method and the matched route pattern ("" when none matched).
  std::string method;
  std::string route;
  // The resource the request named, if any.
  std::string resource_type;
  std::string resource_id;
  // Every patient (Patient id) whose record the request touched.
  std::vector<std::string> patients;
  // "success" (status < 400) or "failure", the HTTP status, and for a
  // failure a coarse reason code ("not-found", "invalid", ...), never a
  // submitted value.
  std::string outcome = "success";
  int http_status = 0;
  std::string reason;
  // The request id the client saw in X-Request-Id.
  std::string request_id;
  // Break-glass access.
  bool emergency = false;
  // For commands run on the server's host (import, key rotation, account
  // administration): what was done, e.g. "Patient=12 Observation=340";
  // never patient data. Written to the JSON only when not empty.
  std::string detail;

  friend bool operator==(const AuditEvent&, const AuditEvent&) = default;
};

// The compact JSON of `event` (FORMAT.md "Audit event").
std::string ToJson(const AuditEvent& event);

// Reads what ToJson wrote. Errors: kInvalidArgument if `json` is not an
// object of layout version 1 with every key of the right type.
core::Result<AuditEvent> ParseAuditEvent(std::string_view json);

// Leak scoping (GUIDELINE PLAN-05, `mamori audit affected`): which patients a
// principal read, searched or exported in [from_ms, to_ms].
struct AffectedQuery {
  std::string principal;
  uint64_t from_ms = 0;
  uint64_t to_ms = UINT64_MAX;
};
// Adds to `patients` those `event` disclosed to query.principal in the
// window: successful reads, version reads, history, searches and exports.
// Writes and failed requests disclose nothing and add nothing.
void CollectAffected(const AuditEvent& event, const AffectedQuery& query,
                     std::set<std::string>* patients);

// What an auditor looks for (`mamori audit search`, GET /fhir/AuditEvent;
// GUIDELINE SYS-54): every field set must match, unset fields match all.
struct AuditFilter {
  std::string patient;    // the event concerns this Patient id
  std::string principal;  // AuditEvent::user (a login id or a client id)
  uint64_t from_ms = 0;   // time_ms in [from_ms, to_ms]
  uint64_t to_ms = UINT64_MAX;
  std::string action;   // AuditEvent::action, exactly
  std::string outcome;  // "success" or "failure"
  bool emergency_only = false;
};
bool Matches(const AuditEvent& event, const AuditFilter& filter);

}  // namespace mamori::ledger
