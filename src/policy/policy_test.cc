// SPDX-License-Identifier: Apache-2.0
// Deny-by-default decisions: PLAN-26 and CHK-06 (role x action x type matrix),
// SYS-46 (least privilege, care relation; a clerk cannot read a progress note;
// an administrator cannot read Observations), SYS-21 (break-glass), SYS-09
// (network zones), PLAN-25 (password change first).
#include "policy/policy.h"

#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/testing/simulated_clock.h"
#include "core/testing/status_matchers.h"

namespace mamori::policy {
namespace {

using auth::Role;
using core::StatusCode;
using core::testing::IsOk;
using core::testing::StatusIs;
using ::testing::HasSubstr;

class FakeCare : public CareRelations {
 public:
  bool HasRelation(const auth::Principal& who, std::string_view patient) override {
    return relations.contains(who.login_id + "/" + std::string(patient));
  }
  std::set<std::string> relations;
};

class PolicyTest : public ::testing::Test {
 protected:
  PolicyTest() {
    auto parsed = Policy::Parse(DefaultPolicyToml());
    EXPECT_THAT(parsed, IsOk());
    policy_.emplace(std::move(parsed).value());
    clock_.SetNow(core::SimulatedClock::FromUnixSeconds(1'800'000'000));
  }
  static auth::Principal As(Role role, std::string login = "user") {
    return {.account_id = login + "-id", .login_id = login, .role = role, .second_factor = true};
  }
  Decision Ask(const auth::Principal& who, Action action, std::string type,
               std::vector<std::string> patients = {}, std::string source = "10.1.2.3",
               bool cert = false) {
    return policy_->Decide({.principal = &who,
                            .action = action,
                            .resource_type = std::move(type),
                            .patients = std::move(patients),
                            .source_address = std::move(source),
                            .client_certificate = cert,
                            .now = clock_.Now()},
                           care_, emergency_);
  }
  std::optional<Policy> policy_;
  FakeCare care_;
  EmergencyAccess emergency_;
  core::SimulatedClock clock_;
};

// PLAN-26 / CHK-06: the default role matrix, with the patient in each
// clinician's care so that only the role decides.
TEST_F(PolicyTest, DefaultRoleMatrix) {
  struct Row {
    Role role;
    Action action;
    const char* type;
    bool allowed;
  };
  const Row kMatrix[] = {
      {Role::kPhysician, Action::kRead, "Observation", true},
      {Role::kPhysician, Action::kCreate, "MedicationRequest", true},
      {Role::kPhysician, Action::kExport, "Observation", true},
      {Role::kPhysician, Action::kRead, "AuditEvent", false},
      {Role::kPhysician, Action::kAdministration, "", false},
      {Role::kNurse, Action::kRead, "DocumentReference", true},
      {Role::kNurse, Action::kCreate, "Observation", true},
      {Role::kNurse, Action::kCreate, "MedicationRequest", false},  // prescribing
      {Role::kNurse, Action::kExport, "Observation", false},
      {Role::kPharmacist, Action::kRead, "MedicationRequest", true},
      {Role::kPharmacist, Action::kCreate, "MedicationDispense", true},
      {Role::kPharmacist, Action::kRead, "DocumentReference", false},
      {Role::kMedicalClerk, Action::kRead, "Patient", true},
      {Role::kMedicalClerk, Action::kUpdate, "Coverage", true},
      {Role::kMedicalClerk, Action::kRead, "DocumentReference", false},  // a progress note
      {Role::kMedicalClerk, Action::kRead, "Observation", false},
      {Role::kAdministrator, Action::kRead, "Observation", false},
      {Role::kAdministrator, Action::kRead, "Patient", false},
      {Role::kAdministrator, Action::kAdministration, "", true},
      {Role::kAdministrator, Action::kUpdate, "Practitioner", true},
      {Role::kAuditor, Action::kRead, "AuditEvent", true},
      {Role::kAuditor, Action::kAuditRead, "", true},
      {Role::kAuditor, Action::kUpdate, "AuditEvent", false},  // never writable
      {Role::kAuditor, Action::kRead, "Patient", false},
  };
  for (const Row& row : kMatrix) {
    auth::Principal who = As(row.role);
    care_.relations.insert("user/P1");
    std::vector<std::string> patients;
    if (std::string_view(row.type) != "" && std::string_view(row.type) != "AuditEvent" &&
        std::string_view(row.type) != "Practitioner") {
      patients = {"P1"};
    }
    Decision d = Ask(who, row.action, row.type, patients);
    EXPECT_EQ(d.allowed, row.allowed) << auth::RoleName(row.role) << " " << ActionName(row.action)
                                      << " " << row.type << ": " << d.reason;
    if (!d.allowed) {
      EXPECT_THAT(d.reason, HasSubstr("("));  // every denial cites its rule
    }
  }
}

TEST_F(PolicyTest, NurseWithoutCareRelationIsDeniedThenAllowedByBreakGlass) {  // SYS-46, SYS-21
  auth::Principal nurse = As(Role::kNurse, "h.sato");
  Decision denied = Ask(nurse, Action::kRead, "Observation", {"P7"});
  EXPECT_FALSE(denied.allowed);
  EXPECT_THAT(denied.reason, HasSubstr("no care relation"));

  EXPECT_THAT(emergency_.Begin(nurse, "P7", "", clock_.Now(), policy_->break_glass_duration()),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("reason")));
  auto grant = emergency_.Begin(nurse, "P7", "unconscious patient brought to ER", clock_.Now(),
                                policy_->break_glass_duration());
  ASSERT_THAT(grant, IsOk());
  Decision allowed = Ask(nurse, Action::kRead, "Observation", {"P7"});
  EXPECT_TRUE(allowed.allowed) << allowed.reason;
  EXPECT_TRUE(allowed.emergency);
  // Only that patient, and not after the window.
  EXPECT_FALSE(Ask(nurse, Action::kRead, "Observation", {"P8"}).allowed);
  clock_.Advance(std::chrono::hours(4));
  EXPECT_FALSE(Ask(nurse, Action::kRead, "Observation", {"P7"}).allowed);
  // The use waits in the review queue until someone else closes it.
  auto pending = emergency_.PendingReview();
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].login_id, "h.sato");
  EXPECT_THAT(emergency_.CloseReview(grant->id, "h.sato", "fine by me", clock_.Now()),
              StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(
      emergency_.CloseReview(grant->id, "auditor.ito", "ER admission, appropriate", clock_.Now()),
      IsOk());
  EXPECT_TRUE(emergency_.PendingReview().empty());
}

TEST_F(PolicyTest, ClerkCannotBreakTheGlass) {
  auth::Principal clerk = As(Role::kMedicalClerk, "clerk");
  ASSERT_THAT(emergency_.Begin(clerk, "P7", "patient asked at desk", clock_.Now(),
                               policy_->break_glass_duration()),
              IsOk());
  EXPECT_FALSE(Ask(clerk, Action::kRead, "Observation", {"P7"}).allowed);
}

TEST_F(PolicyTest, RemoteZoneNeedsADeviceCertificateAndASecondFactor) {  // SYS-09
  auth::Principal physician = As(Role::kPhysician, "dr");
  care_.relations.insert("dr/P1");
  EXPECT_TRUE(Ask(physician, Action::kRead, "Observation", {"P1"}, "192.168.1.20").allowed);
  Decision no_cert = Ask(physician, Action::kRead, "Observation", {"P1"}, "203.0.113.9");
  EXPECT_FALSE(no_cert.allowed);
  EXPECT_EQ(no_cert.zone, "remote");
  EXPECT_THAT(no_cert.reason, HasSubstr("device certificate"));
  EXPECT_TRUE(Ask(physician, Action::kRead, "Observation", {"P1"}, "203.0.113.9", true).allowed);
  physician.second_factor = false;
  EXPECT_THAT(Ask(physician, Action::kRead, "Observation", {"P1"}, "203.0.113.9", true).reason,
              HasSubstr("second factor"));
}

TEST_F(PolicyTest, AnAddressInNoZoneIsDenied) {
  auto parsed = Policy::Parse(
      "version = 1\n[[role]]\nname = \"physician\"\nread = [\"*\"]\ncare_relation = false\n"
      "[[zone]]\nname = \"lan\"\nnetworks = [\"10.0.0.0/8\"]\n");
  ASSERT_THAT(parsed, IsOk());
  auth::Principal physician = As(Role::kPhysician);
  Decision d = parsed->Decide({.principal = &physician,
                               .action = Action::kRead,
                               .resource_type = "Patient",
                               .source_address = "192.168.1.1"},
                              care_, emergency_);
  EXPECT_FALSE(d.allowed);
  EXPECT_THAT(d.reason, HasSubstr("no network zone"));
}

TEST_F(PolicyTest, AMustChangePasswordPrincipalMayOnlyChangeIt) {  // PLAN-25
  auth::Principal physician = As(Role::kPhysician);
  physician.must_change_password = true;
  EXPECT_FALSE(Ask(physician, Action::kRead, "Organization").allowed);
  EXPECT_TRUE(Ask(physician, Action::kChangePassword, "").allowed);
}

TEST_F(PolicyTest, SystemsGetExactlyTheirScopes) {
  auth::Principal lab = As(Role::kSystem, "lab-system");
  auto scopes = auth::ParseScopes("system/Observation.crs");
  ASSERT_THAT(scopes, IsOk());
  auto ask = [&](Action a, std::string type) {
    return policy_->Decide({.principal = &lab,
                            .action = a,
                            .resource_type = std::move(type),
                            .patients = {"P1"},
                            .source_address = "10.0.0.7",
                            .scopes = *scopes,
                            .now = clock_.Now()},
                           care_, emergency_);
  };
  EXPECT_TRUE(ask(Action::kCreate, "Observation").allowed);
  EXPECT_TRUE(ask(Action::kSearch, "Observation").allowed);
  EXPECT_FALSE(ask(Action::kDelete, "Observation").allowed);
  EXPECT_FALSE(ask(Action::kRead, "Patient").allowed);
  EXPECT_FALSE(ask(Action::kAdministration, "").allowed);
}

TEST_F(PolicyTest, RoleHoursAreLocalTime) {
  auto parsed = Policy::Parse(
      "version = 1\n[[role]]\nname = \"medical-clerk\"\nread = [\"Patient\"]\n"
      "care_relation = false\nhours = \"08:00-20:00\"\n"
      "[[zone]]\nname = \"lan\"\nnetworks = [\"10.0.0.0/8\"]\n");
  ASSERT_THAT(parsed, IsOk());
  auth::Principal clerk = As(Role::kMedicalClerk);
  auto at = [&](int64_t unix_seconds) {
    return parsed
        ->Decide({.principal = &clerk,
                  .action = Action::kRead,
                  .resource_type = "Patient",
                  .source_address = "10.0.0.1",
                  .now = core::SimulatedClock::FromUnixSeconds(unix_seconds)},
                 care_, emergency_)
        .allowed;
  };
  // 2026-11-25 00:30 UTC is 09:30 JST; 12:00 UTC is 21:00 JST.
  EXPECT_TRUE(at(1'764'030'600));
  EXPECT_FALSE(at(1'764'072'000));
}

TEST_F(PolicyTest, ParseErrorsNameTheLineAndTheProblem) {
  EXPECT_THAT(Policy::Parse("version = 1\ncolour = \"blue\"\n"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("line 2: unknown key \"colour\"")));
  EXPECT_THAT(Policy::Parse("version = 1\n[[role]]\nname = \"surgeon\"\n"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("unknown role \"surgeon\"")));
  EXPECT_THAT(Policy::Parse("version = 1\n[[role]]\nname = \"nurse\"\nread = [\"observation\"]\n"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("not a FHIR resource type")));
  EXPECT_THAT(Policy::Parse("version = 1\n[[zone]]\nname = \"x\"\nnetworks = [\"10.1.2.3/8\"]\n"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("host bits")));
  EXPECT_THAT(
      Policy::Parse("version = 1\n[[role]]\nname = \"nurse\"\n[[role]]\nname = \"nurse\"\n"),
      StatusIs(StatusCode::kInvalidArgument, HasSubstr("defined twice")));
  EXPECT_THAT(Policy::Parse("version = 2\n"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(Policy::Parse("[[role\n"), StatusIs(StatusCode::kInvalidArgument, HasSubstr("line")));
}

TEST_F(PolicyTest, AnEmptyPolicyDeniesEverything) {
  auto parsed = Policy::Parse("version = 1\n");
  ASSERT_THAT(parsed, IsOk());
  for (Role role : {Role::kPhysician, Role::kAdministrator, Role::kAuditor}) {
    auth::Principal who = As(role);
    EXPECT_FALSE(parsed
                     ->Decide({.principal = &who,
                               .action = Action::kRead,
                               .resource_type = "Patient",
                               .source_address = "127.0.0.1"},
                              care_, emergency_)
                     .allowed);
  }
}

}  // namespace
}  // namespace mamori::policy
