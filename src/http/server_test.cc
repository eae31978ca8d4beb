// SPDX-License-Identifier: Apache-2.0
// Server behaviour over real HTTPS on loopback: headers on every response,
// request fields, the exception boundary, the connection limit, graceful
// shutdown, signals, the access log and the no-patient-data-in-logs canary.
#include "http/server.h"

#include <csignal>
#include <future>
#include <mutex>
#include <stdexcept>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/testing/log_capture.h"
#include "http/operation_outcome.h"
#include "http/router.h"
#include "http/testing/server_test_base.h"

namespace mamori::http {
namespace {

using core::testing::IsOk;
using core::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using namespace std::chrono_literals;
using testing::BuildRequest;
using testing::HttpsRequest;
using testing::TlsConnection;

class ServerTest : public testing::ServerTestBase {
 protected:
  // A router with /healthz and a route that echoes nothing but a fixed body.
  Handler RouterHandler() {
    EXPECT_THAT(RegisterHealthRoutes(router_), IsOk());
    EXPECT_THAT(router_.Add("POST", "/fhir/{type}",
                            [](const Request&, const PathParams&) {
                              return Response::FhirJson(201, R"({"resourceType":"Patient"})");
                            }),
                IsOk());
    return router_.AsHandler();
  }

  Router router_;
};

TEST_F(ServerTest, HealthzAnswersOkWithSecurityHeaders) {
  StartServer(BaseOptions(), RouterHandler());
  auto r = HttpsRequest(port(), Tls(), BuildRequest("GET", "/healthz"));
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, R"({"status":"ok"})");
  EXPECT_EQ(r->Header("Content-Type"), "application/json");
  EXPECT_EQ(r->Header("Strict-Transport-Security"), "max-age=63072000; includeSubDomains");
  EXPECT_EQ(r->Header("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(r->Header("Cache-Control"), "no-store");
  EXPECT_EQ(r->Header("X-Frame-Options"), "DENY");
  EXPECT_THAT(r->Header("X-Request-Id"), MatchesRegex("[0-9a-f]{32}"));
  EXPECT_THAT(r->Header("Date"), HasSubstr("GMT"));
}

TEST_F(ServerTest, HandlerCannotOverrideCacheControlOrHsts) {
  StartServer(BaseOptions(), [](const Request&) {
    Response r = Response::Json(200, "{}");
    r.headers.Set("Cache-Control", "max-age=3600");
    r.headers.Set("Strict-Transport-Security", "max-age=0");
    r.headers.Set("X-Injected", "a\r\nSet-Cookie: x=1");
    return r;
  });
  auto r = HttpsRequest(port(), Tls(), BuildRequest("GET", "/"));
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->Header("Cache-Control"), "no-store");
  EXPECT_EQ(r->Header("Strict-Transport-Security"), "max-age=63072000; includeSubDomains");
  EXPECT_EQ(r->Header("X-Injected"), "");
  EXPECT_EQ(r->Header("Set-Cookie"), "");
}

TEST_F(ServerTest, RequestCarriesSplitTargetHeadersPeerAndRequestId) {
  std::mutex mu;
  Request seen;
  StartServer(BaseOptions(), [&](const Request& req) {
    std::lock_guard lock(mu);
    seen = req;
    return Response::Json(200, "{}");
  });
  auto r = HttpsRequest(
      port(), Tls(),
      BuildRequest("PUT", "/fhir/Patient/p1?_format=json", "X-Thing: 7\r\n", "{\"a\":1}"));
  ASSERT_THAT(r, IsOk());
  std::lock_guard lock(mu);
  EXPECT_EQ(seen.method, "PUT");
  EXPECT_EQ(seen.target, "/fhir/Patient/p1?_format=json");
  EXPECT_EQ(seen.path, "/fhir/Patient/p1");
  EXPECT_EQ(seen.query, "_format=json");
  EXPECT_EQ(seen.headers.Get("x-thing").value_or(""), "7");
  EXPECT_EQ(seen.body, "{\"a\":1}");
  EXPECT_EQ(seen.remote_address, "127.0.0.1");
  EXPECT_FALSE(seen.client_certificate.has_value());
  EXPECT_EQ(seen.request_id, r->Header("X-Request-Id"));
}

TEST_F(ServerTest, WellFormedClientRequestIdIsEchoedSeparately) {
  StartServer(BaseOptions(), RouterHandler());
  auto ok =
      HttpsRequest(port(), Tls(), BuildRequest("GET", "/healthz", "X-Request-Id: emr-42-abc\r\n"));
  ASSERT_THAT(ok, IsOk());
  EXPECT_EQ(ok->Header("X-Client-Request-Id"), "emr-42-abc");
  EXPECT_THAT(ok->Header("X-Request-Id"), MatchesRegex("[0-9a-f]{32}"));
  auto bad =
      HttpsRequest(port(), Tls(), BuildRequest("GET", "/healthz", "X-Request-Id: <script>\r\n"));
  ASSERT_THAT(bad, IsOk());
  EXPECT_EQ(bad->Header("X-Client-Request-Id"), "");
}

TEST_F(ServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  StartServer(BaseOptions(), RouterHandler());
  auto conn = TlsConnection::Connect(port(), Tls());
  ASSERT_THAT(conn, IsOk());
  for (int i = 0; i < 3; ++i) {
    ASSERT_THAT((*conn)->Send(BuildRequest("GET", "/healthz")), IsOk());
    auto r = (*conn)->ReadResponse();
    ASSERT_THAT(r, IsOk());
    EXPECT_EQ(r->status, 200);
  }
}

TEST_F(ServerTest, HeadGetsHeadersWithoutBodyAndConnectionStaysUsable) {
  StartServer(BaseOptions(), RouterHandler());
  auto conn = TlsConnection::Connect(port(), Tls());
  ASSERT_THAT(conn, IsOk());
  ASSERT_THAT((*conn)->Send(BuildRequest("HEAD", "/healthz")), IsOk());
  auto head = (*conn)->ReadResponse(/*expect_body=*/false);
  ASSERT_THAT(head, IsOk());
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->Header("Content-Length"), "15");
  EXPECT_EQ(head->body, "");
  ASSERT_THAT((*conn)->Send(BuildRequest("GET", "/healthz")), IsOk());
  auto get = (*conn)->ReadResponse();
  ASSERT_THAT(get, IsOk());
  EXPECT_EQ(get->body, R"({"status":"ok"})");  // no stray HEAD body bytes before it
}

TEST_F(ServerTest, UnknownPathAndWrongMethodGetOperationOutcomes) {
  StartServer(BaseOptions(), RouterHandler());
  auto missing = HttpsRequest(port(), Tls(), BuildRequest("GET", "/nope"));
  ASSERT_THAT(missing, IsOk());
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(missing->Header("Content-Type"), "application/fhir+json");
  EXPECT_THAT(missing->body, HasSubstr(R"("code":"not-found")"));
  auto wrong = HttpsRequest(port(), Tls(), BuildRequest("DELETE", "/healthz"));
  ASSERT_THAT(wrong, IsOk());
  EXPECT_EQ(wrong->status, 405);
  EXPECT_EQ(wrong->Header("Allow"), "GET");
}

TEST_F(ServerTest, ThrowingHandlerGets500AndServerKeepsServing) {
  StartServer(BaseOptions(), [](const Request& req) -> Response {
    if (req.path == "/throw") throw std::runtime_error("boom");
    return Response::Json(200, "{}");
  });
  auto r = HttpsRequest(port(), Tls(), BuildRequest("GET", "/throw"));
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->status, 500);
  EXPECT_EQ(r->Header("Content-Type"), "application/fhir+json");
  EXPECT_THAT(r->body, HasSubstr(R"("code":"exception")"));
  EXPECT_THAT(r->body, ::testing::Not(HasSubstr("boom")));
  auto after = HttpsRequest(port(), Tls(), BuildRequest("GET", "/fine"));
  ASSERT_THAT(after, IsOk());
  EXPECT_EQ(after->status, 200);
}

