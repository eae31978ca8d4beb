// SPDX-License-Identifier: Apache-2.0
// The login flow of issue 7: SYS-40 (grants with an approver), SYS-41 (two
// factors; a reused TOTP code refused), SYS-43 (one message for unknown id and
// wrong password; lockout before the password is checked), SYS-44 (sessions),
// PLAN-25 (initial password changed first), identity proofing required.
#include "auth/authenticator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "auth/testing/in_memory_account_store.h"
#include "core/testing/deterministic_random.h"
#include "core/testing/mem_file_system.h"
#include "core/testing/simulated_clock.h"
#include "core/testing/status_matchers.h"

namespace mamori::auth {
namespace {

using core::StatusCode;
using core::testing::IsOk;
using core::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kInitial[] = "Shoki#Pass-4821";
constexpr char kChosen[] = "Kitsune-sora-9-umi";

class AuthenticatorTest : public ::testing::Test {
 protected:
  AuthenticatorTest() {
    clock_.SetNow(core::SimulatedClock::FromUnixSeconds(1'800'000'000));
    auto checker = PasswordChecker::Load({});
    EXPECT_THAT(checker, IsOk());
    checker_.emplace(std::move(checker).value());
    authn_.emplace(
        accounts_, *checker_, throttle_, sessions_, secrets_key_, env_,
        AuthOptions{.password_params = {.memory_kib = 64, .iterations = 1, .parallelism = 1}});
  }

  NewAccount Nurse() {
    return {.login_id = "h.sato",
            .display_name = "佐藤 花子",
            .name_parts = {"佐藤", "花子", "さとう", "はなこ", "sato", "hanako"},
            .birth_date = "1990-07-01",
            .role = Role::kNurse,
            .departments = {"internal-medicine"},
            .requested_by = "head.nurse",
            .approved_by = "admin.kato",
            .initial_password = kInitial,
            .proofing = IdentityProofing{.method = "in-person-photo-id",
                                         .verified_by = "admin.kato",
                                         .verified_at = clock_.Now(),
                                         .evidence_ref = "HR file 2026-118"}};
  }

  // Creates the nurse, enrols TOTP with a first code, and returns her secret.
  Account Enrolled(crypto::TotpSecret* secret_out) {
    auto account = authn_->CreateAccount(Nurse());
    EXPECT_THAT(account, IsOk());
    auto enrolment = authn_->BeginTotpEnrolment(account->account_id);
    EXPECT_THAT(enrolment, IsOk());
    auto secret = crypto::TotpSecret::FromBase32(enrolment->secret_base32);
    EXPECT_THAT(
        authn_->ConfirmTotpEnrolment(account->account_id, crypto::TotpCode(*secret, clock_.Now())),
        IsOk());
    clock_.Advance(std::chrono::seconds(30));  // the next code is a new step
    *secret_out = std::move(secret).value();
    return *account;
  }

  core::Result<LoginResult> LoginNow(std::string_view password, std::string_view code,
                                     std::string* why, std::string_view source = "10.0.0.9") {
    return authn_->Login(
        {.login_id = "h.sato", .password = password, .second_factor = code, .source = source}, why);
  }

  core::SimulatedClock clock_;
  core::DeterministicRandom random_{5};
  core::MemFileSystem fs_;
  core::Env env_{clock_, random_, fs_};
  crypto::AeadKey secrets_key_ = crypto::AeadKey::Generate(random_);
  testing::InMemoryAccountStore accounts_;
  std::optional<PasswordChecker> checker_;
  LoginThrottle throttle_{clock_};
  SessionTable sessions_{clock_, random_};
  std::optional<Authenticator> authn_;
};

TEST_F(AuthenticatorTest, PasswordAndTotpLogIn) {
  crypto::TotpSecret secret = crypto::TotpSecret::Generate(random_);
  Account nurse = Enrolled(&secret);
  std::string why;
  auto login = LoginNow(kInitial, crypto::TotpCode(secret, clock_.Now()), &why);
  ASSERT_THAT(login, IsOk()) << why;
  EXPECT_TRUE(login->principal.second_factor);
  EXPECT_EQ(login->principal.role, Role::kNurse);
  EXPECT_THAT(sessions_.Authenticate(login->session.token, ""), IsOk());
}

TEST_F(AuthenticatorTest, TheInitialPasswordAllowsOnlyAPasswordChange) {  // PLAN-25
  crypto::TotpSecret secret = crypto::TotpSecret::Generate(random_);
  Account nurse = Enrolled(&secret);
  std::string why;
  auto login = LoginNow(kInitial, crypto::TotpCode(secret, clock_.Now()), &why);
  ASSERT_THAT(login, IsOk()) << why;
  EXPECT_TRUE(login->principal.must_change_password);
  ASSERT_THAT(authn_->ChangePassword(nurse.account_id, kInitial, kChosen), IsOk());
  // The change ended the session; the next login is a normal one.
  EXPECT_THAT(sessions_.Authenticate(login->session.token, ""), Not(IsOk()));
  clock_.Advance(std::chrono::seconds(30));
  auto again = LoginNow(kChosen, crypto::TotpCode(secret, clock_.Now()), &why);
  ASSERT_THAT(again, IsOk()) << why;
  EXPECT_FALSE(again->principal.must_change_password);
}

TEST_F(AuthenticatorTest, APasswordOnlyLoginIsRefusedWhenTwoFactorsAreEnforced) {  // SYS-41
  crypto::TotpSecret secret = crypto::TotpSecret::Generate(random_);
  Enrolled(&secret);
  std::string why;
  EXPECT_THAT(LoginNow(kInitial, "", &why), StatusIs(StatusCode::kUnauthenticated));
  EXPECT_EQ(why, "second factor missing");
}

TEST_F(AuthenticatorTest, TheSameTotpCodeTwiceIsRefused) {  // SYS-41
  crypto::TotpSecret secret = crypto::TotpSecret::Generate(random_);
  Enrolled(&secret);
  std::string code = crypto::TotpCode(secret, clock_.Now());
  std::string why;
  ASSERT_THAT(LoginNow(kInitial, code, &why), IsOk()) << why;
  EXPECT_THAT(LoginNow(kInitial, code, &why), StatusIs(StatusCode::kUnauthenticated));
  EXPECT_EQ(why, "TOTP code already used");
}

TEST_F(AuthenticatorTest, UnknownIdAndWrongPasswordGetTheSameMessage) {  // SYS-43
  crypto::TotpSecret secret = crypto::TotpSecret::Generate(random_);
  Enrolled(&secret);
  std::string why_unknown, why_wrong;
  auto unknown = authn_->Login({.login_id = "nobody",
                                .password = kInitial,
                                .second_factor = crypto::TotpCode(secret, clock_.Now()),
                                .source = "10.0.0.8"},
                               &why_unknown);
  auto wrong = LoginNow("Wrong#Pass-12345", crypto::TotpCode(secret, clock_.Now()), &why_wrong);
  EXPECT_EQ(unknown.status().message(), wrong.status().message());
  EXPECT_EQ(unknown.status().message(), kLoginFailedMessage);
  EXPECT_EQ(why_unknown, "unknown login id");
  EXPECT_EQ(why_wrong, "wrong password");
}

TEST_F(AuthenticatorTest, TheSixthAttemptIsRefusedEvenWithTheRightPasswordAndCode) {  // SYS-43
  crypto::TotpSecret secret = crypto::TotpSecret::Generate(random_);
  Enrolled(&secret);
  std::string why;
  for (int i = 0; i < 5; ++i) {
    ASSERT_THAT(LoginNow("Wrong#Pass-12345", "000000", &why), Not(IsOk()));
    clock_.Advance(std::chrono::seconds(20));  // past each growing delay (1..16 s)
  }
  EXPECT_THAT(LoginNow(kInitial, crypto::TotpCode(secret, clock_.Now()), &why), Not(IsOk()));
  EXPECT_EQ(why, "throttled: account locked");
  clock_.Advance(std::chrono::minutes(15));
  EXPECT_THAT(LoginNow(kInitial, crypto::TotpCode(secret, clock_.Now()), &why), IsOk()) << why;
}

TEST_F(AuthenticatorTest, AnAccountWithoutIdentityProofingCannotLogInUntilWaived) {
  NewAccount request = Nurse();
  request.proofing.reset();
  auto account = authn_->CreateAccount(request);
  ASSERT_THAT(account, IsOk());
  auto enrolment = authn_->BeginTotpEnrolment(account->account_id);
  ASSERT_THAT(enrolment, IsOk());
  auto secret = crypto::TotpSecret::FromBase32(enrolment->secret_base32);
  ASSERT_THAT(
      authn_->ConfirmTotpEnrolment(account->account_id, crypto::TotpCode(*secret, clock_.Now())),
      IsOk());
  clock_.Advance(std::chrono::seconds(30));
  std::string why;
  EXPECT_THAT(LoginNow(kInitial, crypto::TotpCode(*secret, clock_.Now()), &why), Not(IsOk()));
  EXPECT_EQ(why, "no identity proofing record and no recorded waiver");
  EXPECT_THAT(authn_->WaiveProofing(account->account_id, "", "admin.kato"),
              StatusIs(StatusCode::kInvalidArgument));
  ASSERT_THAT(
      authn_->WaiveProofing(account->account_id, "locum, ID checked by agency", "admin.kato"),
      IsOk());
  clock_.Advance(std::chrono::seconds(30));
  EXPECT_THAT(LoginNow(kInitial, crypto::TotpCode(*secret, clock_.Now()), &why), IsOk()) << why;
}

TEST_F(AuthenticatorTest, AGrantWithoutAnotherApproverIsRefused) {  // SYS-40
  NewAccount request = Nurse();
  request.approved_by = request.requested_by;
  EXPECT_THAT(authn_->CreateAccount(request),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("SYS-40")));
  request.approved_by.clear();
  EXPECT_THAT(authn_->CreateAccount(request),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("SYS-40")));
}

TEST_F(AuthenticatorTest, AWeakInitialPasswordIsRefusedWithTheRule) {
  NewAccount request = Nurse();
  request.initial_password = "Sato#1990-07-01";
  EXPECT_THAT(authn_->CreateAccount(request),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("SYS-42")));
  EXPECT_EQ(accounts_.saves(), 0);
}

TEST_F(AuthenticatorTest, ARecoveryCodeWorksOnceAndOldCodesStopAfterReissue) {
  crypto::TotpSecret secret = crypto::TotpSecret::Generate(random_);
  Account nurse = Enrolled(&secret);
  auto codes = authn_->IssueRecoveryCodes(nurse.account_id);
  ASSERT_THAT(codes, IsOk());
  ASSERT_EQ(codes->size(), 10u);
  std::string why;
  ASSERT_THAT(LoginNow(kInitial, (*codes)[0], &why), IsOk()) << why;
  EXPECT_THAT(LoginNow(kInitial, (*codes)[0], &why), Not(IsOk()));
  EXPECT_EQ(why, "wrong recovery code");
  auto fresh = authn_->IssueRecoveryCodes(nurse.account_id);
  ASSERT_THAT(fresh, IsOk());
  clock_.Advance(std::chrono::seconds(20));  // past the throttle's delay after a failure
  EXPECT_THAT(LoginNow(kInitial, (*codes)[1], &why), Not(IsOk()));
  EXPECT_EQ(why, "wrong recovery code");
  clock_.Advance(std::chrono::seconds(20));
  EXPECT_THAT(LoginNow(kInitial, (*fresh)[1], &why), IsOk()) << why;
}

TEST_F(AuthenticatorTest, ADisabledAccountCannotLogInAndLosesItsSessions) {
  crypto::TotpSecret secret = crypto::TotpSecret::Generate(random_);
  Account nurse = Enrolled(&secret);
  std::string why;
  auto login = LoginNow(kInitial, crypto::TotpCode(secret, clock_.Now()), &why);
  ASSERT_THAT(login, IsOk()) << why;
  ASSERT_THAT(authn_->Disable(nurse.account_id), IsOk());
  EXPECT_THAT(sessions_.Authenticate(login->session.token, ""), Not(IsOk()));
  clock_.Advance(std::chrono::seconds(30));
  EXPECT_THAT(LoginNow(kInitial, crypto::TotpCode(secret, clock_.Now()), &why), Not(IsOk()));
  EXPECT_EQ(why, "account disabled");
}

TEST_F(AuthenticatorTest, TheAdministratorSeesWhoHasNotEnrolled) {
  crypto::TotpSecret secret = crypto::TotpSecret::Generate(random_);
  Enrolled(&secret);
  NewAccount other = Nurse();
  other.login_id = "k.ito";
  ASSERT_THAT(authn_->CreateAccount(other), IsOk());
  auto pending = authn_->AccountsWithoutSecondFactor();
  ASSERT_THAT(pending, IsOk());
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ((*pending)[0].login_id, "k.ito");
}

TEST_F(AuthenticatorTest, TheTotpSecretIsNotStoredInTheClear) {
  crypto::TotpSecret secret = crypto::TotpSecret::Generate(random_);
  Account nurse = Enrolled(&secret);
  auto stored = accounts_.FindById(nurse.account_id);
  ASSERT_THAT(stored, IsOk());
  std::string encoded = EncodeAccount(**stored);
  std::string raw(reinterpret_cast<const char*>(secret.ExportKeyBytes().data()),
                  secret.ExportKeyBytes().size());
  EXPECT_THAT(encoded, Not(HasSubstr(secret.ToBase32())));
  EXPECT_THAT(encoded, Not(HasSubstr(raw)));
  EXPECT_THAT(encoded, Not(HasSubstr(kInitial)));
}

TEST(AccountCodecTest, RoundTripsAndRefusesDamage) {
  Account a{.account_id = "a1", .login_id = "x.y", .role = Role::kAuditor, .version = 3};
  a.proofing = IdentityProofing{.method = "jpki", .verified_by = "admin"};
  auto back = DecodeAccount(EncodeAccount(a));
  ASSERT_THAT(back, IsOk());
  EXPECT_EQ(back->login_id, "x.y");
  EXPECT_EQ(back->role, Role::kAuditor);
  EXPECT_EQ(back->proofing->method, "jpki");
  EXPECT_THAT(DecodeAccount("{}"), StatusIs(StatusCode::kDataLoss));
  EXPECT_THAT(DecodeAccount("not json"), StatusIs(StatusCode::kDataLoss));
  std::string bad_role = EncodeAccount(a);
  bad_role.replace(bad_role.find("auditor"), 7, "emperor");
  EXPECT_THAT(DecodeAccount(bad_role), StatusIs(StatusCode::kDataLoss));
}

}  // namespace
}  // namespace mamori::auth
