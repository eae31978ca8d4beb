// SPDX-License-Identifier: Apache-2.0
#pragma once

// fhir::AuditEventView: the audit ledger read as FHIR R4 AuditEvent resources
// (issue 6; GUIDELINE SYS-52, SYS-54). Nothing is stored twice: each
// AuditEvent is ledger leaf N (id "N") decrypted and mapped on request, so the
// view cannot disagree with what `mamori audit verify` checks, and it is
// never writable (the ledger is append-only; writes answer 405 in RestApi and
// 403 in the access policy).
//
//   fhir::AuditEventView view(*store);
//   RestResponse one = view.Read("42", req);
//   RestResponse page = view.Search(req);   // ?patient=p1&date=ge2026-11-01&_count=50
//
// Search parameters: patient (Patient/ID or ID), agent (login id or client id),
// date (eq ge gt le lt, repeated to form a range), action (C R U D E),
// subtype (mamori's action code: read, search-type, login, ...), outcome
// (0, 4, 8), _count, _format, _pretty. Pages go from the newest event back;
// each page decrypts at most kMaxScannedPerPage leaves so a rare match cannot
// hold a thread for long (the page is then shorter and has a next link).
//
// Who may call it is the access gate's business (auditors only); this class
// borrows the store and is thread-safe as the store is.

#include <cstdint>
#include <string>

#include "fhir/rest_api.h"
#include "ledger/audit_event.h"
#include "store/store.h"

namespace mamori::fhir {

// The FHIR AuditEvent of ledger leaf `index` (compact JSON). Mapping:
// src/ledger/FORMAT.md "As FHIR R4 AuditEvent".
std::string ToFhirAuditEvent(uint64_t index, const ledger::AuditEvent& event);

// FHIR's AuditEvent.action (C R U D E) and outcome (0 4 8) of an event.
std::string_view FhirAuditAction(const ledger::AuditEvent& event);
std::string_view FhirAuditOutcome(const ledger::AuditEvent& event);

class AuditEventView {
 public:
  static constexpr uint64_t kMaxScannedPerPage = 100'000;

  explicit AuditEventView(store::Store& store) : store_(store) {}

  RestResponse Read(const std::string& id, const RestRequest& req);
  RestResponse Search(const RestRequest& req);

 private:
  store::Store& store_;
};

}  // namespace mamori::fhir
