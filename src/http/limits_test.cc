// SPDX-License-Identifier: Apache-2.0
// Size limits and timeouts against malformed and slow clients (DESIGN
// invariant 7): each gets the right status with an OperationOutcome, and the
// server keeps serving afterwards. Timeouts are shortened to 300 ms here.
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/clock.h"
#include "http/server.h"
#include "http/testing/server_test_base.h"

namespace mamori::http {
namespace {

using core::testing::IsOk;
using core::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using namespace std::chrono_literals;
using testing::BuildRequest;
using testing::HttpResponse;
using testing::HttpsRequest;
using testing::RawConnection;
using testing::TlsConnection;

class LimitsTest : public testing::ServerTestBase {
 protected:
  ServerOptions ShortLimits() const {
    ServerOptions o = BaseOptions();
    o.max_header_bytes = 4096;
    o.max_body_bytes = 1024;
    o.header_timeout = 300ms;
    o.body_timeout = 300ms;
    o.idle_timeout = 300ms;
    return o;
  }

  void StartEcho(const ServerOptions& o) {
    StartServer(o, [](const Request& req) {
      return Response::Json(200, R"({"bytes":)" + std::to_string(req.body.size()) + "}");
    });
  }

  // Sends `bytes` on a fresh TLS connection and reads one response.
  core::Result<HttpResponse> Exchange(const std::string& bytes) {
    return HttpsRequest(port(), Tls(), bytes);
  }

  static void ExpectOutcome(const core::Result<HttpResponse>& r, int status,
                            const std::string& issue) {
    ASSERT_THAT(r, IsOk());
    EXPECT_EQ(r->status, status);
    EXPECT_EQ(r->Header("Content-Type"), "application/fhir+json");
    EXPECT_THAT(r->body, HasSubstr(R"("resourceType":"OperationOutcome")"));
    EXPECT_THAT(r->body, HasSubstr(R"("code":")" + issue + "\""));
    EXPECT_THAT(r->Header("X-Request-Id"), MatchesRegex("[0-9a-f]{32}"));
    EXPECT_EQ(r->Header("Strict-Transport-Security"), "max-age=63072000; includeSubDomains");
    EXPECT_EQ(r->Header("Connection"), "close");
  }

  void ExpectStillServing() {
    auto r = Exchange(BuildRequest("GET", "/after"));
    ASSERT_THAT(r, IsOk());
    EXPECT_EQ(r->status, 200);
  }
};

TEST_F(LimitsTest, BadRequestLineGets400) {
  StartEcho(ShortLimits());
  ExpectOutcome(Exchange("THIS IS NOT HTTP\r\n\r\n"), 400, "invalid");
  ExpectStillServing();
}

TEST_F(LimitsTest, BadHttpVersionGets400) {
  StartEcho(ShortLimits());
  ExpectOutcome(Exchange("GET / HTTP/9.9\r\nHost: a\r\n\r\n"), 400, "invalid");
  ExpectStillServing();
}

TEST_F(LimitsTest, AbsoluteFormTargetGets400) {
  StartEcho(ShortLimits());
  ExpectOutcome(Exchange("GET http://elsewhere/ HTTP/1.1\r\nHost: a\r\n\r\n"), 400, "invalid");
  ExpectStillServing();
}

TEST_F(LimitsTest, OversizedHeaderGets431) {
  StartEcho(ShortLimits());
  std::string big = "X-Big: " + std::string(8192, 'a') + "\r\n";
  ExpectOutcome(Exchange(BuildRequest("GET", "/", big)), 431, "too-long");
  ExpectStillServing();
}

TEST_F(LimitsTest, ContentLengthTooLargeGets413BeforeAnyBodyIsSent) {
  StartEcho(ShortLimits());
  ExpectOutcome(Exchange("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1000000\r\n\r\n"), 413,
                "too-long");
  ExpectStillServing();
}

TEST_F(LimitsTest, ChunkedBodyOverflowGets413) {
  StartEcho(ShortLimits());
  std::string chunk(600, 'x');
  std::string request = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 2; ++i) request += "258\r\n" + chunk + "\r\n";  // 2 x 600 > 1024
  request += "0\r\n\r\n";
  ExpectOutcome(Exchange(request), 413, "too-long");
  ExpectStillServing();
}

