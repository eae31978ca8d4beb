// SPDX-License-Identifier: Apache-2.0
// SMART v2 system scopes for OAuth clients (issue 7).
#include "auth/scope.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/testing/status_matchers.h"

namespace mamori::auth {
namespace {

using core::StatusCode;
using core::testing::IsOk;
using core::testing::StatusIs;

TEST(ScopeTest, ParsesV2ScopesAndAllowsExactlyTheirPermissions) {
  auto s = ParseScope("system/Observation.rs");
  ASSERT_THAT(s, IsOk());
  EXPECT_EQ(s->context, Scope::Context::kSystem);
  EXPECT_TRUE(s->Allows("Observation", Permission::kRead));
  EXPECT_TRUE(s->Allows("Observation", Permission::kSearch));
  EXPECT_FALSE(s->Allows("Observation", Permission::kCreate));
  EXPECT_FALSE(s->Allows("Patient", Permission::kRead));
  EXPECT_EQ(s->ToString(), "system/Observation.rs");
}

TEST(ScopeTest, WildcardTypeAndV1FormsMapToV2) {
  auto all = ParseScope("system/*.cruds");
  ASSERT_THAT(all, IsOk());
  EXPECT_TRUE(all->Allows("Condition", Permission::kDelete));
  auto read = ParseScope("patient/Observation.read");
  ASSERT_THAT(read, IsOk());
  EXPECT_EQ(read->ToString(), "patient/Observation.rs");
  auto write = ParseScope("user/Encounter.write");
  ASSERT_THAT(write, IsOk());
  EXPECT_EQ(write->ToString(), "user/Encounter.cud");
}

TEST(ScopeTest, RefusesWhatItCannotEnforce) {
  for (std::string_view bad : {"system/Observation.rs?category=laboratory", "admin/Patient.r",
                               "system/Patient.sr", "system/Patient.rr", "system/patient.r",
                               "system/Patient.", "Patient.r", "system/Patient.x", ""}) {
    EXPECT_THAT(ParseScope(bad), StatusIs(StatusCode::kInvalidArgument)) << bad;
  }
}

TEST(ScopeTest, ParsesASpaceSeparatedList) {
  auto list = ParseScopes("system/Patient.r  system/Observation.rs");
  ASSERT_THAT(list, IsOk());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[1].resource_type, "Observation");
  EXPECT_THAT(ParseScopes("system/Patient.r openid"), StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace mamori::auth
