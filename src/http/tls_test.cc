// SPDX-License-Identifier: Apache-2.0
// TLS policy (GUIDELINE SYS-31) and mutual TLS (SYS-35) against real
// handshakes. Old protocol versions are offered with the client's security
// level lowered to 0, so that the server, not the client, is what refuses.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/testing/temp_dir.h"
#include "http/server.h"
#include "http/testing/server_test_base.h"

namespace mamori::http {
namespace {

using core::testing::IsOk;
using ::testing::HasSubstr;
using namespace std::chrono_literals;
using testing::BuildRequest;
using testing::HttpsRequest;
using testing::TlsClientOptions;
using testing::TlsConnection;

class TlsTest : public testing::ServerTestBase {
 protected:
  // Answers with "<subject>|<fingerprint>" or "none".
  void StartIdentityServer(ServerOptions o) {
    StartServer(o, [](const Request& req) {
      if (!req.client_certificate) return Response::Json(200, "none");
      return Response::Json(
          200, req.client_certificate->subject + "|" + req.client_certificate->sha256_fingerprint);
    });
  }

  ServerOptions MutualTls(bool required) const {
    ServerOptions o = BaseOptions();
    o.client_ca_path = pki_.ca_cert;
    o.require_client_certificate = required;
    return o;
  }

  TlsClientOptions WithCert(const std::string& cert, const std::string& key) const {
    TlsClientOptions t = Tls();
    t.cert_path = cert;
    t.key_path = key;
    return t;
  }

  TlsClientOptions OldProtocol(int version) const {
    TlsClientOptions t = Tls();
    t.min_version = version;
    t.max_version = version;
    t.security_level = 0;
    return t;
  }

  TlsClientOptions Tls12With(const std::string& ciphers) const {
    TlsClientOptions t = Tls();
    t.max_version = TLS1_2_VERSION;
    t.tls12_ciphers = ciphers;
    return t;
  }
};

TEST_F(TlsTest, Tls13HandshakeSucceedsAndResponseCarriesHsts) {
  StartIdentityServer(BaseOptions());
  auto conn = TlsConnection::Connect(port(), Tls());
  ASSERT_THAT(conn, IsOk());
  EXPECT_EQ((*conn)->protocol(), "TLSv1.3");
  ASSERT_THAT((*conn)->Send(BuildRequest("GET", "/")), IsOk());
  auto r = (*conn)->ReadResponse();
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->Header("Strict-Transport-Security"), "max-age=63072000; includeSubDomains");
}

TEST_F(TlsTest, Tls12WithEcdheAeadSuiteSucceeds) {
  StartIdentityServer(BaseOptions());
  for (std::string suite : {"ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384",
                            "ECDHE-ECDSA-CHACHA20-POLY1305"}) {
    auto conn = TlsConnection::Connect(port(), Tls12With(suite));
    ASSERT_THAT(conn, IsOk()) << suite;
    EXPECT_EQ((*conn)->protocol(), "TLSv1.2");
    EXPECT_EQ((*conn)->cipher(), suite);
  }
}

TEST_F(TlsTest, Tls11HandshakeFails) {
  StartIdentityServer(BaseOptions());
  EXPECT_FALSE(TlsConnection::Connect(port(), OldProtocol(TLS1_1_VERSION)).ok());
}

TEST_F(TlsTest, Tls10HandshakeFails) {
  StartIdentityServer(BaseOptions());
  EXPECT_FALSE(TlsConnection::Connect(port(), OldProtocol(TLS1_VERSION)).ok());
}

TEST_F(TlsTest, OpensslSClientWithTls11Fails) {
  StartIdentityServer(BaseOptions());
  std::string base = "openssl s_client -connect 127.0.0.1:" + std::to_string(port()) + " -CAfile " +
                     pki_.ca_cert + " -cipher DEFAULT@SECLEVEL=0 </dev/null >" + dir_ +
                     "/s_client.log 2>&1";
  EXPECT_NE(core::testing::RunCommand(base + " -tls1_1"), 0);
  EXPECT_NE(core::testing::RunCommand(base + " -tls1"), 0);
  EXPECT_EQ(core::testing::RunCommand(base + " -tls1_3"), 0);  // control: the probe works
}

TEST_F(TlsTest, Tls12NonAeadSuitesAreRefused) {
  StartIdentityServer(BaseOptions());
  for (std::string suite : {"ECDHE-ECDSA-AES128-SHA", "ECDHE-ECDSA-AES128-SHA256",
                            "ECDHE-ECDSA-AES256-SHA384", "AES128-SHA256", "AES128-GCM-SHA256"}) {
    TlsClientOptions t = Tls12With(suite);
    t.security_level = 0;
    EXPECT_FALSE(TlsConnection::Connect(port(), t).ok()) << suite;
  }
}

// SYS-33: there is no plaintext listener, and plain HTTP sent to the TLS port
// gets no HTTP answer at all, let alone resource data.
TEST_F(TlsTest, PlainHttpOnTheTlsPortGetsNoHttpResponse) {
  StartIdentityServer(BaseOptions());
  auto raw = testing::RawConnection::Connect(port());
  ASSERT_THAT(raw, IsOk());
  ASSERT_THAT((*raw)->Send(BuildRequest("GET", "/")), IsOk());
  std::string reply = (*raw)->ReadUntilClose(5s);
  EXPECT_EQ(reply.find("HTTP/1."), std::string::npos);
  EXPECT_EQ(reply.find("none"), std::string::npos);
}

TEST_F(TlsTest, ClientCertificateFromConfiguredCaReachesHandler) {
  StartIdentityServer(MutualTls(/*required=*/true));
  auto r =
      HttpsRequest(port(), WithCert(pki_.client_cert, pki_.client_key), BuildRequest("GET", "/"));
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->status, 200);
  std::string fingerprint = testing::CertificateFingerprint(pki_.client_cert);
  ASSERT_EQ(fingerprint.size(), 64u);
  EXPECT_EQ(r->body, pki_.client_subject + "|" + fingerprint);
}