TEST_F(ServerTest, ConnectionOverLimitGets503WithRetryAfter) {
  ServerOptions o = BaseOptions();
  o.max_connections = 4;
  StartServer(o, RouterHandler());
  std::vector<std::unique_ptr<TlsConnection>> held;
  for (int i = 0; i < 4; ++i) {
    auto c = TlsConnection::Connect(port(), Tls());
    ASSERT_THAT(c, IsOk());
    held.push_back(std::move(*c));
  }
  auto fifth = HttpsRequest(port(), Tls(), BuildRequest("GET", "/healthz"));
  ASSERT_THAT(fifth, IsOk());
  EXPECT_EQ(fifth->status, 503);
  EXPECT_EQ(fifth->Header("Retry-After"), "5");
  EXPECT_EQ(fifth->Header("Content-Type"), "application/fhir+json");
  EXPECT_THAT(fifth->body, HasSubstr(R"("code":"transient")"));
  EXPECT_THAT(fifth->Header("X-Request-Id"), MatchesRegex("[0-9a-f]{32}"));
  // A held connection is still served normally.
  ASSERT_THAT(held[0]->Send(BuildRequest("GET", "/healthz")), IsOk());
  auto served = held[0]->ReadResponse();
  ASSERT_THAT(served, IsOk());
  EXPECT_EQ(served->status, 200);
}

