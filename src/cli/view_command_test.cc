// SPDX-License-Identifier: Apache-2.0
// The emergency viewer's read-only gate (issue 8): every write answers 405
// with an OperationOutcome before the handler or the inner gate runs; login
// and reads go to the inner gate; the patient page is public and carries no
// data. The whole viewer is exercised by tests/view_integration_test.py.
#include "cli/view_command.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/testing/status_matchers.h"

namespace mamori::cli {
namespace {

using ::testing::HasSubstr;

class CountingGate final : public http::AccessGate {
 public:
  std::optional<http::Response> Check(const http::Request&, std::string_view, std::string_view,
                                      http::PathParams&) const override {
    ++calls;
    return std::nullopt;
  }
  mutable int calls = 0;
};

std::optional<http::Response> Ask(const ReadOnlyGate& gate, const std::string& method,
                                  const std::string& pattern) {
  http::Request request{.method = method, .target = pattern, .path = pattern};
  http::PathParams params;
  return gate.Check(request, method, pattern, params);
}

TEST(ReadOnlyGateTest, WritesAnswer405WithAnOperationOutcome) {
  CountingGate inner;
  ReadOnlyGate gate(inner);
  for (const char* method : {"POST", "PUT", "PATCH", "DELETE"}) {
    for (const char* pattern : {"/fhir/{type}", "/fhir/{type}/{id}", "/fhir", ""}) {
      std::optional<http::Response> r = Ask(gate, method, pattern);
      ASSERT_TRUE(r.has_value()) << method << " " << pattern;
      EXPECT_EQ(r->status, 405);
      EXPECT_THAT(r->body, HasSubstr("\"resourceType\":\"OperationOutcome\""));
      EXPECT_THAT(r->body, HasSubstr("not-supported"));
      EXPECT_EQ(r->headers.Get("Allow").value_or(""), "GET, HEAD");
    }
  }
  EXPECT_EQ(inner.calls, 0);
}

TEST(ReadOnlyGateTest, ReadsAndLoginGoToTheInnerGateAndThePageIsPublic) {
  CountingGate inner;
  ReadOnlyGate gate(inner);
  EXPECT_FALSE(Ask(gate, "GET", "/fhir/{type}/{id}").has_value());
  EXPECT_FALSE(Ask(gate, "HEAD", "/fhir/{type}").has_value());
  EXPECT_FALSE(Ask(gate, "POST", "/auth/login").has_value());
  EXPECT_FALSE(Ask(gate, "POST", "/auth/break-glass").has_value());
  EXPECT_EQ(inner.calls, 4);
  EXPECT_FALSE(Ask(gate, "GET", "/view").has_value());
  EXPECT_EQ(inner.calls, 4);
}

TEST(ViewerPageTest, IsJapaneseAndWritesValuesAsTextOnly) {
  http::Router router;
  ASSERT_THAT(RegisterViewerRoutes(router), core::testing::IsOk());
  http::Response r =
      router.Handle(http::Request{.method = "GET", .target = "/view", .path = "/view"});
  EXPECT_EQ(r.status, 200);
  EXPECT_THAT(r.content_type, HasSubstr("text/html"));
  EXPECT_THAT(r.body, HasSubstr("lang=\"ja\""));
  EXPECT_THAT(r.body, HasSubstr("読み取り専用"));
  EXPECT_THAT(r.body, ::testing::Not(HasSubstr("innerHTML")));
}

}  // namespace
}  // namespace mamori::cli