TEST_F(LimitsTest, ChunkedBodyWithinLimitIsDelivered) {
  StartEcho(ShortLimits());
  auto r = Exchange(
      "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, R"({"bytes":11})");
}

TEST_F(LimitsTest, SlowHeaderSenderGets408) {
  StartEcho(ShortLimits());
  auto conn = TlsConnection::Connect(port(), Tls());
  ASSERT_THAT(conn, IsOk());
  ASSERT_THAT((*conn)->Send("GET / HTTP/1.1\r\nHost: a\r\n"), IsOk());  // never finished
  ExpectOutcome((*conn)->ReadResponse(), 408, "timeout");
  ExpectStillServing();
}

TEST_F(LimitsTest, SlowBodySenderGets408) {
  StartEcho(ShortLimits());
  auto conn = TlsConnection::Connect(port(), Tls());
  ASSERT_THAT(conn, IsOk());
  ASSERT_THAT((*conn)->Send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n0123456789"),
              IsOk());
  ExpectOutcome((*conn)->ReadResponse(), 408, "timeout");
  ExpectStillServing();
}

TEST_F(LimitsTest, IdleKeepAliveConnectionIsClosedWithoutAResponse) {
  StartEcho(ShortLimits());
  auto conn = TlsConnection::Connect(port(), Tls());
  ASSERT_THAT(conn, IsOk());
  ASSERT_THAT((*conn)->Send(BuildRequest("GET", "/")), IsOk());
  ASSERT_THAT((*conn)->ReadResponse(), IsOk());
  // Nothing more is sent: after idle_timeout the server closes, silently.
  EXPECT_THAT((*conn)->ReadResponse(), StatusIs(core::StatusCode::kUnavailable));
  ExpectStillServing();
}

TEST_F(LimitsTest, ExpectContinueGetsInterimResponseBeforeBody) {
  StartEcho(ShortLimits());
  auto conn = TlsConnection::Connect(port(), Tls());
  ASSERT_THAT(conn, IsOk());
  ASSERT_THAT((*conn)->Send("POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n"
                            "Content-Length: 5\r\n\r\n"),
              IsOk());
  auto interim = (*conn)->ReadResponse();
  ASSERT_THAT(interim, IsOk());
  EXPECT_EQ(interim->status, 100);
  ASSERT_THAT((*conn)->Send("hello"), IsOk());
  auto r = (*conn)->ReadResponse();
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, R"({"bytes":5})");
}

// Liveness, not speed: 450 connects that never start TLS and 50 TLS
// connections stuck half-way through a header must not keep a normal
// request from completing within 5 s.
TEST_F(LimitsTest, FiveHundredSlowConnectionsDoNotBlockANormalRequest) {
  ServerOptions o = BaseOptions();
  o.max_connections = 2000;
  StartEcho(o);
  std::vector<std::unique_ptr<RawConnection>> raw;
  for (int i = 0; i < 450; ++i) {
    auto c = RawConnection::Connect(port());
    ASSERT_THAT(c, IsOk());
    raw.push_back(std::move(*c));
  }
  std::vector<std::unique_ptr<TlsConnection>> half;
  for (int i = 0; i < 50; ++i) {
    auto c = TlsConnection::Connect(port(), Tls());
    ASSERT_THAT(c, IsOk());
    ASSERT_THAT((*c)->Send("GET / HTTP/1.1\r\nHost: a\r\nX-Slow: "), IsOk());
    half.push_back(std::move(*c));
  }
  core::Clock& clock = core::Clock::Real();
  auto start = clock.Monotonic();
  testing::TlsClientOptions tls = Tls();
  tls.timeout = 5s;
  auto r = HttpsRequest(port(), tls, BuildRequest("GET", "/normal"));
  auto elapsed = clock.Monotonic() - start;
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->status, 200);
  EXPECT_LT(elapsed, 5s);
}

}  // namespace
}  // namespace mamori::http
