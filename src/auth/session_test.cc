// SPDX-License-Identifier: Apache-2.0
// GUIDELINE SYS-44: idle and absolute timeouts, logout revokes, tokens bound
// to the device certificate, tokens kept only as hashes. SimulatedClock only.
#include "auth/session.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/testing/deterministic_random.h"
#include "core/testing/simulated_clock.h"
#include "core/testing/status_matchers.h"

namespace mamori::auth {
namespace {

using core::StatusCode;
using core::testing::IsOk;
using core::testing::StatusIs;
using std::chrono::hours;
using std::chrono::minutes;
using ::testing::HasSubstr;

class SessionTest : public ::testing::Test {
 protected:
  Principal Nurse() {
    return {.account_id = "acct-1",
            .login_id = "h.sato",
            .role = Role::kNurse,
            .departments = {"internal-medicine"},
            .second_factor = true};
  }
  core::SimulatedClock clock_;
  core::DeterministicRandom random_{11};
  SessionTable sessions_{clock_, random_};
};

TEST_F(SessionTest, AFreshTokenAuthenticatesAsItsPrincipal) {
  IssuedSession s = sessions_.Create(Nurse(), "");
  EXPECT_EQ(s.token.size(), 64u);
  EXPECT_NE(s.token, s.csrf_token);
  auto who = sessions_.Authenticate(s.token, "");
  ASSERT_THAT(who, IsOk());
  EXPECT_EQ(who->login_id, "h.sato");
  EXPECT_EQ(who->role, Role::kNurse);
  EXPECT_THAT(sessions_.Authenticate("f" + s.token.substr(1), ""),
              StatusIs(StatusCode::kUnauthenticated));
}

TEST_F(SessionTest, ATokenUsedAfterTheIdleTimeoutIsRefused) {
  IssuedSession s = sessions_.Create(Nurse(), "");
  clock_.Advance(minutes(14));
  ASSERT_THAT(sessions_.Authenticate(s.token, ""), IsOk());  // use resets the idle clock
  clock_.Advance(minutes(14));
  ASSERT_THAT(sessions_.Authenticate(s.token, ""), IsOk());
  clock_.Advance(minutes(15));
  EXPECT_THAT(sessions_.Authenticate(s.token, ""),
              StatusIs(StatusCode::kUnauthenticated, HasSubstr("idle")));
  // And it stays dead.
  EXPECT_THAT(sessions_.Authenticate(s.token, ""), StatusIs(StatusCode::kUnauthenticated));
}

TEST_F(SessionTest, ASessionInConstantUseEndsAtTheAbsoluteTimeout) {
  IssuedSession s = sessions_.Create(Nurse(), "");
  EXPECT_EQ(s.expires_at, clock_.Now() + hours(12));
  for (int i = 0; i < 12 * 6 - 1; ++i) {  // every 10 minutes for 11 h 50 min
    clock_.Advance(minutes(10));
    ASSERT_THAT(sessions_.Authenticate(s.token, ""), IsOk()) << i;
  }
  clock_.Advance(minutes(10));
  EXPECT_THAT(sessions_.Authenticate(s.token, ""),
              StatusIs(StatusCode::kUnauthenticated, HasSubstr("absolute")));
}

TEST_F(SessionTest, LogoutRevokesAndAccountRevocationEndsEverySession) {
  IssuedSession a = sessions_.Create(Nurse(), "");
  IssuedSession b = sessions_.Create(Nurse(), "");
  sessions_.Revoke(a.token);
  EXPECT_THAT(sessions_.Authenticate(a.token, ""), StatusIs(StatusCode::kUnauthenticated));
  EXPECT_THAT(sessions_.Authenticate(b.token, ""), IsOk());
  sessions_.RevokeAccount("acct-1");
  EXPECT_THAT(sessions_.Authenticate(b.token, ""), StatusIs(StatusCode::kUnauthenticated));
  EXPECT_EQ(sessions_.size(), 0u);
}

TEST_F(SessionTest, ATokenPresentedFromAnotherDeviceCertificateIsRefused) {
  IssuedSession s = sessions_.Create(Nurse(), "sha256:device-a");
  EXPECT_THAT(sessions_.Authenticate(s.token, "sha256:device-b"),
              StatusIs(StatusCode::kUnauthenticated, HasSubstr("another client certificate")));
  EXPECT_THAT(sessions_.Authenticate(s.token, ""), StatusIs(StatusCode::kUnauthenticated));
  EXPECT_THAT(sessions_.Authenticate(s.token, "sha256:device-a"), IsOk());
}

TEST_F(SessionTest, CsrfTokenMustBeThisSessionsOwn) {
  IssuedSession a = sessions_.Create(Nurse(), "");
  IssuedSession b = sessions_.Create(Nurse(), "");
  EXPECT_TRUE(sessions_.CheckCsrf(a.token, a.csrf_token));
  EXPECT_FALSE(sessions_.CheckCsrf(a.token, b.csrf_token));
  EXPECT_FALSE(sessions_.CheckCsrf(a.token, ""));
}

TEST_F(SessionTest, RoleNamesAreStable) {
  EXPECT_EQ(RoleName(Role::kMedicalClerk), "medical-clerk");
  EXPECT_EQ(RoleName(Role::kAuditor), "auditor");
}

}  // namespace
}  // namespace mamori::auth
