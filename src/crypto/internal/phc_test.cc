// SPDX-License-Identifier: Apache-2.0
#include "crypto/internal/phc.h"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/testing/status_matchers.h"

namespace mamori::crypto::internal {
namespace {

using core::StatusCode;
using core::testing::IsOk;
using core::testing::StatusIs;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::Not;

// From the reference implementation's src/test.c (shared/data/vectors/rfc/argon2_rfc9106.json).
constexpr std::string_view kReference =
    "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc";

TEST(PhcTest, ParsesTheReferenceEncoding) {
  auto parsed = ParsePhc(kReference);
  ASSERT_THAT(parsed, IsOk());
  EXPECT_EQ(parsed->params, (Argon2Params{.memory_kib = 65536, .iterations = 2, .parallelism = 1}));
  std::string_view salt = "somesalt";
  EXPECT_THAT(parsed->salt, ElementsAreArray(salt.begin(), salt.end()));
  EXPECT_EQ(parsed->hash.size(), 32u);
  EXPECT_EQ(parsed->hash[0], 0x09);
  EXPECT_EQ(parsed->hash[31], 0xf7);
}

TEST(PhcTest, FormatIsTheInverseOfParse) {
  auto parsed = ParsePhc(kReference);
  ASSERT_THAT(parsed, IsOk());
  EXPECT_EQ(FormatPhc(*parsed), kReference);
}

TEST(PhcTest, RejectsOtherAlgorithmsAndVersions) {
  for (const char* phc :
       {"$argon2i$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
        "$argon2d$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
        "$argon2id$v=16$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
        "$argon2id$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
        "$scrypt$ln=16,r=8,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",
        "$Argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"}) {
    EXPECT_THAT(ParsePhc(phc), StatusIs(StatusCode::kInvalidArgument)) << phc;
  }
  EXPECT_THAT(
      ParsePhc("$argon2i$v=19$m=8,t=1,p=1$c29tZXNhbHQ$AAAAAAAAAAAAAAAAAAAAAA").status().message(),
      HasSubstr("only argon2id"));
}

TEST(PhcTest, RejectsMalformedParameters) {
  const std::string salt_hash = "$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc";
  for (const char* params :
       {"m=065536,t=2,p=1", "m=65536,t=02,p=1", "m=+65536,t=2,p=1", "m=-1,t=2,p=1",
        "m=65536,p=1,t=2", "t=2,m=65536,p=1", "m=65536,t=2", "m=65536,t=2,p=1,keyid=AA",
        "m=65536, t=2,p=1", "m=,t=2,p=1", "m=4294967296,t=2,p=1", "m=99999999999,t=2,p=1",
        "m=65536;t=2;p=1", "M=65536,t=2,p=1"}) {
    std::string phc = "$argon2id$v=19$" + std::string(params) + salt_hash;
    EXPECT_THAT(ParsePhc(phc), StatusIs(StatusCode::kInvalidArgument)) << phc;
  }
}

TEST(PhcTest, RejectsParametersOutsideTheLimits) {
  const std::string salt_hash = "$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc";
  for (const char* params :
       {"m=0,t=2,p=1", "m=7,t=1,p=1", "m=15,t=1,p=2", "m=4194305,t=1,p=1", "m=65536,t=0,p=1",
        "m=65536,t=65,p=1", "m=65536,t=2,p=0", "m=65536,t=2,p=17", "m=4294967295,t=1,p=1"}) {
    std::string phc = "$argon2id$v=19$" + std::string(params) + salt_hash;
    EXPECT_THAT(ParsePhc(phc), StatusIs(StatusCode::kInvalidArgument)) << phc;
  }
  EXPECT_THAT(ParsePhc("$argon2id$v=19$m=4194304,t=64,p=16" + salt_hash), IsOk());
  EXPECT_THAT(ParsePhc("$argon2id$v=19$m=8,t=1,p=1" + salt_hash), IsOk());
}

TEST(PhcTest, RejectsSaltsAndHashesThatAreNotCanonicalB64OrOutOfRange) {
  const std::string prefix = "$argon2id$v=19$m=65536,t=2,p=1$";
  const std::string hash = "CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc";
  for (const std::string& tail : std::vector<std::string>{
           "c29tZXNhbHQ=$" + hash,                 // padding
           "c29tZXNhbHR$" + hash,                  // non-zero leftover bits
           "c29tZXNhbH$" + hash,                   // non-zero leftover bits again
           "c29tZXNhb$" + hash,                    // 4k+1 characters
           "c29tZXNh$" + hash,                     // 6-byte salt, under 8
           "$" + hash,                             // empty salt
           "c29tZXNhbHQ$",                         // empty hash
           "c29tZXNhbHQ$" + hash + "=",            // padding on the hash
           "c29tZXNhbHQ$" + hash + "$",            // an extra field
           "c29tZXNhbHQ$" + hash + "\n",           // a trailing newline
           "c29tZXNhbHQ$AAAAAAAAAAAAAAA",          // 11-byte hash, under 16
           "c29tZXNhbHQ",                          // no hash at all
           "c29t-XNhbHQ$" + hash,                  // URL-safe alphabet
           std::string(87, 'A') + "$" + hash,      // 65-byte salt
           "c29tZXNhbHQ$" + std::string(87, 'A'),  // 65-byte hash
       }) {
    EXPECT_THAT(ParsePhc(prefix + tail), StatusIs(StatusCode::kInvalidArgument)) << tail;
  }
}

TEST(PhcTest, RejectsOverlongStringsBeforeParsing) {
  std::string phc = std::string(kReference) + std::string(kMaxPhcSize, 'A');
  auto parsed = ParsePhc(phc);
  EXPECT_THAT(parsed, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(parsed.status().message(), HasSubstr("longer than"));
}

TEST(PhcTest, ErrorMessagesNeverEchoTheSaltOrHash) {
  std::string phc = "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8";
  auto parsed = ParsePhc(phc + "!");
  ASSERT_THAT(parsed, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(parsed.status().message(), Not(HasSubstr("CTFhFdXPJO1a")));
  EXPECT_THAT(parsed.status().message(), Not(HasSubstr("c29tZXNhbHQ")));
}

TEST(PhcDeathTest, FormatWithAnEmptySaltOrHashAborts) {
  Argon2Params params{.memory_kib = 64, .iterations = 1, .parallelism = 1};
  EXPECT_DEATH((void)FormatPhc({params, {}, std::vector<uint8_t>(32, 1)}), "empty");
  EXPECT_DEATH((void)FormatPhc({params, std::vector<uint8_t>(16, 1), {}}), "empty");
}

}  // namespace
}  // namespace mamori::crypto::internal
