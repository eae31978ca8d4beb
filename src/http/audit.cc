// SPDX-License-Identifier: Apache-2.0
#include "http/audit.h"

#include <algorithm>
#include <chrono>
#include <future>
#include <map>

#include "core/logging.h"
#include "fhir/care_relations.h"
#include "http/operation_outcome.h"

namespace mamori::http {
namespace {

// The action of a route: FHIR interaction codes for /fhir, names for the rest.
std::string ActionOf(std::string_view method, std::string_view pattern) {
  static const auto* actions = new std::map<std::string, std::string, std::less<>>{
      {"GET /fhir/metadata", "capabilities"},
      {"POST /fhir", "transaction"},
      {"GET /fhir/_history", "history-system"},
      {"POST /fhir/{type}", "create"},
      {"PUT /fhir/{type}", "update"},
      {"GET /fhir/{type}/_history", "history-type"},
      {"GET /fhir/{type}/{id}", "read"},
      {"PUT /fhir/{type}/{id}", "update"},
      {"DELETE /fhir/{type}/{id}", "delete"},
      {"GET /fhir/{type}/{id}/_history", "history-instance"},
      {"GET /fhir/{type}/{id}/_history/{vid}", "vread"},
      {"GET /fhir", "search-system"},
      {"GET /fhir/{type}", "search-type"},
      {"POST /fhir/{type}/_search", "search-type"},
      {"GET /fhir/Patient/{id}/{compartment_type}", "search-compartment"},
      {"GET /fhir/Patient/{id}/_history", "history-instance"},
      {"GET /fhir/Patient/{id}/$everything", "operation-everything"},
      {"GET /fhir/$export", "export"},
      {"GET /fhir/Patient/$export", "export"},
      {"GET /fhir/Group/{id}/$export", "export"},
      {"GET /fhir/$export-status/{job}", "export-status"},
      {"DELETE /fhir/$export-status/{job}", "export-cancel"},
      {"GET /fhir/$export-file/{job}/{file}", "export-download"},
      {"POST /auth/login", "login"},
      {"POST /auth/logout", "logout"},
      {"POST /auth/password", "password-change"},
      {"POST /auth/break-glass", "break-glass"},
      {"POST /oauth2/token", "token"},
      {"GET /audit/break-glass", "audit-review"},
      {"POST /audit/break-glass/{id}/review", "audit-review"},
      {"GET /healthz", "health"},
      {"GET /pki/ca.crl", "pki"},
      {"GET /admin/assessment", "compliance-report"},
      {"GET /audit/sth", "audit-sth"},
      {"GET /audit/public-key", "audit-key"},
      {"GET /audit/proof/inclusion", "audit-proof"},
      {"GET /audit/proof/consistency", "audit-proof"},
      {"GET /fhir/AuditEvent", "audit-search"},
      {"GET /fhir/AuditEvent/{id}", "audit-read"},
  };
  std::string key = std::string(method) + " " + std::string(pattern);
  auto it = actions->find(key);
  return it != actions->end() ? it->second : "other";
}

// A coarse reason for a failure: never a submitted value (DESIGN invariant 5).
std::string ReasonOf(int status) {
  switch (status) {
    case 400:
      return "invalid";
    case 401:
      return "unauthenticated";
    case 403:
      return "forbidden";
    case 404:
      return "not-found";
    case 405:
      return "method-not-allowed";
    case 409:
      return "conflict";
    case 410:
      return "deleted";
    case 412:
      return "conflict";
    case 413:
      return "too-large";
    case 422:
      return "unprocessable";
    case 429:
      return "throttled";
    case 503:
      return "unavailable";
    default:
      return status >= 500 ? "error" : "failure";
  }
}

// Whether a successful answer to `action` is a page of resources (searches,
// histories, $everything, a Bulk Data file, the AuditEvent view), whose
// patients the event must list.
bool AnswersWithAPage(std::string_view action) {
  return action.starts_with("search") || action.starts_with("history") ||
         action == "audit-search" || action == "operation-everything" ||
         action == "export-download";
}

}  // namespace

void AuditScope::AddDisclosedPatients(const Response& response) {
  if (response.status != 200 || !AnswersWithAPage(event_.action)) return;
  for (std::string& p : fhir::PatientsNamedIn(response.body)) {
    if (std::find(event_.patients.begin(), event_.patients.end(), p) == event_.patients.end()) {
      event_.patients.push_back(std::move(p));
    }
  }
}

void AuditScope::OnRoute(std::string_view method, std::string_view pattern,
                         const PathParams& params) {
  event_.route = std::string(pattern);
  event_.action = ActionOf(method, pattern);
  event_.resource_type = std::string(params.Get("type"));
  event_.resource_id = std::string(params.Get("id"));
  // A Patient's own record concerns that patient. Other resources name their
  // patient inside the body; writes report it through InTransaction.
  if (event_.resource_type == "Patient" && !event_.resource_id.empty()) {
    event_.patients = {event_.resource_id};
  }
}

core::Status AuditScope::InTransaction(store::Transaction& tx, int status,
                                       const std::vector<fhir::AuditedChange>& changes) {
  ledger::AuditEvent e = event_;
  if (changes.size() == 1) {
    e.resource_type = changes[0].type;
    e.resource_id = changes[0].id;
  }
  e.patients.clear();
  for (const fhir::AuditedChange& c : changes) {
    if (!c.patient.empty() &&
        std::find(e.patients.begin(), e.patients.end(), c.patient) == e.patients.end()) {
      e.patients.push_back(c.patient);
    }
  }
  AuditScope copy(e);
  copy.SetOutcome(status);
  MAMORI_RETURN_IF_ERROR(tx.AppendAudit(ledger::ToJson(copy.event_)).status());
  event_ = std::move(copy.event_);
  in_transaction_ = true;
  return core::Status::Ok();
}

void AuditScope::SetOutcome(int status) {
  event_.http_status = status;
  event_.outcome = status < 400 ? "success" : "failure";
  // A reason the access gate gave (the policy rule that denied) is kept.
  if (status < 400) {
    event_.reason.clear();
  } else if (event_.reason.empty()) {
    event_.reason = ReasonOf(status);
  }
}

ledger::AuditEvent RequestAuditor::BaseEvent(const Request& request) const {
  ledger::AuditEvent e;
  e.time_ms = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(env_.clock().Now().time_since_epoch())
          .count());
  e.source_address = request.remote_address;
  if (request.client_certificate) e.client_subject = request.client_certificate->subject;
  e.method = request.method;
  e.action = "unrouted";
  e.request_id = request.request_id;
  return e;
}

