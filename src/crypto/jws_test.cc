// SPDX-License-Identifier: Apache-2.0
// JWS verification for private_key_jwt (issue 7, SMART Backend Services),
// against keys and signatures made by a real peer: the openssl command line.
#include "crypto/jws.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/testing/status_matchers.h"
#include "crypto/testing/openssl_key.h"

namespace mamori::crypto {
namespace {

using core::StatusCode;
using core::testing::IsOk;
using core::testing::StatusIs;
using testing::B64Url;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::OpensslKey;

constexpr char kClaims[] = R"({"iss":"lab","sub":"lab","aud":"https://h/oauth2/token","exp":1})";

JwkPublicKey ParseOk(const std::string& jwk) {
  auto key = JwkPublicKey::Parse(jwk);
  EXPECT_THAT(key, IsOk()) << jwk;
  return std::move(key).value();
}

TEST(JwsTest, Es384FromOpensslVerifiesAndAnyChangeFails) {
  OpensslKey signer("P-384", "k1");
  JwkPublicKey key = ParseOk(signer.jwk());
  std::string token = signer.Sign("ES384", kClaims, "sha384");
  auto verified = VerifyCompactJws(token, {&key, 1});
  ASSERT_THAT(verified, IsOk());
  EXPECT_EQ(verified->payload, kClaims);
  EXPECT_EQ(verified->alg, "ES384");
  // Another payload under the same signature.
  size_t dot1 = token.find('.'), dot2 = token.rfind('.');
  std::string forged =
      token.substr(0, dot1 + 1) + B64Url(R"({"iss":"mallory"})") + token.substr(dot2);
  EXPECT_THAT(VerifyCompactJws(forged, {&key, 1}), StatusIs(StatusCode::kUnauthenticated));
  // A flipped signature character.
  std::string flipped = token;
  flipped[dot2 + 5] = flipped[dot2 + 5] == 'A' ? 'B' : 'A';
  EXPECT_THAT(VerifyCompactJws(flipped, {&key, 1}), StatusIs(StatusCode::kUnauthenticated));
}

TEST(JwsTest, Es256AndRs384FromOpensslVerify) {
  OpensslKey p256("P-256", "k256");
  JwkPublicKey ec = ParseOk(p256.jwk());
  EXPECT_THAT(VerifyCompactJws(p256.Sign("ES256", kClaims, "sha256"), {&ec, 1}), IsOk());
  OpensslKey rsa("2048", "rsa1");
  JwkPublicKey rk = ParseOk(rsa.jwk());
  EXPECT_THAT(VerifyCompactJws(rsa.Sign("RS384", kClaims, "sha384"), {&rk, 1}), IsOk());
  EXPECT_THAT(VerifyCompactJws(rsa.Sign("RS256", kClaims, "sha256"), {&rk, 1}), IsOk());
}

TEST(JwsTest, TheKeyDecidesTheAlgorithmNotTheHeader) {
  OpensslKey signer("P-384", "k1");
  JwkPublicKey key = ParseOk(signer.jwk());
  // Header claims RS384 over an EC key; "none"; HMAC with the public key as secret.
  EXPECT_THAT(VerifyCompactJws(signer.Sign("RS384", kClaims, "sha384"), {&key, 1}),
              StatusIs(StatusCode::kUnauthenticated, HasSubstr("alg")));
  std::string none = B64Url(R"({"alg":"none","kid":"k1"})") + "." + B64Url(kClaims) + ".";
  EXPECT_THAT(VerifyCompactJws(none, {&key, 1}), Not(IsOk()));
  std::string hs = B64Url(R"({"alg":"HS256","kid":"k1"})") + "." + B64Url(kClaims) + ".AAAA";
  EXPECT_THAT(VerifyCompactJws(hs, {&key, 1}), StatusIs(StatusCode::kUnauthenticated));
}

TEST(JwsTest, TheKidSelectsTheKeyAndAnUnknownKidFails) {
  OpensslKey a("P-384", "a"), b("P-384", "b");
  JwkPublicKey keys[] = {ParseOk(a.jwk()), ParseOk(b.jwk())};
  EXPECT_THAT(VerifyCompactJws(b.Sign("ES384", kClaims, "sha384"), keys), IsOk());
  OpensslKey c("P-384", "c");
  EXPECT_THAT(VerifyCompactJws(c.Sign("ES384", kClaims, "sha384"), keys),
              StatusIs(StatusCode::kUnauthenticated, HasSubstr("kid")));
}

TEST(JwsTest, JwkParsingRefusesPrivateWeakAndInvalidKeys) {
  EXPECT_THAT(JwkPublicKey::Parse(R"({"kty":"EC","crv":"P-384","x":"AA","y":"AA","d":"AA"})"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("private")));
  OpensslKey weak("1024", "weak");
  EXPECT_THAT(JwkPublicKey::Parse(weak.jwk()),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("2048")));
  // A point that is not on the curve.
  std::string off(48, '\x01');
  EXPECT_THAT(JwkPublicKey::Parse(R"({"kty":"EC","crv":"P-384","x":")" + B64Url(off) +
                                  R"(","y":")" + B64Url(off) + R"("})"),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(JwkPublicKey::Parse(R"({"kty":"oct","k":"AA"})"),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(JwkPublicKey::Parse("not json"), StatusIs(StatusCode::kInvalidArgument));
}

TEST(JwsTest, MalformedTokensAreInvalidArgument) {
  OpensslKey signer("P-256", "k");
  JwkPublicKey key = ParseOk(signer.jwk());
  for (std::string_view bad : {"", "a.b", "a.b.c.d", "!!!.e30.AA", "e30.e30.AA="}) {
    EXPECT_THAT(VerifyCompactJws(bad, {&key, 1}), StatusIs(StatusCode::kInvalidArgument)) << bad;
  }
}

}  // namespace
}  // namespace mamori::crypto
