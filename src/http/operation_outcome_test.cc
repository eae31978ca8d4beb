// SPDX-License-Identifier: Apache-2.0
#include "http/operation_outcome.h"

#include <gtest/gtest.h>

namespace mamori::http {
namespace {

TEST(OperationOutcomeTest, BodyIsStableFhirJson) {
  EXPECT_EQ(OperationOutcomeJson(IssueCode::kNotFound, "no route for this path"),
            R"({"resourceType":"OperationOutcome","issue":[{"severity":"error",)"
            R"("code":"not-found","diagnostics":"no route for this path"}]})");
}

TEST(OperationOutcomeTest, DiagnosticsAreJsonEscaped) {
  EXPECT_EQ(OperationOutcomeJson(IssueCode::kInvalid, "a \"quoted\"\nline"),
            R"({"resourceType":"OperationOutcome","issue":[{"severity":"error",)"
            R"("code":"invalid","diagnostics":"a \"quoted\"\nline"}]})");
}

TEST(OperationOutcomeTest, ResponseHasStatusAndFhirContentType) {
  Response r = OperationOutcomeResponse(413, IssueCode::kTooLong, "request body too large");
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.content_type, "application/fhir+json");
  EXPECT_EQ(r.body, OperationOutcomeJson(IssueCode::kTooLong, "request body too large"));
}

TEST(OperationOutcomeTest, EveryIssueCodeHasItsFhirName) {
  EXPECT_EQ(IssueCodeName(IssueCode::kInvalid), "invalid");
  EXPECT_EQ(IssueCodeName(IssueCode::kLogin), "login");
  EXPECT_EQ(IssueCodeName(IssueCode::kForbidden), "forbidden");
  EXPECT_EQ(IssueCodeName(IssueCode::kNotFound), "not-found");
  EXPECT_EQ(IssueCodeName(IssueCode::kDuplicate), "duplicate");
  EXPECT_EQ(IssueCodeName(IssueCode::kConflict), "conflict");
  EXPECT_EQ(IssueCodeName(IssueCode::kBusinessRule), "business-rule");
  EXPECT_EQ(IssueCodeName(IssueCode::kThrottled), "throttled");
  EXPECT_EQ(IssueCodeName(IssueCode::kTransient), "transient");
  EXPECT_EQ(IssueCodeName(IssueCode::kException), "exception");
  EXPECT_EQ(IssueCodeName(IssueCode::kTimeout), "timeout");
  EXPECT_EQ(IssueCodeName(IssueCode::kTooLong), "too-long");
  EXPECT_EQ(IssueCodeName(IssueCode::kNotSupported), "not-supported");
}

}  // namespace
}  // namespace mamori::http