namespace {

// Fail closed (DESIGN invariant 2): no audit event, no answer.
Response NotRecorded(const std::string& request_id, const core::Status& why) {
  core::LogError("audit ledger: request {} not recorded, answered 503: {}",
                 core::LogSafe::Vouch(request_id, "random request id"), why);
  Response refused = OperationOutcomeResponse(
      503, IssueCode::kTransient,
      "the request could not be recorded in the audit log; nothing was returned");
  refused.headers.Set("Retry-After", "5");
  return refused;
}

}  // namespace

void RequestAuditor::HandleAsync(const Router& router, const Request& request, Respond respond) {
  AuditScope scope(BaseEvent(request));
  Response response = router.Handle(request, &scope);
  // A write that committed recorded its event with it. A write whose commit
  // failed answered 503 and its event is gone with it, so it is recorded
  // below like every other request.
  if (scope.recorded_in_transaction() && response.status < 300) return respond(std::move(response));
  scope.SetOutcome(response.status);
  scope.AddDisclosedPatients(response);
  // The answer leaves only after the group commit that makes its event
  // durable; this thread goes on to the next request meanwhile.
  store_.WriteAsync(
      [json = ledger::ToJson(scope.event())](store::Transaction& tx) {
        return tx.AppendAudit(json).status();
      },
      [response = std::move(response), respond = std::move(respond),
       request_id = request.request_id](core::Status recorded) mutable {
        respond(recorded.ok() ? std::move(response) : NotRecorded(request_id, recorded));
      });
}

Response RequestAuditor::Handle(const Router& router, const Request& request) {
  std::promise<Response> answer;
  HandleAsync(router, request, [&answer](Response r) { answer.set_value(std::move(r)); });
  return answer.get_future().get();
}

Handler RequestAuditor::Wrap(const Router& router) {
  return [this, &router](const Request& request) { return Handle(router, request); };
}

AsyncHandler RequestAuditor::WrapAsync(const Router& router) {
  return [this, &router](const Request& request, Respond respond) {
    HandleAsync(router, request, std::move(respond));
  };
}

}  // namespace mamori::http
