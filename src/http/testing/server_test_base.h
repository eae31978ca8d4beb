// SPDX-License-Identifier: Apache-2.0
#pragma once

// ServerTestBase: a GoogleTest fixture that gives each test its own temp
// directory and throwaway PKI, and starts an http::Server on 127.0.0.1 port 0
// (test-only: mamori::http_testing).
//
//   class LimitsTest : public http::testing::ServerTestBase {};
//   TEST_F(LimitsTest, X) {
//     ServerOptions o = BaseOptions();
//     o.header_timeout = std::chrono::milliseconds(300);
//     StartServer(o, [](const Request&) { return Response::Json(200, "{}"); });
//     auto r = HttpsRequest(port(), Tls(), BuildRequest("GET", "/"));
//   }
//
// Thread-safety: the fixture belongs to the test thread.

#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "core/env.h"
#include "core/testing/status_matchers.h"
#include "core/testing/temp_dir.h"
#include "http/server.h"
#include "http/testing/test_client.h"
#include "http/testing/test_pki.h"

namespace mamori::http::testing {

class ServerTestBase : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = core::testing::MakeTempDir();
    core::Result<TestPki> pki = MakeTestPki(dir_);
    ASSERT_TRUE(pki.ok()) << pki.status().ToString();
    pki_ = *pki;
  }

  void TearDown() override {
    if (server_) server_->Shutdown();
  }

  // Port 0, two network threads, four handler threads, the test PKI's
  // server certificate, production limits and timeouts.
  ServerOptions BaseOptions() const {
    ServerOptions o;
    o.listen_address = "127.0.0.1";
    o.port = 0;
    o.threads = 2;
    o.handler_threads = 4;
    o.cert_chain_path = pki_.server_cert;
    o.key_path = pki_.server_key;
    o.drain_timeout = std::chrono::milliseconds(5000);
    return o;
  }

  // Creates and starts the server; fails the test on error.
  void StartServer(const ServerOptions& options, Handler handler) {
    auto server = Server::Create(options, env_, std::move(handler));
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(*server);
    ASSERT_TRUE(server_->Start().ok());
  }

  // The same with a handler that may answer after it returns.
  void StartAsyncServer(const ServerOptions& options, AsyncHandler handler) {
    auto server = Server::CreateAsync(options, env_, std::move(handler));
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(*server);
    ASSERT_TRUE(server_->Start().ok());
  }

  // Client options that trust the test CA.
  TlsClientOptions Tls() const {
    TlsClientOptions t;
    t.ca_path = pki_.ca_cert;
    return t;
  }

  uint16_t port() const { return server_->port(); }

  std::string dir_;
  TestPki pki_;
  core::Env env_ = core::Env::Real();
  std::unique_ptr<Server> server_;
};

}  // namespace mamori::http::testing
