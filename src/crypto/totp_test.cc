// SPDX-License-Identifier: Apache-2.0
// TOTP for the second login factor: GUIDELINE SYS-41 (two factors; a reused
// code is refused) and issue 7 (oathtool's codes accepted, ±1 step, no reuse,
// a code two steps old refused; SimulatedClock, no sleeping).
#include "crypto/totp.h"

#include <chrono>
#include <concepts>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/testing/deterministic_random.h"
#include "core/testing/simulated_clock.h"
#include "core/testing/status_matchers.h"
#include "core/testing/temp_dir.h"
#include "crypto/internal/base32.h"
#include "crypto/internal/test_vectors.h"

namespace mamori::crypto {
namespace {

using core::SimulatedClock;
using core::StatusCode;
using core::testing::IsOk;
using core::testing::IsOkAndHolds;
using core::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

static_assert(!std::is_copy_constructible_v<TotpSecret>);
static_assert(!std::equality_comparable<TotpSecret>);

TotpSecret SecretFromHex(std::string_view hex) {
  std::vector<uint8_t> bytes = test_vectors::Hex(hex);
  auto secret = TotpSecret::Import(bytes);
  EXPECT_THAT(secret, IsOk());
  return std::move(secret).value();
}

// ---- Published vectors ------------------------------------------------------

TEST(HotpTest, MatchesEveryRfc4226AppendixDValue) {
  boost::json::value root = test_vectors::Load("rfc/hotp_rfc4226.json");
  ASSERT_TRUE(root.is_object());
  TotpSecret secret = SecretFromHex(root.at("secret_hex").as_string());
  int checked = 0;
  for (const boost::json::value& v : root.at("vectors").as_array()) {
    uint64_t counter = v.at("count").to_number<uint64_t>();
    EXPECT_EQ(HotpCode(secret, counter, 6), std::string(v.at("hotp").as_string()))
        << "counter " << counter;
    ++checked;
  }
  EXPECT_EQ(checked, 10);
}

TEST(TotpTest, MatchesEveryRfc6238Sha1Vector) {
  boost::json::value root = test_vectors::Load("rfc/totp_rfc6238.json");
  ASSERT_TRUE(root.is_object());
  TotpSecret secret = SecretFromHex(root.at("secrets").at("SHA1").at("hex").as_string());
  int checked = 0;
  for (const boost::json::value& v : root.at("vectors").as_array()) {
    if (v.at("mode").as_string() != "SHA1") continue;  // authenticator apps use SHA-1 only
    int64_t time = v.at("time").to_number<int64_t>();
    std::string expected(v.at("totp").as_string());
    // The step counter for T0 = 0, X = 30, computed in 64 bits: year 2603
    // (time 20000000000) is past what a nanosecond system_clock can hold
    // (2262), so that vector checks the 64-bit counter directly.
    EXPECT_EQ(HotpCode(secret, static_cast<uint64_t>(time / 30), 8), expected) << "time " << time;
    if (time < 9'000'000'000) {
      EXPECT_EQ(TotpCode(secret, SimulatedClock::FromUnixSeconds(time), {.digits = 8}), expected)
          << "time " << time;
    }
    ++checked;
  }
  EXPECT_EQ(checked, 6);
}

TEST(Base32Test, MatchesRfc4648Section10AndRoundTrips) {
  const std::pair<std::string, std::string> kVectors[] = {{"", ""},
                                                          {"f", "MY"},
                                                          {"fo", "MZXQ"},
                                                          {"foo", "MZXW6"},
                                                          {"foob", "MZXW6YQ"},
                                                          {"fooba", "MZXW6YTB"},
                                                          {"foobar", "MZXW6YTBOI"}};
  for (const auto& [plain, encoded] : kVectors) {
    EXPECT_EQ(internal::Base32Encode(AsBytes(plain)), encoded);
    auto decoded = internal::Base32Decode(encoded);
    ASSERT_TRUE(decoded.has_value()) << encoded;
    EXPECT_EQ(std::string(decoded->begin(), decoded->end()), plain);
  }
  // Lower case and RFC padding are accepted (people type secrets by hand).
  auto padded = internal::Base32Decode("mzxw6ytboi======");
  ASSERT_TRUE(padded.has_value());
  EXPECT_EQ(std::string(padded->begin(), padded->end()), "foobar");
}

TEST(Base32Test, DecodeRefusesEverythingButTheCanonicalAlphabet) {
  for (std::string_view bad : {"MZXW6YTBO", "MZXW6YTBOJ", "MZ XW", "MZXW1", "MZXW0", "MZ=XW6YT",
                               "MZXW6YTBOI=", "M", "MZX", "MZXW6Y", "MZXW6YTB=OI====="}) {
    EXPECT_FALSE(internal::Base32Decode(bad).has_value()) << bad;
  }
}

// ---- Verification: window and replay (SYS-41) -------------------------------

class TotpVerifyTest : public ::testing::Test {
 protected:
  TotpVerifyTest() : secret_(TotpSecret::Generate(random_)) {
    clock_.SetNow(SimulatedClock::FromUnixSeconds(1'800'000'010));  // 10 s into a step
  }
  uint64_t Step() const { return TotpStep(clock_.Now()); }
  std::string CodeAt(std::chrono::seconds offset) const {
    return TotpCode(secret_, clock_.Now() + offset);
  }

  core::DeterministicRandom random_{7};
  SimulatedClock clock_;
  TotpSecret secret_;
};

TEST_F(TotpVerifyTest, AcceptsTheCurrentCodeAndReturnsItsStep) {
  EXPECT_THAT(VerifyTotp(secret_, CodeAt({}), clock_.Now(), 0), IsOkAndHolds(Step()));
}

TEST_F(TotpVerifyTest, AcceptsOneStepEitherSide) {
  EXPECT_THAT(VerifyTotp(secret_, CodeAt(std::chrono::seconds(-30)), clock_.Now(), 0),
              IsOkAndHolds(Step() - 1));
  EXPECT_THAT(VerifyTotp(secret_, CodeAt(std::chrono::seconds(30)), clock_.Now(), 0),
              IsOkAndHolds(Step() + 1));
}

TEST_F(TotpVerifyTest, RefusesACodeTwoStepsOldOrAhead) {
  EXPECT_THAT(VerifyTotp(secret_, CodeAt(std::chrono::seconds(-60)), clock_.Now(), 0),
              StatusIs(StatusCode::kUnauthenticated, HasSubstr("does not match")));
  EXPECT_THAT(VerifyTotp(secret_, CodeAt(std::chrono::seconds(60)), clock_.Now(), 0),
              StatusIs(StatusCode::kUnauthenticated, HasSubstr("does not match")));
}

TEST_F(TotpVerifyTest, TheSameCodeAgainIsRefusedAsReused) {
  std::string code = CodeAt({});
  ASSERT_THAT(VerifyTotp(secret_, code, clock_.Now(), 0), IsOkAndHolds(Step()));
  EXPECT_THAT(VerifyTotp(secret_, code, clock_.Now(), Step()),
              StatusIs(StatusCode::kUnauthenticated, HasSubstr("already used")));
  // Still refused 25 s later, when the code is the previous step's.
  clock_.Advance(std::chrono::seconds(25));
  EXPECT_THAT(VerifyTotp(secret_, code, clock_.Now(), Step() - 1),
              StatusIs(StatusCode::kUnauthenticated, HasSubstr("already used")));
}

TEST_F(TotpVerifyTest, AnEarlierStepIsRefusedOnceALaterOneWasUsed) {
  std::string previous = CodeAt(std::chrono::seconds(-30));
  ASSERT_THAT(VerifyTotp(secret_, CodeAt({}), clock_.Now(), 0), IsOk());
  EXPECT_THAT(VerifyTotp(secret_, previous, clock_.Now(), Step()),
              StatusIs(StatusCode::kUnauthenticated));
}

TEST_F(TotpVerifyTest, MalformedCodesAreRefusedWithoutEcho) {
  for (std::string_view bad : {"", "12345", "1234567", "12345a", " 123456", "１２３４５６"}) {
    auto result = VerifyTotp(secret_, bad, clock_.Now(), 0);
    EXPECT_THAT(result, StatusIs(StatusCode::kUnauthenticated, HasSubstr("does not match")));
    if (!bad.empty()) {
      EXPECT_THAT(std::string(result.status().message()), Not(HasSubstr(std::string(bad))));
    }
  }
}

TEST_F(TotpVerifyTest, AnotherSecretsCodeIsRefused) {
  TotpSecret other = TotpSecret::Generate(random_);
  EXPECT_THAT(VerifyTotp(other, CodeAt({}), clock_.Now(), 0),
              StatusIs(StatusCode::kUnauthenticated));
}

// ---- A real peer: oathtool (issue 7) ----------------------------------------

TEST_F(TotpVerifyTest, ACodeFromOathtoolIsAcceptedOnceAndATwoStepOldOneIsNot) {
  std::string base32 = secret_.ToBase32();
  auto oathtool_code = [&](int64_t unix_seconds) {
    int status = -1;
    std::string out = core::testing::RunCommandOutput(
        "oathtool --totp -b --now='@" + std::to_string(unix_seconds) + "' " + base32, &status);
    EXPECT_EQ(status, 0) << "oathtool failed (Debian package oathtool): " << out;
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
    return out;
  };
  int64_t now =
      std::chrono::duration_cast<std::chrono::seconds>(clock_.Now().time_since_epoch()).count();
  std::string code = oathtool_code(now);
  ASSERT_EQ(code.size(), 6u);
  ASSERT_THAT(VerifyTotp(secret_, code, clock_.Now(), 0), IsOkAndHolds(Step()));
  EXPECT_THAT(VerifyTotp(secret_, code, clock_.Now(), Step()),
              StatusIs(StatusCode::kUnauthenticated, HasSubstr("already used")));
  std::string old_code = oathtool_code(now - 60);
  EXPECT_THAT(VerifyTotp(secret_, old_code, clock_.Now(), 0),
              StatusIs(StatusCode::kUnauthenticated));
}

// ---- Secrets and enrolment --------------------------------------------------

TEST(TotpSecretTest, ImportRefusesShortAndLongSecrets) {
  std::vector<uint8_t> short_secret(15, 1), long_secret(65, 1), ok_secret(16, 1);
  EXPECT_THAT(TotpSecret::Import(short_secret), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(TotpSecret::Import(long_secret), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(TotpSecret::Import(ok_secret), IsOk());
  EXPECT_THAT(TotpSecret::FromBase32("not base32!"), StatusIs(StatusCode::kInvalidArgument));
}

TEST(TotpSecretTest, Base32RoundTripsAndGeneratedSecretsDiffer) {
  core::DeterministicRandom random(3);
  TotpSecret a = TotpSecret::Generate(random);
  TotpSecret b = TotpSecret::Generate(random);
  EXPECT_EQ(a.ToBase32().size(), 32u);  // 20 bytes
  EXPECT_NE(a.ToBase32(), b.ToBase32());
  auto again = TotpSecret::FromBase32(a.ToBase32());
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(again->ToBase32(), a.ToBase32());
}

TEST(TotpKeyUriTest, CarriesTheParametersAndPercentEncodesNames) {
  TotpSecret secret = SecretFromHex("3132333435363738393031323334353637383930");
  EXPECT_EQ(TotpKeyUri(secret, "mamori clinic", "山田"),
            "otpauth://totp/mamori%20clinic:%E5%B1%B1%E7%94%B0?secret="
            "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=mamori%20clinic&algorithm=SHA1&digits=6&"
            "period=30");
}

}  // namespace
}  // namespace mamori::crypto
