// SPDX-License-Identifier: Apache-2.0
// The audit event's JSON round-trips, refuses what it did not write, and the
// leak-scoping filter (GUIDELINE PLAN-05) counts exactly the disclosing events.
#include "ledger/audit_event.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/testing/status_matchers.h"

namespace mamori::ledger {
namespace {

using core::testing::IsOk;
using core::testing::StatusIs;

AuditEvent Read(std::string user, uint64_t t, std::string patient) {
  return {.time_ms = t,
          .user = std::move(user),
          .action = "read",
          .method = "GET",
          .route = "/fhir/{type}/{id}",
          .resource_type = "Patient",
          .resource_id = patient,
          .patients = {patient},
          .outcome = "success",
          .http_status = 200,
          .request_id = "r"};
}

TEST(AuditEventTest, JsonRoundTripsEveryField) {
  AuditEvent e = Read("dr-a", 1764000000000, "p1");
  e.role = "physician";
  e.client_subject = "CN=emr,O=Clinic";
  e.source_address = "192.0.2.1";
  e.emergency = true;
  e.patients.push_back("p2");
  EXPECT_THAT(ParseAuditEvent(ToJson(e)), core::testing::IsOkAndHolds(e));
  e.detail = "Patient=2 Observation=40";
  EXPECT_THAT(ParseAuditEvent(ToJson(e)), core::testing::IsOkAndHolds(e));
}

// Events written before `detail` existed have no such key and still parse;
// a detail that is not a string is refused.
TEST(AuditEventTest, DetailIsOptionalButMustBeAString) {
  std::string without = ToJson(Read("u", 1, "p"));
  EXPECT_EQ(without.find("detail"), std::string::npos);
  EXPECT_THAT(ParseAuditEvent(without), IsOk());
  std::string bad = without.substr(0, without.size() - 1) + R"(,"detail":7})";
  EXPECT_THAT(ParseAuditEvent(bad), StatusIs(core::StatusCode::kInvalidArgument));
}

TEST(AuditEventTest, ParseRefusesWhatToJsonDoesNotWrite) {
  std::string good = ToJson(Read("u", 1, "p"));
  EXPECT_THAT(ParseAuditEvent(good), IsOk());
  for (std::string bad : {std::string("[]"), std::string("{"), std::string(R"({"v":2})"),
                          good.substr(0, good.size() - 1)}) {
    EXPECT_THAT(ParseAuditEvent(bad), StatusIs(core::StatusCode::kInvalidArgument)) << bad;
  }
  std::string no_patients = good;
  no_patients.replace(no_patients.find("\"patients\""), 10, "\"patientz\"");
  EXPECT_THAT(ParseAuditEvent(no_patients), StatusIs(core::StatusCode::kInvalidArgument));
}

TEST(AuditEventTest, AffectedCountsOnlySuccessfulDisclosuresByThePrincipalInTheWindow) {
  AffectedQuery q{.principal = "dr-a", .from_ms = 100, .to_ms = 200};
  std::set<std::string> out;
  CollectAffected(Read("dr-a", 150, "inside"), q, &out);
  CollectAffected(Read("dr-a", 100, "at-start"), q, &out);
  CollectAffected(Read("dr-a", 200, "at-end"), q, &out);
  CollectAffected(Read("dr-a", 99, "before"), q, &out);
  CollectAffected(Read("dr-a", 201, "after"), q, &out);
  CollectAffected(Read("dr-b", 150, "someone-else"), q, &out);
  AuditEvent failed = Read("dr-a", 150, "failed");
  failed.outcome = "failure";
  CollectAffected(failed, q, &out);
  AuditEvent write = Read("dr-a", 150, "written");
  write.action = "update";
  CollectAffected(write, q, &out);
  AuditEvent history = Read("dr-a", 150, "history");
  history.action = "history-instance";
  CollectAffected(history, q, &out);
  EXPECT_THAT(out, ::testing::UnorderedElementsAre("inside", "at-start", "at-end", "history"));
}

// GUIDELINE SYS-54: each field of the auditor's filter narrows the result.
TEST(AuditEventTest, FilterMatchesOnlyWhenEveryFieldSetMatches) {
  AuditEvent e = Read("dr-a", 150, "p1");
  e.patients = {"p1", "p2"};
  EXPECT_TRUE(Matches(e, {}));
  EXPECT_TRUE(Matches(e, {.patient = "p2"}));
  EXPECT_FALSE(Matches(e, {.patient = "p3"}));
  EXPECT_TRUE(Matches(e, {.principal = "dr-a"}));
  EXPECT_FALSE(Matches(e, {.principal = "dr-b"}));
  EXPECT_TRUE(Matches(e, {.from_ms = 150, .to_ms = 150}));
  EXPECT_FALSE(Matches(e, {.from_ms = 151}));
  EXPECT_FALSE(Matches(e, {.to_ms = 149}));
  EXPECT_TRUE(Matches(e, {.action = "read"}));
  EXPECT_FALSE(Matches(e, {.action = "update"}));
  EXPECT_TRUE(Matches(e, {.outcome = "success"}));
  EXPECT_FALSE(Matches(e, {.outcome = "failure"}));
  EXPECT_FALSE(Matches(e, {.emergency_only = true}));
  e.emergency = true;
  EXPECT_TRUE(Matches(e, {.patient = "p1", .principal = "dr-a", .emergency_only = true}));
  EXPECT_FALSE(Matches(e, {.patient = "p1", .principal = "dr-b", .emergency_only = true}));
}

}  // namespace
}  // namespace mamori::ledger
