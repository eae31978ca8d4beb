// SPDX-License-Identifier: Apache-2.0
// GUIDELINE SYS-42 and CHK-35: the password figures of MHLW Q&A シQ-54.
#include "auth/password_policy.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/testing/deterministic_random.h"
#include "core/testing/status_matchers.h"
#include "crypto/argon2.h"

namespace mamori::auth {
namespace {

using core::StatusCode;
using core::testing::IsOk;
using core::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

class PasswordPolicyTest : public ::testing::Test {
 protected:
  static PasswordChecker Checker(PasswordPolicy policy = {}) {
    auto checker = PasswordChecker::Load(policy);
    EXPECT_THAT(checker, IsOk());
    return std::move(checker).value();
  }
  PasswordContext Yamada(bool second_factor) const {
    return {.login_id = "t.yamada",
            .names = {"山田", "太郎", "やまだ", "ヤマダ", "yamada", "taro"},
            .birth_date = "1980-04-12",
            .second_factor = second_factor};
  }
  PasswordChecker checker_ = Checker();
};

// Each refusal names SYS-42, and none repeats the password.
MATCHER_P(RefusedFor, reason, "") {
  return ::testing::ExplainMatchResult(
      StatusIs(StatusCode::kInvalidArgument, AllOf(HasSubstr(reason), HasSubstr("(SYS-42)"))), arg,
      result_listener);
}

TEST_F(PasswordPolicyTest, RejectsTwelveCharsWithoutSecondFactor) {  // SYS-42 (a)
  EXPECT_THAT(checker_.Check("Kq7#vZ2m!pR4", Yamada(false)), RefusedFor("at least 13 characters"));
  EXPECT_THAT(checker_.Check("Kq7#vZ2m!pR4w", Yamada(false)), IsOk());
}

TEST_F(PasswordPolicyTest, AcceptsEightMixedCharsWithTotp) {  // SYS-42 (c)
  EXPECT_THAT(checker_.Check("Kq7#vZ2m", Yamada(true)), IsOk());
  EXPECT_THAT(checker_.Check("Kq7#vZ2", Yamada(true)), RefusedFor("at least 8 characters"));
}

TEST_F(PasswordPolicyTest, RejectsPasswordWithoutSymbol) {
  EXPECT_THAT(checker_.Check("Kq7vZ2mpR4wXy", Yamada(false)),
              RefusedFor("letters, digits and symbols"));
  EXPECT_THAT(checker_.Check("Kq#vZ!mpR&wXy", Yamada(false)),
              RefusedFor("letters, digits and symbols"));
  EXPECT_THAT(checker_.Check("17#42!93&05*6", Yamada(false)),
              RefusedFor("letters, digits and symbols"));
}

TEST_F(PasswordPolicyTest, RejectsPasswordContainingBirthDate) {
  for (const char* pw : {"Kq#vZ19800412m", "Kq#vZ800412mp", "Kq#vZ0412mpRw", "Kq#vZ550412mp",
                         "Kq#vZ1980-04-12"}) {  // 550412: 昭和55年4月12日
    EXPECT_THAT(checker_.Check(pw, Yamada(false)), RefusedFor("birth date")) << pw;
  }
}

TEST_F(PasswordPolicyTest, RejectsTheLoginIdAndTheNameInAnyScript) {
  EXPECT_THAT(checker_.Check("x7#T.Yamada99q", Yamada(false)), RefusedFor("login id"));
  for (const char* pw : {"Q7#mz山田kx2vbn", "Q7#mzやまだkx2vb", "Q7#mzヤマダkx2vb",
                         "Q7#mzYAMADAkx2v", "Q7#mzT4r0kx2vbn"}) {  // T4r0: look-alikes for taro
    EXPECT_THAT(checker_.Check(pw, Yamada(false)), RefusedFor("name")) << pw;
  }
}

TEST_F(PasswordPolicyTest, RejectsCommonAndDictionaryPasswordsDressedUp) {
  EXPECT_THAT(checker_.Check("password123!", Yamada(true)), RefusedFor("commonly used"));
  EXPECT_THAT(checker_.Check("P@ssw0rd", Yamada(true)), RefusedFor("commonly used"));
  EXPECT_THAT(checker_.Check("Dragon#2024", Yamada(true)), RefusedFor("commonly used"));
  EXPECT_THAT(checker_.Check("Hospital2024!", Yamada(false)), RefusedFor("dictionary word"));
  // A passphrase of several words is not one dictionary word.
  EXPECT_THAT(checker_.Check("Kitsune-sora-9-umi", Yamada(false)), IsOk());
}

TEST_F(PasswordPolicyTest, RejectsAnyOfTheLastFivePasswordsButNotTheSixth) {
  core::DeterministicRandom random(1);
  crypto::Argon2Params fast{.memory_kib = 64, .iterations = 1, .parallelism = 1};
  std::vector<std::string> history;
  for (int i = 6; i >= 1; --i) {  // newest first: Old#Pass1-zz ... Old#Pass6-zz
    auto phc = crypto::HashPassword("Old#Pass" + std::to_string(7 - i) + "-zqx", fast, random);
    ASSERT_THAT(phc, IsOk());
    history.push_back(*phc);
  }
  PasswordContext context = Yamada(false);
  context.previous_phc = history;
  EXPECT_THAT(checker_.Check("Old#Pass1-zqx", context), RefusedFor("last 5 passwords"));
  EXPECT_THAT(checker_.Check("Old#Pass5-zqx", context), RefusedFor("last 5 passwords"));
  EXPECT_THAT(checker_.Check("Old#Pass6-zqx", context), IsOk());  // sixth back: allowed
}

TEST_F(PasswordPolicyTest, ForcesChangeAfterSixtyDaysWhenShortAndSingleFactor) {  // SYS-42 (b)
  PasswordChecker lenient = Checker({.allow_short_single_factor = true});
  EXPECT_THAT(lenient.Check("Kq7#vZ2m", Yamada(false)), IsOk());
  EXPECT_EQ(lenient.MaxAge(8, /*second_factor=*/false), std::chrono::days(60));
  EXPECT_EQ(lenient.MaxAge(12, false), std::chrono::days(60));
}

TEST_F(PasswordPolicyTest, NoExpiryAtThirteenChars) {  // SYS-42, シQ-50
  EXPECT_EQ(checker_.MaxAge(13, false), std::nullopt);
  EXPECT_EQ(checker_.MaxAge(8, /*second_factor=*/true), std::nullopt);
}

TEST_F(PasswordPolicyTest, CountsCharactersNotBytes) {
  EXPECT_EQ(PasswordChecker::Length("パスワード"), 5u);
  // 7 characters though 15 bytes: too short even with TOTP.
  EXPECT_THAT(checker_.Check("ねこ7#いぬ2", Yamada(true)), RefusedFor("at least 8 characters"));
  EXPECT_THAT(checker_.Check("ねこ7#いぬ2そら", Yamada(true)), IsOk());
}

TEST_F(PasswordPolicyTest, NoMessageRepeatsThePassword) {
  for (const char* pw : {"short1!", "Kq7vZ2mpR4wXy", "Q7#mz山田kx2vbn", "password123!"}) {
    auto status = checker_.Check(pw, Yamada(false));
    ASSERT_FALSE(status.ok()) << pw;
    EXPECT_THAT(std::string(status.message()), Not(HasSubstr(pw)));
  }
}

TEST_F(PasswordPolicyTest, AMissingCommonListIsAClearStartupError) {
  EXPECT_THAT(PasswordChecker::Load({.common_passwords_file = "/nonexistent/password.lst"}),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("john-data")));
}

}  // namespace
}  // namespace mamori::auth