TEST_F(TlsTest, ClientCertificateFromUnknownCaFailsHandshake) {
  StartIdentityServer(MutualTls(/*required=*/false));
  auto r = HttpsRequest(port(), WithCert(pki_.foreign_client_cert, pki_.foreign_client_key),
                        BuildRequest("GET", "/"));
  EXPECT_FALSE(r.ok());
  TlsClientOptions tls12 = WithCert(pki_.foreign_client_cert, pki_.foreign_client_key);
  tls12.max_version = TLS1_2_VERSION;  // with 1.2 the handshake itself fails
  EXPECT_FALSE(TlsConnection::Connect(port(), tls12).ok());
}

TEST_F(TlsTest, ExpiredClientCertificateFailsHandshake) {
  StartIdentityServer(MutualTls(/*required=*/false));
  auto r = HttpsRequest(port(), WithCert(pki_.expired_client_cert, pki_.expired_client_key),
                        BuildRequest("GET", "/"));
  EXPECT_FALSE(r.ok());
}

TEST_F(TlsTest, MissingClientCertificateFailsWhenRequired) {
  StartIdentityServer(MutualTls(/*required=*/true));
  auto r = HttpsRequest(port(), Tls(), BuildRequest("GET", "/"));
  EXPECT_FALSE(r.ok());
}

TEST_F(TlsTest, MissingClientCertificateIsAllowedWhenOptional) {
  StartIdentityServer(MutualTls(/*required=*/false));
  auto r = HttpsRequest(port(), Tls(), BuildRequest("GET", "/"));
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->body, "none");
}

TEST_F(TlsTest, ServerKeepsServingAfterFailedHandshakes) {
  StartIdentityServer(MutualTls(/*required=*/true));
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(HttpsRequest(port(), Tls(), BuildRequest("GET", "/")).ok());
  }
  auto r =
      HttpsRequest(port(), WithCert(pki_.client_cert, pki_.client_key), BuildRequest("GET", "/"));
  ASSERT_THAT(r, IsOk());
  EXPECT_THAT(r->body, HasSubstr("CN=emr-01"));
}

}  // namespace
}  // namespace mamori::http
