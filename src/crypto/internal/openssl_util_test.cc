// SPDX-License-Identifier: Apache-2.0
#include "crypto/internal/openssl_util.h"

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/err.h>

#include "core/testing/status_matchers.h"

namespace mamori::crypto::internal {
namespace {

using core::StatusCode;
using core::testing::StatusIs;
using ::testing::HasSubstr;

TEST(OpenSslUtilTest, OpenSslErrorIsInternalAndDrainsTheQueue) {
  ERR_raise(ERR_LIB_EVP, EVP_R_UNSUPPORTED_CIPHER);
  core::Status status = OpenSslError("EVP_EncryptInit_ex2");
  EXPECT_THAT(status, StatusIs(StatusCode::kInternal));
  EXPECT_THAT(status.message(), HasSubstr("EVP_EncryptInit_ex2"));
  EXPECT_EQ(ERR_peek_error(), 0u);
}

TEST(OpenSslUtilTest, ReadOnlyBioReadsTheText) {
  BioPtr bio = ReadOnlyBio("abc");
  char buf[8] = {};
  EXPECT_EQ(BIO_read(bio.get(), buf, sizeof buf), 3);
  EXPECT_EQ(std::string(buf, 3), "abc");
}

TEST(OpenSslUtilTest, BioContentsReturnsWhatWasWritten) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  ASSERT_NE(bio, nullptr);
  EXPECT_EQ(BioContents(bio.get()), "");
  BIO_write(bio.get(), "pem text", 8);
  EXPECT_EQ(BioContents(bio.get()), "pem text");
}

TEST(OpenSslUtilTest, ReadPrivateKeyPemRejectsGarbage) {
  EXPECT_THAT(ReadPrivateKeyPem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ReadPrivateKeyPem(std::string(kMaxPemSize + 1, 'A')),
              StatusIs(StatusCode::kInvalidArgument));
}

TEST(OpenSslUtilDeathTest, ReadOnlyBioOverThePemLimitAborts) {
  std::string huge(kMaxPemSize + 1, 'A');
  EXPECT_DEATH((void)ReadOnlyBio(huge), "kMaxPemSize");
}

TEST(OpenSslUtilDeathTest, CheckOpenSslAbortsNamingTheCall) {
  EXPECT_DEATH(CheckOpenSsl(false, "EVP_Frobnicate"), "EVP_Frobnicate");
}

}  // namespace
}  // namespace mamori::crypto::internal