TEST_F(ServerTest, InlineRequestsAnswerWhileEveryPoolThreadIsBusy) {
  // With one pool thread blocked, a request the predicate marks inline must
  // still be answered: it never waits for the pool.
  std::promise<void> entered;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  ServerOptions options = BaseOptions();
  options.handler_threads = 1;
  options.run_inline = [](const Request& r) { return r.path == "/healthz"; };
  StartServer(options, [&](const Request& r) {
    if (r.path == "/healthz") return Response::Json(200, R"({"status":"ok"})");
    entered.set_value();
    released.wait();
    return Response::Json(200, R"({"slow":true})");
  });
  auto slow = TlsConnection::Connect(port(), Tls());
  ASSERT_THAT(slow, IsOk());
  ASSERT_THAT((*slow)->Send(BuildRequest("GET", "/slow")), IsOk());
  ASSERT_EQ(entered.get_future().wait_for(5s), std::future_status::ready);
  auto fast = HttpsRequest(port(), Tls(), BuildRequest("GET", "/healthz"));
  ASSERT_THAT(fast, IsOk());
  EXPECT_EQ(fast->status, 200);
  EXPECT_FALSE(fast->Header("Strict-Transport-Security").empty());
  EXPECT_FALSE(fast->Header("X-Request-Id").empty());
  release.set_value();
  auto r = (*slow)->ReadResponse();
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->status, 200);
}

TEST_F(ServerTest, ShutdownFinishesInFlightRequestAndRefusesNewConnections) {
  std::promise<void> entered;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  StartServer(BaseOptions(), [&](const Request&) {
    entered.set_value();
    released.wait();
    return Response::Json(200, R"({"slow":true})");
  });
  auto conn = TlsConnection::Connect(port(), Tls());
  ASSERT_THAT(conn, IsOk());
  ASSERT_THAT((*conn)->Send(BuildRequest("GET", "/slow")), IsOk());
  ASSERT_EQ(entered.get_future().wait_for(5s), std::future_status::ready);

  uint16_t bound = port();
  std::promise<void> stopped;
  std::thread stopper([&] {
    server_->Shutdown();
    stopped.set_value();
  });
  EXPECT_TRUE(testing::WaitUntilConnectRefused(bound, 5s));
  auto stopped_future = stopped.get_future();
  EXPECT_EQ(stopped_future.wait_for(0s), std::future_status::timeout);  // still draining

  release.set_value();
  auto r = (*conn)->ReadResponse();
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, R"({"slow":true})");
  EXPECT_EQ(r->Header("Connection"), "close");
  EXPECT_EQ(stopped_future.wait_for(10s), std::future_status::ready);
  stopper.join();
}

