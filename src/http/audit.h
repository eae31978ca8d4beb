// SPDX-License-Identifier: Apache-2.0
#pragma once

// Auditing every request (issue 6; DESIGN invariants 2 and 3; GUIDELINE
// SYS-52, SYS-54). RequestAuditor wraps the router: each request handled
// through it leaves exactly one ledger::AuditEvent in the audit log.
//   - A FHIR write records its event inside the store transaction of the
//     change (AuditScope is the fhir::WriteAudit hook), so neither commits
//     without the other.
//   - Everything else (reads, history, 400/404/405, health, audit and PKI
//     routes, failed writes) gets one standalone audit Write after the
//     handler and before the response leaves. If that append fails the
//     client gets 503 instead of the data (fail closed). With HandleAsync
//     the handler thread does not wait for that append's group commit; the
//     response is handed to the connection when the commit is done.
// Requests refused before routing (malformed HTTP, size limits, the
// connection limit) are answered by the server and not audited here.
//
//   http::RequestAuditor auditor(*store, env);
//   auto server = http::Server::CreateAsync(options, env, auditor.WrapAsync(router));
//   MAMORI_RETURN_IF_ERROR(http::RegisterAuditRoutes(router, *store));
//
// Borrows the store and env. Thread-safety: Wrap's handler may run on many
// threads; an AuditScope belongs to one request.

#include <string_view>

#include "core/env.h"
#include "fhir/rest_api.h"
#include "http/request.h"
#include "http/response.h"
#include "http/router.h"
#include "ledger/audit_event.h"
#include "store/store.h"

namespace mamori::http {

// The audit event of one request while it is being handled.
class AuditScope final : public fhir::WriteAudit {
 public:
  explicit AuditScope(ledger::AuditEvent event) : event_(std::move(event)) {}

  // Called by the router with the matched route.
  void OnRoute(std::string_view method, std::string_view pattern, const PathParams& params);
  // fhir::WriteAudit: appends the event for a committed-on-success write.
  core::Status InTransaction(store::Transaction& tx, int status,
                             const std::vector<fhir::AuditedChange>& changes) override;

  ledger::AuditEvent& event() { return event_; }
  // Whether a write appended the event inside its transaction.
  bool recorded_in_transaction() const { return in_transaction_; }
  // Fills outcome, status and reason from the final response.
  void SetOutcome(int status);
  // For a search or history page: adds every patient the page names
  // (issue 6, "for a search: every patient in the result").
  void AddDisclosedPatients(const Response& response);

 private:
  ledger::AuditEvent event_;
  bool in_transaction_ = false;
};

class RequestAuditor {
 public:
  RequestAuditor(store::Store& store, core::Env& env) : store_(store), env_(env) {}

  // Routes `request` through `router` under an AuditScope and makes sure
  // exactly one event is recorded; 503 if it cannot be.
  Response Handle(const Router& router, const Request& request);
  // The same without waiting for the standalone append's group commit:
  // `respond` gets the answer (or the 503) from the store's committer thread.
  void HandleAsync(const Router& router, const Request& request, Respond respond);
  // A Handler calling Handle, an AsyncHandler calling HandleAsync (for
  // Server::CreateAsync). Borrow *this and `router`.
  Handler Wrap(const Router& router);
  AsyncHandler WrapAsync(const Router& router);

 private:
  ledger::AuditEvent BaseEvent(const Request& request) const;

  store::Store& store_;
  core::Env& env_;
};

// GET /audit/sth, /audit/public-key, /audit/proof/inclusion,
// /audit/proof/consistency (formats in src/ledger/FORMAT.md "HTTP"), and the
// ledger as FHIR AuditEvent: GET /fhir/AuditEvent (search) and
// /fhir/AuditEvent/{id} (fhir/audit_event_view.h).
// Borrows `store`.
core::Status RegisterAuditRoutes(Router& router, store::Store& store);

}  // namespace mamori::http
