// SPDX-License-Identifier: Apache-2.0
#include "http/status_mapping.h"

#include <string>

#include "core/logging.h"

namespace mamori::http {

using core::StatusCode;

HttpMapping MapStatusCode(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return {200, IssueCode::kInvalid};
    case StatusCode::kInvalidArgument:
      return {400, IssueCode::kInvalid};
    case StatusCode::kUnauthenticated:
      return {401, IssueCode::kLogin};
    case StatusCode::kPermissionDenied:
      return {403, IssueCode::kForbidden};
    case StatusCode::kNotFound:
      return {404, IssueCode::kNotFound};
    case StatusCode::kDeadlineExceeded:
      return {408, IssueCode::kTimeout};
    case StatusCode::kAlreadyExists:
      return {409, IssueCode::kDuplicate};
    case StatusCode::kAborted:
      return {409, IssueCode::kConflict};
    case StatusCode::kFailedPrecondition:
      return {409, IssueCode::kBusinessRule};
    case StatusCode::kResourceExhausted:
      return {429, IssueCode::kThrottled};
    case StatusCode::kInternal:
      return {500, IssueCode::kException};
    case StatusCode::kDataLoss:
      return {500, IssueCode::kException};
    case StatusCode::kUnimplemented:
      return {501, IssueCode::kNotSupported};
    case StatusCode::kUnavailable:
      return {503, IssueCode::kTransient};
  }
  return {500, IssueCode::kException};
}

Response StatusResponse(const core::Status& status, std::string_view request_id) {
  HttpMapping m = MapStatusCode(status.code());
  if (m.http_status < 500) {
    return OperationOutcomeResponse(m.http_status, m.issue, status.message());
  }
  // Internal failures are for the operator; the client gets the request id to
  // quote. kDataLoss and kInternal are alerts (STYLE.md rule 7).
  core::LogSafe id = core::LogSafe::Vouch(request_id, "random request id");
  if (status.code() == StatusCode::kUnavailable) {
    core::LogWarn("request {} unavailable: {}", id, status);
  } else {
    core::LogError("ALERT request {} failed: {}", id, status);
  }
  std::string text =
      "the server could not complete the request; request id " + std::string(request_id);
  Response r = OperationOutcomeResponse(m.http_status, m.issue, text);
  if (m.http_status == 503) r.headers.Set("Retry-After", "5");
  return r;
}

}  // namespace mamori::http