// An async handler (issue 6: the audited read) returns at once and answers
// later from another thread; its pool thread is free meanwhile, so with one
// pool thread a second request is handled while the first waits.
TEST_F(ServerTest, AsyncHandlerAnswersLaterWithoutHoldingItsThread) {
  std::mutex mu;
  std::vector<Respond> waiting;
  ServerOptions options = BaseOptions();
  options.handler_threads = 1;
  StartAsyncServer(options, [&](const Request& r, Respond respond) {
    if (r.path == "/now") return respond(Response::Json(200, R"({"now":true})"));
    std::lock_guard lock(mu);
    waiting.push_back(std::move(respond));
  });
  auto later = TlsConnection::Connect(port(), Tls());
  ASSERT_THAT(later, IsOk());
  ASSERT_THAT((*later)->Send(BuildRequest("GET", "/later")), IsOk());
  auto now = HttpsRequest(port(), Tls(), BuildRequest("GET", "/now"));
  ASSERT_THAT(now, IsOk());
  EXPECT_EQ(now->status, 200);
  std::vector<Respond> answers;
  for (int i = 0; i < 500 && answers.empty(); ++i) {
    std::this_thread::sleep_for(10ms);
    std::lock_guard lock(mu);
    answers.swap(waiting);
  }
  ASSERT_EQ(answers.size(), 1u);
  std::thread answerer([&] {
    answers[0](Response::Json(200, R"({"later":true})"));
    answers[0](Response::Json(500, R"({"twice":true})"));  // ignored: answered once
  });
  answerer.join();
  auto r = (*later)->ReadResponse();
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, R"({"later":true})");
  ASSERT_THAT((*later)->Send(BuildRequest("GET", "/now")), IsOk());  // still usable
  auto again = (*later)->ReadResponse();
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(again->status, 200);
}

// Shutdown waits for an answer still owed by an async handler (an append
// waiting for its group commit) and delivers it, instead of stopping the
// threads the answer is posted to.
TEST_F(ServerTest, ShutdownWaitsForAnAnswerAnAsyncHandlerStillOwes) {
  std::promise<Respond> handed;
  StartAsyncServer(BaseOptions(),
                   [&](const Request&, Respond respond) { handed.set_value(std::move(respond)); });
  auto conn = TlsConnection::Connect(port(), Tls());
  ASSERT_THAT(conn, IsOk());
  ASSERT_THAT((*conn)->Send(BuildRequest("GET", "/owed")), IsOk());
  auto owed_future = handed.get_future();
  ASSERT_EQ(owed_future.wait_for(5s), std::future_status::ready);
  Respond owed = owed_future.get();
  std::promise<void> stopped;
  std::thread stopper([&] {
    server_->Shutdown();
    stopped.set_value();
  });
  auto stopped_future = stopped.get_future();
  EXPECT_EQ(stopped_future.wait_for(200ms), std::future_status::timeout);
  owed(Response::Json(200, R"({"owed":true})"));
  auto r = (*conn)->ReadResponse();
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->body, R"({"owed":true})");
  EXPECT_EQ(stopped_future.wait_for(10s), std::future_status::ready);
  stopper.join();
}

// A handler that throws after answering is answered once, with its answer.
TEST_F(ServerTest, AsyncHandlerThatThrowsAfterAnsweringKeepsItsAnswer) {
  StartAsyncServer(BaseOptions(), [](const Request&, Respond respond) {
    respond(Response::Json(200, R"({"first":true})"));
    throw std::runtime_error("after the answer");
  });
  auto r = HttpsRequest(port(), Tls(), BuildRequest("GET", "/x"));
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, R"({"first":true})");
}

TEST_F(ServerTest, RunUntilSignalDrainsAndReturnsOkOnSigterm) {
  ASSERT_NE(std::signal(SIGTERM, SIG_IGN), SIG_ERR);  // until the server installs its own
  auto server = Server::Create(BaseOptions(), env_, RouterHandler());
  ASSERT_THAT(server, IsOk());
  core::Status result = core::InternalError("not returned");
  std::thread runner([&] { result = (*server)->RunUntilSignal(); });
  (*server)->WaitForSignalHandlerForTest();
  auto r = HttpsRequest((*server)->port(), Tls(), BuildRequest("GET", "/healthz"));
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->status, 200);
  ASSERT_EQ(std::raise(SIGTERM), 0);
  runner.join();
  EXPECT_THAT(result, IsOk());
  EXPECT_TRUE(testing::WaitUntilConnectRefused((*server)->port(), 5s));
}

