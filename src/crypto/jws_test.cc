// SPDX-License-Identifier: Apache-2.0
// JWS verification for private_key_jwt (issue 7, SMART Backend Services),
// against keys and signatures made by a real peer: the openssl command line.
#include "crypto/jws.h"

#include <openssl/ecdsa.h>

#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/testing/status_matchers.h"
#include "core/testing/temp_dir.h"
#include "crypto/internal/base64.h"
#include "crypto/internal/hex.h"
#include "crypto/secure_bytes.h"

namespace mamori::crypto {
namespace {

using core::StatusCode;
using core::testing::IsOk;
using core::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

std::string B64Url(std::span<const uint8_t> bytes) {
  std::string s = internal::Base64EncodeUnpadded(bytes);
  for (char& c : s) c = c == '+' ? '-' : c == '/' ? '_' : c;
  return s;
}
std::string B64Url(std::string_view text) { return B64Url(AsBytes(text)); }

std::string Run(const std::string& command) {
  int status = -1;
  std::string out = core::testing::RunCommandOutput(command, &status);
  EXPECT_EQ(status, 0) << command << "\n" << out;
  return out;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// A key made by `openssl genpkey`, its public JWK, and signing through
// `openssl dgst -sign`.
class OpensslKey {
 public:
  OpensslKey(std::string kind, std::string kid) : dir_(core::testing::MakeTempDir()), kid_(kid) {
    key_ = dir_ + "/key.pem";
    if (kind == "P-384" || kind == "P-256") {
      Run("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:" + kind + " -out " + key_);
      Run("openssl pkey -in " + key_ + " -pubout -outform DER -out " + dir_ + "/pub.der");
      std::string der = ReadFile(dir_ + "/pub.der");
      size_t coord = kind == "P-384" ? 48 : 32;
      std::string point = der.substr(der.size() - 2 * coord);  // after the 0x04
      jwk_ = R"({"kty":"EC","crv":")" + kind + R"(","x":")" + B64Url(point.substr(0, coord)) +
             R"(","y":")" + B64Url(point.substr(coord)) + R"(","kid":")" + kid + R"("})";
      ec_half_ = coord;
    } else {
      Run("openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:" + kind + " -out " + key_);
      std::string modulus = Run("openssl rsa -in " + key_ + " -noout -modulus");
      modulus = modulus.substr(modulus.find('=') + 1);
      while (!modulus.empty() && modulus.back() == '\n') modulus.pop_back();
      auto n = internal::HexDecode(modulus);
      jwk_ = R"({"kty":"RSA","n":")" + B64Url(*n) + R"(","e":"AQAB","kid":")" + kid + R"("})";
    }
  }
  // header.payload.signature with `alg` in the header; `digest` for openssl.
  std::string Sign(std::string_view alg, std::string_view payload, std::string digest) const {
    std::string input = B64Url(R"({"alg":")" + std::string(alg) + R"(","kid":")" + kid_ +
                               R"(","typ":"JWT"})") +
                        "." + B64Url(payload);
    std::ofstream(dir_ + "/input", std::ios::binary) << input;
    Run("openssl dgst -" + digest + " -sign " + key_ + " -out " + dir_ + "/sig " + dir_ + "/input");
    std::string sig = ReadFile(dir_ + "/sig");
    if (ec_half_ > 0) sig = DerToRaw(sig);
    return input + "." + B64Url(sig);
  }
  const std::string& jwk() const { return jwk_; }

 private:
  std::string DerToRaw(const std::string& der) const {
    const uint8_t* p = reinterpret_cast<const uint8_t*>(der.data());
    ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size()));
    std::string raw(2 * ec_half_, '\0');
    BN_bn2binpad(ECDSA_SIG_get0_r(sig), reinterpret_cast<uint8_t*>(raw.data()),
                 static_cast<int>(ec_half_));
    BN_bn2binpad(ECDSA_SIG_get0_s(sig), reinterpret_cast<uint8_t*>(raw.data()) + ec_half_,
                 static_cast<int>(ec_half_));
    ECDSA_SIG_free(sig);
    return raw;
  }
  std::string dir_, kid_, key_, jwk_;
  size_t ec_half_ = 0;
};

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
  std::string forged = token.substr(0, dot1 + 1) + B64Url(R"({"iss":"mallory"})") +
                       token.substr(dot2);
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
