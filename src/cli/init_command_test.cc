// SPDX-License-Identifier: Apache-2.0
#include "cli/init_command.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cli/data_dir.h"
#include "cli/testing/quick_init.h"
#include "core/config.h"
#include "core/testing/status_matchers.h"
#include "core/testing/temp_dir.h"

namespace mamori::cli {
namespace {

InitOptions Options(const std::string& dir) { return testing::QuickInitOptions(dir); }

using core::testing::IsOk;
using core::testing::MakeTempDir;
using core::testing::RunCommand;
using core::testing::RunCommandOutput;
using core::testing::StatusIs;
using ::testing::HasSubstr;

class InitCommandTest : public ::testing::Test {
 protected:
  core::Env env_ = core::Env::Real();
  std::string root_ = MakeTempDir();
  std::string dir_ = root_ + "/data";

  uint32_t ModeOf(const std::string& rel) {
    return env_.fs().Stat(rel.empty() ? dir_ : core::JoinPath(dir_, rel))->mode;
  }
};

TEST_F(InitCommandTest, CreatesDirectoryWithMode0700AndAValidConfig) {
  ASSERT_THAT(InitDataDir(Options(dir_), env_), IsOk());
  EXPECT_EQ(ModeOf(""), 0700u);
  EXPECT_EQ(ModeOf(kConfigFile), 0600u);
  core::Result<core::Config> config = core::LoadConfig(env_.fs(), dir_ + "/config.toml");
  ASSERT_THAT(config, IsOk());
  EXPECT_EQ(config->tls.cert, kServerCertFile);
  EXPECT_EQ(config->server.listen, "127.0.0.1:8443");
}

TEST_F(InitCommandTest, PrivateKeysAreReadableByOwnerOnly) {
  ASSERT_THAT(InitDataDir(Options(dir_), env_), IsOk());
  EXPECT_EQ(ModeOf(kTlsDir), 0700u);
  EXPECT_EQ(ModeOf(kCaKeyFile), 0600u);
  EXPECT_EQ(ModeOf(kServerKeyFile), 0600u);
}

TEST_F(InitCommandTest, ServerCertificateVerifiesWithOpensslAgainstTheCa) {
  ASSERT_THAT(InitDataDir(Options(dir_), env_), IsOk());
  EXPECT_EQ(RunCommand("openssl verify -purpose sslserver -CAfile " + dir_ + "/tls/ca.pem " + dir_ +
                       "/tls/server.pem"),
            0);
  std::string san =
      RunCommandOutput("openssl x509 -noout -ext subjectAltName -in " + dir_ + "/tls/server.pem");
  EXPECT_THAT(san, HasSubstr("DNS:localhost"));
  EXPECT_THAT(san, HasSubstr("IP Address:127.0.0.1"));
}

TEST_F(InitCommandTest, CrlIsSignedByTheCaAndListsNothing) {
  ASSERT_THAT(InitDataDir(Options(dir_), env_), IsOk());
  int rc = 0;
  std::string out = RunCommandOutput("openssl crl -inform DER -noout -text -in " + dir_ +
                                         "/tls/ca.crl -CAfile " + dir_ + "/tls/ca.pem 2>&1",
                                     &rc);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_THAT(out, HasSubstr("verify OK"));
  EXPECT_THAT(out, HasSubstr("No Revoked Certificates"));
}

TEST_F(InitCommandTest, RefusesANonEmptyDirectoryAndLeavesItUntouched) {
  ASSERT_THAT(env_.fs().CreateDir(dir_, 0755), IsOk());
  ASSERT_THAT(core::WriteFileAtomically(env_.fs(), dir_ + "/precious", "keep", 0644), IsOk());
  core::Status s = InitDataDir(Options(dir_), env_);
  EXPECT_THAT(s, StatusIs(core::StatusCode::kFailedPrecondition));
  EXPECT_THAT(s.message(), HasSubstr("is not empty"));
  EXPECT_THAT(*env_.fs().ListDir(dir_), ::testing::ElementsAre("precious"));
  EXPECT_EQ(ModeOf(""), 0755u);
}

TEST_F(InitCommandTest, AcceptsAnExistingEmptyDirectoryAndTightensItsMode) {
  ASSERT_THAT(env_.fs().CreateDir(dir_, 0755), IsOk());
  ASSERT_THAT(InitDataDir(Options(dir_), env_), IsOk());
  EXPECT_EQ(ModeOf(""), 0700u);
}

TEST_F(InitCommandTest, CertificateWithoutKeyIsAUsageError) {
  InitOptions options = Options(dir_);
  options.tls_cert = "/x.pem";
  core::Status s = InitDataDir(options, env_);
  EXPECT_THAT(s, StatusIs(core::StatusCode::kInvalidArgument));
  EXPECT_THAT(s.message(), HasSubstr("give both or neither"));
  EXPECT_FALSE(*env_.fs().Exists(dir_));
}

TEST_F(InitCommandTest, OperatorCertificateIsReferencedAndNoCaIsMade) {
  std::string other = root_ + "/other";
  ASSERT_THAT(InitDataDir(Options(other), env_), IsOk());
  InitOptions options = Options(dir_);
  options.tls_cert = other + "/tls/server.pem";
  options.tls_key = other + "/tls/server.key";
  ASSERT_THAT(InitDataDir(options, env_), IsOk());
  EXPECT_FALSE(*env_.fs().Exists(dir_ + "/tls"));
  core::Result<core::Config> config = core::LoadConfig(env_.fs(), dir_ + "/config.toml");
  ASSERT_THAT(config, IsOk());
  EXPECT_EQ(config->tls.cert, other + "/tls/server.pem");
}

TEST_F(InitCommandTest, UnreadableOperatorCertificateLeavesNoDirectoryBehind) {
  InitOptions options = Options(dir_);
  options.tls_cert = root_ + "/missing.pem";
  options.tls_key = root_ + "/missing.key";
  EXPECT_THAT(InitDataDir(options, env_), StatusIs(core::StatusCode::kNotFound));
  EXPECT_FALSE(*env_.fs().Exists(dir_));
}

}  // namespace
}  // namespace mamori::cli
