// SPDX-License-Identifier: Apache-2.0
#include "cli/serve_command.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cli/init_command.h"
#include "cli/testing/quick_init.h"
#include "core/testing/status_matchers.h"
#include "core/testing/temp_dir.h"

namespace mamori::cli {
namespace {

InitOptions Options(const std::string& dir) { return testing::QuickInitOptions(dir); }

using core::testing::IsOk;
using core::testing::MakeTempDir;
using core::testing::StatusIs;
using ::testing::HasSubstr;

TEST(ServeCommandTest, MissingDataDirectorySaysHowToCreateOne) {
  core::Env env = core::Env::Real();
  core::Status s = Serve({.data_dir = MakeTempDir() + "/nothing"}, env);
  EXPECT_THAT(s, StatusIs(core::StatusCode::kNotFound));
  EXPECT_THAT(s.message(), HasSubstr("mamori init --data-dir"));
}

TEST(ServeCommandTest, BadConfigNamesTheKeyAndServesNothing) {
  core::Env env = core::Env::Real();
  std::string dir = MakeTempDir() + "/d";
  ASSERT_THAT(InitDataDir(Options(dir), env), IsOk());
  ASSERT_THAT(core::WriteFileAtomically(env.fs(), dir + "/config.toml",
                                        "[limits]\nmax_body_bytes = 1\n", 0600),
              IsOk());
  core::Status s = Serve({.data_dir = dir}, env);
  EXPECT_THAT(s, StatusIs(core::StatusCode::kInvalidArgument));
  EXPECT_THAT(s.message(), HasSubstr("limits.max_body_bytes"));
}

TEST(ServeCommandTest, ABadBackupScheduleIsRefusedBeforeServing) {  // issue 8
  core::Env env = core::Env::Real();
  std::string dir = MakeTempDir() + "/d";
  InitOptions init = Options(dir);
  ASSERT_THAT(InitDataDir(init, env), IsOk());
  ASSERT_THAT(core::WriteFileAtomically(env.fs(), dir + "/config.toml",
                                        "[server]\nlisten = \"127.0.0.1:0\"\n"
                                        "[backup]\nschedule = \"daily 25:00\"\n"
                                        "destinations = [\"/tmp/x\"]\n",
                                        0600),
              IsOk());
  core::Status s =
      Serve({.data_dir = dir, .passphrase = crypto::SecureBytes(init.passphrase.span())}, env);
  EXPECT_THAT(s, StatusIs(core::StatusCode::kInvalidArgument));
  EXPECT_THAT(s.message(), HasSubstr("config.toml"));
  EXPECT_THAT(s.message(), HasSubstr("25:00"));
  ASSERT_THAT(core::WriteFileAtomically(env.fs(), dir + "/config.toml",
                                        "[server]\nlisten = \"127.0.0.1:0\"\n"
                                        "[backup]\nschedule = \"daily 02:00\"\n",
                                        0600),
              IsOk());
  s = Serve({.data_dir = dir, .passphrase = crypto::SecureBytes(init.passphrase.span())}, env);
  EXPECT_THAT(s, StatusIs(core::StatusCode::kInvalidArgument));
  EXPECT_THAT(s.message(), HasSubstr("backup.destinations"));
}

TEST(ServeCommandTest, BadListenFlagIsRefused) {
  core::Env env = core::Env::Real();
  std::string dir = MakeTempDir() + "/d";
  ASSERT_THAT(InitDataDir(Options(dir), env), IsOk());
  core::Status s = Serve({.data_dir = dir, .listen = "nowhere"}, env);
  EXPECT_THAT(s, StatusIs(core::StatusCode::kInvalidArgument));
  EXPECT_THAT(s.message(), HasSubstr("--listen"));
}

TEST(ServeCommandTest, ServerOptionsResolveRelativePathsAgainstTheDataDirectory) {
  core::Config config;
  config.tls.client_ca = "/etc/pki/clients.pem";
  config.limits.max_connections = 9;
  config.limits.header_timeout_ms = 1234;
  core::Result<http::ServerOptions> o = MakeServerOptions(config, "/var/lib/mamori");
  ASSERT_THAT(o, IsOk());
  EXPECT_EQ(o->cert_chain_path, "/var/lib/mamori/tls/server.pem");
  EXPECT_EQ(o->key_path, "/var/lib/mamori/tls/server.key");
  EXPECT_EQ(o->client_ca_path, "/etc/pki/clients.pem");
  EXPECT_EQ(o->listen_address, "127.0.0.1");
  EXPECT_EQ(o->port, 8443);
  EXPECT_EQ(o->max_connections, 9u);
  EXPECT_EQ(o->header_timeout, std::chrono::milliseconds(1234));
}

}  // namespace
}  // namespace mamori::cli
