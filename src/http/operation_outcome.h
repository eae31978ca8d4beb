// SPDX-License-Identifier: Apache-2.0
#pragma once

// FHIR OperationOutcome bodies: how every error leaves the server (DESIGN
// invariant 7). One issue, severity "error", the issue type code, and a
// diagnostics text written by mamori.
//
// `diagnostics` must be a fixed sentence or a core::Status message (which by
// STYLE.md rule 10 carries no field values). Never pass request bytes: a
// target, a query, a header value or a body fragment (DESIGN invariant 5).
//
// Thread-safety: pure functions.
//
//   return http::OperationOutcomeResponse(404, http::IssueCode::kNotFound,
//                                         "no route for this path");

#include <string>
#include <string_view>

#include "http/response.h"

namespace mamori::http {

// The subset of FHIR R4 IssueType codes (http://hl7.org/fhir/issue-type) that
// mamori emits.
enum class IssueCode {
  kInvalid,       // "invalid": malformed or out-of-range input
  kLogin,         // "login": authentication required
  kForbidden,     // "forbidden": authenticated but not allowed
  kNotFound,      // "not-found"
  kDuplicate,     // "duplicate": already exists
  kConflict,      // "conflict": version conflict
  kBusinessRule,  // "business-rule": the system state forbids the operation
  kThrottled,     // "throttled": rate or quota limit
  kTransient,     // "transient": try again later
  kException,     // "exception": internal failure
  kTimeout,       // "timeout"
  kTooLong,       // "too-long": a header or body over the size limit
  kNotSupported,  // "not-supported": method or operation not supported
};

// The FHIR code string, e.g. "not-found".
std::string_view IssueCodeName(IssueCode code);

// The OperationOutcome JSON document (compact, stable key order).
std::string OperationOutcomeJson(IssueCode code, std::string_view diagnostics);

// A Response with `http_status`, Content-Type application/fhir+json and the
// OperationOutcome body.
Response OperationOutcomeResponse(int http_status, IssueCode code, std::string_view diagnostics);

}  // namespace mamori::http
