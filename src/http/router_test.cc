// SPDX-License-Identifier: Apache-2.0
#include "http/router.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/testing/status_matchers.h"

namespace mamori::http {
namespace {

using core::testing::IsOk;
using core::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

Request Make(std::string method, std::string target) {
  Request r;
  r.method = std::move(method);
  r.target = std::move(target);
  SplitTarget(r.target, r.path, r.query);
  return r;
}

// A handler that answers with its label and the captures, "label:k=v,k=v".
RouteHandler Label(std::string label) {
  return [label](const Request&, const PathParams& params) {
    std::string body = label + ":";
    for (const auto& [k, v] : params.entries()) body += k + "=" + v + ",";
    return Response::Json(200, body);
  };
}

class RouterTest : public ::testing::Test {
 protected:
  Router router_;
};

TEST_F(RouterTest, LiteralRouteMatchesExactPath) {
  ASSERT_THAT(router_.Add("GET", "/fhir/metadata", Label("meta")), IsOk());
  EXPECT_EQ(router_.Handle(Make("GET", "/fhir/metadata")).body, "meta:");
  EXPECT_EQ(router_.Handle(Make("GET", "/fhir/metadata/")).status, 200);  // trailing slash ignored
  EXPECT_EQ(router_.Handle(Make("GET", "/fhir")).status, 404);
}

TEST_F(RouterTest, CapturesAreHandedToHandler) {
  ASSERT_THAT(router_.Add("GET", "/fhir/{type}/{id}", Label("read")), IsOk());
  EXPECT_EQ(router_.Handle(Make("GET", "/fhir/Patient/p1?_format=json")).body,
            "read:type=Patient,id=p1,");
}

TEST_F(RouterTest, CaptureDoesNotMatchEmptySegment) {
  ASSERT_THAT(router_.Add("GET", "/fhir/{type}/{id}", Label("read")), IsOk());
  EXPECT_EQ(router_.Handle(Make("GET", "/fhir/Patient/")).status, 404);
  EXPECT_EQ(router_.Handle(Make("GET", "/fhir//p1")).status, 404);
}

TEST_F(RouterTest, LiteralSegmentBeatsCaptureWhateverTheOrder) {
  ASSERT_THAT(router_.Add("GET", "/fhir/{type}", Label("search")), IsOk());
  ASSERT_THAT(router_.Add("GET", "/fhir/metadata", Label("meta")), IsOk());
  ASSERT_THAT(router_.Add("GET", "/fhir/{type}/_history", Label("history")), IsOk());
  ASSERT_THAT(router_.Add("GET", "/fhir/{type}/{id}", Label("read")), IsOk());
  EXPECT_EQ(router_.Handle(Make("GET", "/fhir/metadata")).body, "meta:");
  EXPECT_EQ(router_.Handle(Make("GET", "/fhir/Patient")).body, "search:type=Patient,");
  EXPECT_EQ(router_.Handle(Make("GET", "/fhir/Patient/_history")).body, "history:type=Patient,");
  EXPECT_EQ(router_.Handle(Make("GET", "/fhir/Patient/p9")).body, "read:type=Patient,id=p9,");
}

TEST_F(RouterTest, UnknownPathGets404OperationOutcome) {
  ASSERT_THAT(RegisterHealthRoutes(router_), IsOk());
  Response r = router_.Handle(Make("GET", "/nothing/here"));
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.content_type, "application/fhir+json");
  EXPECT_THAT(r.body, HasSubstr(R"("code":"not-found")"));
}

TEST_F(RouterTest, TargetWithoutLeadingSlashGets404) {
  ASSERT_THAT(RegisterHealthRoutes(router_), IsOk());
  EXPECT_EQ(router_.Handle(Make("GET", "*")).status, 404);
  EXPECT_EQ(router_.Handle(Make("GET", "")).status, 404);
}

TEST_F(RouterTest, WrongMethodGets405WithSortedAllow) {
  ASSERT_THAT(router_.Add("PUT", "/fhir/{type}/{id}", Label("update")), IsOk());
  ASSERT_THAT(router_.Add("GET", "/fhir/{type}/{id}", Label("read")), IsOk());
  ASSERT_THAT(router_.Add("DELETE", "/fhir/{type}/{id}", Label("delete")), IsOk());
  Response r = router_.Handle(Make("POST", "/fhir/Patient/p1"));
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.headers.Get("Allow").value_or(""), "DELETE, GET, PUT");
  EXPECT_THAT(r.body, HasSubstr(R"("code":"not-supported")"));
}

TEST_F(RouterTest, AddRejectsMalformedPatterns) {
  for (std::string bad : {"", "fhir", "/fhir//x", "/fhir/{", "/fhir/{}", "/fhir/{a-b}",
                          "/fhir/x{a}", "/fhir/{a}/{a}", "/fhir/"}) {
    EXPECT_THAT(router_.Add("GET", bad, Label("x")), StatusIs(core::StatusCode::kInvalidArgument))
        << bad;
  }
  EXPECT_THAT(router_.Add("", "/x", Label("x")), StatusIs(core::StatusCode::kInvalidArgument));
}

