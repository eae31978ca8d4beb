// SPDX-License-Identifier: Apache-2.0
// OAuth client credentials for systems (issue 7): mutual TLS with
// certificate-bound tokens (RFC 8705) and private_key_jwt (RFC 7523, SMART
// Backend Services) with keys and assertions made by the openssl command line.
#include "auth/oauth.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "auth/testing/in_memory_client_store.h"
#include "core/testing/deterministic_random.h"
#include "core/testing/simulated_clock.h"
#include "core/testing/status_matchers.h"
#include "crypto/testing/openssl_key.h"

namespace mamori::auth {
namespace {

using core::StatusCode;
using core::testing::IsOk;
using core::testing::StatusIs;
using ::testing::HasSubstr;

constexpr char kCertA[] = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
constexpr char kCertB[] = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
constexpr char kTokenUrl[] = "https://mamori.example:8443/oauth2/token";

class OAuthTest : public ::testing::Test {
 protected:
  OAuthTest() {
    clock_.SetNow(core::SimulatedClock::FromUnixSeconds(1'800'000'000));
    OAuthClient lab{.client_id = "lab-analyser",
                    .name = "Lab",
                    .auth_method = "tls_client_auth",
                    .certificate_sha256 = kCertA,
                    .scopes = {"system/Observation.crs", "system/Patient.rs"}};
    EXPECT_THAT(clients_.Save(lab), IsOk());
    OAuthClient emr{.client_id = "emr",
                    .name = "EMR",
                    .auth_method = "private_key_jwt",
                    .jwks = {key_.jwk()},
                    .scopes = {"system/*.rs"}};
    EXPECT_THAT(clients_.Save(emr), IsOk());
  }
  TokenRequest Mtls(std::string cert, std::string scope = "") {
    TokenRequest r{.client_cert_sha256 = std::move(cert), .token_url = kTokenUrl};
    r.form = {{"grant_type", "client_credentials"}, {"client_id", "lab-analyser"}};
    if (!scope.empty()) r.form.emplace_back("scope", scope);
    return r;
  }
  std::string Assertion(std::string jti, int64_t exp_offset = 240, std::string aud = kTokenUrl) {
    int64_t now =
        std::chrono::duration_cast<std::chrono::seconds>(clock_.Now().time_since_epoch()).count();
    std::string claims = R"({"iss":"emr","sub":"emr","aud":")" + aud + R"(","exp":)" +
                         std::to_string(now + exp_offset) + R"(,"jti":")" + jti + R"("})";
    return key_.Sign("ES384", claims, "sha384");
  }
  TokenRequest Jwt(std::string assertion) {
    TokenRequest r{.token_url = kTokenUrl};
    r.form = {{"grant_type", "client_credentials"},
              {"client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
              {"client_assertion", std::move(assertion)},
              {"scope", "system/Observation.rs"}};
    return r;
  }

  core::SimulatedClock clock_;
  core::DeterministicRandom random_{3};
  crypto::testing::OpensslKey key_{"P-384", "emr-key-1"};
  testing::InMemoryClientStore clients_;
  TokenService tokens_{clients_, clock_, random_};
};

TEST_F(OAuthTest, MtlsClientGetsATokenBoundToItsCertificate) {
  std::string why;
  auto token = tokens_.Issue(Mtls(kCertA, "system/Observation.rs"), &why);
  ASSERT_THAT(token, IsOk()) << why;
  EXPECT_EQ(token->scope, "system/Observation.rs");
  EXPECT_EQ(token->expires_in, std::chrono::seconds(300));
  auto access = tokens_.Authenticate(token->access_token, kCertA);
  ASSERT_THAT(access, IsOk());
  EXPECT_EQ(access->principal.role, Role::kSystem);
  EXPECT_EQ(access->principal.account_id, "lab-analyser");
  // A token bound to one certificate is refused with another, or without one.
  EXPECT_THAT(tokens_.Authenticate(token->access_token, kCertB),
              StatusIs(StatusCode::kUnauthenticated, HasSubstr("another client certificate")));
  EXPECT_THAT(tokens_.Authenticate(token->access_token, ""),
              StatusIs(StatusCode::kUnauthenticated));
}

TEST_F(OAuthTest, AnotherCertificateOrNoneGetsNoToken) {
  std::string why;
  EXPECT_THAT(tokens_.Issue(Mtls(kCertB), &why),
              StatusIs(StatusCode::kUnauthenticated, HasSubstr("invalid_client")));
  EXPECT_THAT(tokens_.Issue(Mtls(""), &why),
              StatusIs(StatusCode::kUnauthenticated, HasSubstr("invalid_client")));
}

TEST_F(OAuthTest, ScopesAreLimitedToTheRegistration) {
  std::string why;
  EXPECT_THAT(tokens_.Issue(Mtls(kCertA, "system/Observation.d"), &why),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("invalid_scope")));
  EXPECT_THAT(tokens_.Issue(Mtls(kCertA, "system/Condition.r"), &why),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("invalid_scope")));
  auto all = tokens_.Issue(Mtls(kCertA), &why);
  ASSERT_THAT(all, IsOk());
  EXPECT_EQ(all->scope, "system/Observation.crs system/Patient.rs");
}

TEST_F(OAuthTest, ExpiredTokensAndRevokedOrExpiredClientsAreRefused) {
  std::string why;
  auto token = tokens_.Issue(Mtls(kCertA), &why);
  ASSERT_THAT(token, IsOk());
  clock_.Advance(std::chrono::seconds(300));
  EXPECT_THAT(tokens_.Authenticate(token->access_token, kCertA),
              StatusIs(StatusCode::kUnauthenticated, HasSubstr("expired")));

  auto live = tokens_.Issue(Mtls(kCertA), &why);
  ASSERT_THAT(live, IsOk());
  auto lab = clients_.Find("lab-analyser");
  ASSERT_THAT(lab, IsOk());
  (*lab)->revoked = true;
  ASSERT_THAT(clients_.Save(**lab), IsOk());
  EXPECT_THAT(tokens_.Authenticate(live->access_token, kCertA),
              StatusIs(StatusCode::kUnauthenticated, HasSubstr("revoked")));
  EXPECT_THAT(tokens_.Issue(Mtls(kCertA), &why),
              StatusIs(StatusCode::kUnauthenticated, HasSubstr("revoked")));

  auto emr = clients_.Find("emr");
  (*emr)->not_after = clock_.Now();
  ASSERT_THAT(clients_.Save(**emr), IsOk());
  EXPECT_THAT(tokens_.Issue(Jwt(Assertion("j-exp")), &why),
              StatusIs(StatusCode::kUnauthenticated, HasSubstr("expired")));
}

TEST_F(OAuthTest, PrivateKeyJwtFromOpensslGetsATokenOnce) {
  std::string why;
  std::string assertion = Assertion("jti-1");
  auto token = tokens_.Issue(Jwt(assertion), &why);
  ASSERT_THAT(token, IsOk()) << why;
  EXPECT_EQ(token->scope, "system/Observation.rs");
  EXPECT_THAT(tokens_.Authenticate(token->access_token, ""), IsOk());  // not certificate-bound
  EXPECT_THAT(tokens_.Issue(Jwt(assertion), &why),
              StatusIs(StatusCode::kUnauthenticated, HasSubstr("already used")));
}

TEST_F(OAuthTest, ClientAssertionsAreCheckedClaimByClaim) {
  std::string why;
  EXPECT_THAT(tokens_.Issue(Jwt(Assertion("j1", 240, "https://elsewhere/token")), &why),
              StatusIs(StatusCode::kUnauthenticated, HasSubstr("aud")));
  EXPECT_THAT(tokens_.Issue(Jwt(Assertion("j2", -1)), &why),
              StatusIs(StatusCode::kUnauthenticated, HasSubstr("expired")));
  EXPECT_THAT(tokens_.Issue(Jwt(Assertion("j3", 3600)), &why),
              StatusIs(StatusCode::kUnauthenticated, HasSubstr("5 minutes")));
  crypto::testing::OpensslKey stranger("P-384", "emr-key-1");
  std::string forged =
      stranger.Sign("ES384",
                    R"({"iss":"emr","sub":"emr","aud":")" + std::string(kTokenUrl) +
                        R"(","exp":1800000100,"jti":"j4"})",
                    "sha384");
  EXPECT_THAT(tokens_.Issue(Jwt(forged), &why),
              StatusIs(StatusCode::kUnauthenticated, HasSubstr("signature")));
}

TEST_F(OAuthTest, OnlyClientCredentialsIsSupported) {
  TokenRequest r = Mtls(kCertA);
  r.form[0].second = "password";
  std::string why;
  EXPECT_THAT(tokens_.Issue(r, &why),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("unsupported_grant_type")));
}

TEST(OAuthClientTest, RegistrationsAreValidated) {
  OAuthClient c{.client_id = "x",
                .auth_method = "tls_client_auth",
                .certificate_sha256 = "not-hex",
                .scopes = {"system/Patient.r"}};
  EXPECT_THAT(ValidateClient(c), StatusIs(StatusCode::kInvalidArgument, HasSubstr("SHA-256")));
  c.certificate_sha256 = kCertA;
  EXPECT_THAT(ValidateClient(c), IsOk());
  c.scopes = {"patient/Patient.r"};
  EXPECT_THAT(ValidateClient(c), StatusIs(StatusCode::kInvalidArgument, HasSubstr("system/")));
  c.auth_method = "client_secret_basic";
  EXPECT_THAT(ValidateClient(c), StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace mamori::auth
