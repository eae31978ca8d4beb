// SPDX-License-Identifier: Apache-2.0
// The RFC 5424 form of an audit event and the collector address (issue 6;
// GUIDELINE SYS-54). tests/audit_export_test.py sends them to a real rsyslogd.
#include "cli/syslog_client.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/testing/status_matchers.h"

namespace mamori::cli {
namespace {

using core::testing::IsOk;
using core::testing::StatusIs;

TEST(SyslogClientTest, MessageIsRfc5424WithTheEventAsJson) {
  ledger::AuditEvent e{.time_ms = 1'795'564'801'234, .user = "dr.sato", .action = "read"};
  std::string json = ledger::ToJson(e);
  EXPECT_EQ(SyslogMessage(7, e, json, "clinic-1"),
            "<85>1 2026-11-25T00:00:01.234Z clinic-1 mamori - read - \xEF\xBB\xBF" +
                AuditJsonLine(7, json));
  e.outcome = "failure";
  EXPECT_THAT(SyslogMessage(7, e, json, "clinic 1"), ::testing::StartsWith("<84>1 "));
  EXPECT_THAT(SyslogMessage(7, e, json, "clinic 1"), ::testing::HasSubstr(" clinic_1 mamori "));
  e.action = "";
  EXPECT_THAT(SyslogMessage(7, e, json, ""), ::testing::HasSubstr(" - mamori - - - "));
}

TEST(SyslogClientTest, JsonLineSplicesTheIndexIntoTheEvent) {
  EXPECT_EQ(AuditJsonLine(3, R"({"v":1,"user":"u"})"), R"({"index":3,"v":1,"user":"u"})");
  EXPECT_EQ(AuditJsonLine(0, "{}"), R"({"index":0})");
}

TEST(SyslogClientTest, TargetIsHostAndOptionalPort) {
  auto t = ParseSyslogTarget("siem.example:10514");
  ASSERT_THAT(t, IsOk());
  EXPECT_EQ(t->host, "siem.example");
  EXPECT_EQ(t->port, 10514);
  EXPECT_EQ(ParseSyslogTarget("siem.example")->port, 6514);
  EXPECT_EQ(ParseSyslogTarget("[::1]:514")->host, "::1");
  EXPECT_EQ(ParseSyslogTarget("[::1]")->port, 6514);
  EXPECT_THAT(ParseSyslogTarget("siem:0"), StatusIs(core::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseSyslogTarget("siem:65536"), StatusIs(core::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseSyslogTarget(":514"), StatusIs(core::StatusCode::kInvalidArgument));
}

TEST(SyslogClientTest, ACollectorThatIsNotListeningIsUnavailable) {
  auto sink = SyslogTlsClient::Connect(
      {.host = "127.0.0.1", .port = 1, .ca_file = "/etc/ssl/certs/ca-certificates.crt"});
  EXPECT_THAT(sink, StatusIs(core::StatusCode::kUnavailable));
  auto no_ca =
      SyslogTlsClient::Connect({.host = "127.0.0.1", .port = 1, .ca_file = "/no/such/ca.pem"});
  EXPECT_THAT(no_ca, StatusIs(core::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace mamori::cli
