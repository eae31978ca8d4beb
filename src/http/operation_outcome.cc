// SPDX-License-Identifier: Apache-2.0
#include "http/operation_outcome.h"

#include <boost/json.hpp>

namespace mamori::http {

std::string_view IssueCodeName(IssueCode code) {
  switch (code) {
    case IssueCode::kInvalid:
      return "invalid";
    case IssueCode::kLogin:
      return "login";
    case IssueCode::kForbidden:
      return "forbidden";
    case IssueCode::kNotFound:
      return "not-found";
    case IssueCode::kDuplicate:
      return "duplicate";
    case IssueCode::kConflict:
      return "conflict";
    case IssueCode::kBusinessRule:
      return "business-rule";
    case IssueCode::kThrottled:
      return "throttled";
    case IssueCode::kTransient:
      return "transient";
    case IssueCode::kException:
      return "exception";
    case IssueCode::kTimeout:
      return "timeout";
    case IssueCode::kTooLong:
      return "too-long";
    case IssueCode::kNotSupported:
      return "not-supported";
  }
  return "exception";
}

std::string OperationOutcomeJson(IssueCode code, std::string_view diagnostics) {
  boost::json::object issue;
  issue["severity"] = "error";
  issue["code"] = IssueCodeName(code);
  issue["diagnostics"] = diagnostics;
  boost::json::object outcome;
  outcome["resourceType"] = "OperationOutcome";
  outcome["issue"] = boost::json::array{std::move(issue)};
  return boost::json::serialize(outcome);
}

Response OperationOutcomeResponse(int http_status, IssueCode code, std::string_view diagnostics) {
  return Response::FhirJson(http_status, OperationOutcomeJson(code, diagnostics));
}

}  // namespace mamori::http
