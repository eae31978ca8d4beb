// SPDX-License-Identifier: Apache-2.0
#include "http/status_mapping.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/testing/log_capture.h"

namespace mamori::http {
namespace {

using core::StatusCode;
using ::testing::HasSubstr;
using ::testing::Not;

struct Row {
  StatusCode code;
  int http;
  const char* issue;
};

// STYLE.md rule 7, plus kDeadlineExceeded, kUnimplemented, kFailedPrecondition.
TEST(StatusMappingTest, EveryCodeMapsToItsDocumentedHttpStatusAndIssue) {
  const Row rows[] = {
      {StatusCode::kInvalidArgument, 400, "invalid"},
      {StatusCode::kUnauthenticated, 401, "login"},
      {StatusCode::kPermissionDenied, 403, "forbidden"},
      {StatusCode::kNotFound, 404, "not-found"},
      {StatusCode::kDeadlineExceeded, 408, "timeout"},
      {StatusCode::kAlreadyExists, 409, "duplicate"},
      {StatusCode::kAborted, 409, "conflict"},
      {StatusCode::kFailedPrecondition, 409, "business-rule"},
      {StatusCode::kResourceExhausted, 429, "throttled"},
      {StatusCode::kInternal, 500, "exception"},
      {StatusCode::kDataLoss, 500, "exception"},
      {StatusCode::kUnimplemented, 501, "not-supported"},
      {StatusCode::kUnavailable, 503, "transient"},
  };
  for (const Row& row : rows) {
    HttpMapping m = MapStatusCode(row.code);
    EXPECT_EQ(m.http_status, row.http) << core::StatusCodeName(row.code);
    EXPECT_EQ(IssueCodeName(m.issue), row.issue) << core::StatusCodeName(row.code);
  }
}

TEST(StatusMappingTest, ClientErrorCarriesStatusMessage) {
  Response r = StatusResponse(core::NotFoundError("no Patient with this id"), "abc");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.content_type, "application/fhir+json");
  EXPECT_THAT(r.body, HasSubstr("no Patient with this id"));
}

TEST(StatusMappingTest, ServerErrorHidesMessageAndNamesRequestId) {
  core::testing::LogCapture capture(/*quiet=*/true);
  Response r = StatusResponse(core::DataLossError("tag mismatch in /var/lib/mamori/x"), "id123");
  EXPECT_EQ(r.status, 500);
  EXPECT_THAT(r.body, Not(HasSubstr("/var/lib")));
  EXPECT_THAT(r.body, HasSubstr("id123"));
  EXPECT_TRUE(capture.Contains("ALERT"));
  EXPECT_TRUE(capture.Contains("id123"));
}

TEST(StatusMappingTest, UnavailableCarriesRetryAfter) {
  core::testing::LogCapture capture(/*quiet=*/true);
  Response r = StatusResponse(core::UnavailableError("store latched read-only"), "id");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.headers.Get("Retry-After").value_or(""), "5");
}

}  // namespace
}  // namespace mamori::http