TEST_F(RouterTest, AddRejectsRouteWithSameShapeAndMethod) {
  ASSERT_THAT(router_.Add("GET", "/fhir/{type}/{id}", Label("a")), IsOk());
  EXPECT_THAT(router_.Add("GET", "/fhir/{t}/{i}", Label("b")),
              StatusIs(core::StatusCode::kAlreadyExists));
  EXPECT_THAT(router_.Add("PUT", "/fhir/{t}/{i}", Label("c")), IsOk());
}

TEST_F(RouterTest, HeadFallsBackToGetRoute) {
  ASSERT_THAT(router_.Add("GET", "/fhir/{type}", Label("search")), IsOk());
  EXPECT_EQ(router_.Handle(Make("HEAD", "/fhir/Patient")).body, "search:type=Patient,");
  ASSERT_THAT(router_.Add("HEAD", "/fhir/{type}", Label("head")), IsOk());
  EXPECT_EQ(router_.Handle(Make("HEAD", "/fhir/Patient")).body, "head:type=Patient,");
}

TEST_F(RouterTest, RootPatternMatchesRootOnly) {
  ASSERT_THAT(router_.Add("GET", "/", Label("root")), IsOk());
  EXPECT_EQ(router_.Handle(Make("GET", "/")).body, "root:");
  EXPECT_EQ(router_.Handle(Make("GET", "/x")).status, 404);
}

TEST_F(RouterTest, RoutesListsEveryRouteInInsertionOrder) {
  ASSERT_THAT(RegisterHealthRoutes(router_), IsOk());
  ASSERT_THAT(router_.Add("GET", "/fhir/{type}/{id}", Label("read")), IsOk());
  std::vector<std::string> rows;
  for (const RouteInfo& r : router_.Routes()) rows.push_back(r.method + " " + r.pattern);
  EXPECT_THAT(rows, ElementsAre("GET /healthz", "GET /fhir/{type}/{id}"));
}

TEST_F(RouterTest, HealthRouteAnswersStatusOk) {
  ASSERT_THAT(RegisterHealthRoutes(router_), IsOk());
  Handler handler = router_.AsHandler();
  Response r = handler(Make("GET", "/healthz"));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body, R"({"status":"ok"})");
}

TEST_F(RouterTest, OnlyRoutesAddedAsNonBlockingAreMarkedSo) {
  ASSERT_THAT(RegisterHealthRoutes(router_), IsOk());
  ASSERT_THAT(router_.Add("GET", "/fhir/{type}/{id}",
                          [](const Request&, const PathParams&) { return Response::Empty(200); }),
              IsOk());
  EXPECT_TRUE(router_.IsNonBlocking(Make("GET", "/healthz")));
  EXPECT_TRUE(router_.IsNonBlocking(Make("HEAD", "/healthz")));
  EXPECT_FALSE(router_.IsNonBlocking(Make("GET", "/fhir/Patient/1")));
  EXPECT_FALSE(router_.IsNonBlocking(Make("POST", "/healthz")));
  EXPECT_FALSE(router_.IsNonBlocking(Make("GET", "/nowhere")));
}

TEST_F(RouterTest, OneTrailingSlashIsIgnored) {
  ASSERT_THAT(router_.Add("POST", "/fhir",
                          [](const Request&, const PathParams&) { return Response::Empty(200); }),
              IsOk());
  EXPECT_EQ(router_.Handle(Make("POST", "/fhir/")).status, 200);
  EXPECT_EQ(router_.Handle(Make("POST", "/fhir")).status, 200);
  EXPECT_EQ(router_.Handle(Make("POST", "/fhir//")).status, 404);
}

TEST(HeadersTest, LookupIgnoresCaseAndSetReplacesEveryValue) {
  Headers h;
  h.Add("Accept", "a");
  h.Add("ACCEPT", "b");
  EXPECT_EQ(h.Get("accept").value_or(""), "a");
  EXPECT_THAT(h.GetAll("Accept"), ElementsAre("a", "b"));
  h.Set("accept", "c");
  EXPECT_THAT(h.GetAll("Accept"), ElementsAre("c"));
  h.Remove("ACCEPT");
  EXPECT_FALSE(h.Contains("accept"));
}

TEST(SplitTargetTest, SplitsAtFirstQuestionMark) {
  std::string path, query;
  SplitTarget("/a/b?x=1?y=2", path, query);
  EXPECT_EQ(path, "/a/b");
  EXPECT_EQ(query, "x=1?y=2");
  SplitTarget("/a", path, query);
  EXPECT_EQ(path, "/a");
  EXPECT_EQ(query, "");
}

}  // namespace
}  // namespace mamori::http
