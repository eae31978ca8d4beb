// SPDX-License-Identifier: Apache-2.0
#pragma once

// The one place that maps core::StatusCode to an HTTP status and a FHIR issue
// code (STYLE.md rule 7). Every module returns core::Status; only here does a
// code become a wire answer.
//
//   | code                | HTTP | issue          |
//   | kInvalidArgument    | 400  | invalid        |
//   | kUnauthenticated    | 401  | login          |
//   | kPermissionDenied   | 403  | forbidden      |
//   | kNotFound           | 404  | not-found      |
//   | kDeadlineExceeded   | 408  | timeout        |
//   | kAlreadyExists      | 409  | duplicate      |
//   | kAborted            | 409  | conflict       |  (412 is chosen by fhir for If-Match)
//   | kFailedPrecondition | 409  | business-rule  |
//   | kResourceExhausted  | 429  | throttled      |  (413 for size limits, set by the server)
//   | kInternal, kDataLoss| 500  | exception      |
//   | kUnimplemented      | 501  | not-supported  |
//   | kUnavailable        | 503  | transient      |
//
// Thread-safety: pure functions.
//
//   if (!status.ok()) return http::StatusResponse(status, req.request_id);

#include <string_view>

#include "core/status.h"
#include "http/operation_outcome.h"
#include "http/response.h"

namespace mamori::http {

struct HttpMapping {
  int http_status;
  IssueCode issue;
};

// The row of the table above. kOk maps to {200, kInvalid} and is a caller bug
// to ask for; it is answered rather than aborted on.
HttpMapping MapStatusCode(core::StatusCode code);

// An OperationOutcome response for a non-OK status. For 4xx the diagnostics
// are status.message() (rule 10: no field values); for 5xx they are a fixed
// sentence that names `request_id`, and the status itself is logged for the
// operator with that id, so internals (paths, library errors) never reach the
// client. A 503 also carries Retry-After.
Response StatusResponse(const core::Status& status, std::string_view request_id);

}  // namespace mamori::http