TEST_F(ServerTest, CreateNamesMissingCertificateFile) {
  ServerOptions o = BaseOptions();
  o.cert_chain_path = dir_ + "/absent.pem";
  auto server = Server::Create(o, env_, RouterHandler());
  EXPECT_THAT(server, StatusIs(core::StatusCode::kNotFound));
  EXPECT_THAT(server.status().message(), HasSubstr("absent.pem"));
}

TEST_F(ServerTest, CreateRejectsKeyThatDoesNotMatchCertificate) {
  ServerOptions o = BaseOptions();
  o.key_path = pki_.client_key;
  auto server = Server::Create(o, env_, RouterHandler());
  EXPECT_THAT(server, StatusIs(core::StatusCode::kInvalidArgument));
  EXPECT_THAT(server.status().message(), HasSubstr("client.key"));
}

TEST_F(ServerTest, CreateRejectsFileWithoutCertificate) {
  ServerOptions o = BaseOptions();
  o.cert_chain_path = pki_.server_key;  // a key, not a certificate
  auto server = Server::Create(o, env_, RouterHandler());
  EXPECT_THAT(server, StatusIs(core::StatusCode::kInvalidArgument));
  EXPECT_THAT(server.status().message(), HasSubstr("server.key"));
}

TEST_F(ServerTest, AccessLogHasMethodPathStatusAndIdButNoQuery) {
  core::testing::LogCapture capture(/*quiet=*/true);
  StartServer(BaseOptions(), RouterHandler());
  auto r = HttpsRequest(
      port(), Tls(),
      BuildRequest("POST", "/fhir/Patient?name=Yamada", "", R"({"resourceType":"Patient"})"));
  ASSERT_THAT(r, IsOk());
  server_->Shutdown();  // every access line has been written
  std::string id = r->Header("X-Request-Id");
  bool found = false;
  for (const std::string& line : capture.Lines()) {
    if (line.find("id=" + id) == std::string::npos) continue;
    found = true;
    EXPECT_THAT(line, HasSubstr("access POST /fhir/Patient 201 "));
    EXPECT_THAT(line, MatchesRegex(".* [0-9]+B [0-9]+us id=[0-9a-f]{32}.*"));
  }
  EXPECT_TRUE(found);
  EXPECT_FALSE(capture.Contains("Yamada"));
}

// DESIGN invariant 5: request bodies, query values and header values never
// reach an operator log line, on success, on error, or when a handler throws.
TEST_F(ServerTest, NoRequestBodyQueryOrHeaderValueAppearsInAnyLogLine) {
  core::testing::LogCapture capture(/*quiet=*/true);
  ASSERT_THAT(RegisterHealthRoutes(router_), IsOk());
  StartServer(BaseOptions(), [this](const Request& req) -> Response {
    if (req.path == "/throw") throw std::runtime_error("CANARY-EXCEPTION " + req.body);
    return router_.Handle(req);
  });
  const std::string canary = "CANARY-Yamada-Taro";
  const std::string body = R"({"name":")" + canary + R"("})";
  for (std::string target : {"/healthz?name=", "/missing?q=", "/throw?x="}) {
    auto r =
        HttpsRequest(port(), Tls(),
                     BuildRequest("POST", target + canary, "X-Patient: " + canary + "\r\n", body));
    ASSERT_THAT(r, IsOk());
    EXPECT_THAT(r->body, ::testing::Not(HasSubstr(canary)));
  }
  auto bad = HttpsRequest(port(), Tls(), "GET /" + canary + " BOGUS/9\r\n\r\n");
  ASSERT_THAT(bad, IsOk());
  EXPECT_EQ(bad->status, 400);
  server_->Shutdown();
  EXPECT_GE(capture.Lines().size(), 4u);
  EXPECT_FALSE(capture.Contains("CANARY"));
}

}  // namespace
}  // namespace mamori::http
