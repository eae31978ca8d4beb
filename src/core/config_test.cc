// SPDX-License-Identifier: Apache-2.0
#include "core/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/testing/status_matchers.h"

namespace mamori::core {
namespace {

using ::testing::HasSubstr;
using testing::IsOk;
using testing::StatusIs;

TEST(ConfigTest, EmptyTextGivesDefaults) {
  Result<Config> config = ParseConfig("");
  ASSERT_THAT(config, IsOk());
  EXPECT_EQ(*config, Config{});
  EXPECT_EQ(config->server.listen, "127.0.0.1:8443");
}

TEST(ConfigTest, ReadsEveryKey) {
  Result<Config> config = ParseConfig(R"(
[server]
listen = "[::1]:9443"
threads = 4
[tls]
cert = "a.pem"
key = "a.key"
client_ca = "ca.pem"
require_client_cert = true
[limits]
max_header_bytes = 8192
max_body_bytes = 2048
handshake_timeout_ms = 500
header_timeout_ms = 1000
body_timeout_ms = 2000
idle_timeout_ms = 3000
max_connections = 10
[log]
level = "warn"
access_log = false
)");
  ASSERT_THAT(config, IsOk());
  EXPECT_EQ(config->server.listen, "[::1]:9443");
  EXPECT_EQ(config->server.threads, 4u);
  EXPECT_EQ(config->tls.client_ca, "ca.pem");
  EXPECT_TRUE(config->tls.require_client_cert);
  EXPECT_EQ(config->limits.max_header_bytes, 8192u);
  EXPECT_EQ(config->limits.max_body_bytes, 2048u);
  EXPECT_EQ(config->limits.max_connections, 10u);
  EXPECT_EQ(config->log.level, "warn");
  EXPECT_FALSE(config->log.access_log);
}

// Issue 10: the store URL of a PostgreSQL installation round-trips; only
// postgres:// URLs are accepted, and a SQLite installation renders no [store].
TEST(ConfigTest, StoreUrlRoundTripsAndMustBePostgres) {
  auto parsed = ParseConfig("[store]\nurl = \"postgres://m@db:5432/m?sslmode=verify-full\"\n");
  ASSERT_THAT(parsed, IsOk());
  EXPECT_EQ(parsed->store.url, "postgres://m@db:5432/m?sslmode=verify-full");
  EXPECT_EQ(*ParseConfig(RenderConfig(*parsed)), *parsed);
  EXPECT_THAT(ParseConfig("[store]\nurl = \"/var/lib/mamori.db\"\n"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("postgres://")));
  EXPECT_THAT(RenderConfig(Config{}), ::testing::Not(HasSubstr("[store]")));
}

TEST(ConfigTest, UnknownKeyIsNamedWithTheKnownOnes) {
  Result<Config> config = ParseConfig("[server]\nlisen = \"x\"\n", "config.toml");
  ASSERT_THAT(config, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(config.status().message(), HasSubstr("config.toml"));
  EXPECT_THAT(config.status().message(), HasSubstr("server.lisen: unknown key"));
  EXPECT_THAT(config.status().message(), HasSubstr("listen"));
}

TEST(ConfigTest, UnknownSectionIsNamed) {
  Result<Config> config = ParseConfig("[srever]\n");
  ASSERT_THAT(config, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(config.status().message(), HasSubstr("[srever]: unknown section"));
}

TEST(ConfigTest, WrongTypeNamesKeyAndExpectedType) {
  Result<Config> config = ParseConfig("[limits]\nmax_body_bytes = \"big\"\n");
  ASSERT_THAT(config, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(config.status().message(), HasSubstr("limits.max_body_bytes: must be an integer"));
}

TEST(ConfigTest, OutOfRangeNamesKeyAndRange) {
  Result<Config> config = ParseConfig("[limits]\nmax_body_bytes = 12\n");
  ASSERT_THAT(config, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(config.status().message(),
              HasSubstr("limits.max_body_bytes: must be between 1024 and 1073741824, got 12"));
}

TEST(ConfigTest, NegativeIntegerIsRefused) {
  EXPECT_THAT(ParseConfig("[server]\nthreads = -1\n"), StatusIs(StatusCode::kInvalidArgument));
}

TEST(ConfigTest, BadListenAddressIsRefused) {
  Result<Config> config = ParseConfig("[server]\nlisten = \"localhost\"\n");
  ASSERT_THAT(config, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(config.status().message(), HasSubstr("server.listen: must be host:port"));
  EXPECT_THAT(ParseConfig("[server]\nlisten = \"1.2.3.4:70000\"\n"),
              StatusIs(StatusCode::kInvalidArgument));
}

TEST(ConfigTest, BadLogLevelIsRefused) {
  EXPECT_THAT(ParseConfig("[log]\nlevel = \"loud\"\n"), StatusIs(StatusCode::kInvalidArgument));
}

TEST(ConfigTest, SyntaxErrorNamesLine) {
  Result<Config> config = ParseConfig("[server]\nlisten = \n", "c.toml");
  ASSERT_THAT(config, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(config.status().message(), HasSubstr("c.toml: line 2"));
}

TEST(ConfigTest, SectionThatIsNotATableIsRefused) {
  EXPECT_THAT(ParseConfig("server = 3\n"), StatusIs(StatusCode::kInvalidArgument));
}

TEST(ConfigTest, RenderedConfigParsesBackEqual) {
  Config config;
  config.server.listen = "0.0.0.0:443";
  config.tls.client_ca = "ca \"quoted\" \\ path.pem";
  config.limits.max_connections = 77;
  config.log.access_log = false;
  config.backup = {.schedule = "daily 02:30",
                   .destinations = {"/mnt/nas/mamori", "archive:/media/usb/m.mamori"},
                   .utc_offset_minutes = 0};
  Result<Config> parsed = ParseConfig(RenderConfig(config));
  ASSERT_THAT(parsed, IsOk());
  EXPECT_EQ(*parsed, config);
}

TEST(ConfigTest, BackupSectionReadsScheduleAndDestinations) {  // issue 8
  Result<Config> c = ParseConfig(
      "[backup]\nschedule = \"30 2 * * *\"\n"
      "destinations = [\"/mnt/nas\", \"archive:/media/usb/x.mamori\"]\n");
  ASSERT_THAT(c, IsOk());
  EXPECT_EQ(c->backup.schedule, "30 2 * * *");
  EXPECT_EQ(c->backup.destinations,
            (std::vector<std::string>{"/mnt/nas", "archive:/media/usb/x.mamori"}));
  EXPECT_EQ(c->backup.utc_offset_minutes, 540);
  EXPECT_THAT(ParseConfig("[backup]\ndestinations = \"/mnt/nas\"\n"),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseConfig("[backup]\ndestinations = [1]\n"),
              StatusIs(StatusCode::kInvalidArgument));
}

TEST(HostPortTest, ParsesIpv4AndIpv6) {
  Result<HostPort> v4 = ParseHostPort("127.0.0.1:8443");
  ASSERT_THAT(v4, IsOk());
  EXPECT_EQ(v4->host, "127.0.0.1");
  EXPECT_EQ(v4->port, 8443);
  Result<HostPort> v6 = ParseHostPort("[::1]:0");
  ASSERT_THAT(v6, IsOk());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 0);
  EXPECT_THAT(ParseHostPort(":80"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseHostPort("h:8x"), StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace mamori::core
