// SPDX-License-Identifier: Apache-2.0
#include "crypto/signature.h"

#include <array>
#include <concepts>
#include <fstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/testing/deterministic_random.h"
#include "core/testing/status_matchers.h"
#include "core/testing/temp_dir.h"
#include "crypto/internal/test_vectors.h"

namespace mamori::crypto {
namespace {

using core::StatusCode;
using core::testing::IsOk;
using core::testing::StatusIs;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::StartsWith;

static_assert(!std::is_copy_constructible_v<SigningKey>);
static_assert(!std::equality_comparable<SigningKey>);
static_assert(std::equality_comparable<VerifyingKey>);

// RFC 8032 section 7.1, TEST 2 (one-byte message 0x72), typed.
constexpr std::array<uint8_t, 32> kRfcSecret = {
    0x4c, 0xcd, 0x08, 0x9b, 0x28, 0xff, 0x96, 0xda, 0x9d, 0xb6, 0xc3, 0x46, 0xec, 0x11, 0x4e, 0x0f,
    0x5b, 0x8a, 0x31, 0x9f, 0x35, 0xab, 0xa6, 0x24, 0xda, 0x8c, 0xf6, 0xed, 0x4f, 0xb8, 0xa6, 0xfb};
constexpr std::array<uint8_t, 32> kRfcPublic = {
    0x3d, 0x40, 0x17, 0xc3, 0xe8, 0x43, 0x89, 0x5a, 0x92, 0xb7, 0x0a, 0xa7, 0x4d, 0x1b, 0x7e, 0xbc,
    0x9c, 0x98, 0x2c, 0xcf, 0x2e, 0xc4, 0x96, 0x8c, 0xc0, 0xcd, 0x55, 0xf1, 0x2a, 0xf4, 0x66, 0x0c};
constexpr std::array<uint8_t, 64> kRfcSignature = {
    0x92, 0xa0, 0x09, 0xa9, 0xf0, 0xd4, 0xca, 0xb8, 0x72, 0x0e, 0x82, 0x0b, 0x5f, 0x64, 0x25, 0x40,
    0xa2, 0xb2, 0x7b, 0x54, 0x16, 0x50, 0x3f, 0x8f, 0xb3, 0x76, 0x22, 0x23, 0xeb, 0xdb, 0x69, 0xda,
    0x08, 0x5a, 0xc1, 0xe4, 0x3e, 0x15, 0x99, 0x6e, 0x45, 0x8f, 0x36, 0x13, 0xd0, 0xf1, 0x1d, 0x8c,
    0x38, 0x7b, 0x2e, 0xae, 0xb4, 0x30, 0x2a, 0xee, 0xb0, 0x0d, 0x29, 0x16, 0x12, 0xbb, 0x0c, 0x00};
constexpr std::array<uint8_t, 1> kRfcMessage = {0x72};

class SignatureTest : public ::testing::Test {
 protected:
  core::DeterministicRandom random_{::testing::GTEST_FLAG(random_seed)};
  SigningKey key_ = SigningKey::Generate(random_);
  const std::string message_ = "tree size 42, root 0f1e...";
};

TEST_F(SignatureTest, MatchesRfc8032TestTwo) {
  auto key = SigningKey::Import(kRfcSecret);
  ASSERT_THAT(key, IsOk());
  EXPECT_EQ(key->PublicKey().Raw(), kRfcPublic);
  EXPECT_EQ(key->Sign(kRfcMessage), kRfcSignature);
  auto pub = VerifyingKey::Import(kRfcPublic);
  ASSERT_THAT(pub, IsOk());
  EXPECT_TRUE(pub->Verify(kRfcMessage, kRfcSignature));
}

TEST_F(SignatureTest, VerifyMatchesEveryWycheproofCase) {
  boost::json::value root = test_vectors::Load("wycheproof/ed25519_test.json");
  int run = 0, valid = 0;
  for (const test_vectors::WycheproofCase& c : test_vectors::WycheproofCases(root)) {
    auto pub = VerifyingKey::Import(test_vectors::Hex(c.group->at("publicKey").as_object(), "pk"));
    ASSERT_THAT(pub, IsOk()) << "tcId " << c.tc_id;
    bool verified =
        pub->Verify(test_vectors::Hex(*c.test, "msg"), test_vectors::Hex(*c.test, "sig"));
    EXPECT_EQ(verified, c.result == "valid") << "tcId " << c.tc_id << " " << c.test->at("comment");
    valid += c.result == "valid";
    ++run;
  }
  EXPECT_EQ(run, 151);
  EXPECT_EQ(valid, 88);
}

TEST_F(SignatureTest, WycheproofPemPublicKeysParseToTheRawKeys) {
  boost::json::value root = test_vectors::Load("wycheproof/ed25519_test.json");
  int run = 0;
  for (const auto& group : root.at("testGroups").as_array()) {
    auto pub = VerifyingKey::FromPem(group.at("publicKeyPem").as_string());
    ASSERT_THAT(pub, IsOk());
    EXPECT_THAT(pub->Raw(),
                ElementsAreArray(test_vectors::Hex(group.at("publicKey").as_object(), "pk")));
    ++run;
  }
  EXPECT_EQ(run, 78);
}

TEST_F(SignatureTest, SignedMessageVerifies) {
  Ed25519Signature sig = key_.Sign(AsBytes(message_));
  EXPECT_TRUE(key_.PublicKey().Verify(AsBytes(message_), sig));
}

TEST_F(SignatureTest, VerifyFailsWhenAnyMessageBitIsFlipped) {
  Ed25519Signature sig = key_.Sign(AsBytes(message_));
  VerifyingKey pub = key_.PublicKey();
  for (size_t bit = 0; bit < message_.size() * 8; ++bit) {
    std::string bad = message_;
    bad[bit / 8] ^= static_cast<char>(1 << (bit % 8));
    EXPECT_FALSE(pub.Verify(AsBytes(bad), sig)) << "bit " << bit;
  }
}

TEST_F(SignatureTest, VerifyFailsWhenAnySignatureBitIsFlipped) {
  Ed25519Signature sig = key_.Sign(AsBytes(message_));
  VerifyingKey pub = key_.PublicKey();
  for (size_t bit = 0; bit < sig.size() * 8; ++bit) {
    Ed25519Signature bad = sig;
    bad[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    EXPECT_FALSE(pub.Verify(AsBytes(message_), bad)) << "bit " << bit;
  }
}

TEST_F(SignatureTest, VerifyFailsForSignatureOfWrongLength) {
  Ed25519Signature sig = key_.Sign(AsBytes(message_));
  VerifyingKey pub = key_.PublicKey();
  std::vector<uint8_t> longer(sig.begin(), sig.end());
  longer.push_back(0);
  EXPECT_FALSE(pub.Verify(AsBytes(message_), longer));
  EXPECT_FALSE(pub.Verify(AsBytes(message_), std::span<const uint8_t>(sig).first(63)));
  EXPECT_FALSE(pub.Verify(AsBytes(message_), {}));
}

TEST_F(SignatureTest, VerifyFailsUnderAnotherKey) {
  SigningKey other = SigningKey::Generate(random_);
  EXPECT_FALSE(other.PublicKey().Verify(AsBytes(message_), key_.Sign(AsBytes(message_))));
}

TEST_F(SignatureTest, GenerateIsReproducibleUnderASeededRandom) {
  core::DeterministicRandom a(11), b(11), c(12);
  EXPECT_EQ(SigningKey::Generate(a).PublicKey(), SigningKey::Generate(b).PublicKey());
  core::DeterministicRandom d(11);
  EXPECT_FALSE(SigningKey::Generate(d).PublicKey() == SigningKey::Generate(c).PublicKey());
}

TEST_F(SignatureTest, ImportRejectsWrongSizes) {
  EXPECT_THAT(SigningKey::Import(std::vector<uint8_t>(31)), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(SigningKey::Import(std::vector<uint8_t>(64)), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(VerifyingKey::Import(std::vector<uint8_t>(33)),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(VerifyingKey::Import({}), StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(SignatureTest, SeedExportRoundTrips) {
  auto again = SigningKey::Import(key_.ExportSeed().span());
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(again->PublicKey(), key_.PublicKey());
  EXPECT_EQ(again->Sign(AsBytes(message_)), key_.Sign(AsBytes(message_)));
}

TEST_F(SignatureTest, PemRoundTrips) {
  SecureBytes private_pem = key_.ToPem();
  EXPECT_THAT(std::string(AsStringView(private_pem)), StartsWith("-----BEGIN PRIVATE KEY-----"));
  auto again = SigningKey::FromPem(private_pem.span());
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(again->PublicKey(), key_.PublicKey());

  std::string public_pem = key_.PublicKey().ToPem();
  EXPECT_THAT(public_pem, StartsWith("-----BEGIN PUBLIC KEY-----"));
  auto pub = VerifyingKey::FromPem(public_pem);
  ASSERT_THAT(pub, IsOk());
  EXPECT_EQ(*pub, key_.PublicKey());
}

TEST_F(SignatureTest, FromPemRejectsGarbageAndOtherKeyTypes) {
  EXPECT_THAT(VerifyingKey::FromPem("not a pem"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(SigningKey::FromPem(AsBytes("")), StatusIs(StatusCode::kInvalidArgument));
  // The public PEM is not a private key, and vice versa.
  EXPECT_THAT(SigningKey::FromPem(AsBytes(key_.PublicKey().ToPem())),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(VerifyingKey::FromPem(AsStringView(key_.ToPem())),
              StatusIs(StatusCode::kInvalidArgument));
  // A throwaway P-256 key (openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256).
  constexpr std::string_view kEcKeyPem =
      "-----BEGIN PRIVATE KEY-----\n"
      "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgmlNpoIHsFXYVrnAB\n"
      "fyKW39Kc5z4MzKH60/sGwPCHgYShRANCAARWoV6SYzGlxY06F2l08IvB+I0awNQy\n"
      "wz/n1gccfzHZ9Kup6Hq1f7YGuMG586vTvSSIrgoFjabbZB/+dpEeQ8FC\n"
      "-----END PRIVATE KEY-----\n";
  EXPECT_THAT(SigningKey::FromPem(AsBytes(kEcKeyPem)), StatusIs(StatusCode::kInvalidArgument));
}

void WriteFile(const std::string& path, std::span<const uint8_t> bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(out.good()) << path;
}

// Interoperability: a signature made by mamori verifies with the openssl CLI.
TEST_F(SignatureTest, SignatureVerifiesWithOpensslPkeyutl) {
  std::string dir = core::testing::MakeTempDir();
  WriteFile(dir + "/pub.pem", AsBytes(key_.PublicKey().ToPem()));
  WriteFile(dir + "/msg", AsBytes(message_));
  Ed25519Signature sig = key_.Sign(AsBytes(message_));
  WriteFile(dir + "/sig", sig);
  int rc = -1;
  std::string out = core::testing::RunCommandOutput(
      "openssl pkeyutl -verify -rawin -pubin -inkey " + dir + "/pub.pem -in " + dir +
          "/msg -sigfile " + dir + "/sig 2>&1",
      &rc);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_THAT(out, HasSubstr("Signature Verified Successfully"));

  sig[0] ^= 1;
  WriteFile(dir + "/sig", sig);
  core::testing::RunCommandOutput("openssl pkeyutl -verify -rawin -pubin -inkey " + dir +
                                      "/pub.pem -in " + dir + "/msg -sigfile " + dir + "/sig 2>&1",
                                  &rc);
  EXPECT_NE(rc, 0) << "openssl accepted a corrupted signature";
}

// And the other way: the exported PKCS#8 key signs with openssl, mamori verifies.
TEST_F(SignatureTest, OpensslSignatureWithExportedKeyVerifiesInMamori) {
  std::string dir = core::testing::MakeTempDir();
  WriteFile(dir + "/key.pem", key_.ToPem().span());
  WriteFile(dir + "/msg", AsBytes(message_));
  int rc = -1;
  std::string out =
      core::testing::RunCommandOutput("openssl pkeyutl -sign -rawin -inkey " + dir +
                                          "/key.pem -in " + dir + "/msg -out " + dir + "/sig 2>&1",
                                      &rc);
  ASSERT_EQ(rc, 0) << out;
  std::ifstream in(dir + "/sig", std::ios::binary);
  std::vector<uint8_t> sig((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_EQ(sig.size(), kEd25519SignatureSize);
  EXPECT_TRUE(key_.PublicKey().Verify(AsBytes(message_), sig));
  // Ed25519 is deterministic: openssl's signature is mamori's, byte for byte.
  EXPECT_THAT(key_.Sign(AsBytes(message_)), ElementsAreArray(sig));
}

TEST(SigningKeyDeathTest, SignWithAMovedFromKeyAborts) {
  core::DeterministicRandom random(1);
  SigningKey key = SigningKey::Generate(random);
  SigningKey taken = std::move(key);
  EXPECT_DEATH((void)key.Sign(AsBytes("m")), "key_");  // NOLINT(bugprone-use-after-move)
}

}  // namespace
}  // namespace mamori::crypto
