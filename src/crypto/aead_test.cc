// SPDX-License-Identifier: Apache-2.0
#include "crypto/aead.h"

#include <algorithm>
#include <concepts>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/mman.h>

#include "core/testing/deterministic_random.h"
#include "core/testing/status_matchers.h"
#include "crypto/internal/hex.h"

namespace mamori::crypto {
namespace {

using core::StatusCode;
using core::testing::IsOk;
using core::testing::IsOkAndHolds;
using core::testing::StatusIs;

static_assert(!std::is_copy_constructible_v<AeadKey>);
static_assert(!std::is_copy_assignable_v<AeadKey>);
static_assert(!std::equality_comparable<AeadKey>);
static_assert(Aead::kHeaderSize == 30 && Aead::kOverhead == 46);

// Hands out preset bytes, so the worked example has a known nonce.
class FixedRandom final : public core::Random {
 public:
  explicit FixedRandom(std::vector<uint8_t> bytes) : bytes_(std::move(bytes)) {}
  void Fill(std::span<uint8_t> out) override {
    ASSERT_LE(out.size(), bytes_.size());
    std::copy_n(bytes_.begin(), out.size(), out.begin());
  }

 private:
  std::vector<uint8_t> bytes_;
};

std::vector<uint8_t> Range(uint8_t first, size_t n) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(first + i);
  return v;
}

AeadKey ImportKey(uint8_t id_first, uint8_t key_first) {
  auto id = AeadKeyId::FromBytes(Range(id_first, AeadKeyId::kSize));
  EXPECT_THAT(id, IsOk());
  auto key = AeadKey::Import(*id, Range(key_first, AeadKey::kSize));
  EXPECT_THAT(key, IsOk());
  return std::move(key).value();
}

std::span<const uint8_t> Span(const std::string& s) { return AsBytes(s); }

class AeadTest : public ::testing::Test {
 protected:
  std::string Seal(std::string_view plaintext, std::string_view aad) {
    auto envelope = Aead::Seal(key_, AsBytes(plaintext), AsBytes(aad), random_);
    EXPECT_THAT(envelope, IsOk());
    return envelope.ok() ? *envelope : std::string();
  }

  core::DeterministicRandom random_{::testing::GTEST_FLAG(random_seed)};
  AeadKey key_ = AeadKey::Generate(random_);
  const std::string aad_ = "Patient/123/_history/2";
  const std::string plaintext_ = R"({"resourceType":"Patient","name":[{"family":"Yamada"}]})";
};

// The worked example in FORMAT.md, byte for byte; it was computed with an
// independent AES-GCM implementation (Python `cryptography`).
TEST_F(AeadTest, SealMatchesTheWorkedExampleInFormatMd) {
  AeadKey key = ImportKey(0xa0, 0x00);
  FixedRandom nonce(Range(0xb0, Aead::kNonceSize));
  auto envelope = Aead::Seal(key, AsBytes(R"({"resourceType":"Patient"})"), AsBytes(aad_), nonce);
  ASSERT_THAT(envelope, IsOk());
  EXPECT_EQ(internal::HexEncode(Span(*envelope)),
            "0101a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babb"
            "e27728ce9fa2ce2d249dc3dbbd38aaf8a66c28a67c4be1417cb3"
            "2497900d1ce470cab8cb6aceeccbf9ca");
}

TEST_F(AeadTest, OpenReturnsWhatSealSealed) {
  std::string envelope = Seal(plaintext_, aad_);
  EXPECT_EQ(envelope.size(), plaintext_.size() + Aead::kOverhead);
  auto opened = Aead::Open(key_, Span(envelope), AsBytes(aad_));
  ASSERT_THAT(opened, IsOk());
  EXPECT_EQ(AsStringView(*opened), plaintext_);
}

TEST_F(AeadTest, EmptyPlaintextAndEmptyAadRoundTrip) {
  std::string envelope = Seal("", "");
  EXPECT_EQ(envelope.size(), Aead::kOverhead);
  auto opened = Aead::Open(key_, Span(envelope), {});
  ASSERT_THAT(opened, IsOk());
  EXPECT_TRUE(opened->empty());
}

TEST_F(AeadTest, HeaderCarriesVersionAlgorithmAndKeyId) {
  std::string envelope = Seal(plaintext_, aad_);
  EXPECT_EQ(static_cast<uint8_t>(envelope[Aead::kVersionOffset]), Aead::kVersion1);
  EXPECT_EQ(static_cast<uint8_t>(envelope[Aead::kAlgorithmOffset]), Aead::kAlgorithmAes256Gcm);
  EXPECT_THAT(Aead::EnvelopeKeyId(Span(envelope)), IsOkAndHolds(key_.id()));
}

TEST_F(AeadTest, SealUsesAFreshNonceEachTime) {
  std::string a = Seal(plaintext_, aad_);
  std::string b = Seal(plaintext_, aad_);
  EXPECT_NE(a.substr(Aead::kNonceOffset, Aead::kNonceSize),
            b.substr(Aead::kNonceOffset, Aead::kNonceSize));
  EXPECT_NE(a, b);
}

TEST_F(AeadTest, OpenFailsWhenTagBitIsFlipped) {
  std::string envelope = Seal(plaintext_, aad_);
  for (size_t bit = 0; bit < Aead::kTagSize * 8; ++bit) {
    std::string bad = envelope;
    bad[bad.size() - Aead::kTagSize + bit / 8] ^= static_cast<char>(1 << (bit % 8));
    EXPECT_THAT(Aead::Open(key_, Span(bad), AsBytes(aad_)), StatusIs(StatusCode::kDataLoss))
        << "tag bit " << bit;
  }
}

TEST_F(AeadTest, OpenFailsWhenAnyCiphertextOrNonceByteChanges) {
  std::string envelope = Seal(plaintext_, aad_);
  for (size_t i = Aead::kNonceOffset; i < envelope.size() - Aead::kTagSize; ++i) {
    std::string bad = envelope;
    bad[i] ^= 0x01;
    EXPECT_THAT(Aead::Open(key_, Span(bad), AsBytes(aad_)), StatusIs(StatusCode::kDataLoss))
        << "byte " << i;
  }
}

// SYS-60: a ciphertext copied to another resource's row must not open there.
TEST_F(AeadTest, OpenFailsWithWrongAad) {
  std::string envelope = Seal(plaintext_, aad_);
  EXPECT_THAT(Aead::Open(key_, Span(envelope), AsBytes("Patient/124/_history/2")),
              StatusIs(StatusCode::kDataLoss));
  EXPECT_THAT(Aead::Open(key_, Span(envelope), AsBytes("Patient/123/_history/1")),
              StatusIs(StatusCode::kDataLoss));
  EXPECT_THAT(Aead::Open(key_, Span(envelope), {}), StatusIs(StatusCode::kDataLoss));
}

TEST_F(AeadTest, OpenFailsWithWrongKeyBytesUnderTheSameId) {
  std::string envelope = Seal(plaintext_, aad_);
  auto impostor = AeadKey::Import(key_.id(), std::vector<uint8_t>(AeadKey::kSize, 0x42));
  ASSERT_THAT(impostor, IsOk());
  EXPECT_THAT(Aead::Open(*impostor, Span(envelope), AsBytes(aad_)),
              StatusIs(StatusCode::kDataLoss));
}

TEST_F(AeadTest, OpenRejectsAKeyWithAnotherId) {
  std::string envelope = Seal(plaintext_, aad_);
  AeadKey other = AeadKey::Generate(random_);
  EXPECT_THAT(Aead::Open(other, Span(envelope), AsBytes(aad_)),
              StatusIs(StatusCode::kInvalidArgument));
}

// The key id is authenticated: rewriting it to name another key fails even
// when that key is the one used to open.
TEST_F(AeadTest, OpenFailsWhenKeyIdIsRewrittenToAnotherKey) {
  std::string envelope = Seal(plaintext_, aad_);
  AeadKey other = AeadKey::Generate(random_);
  std::copy(other.id().bytes().begin(), other.id().bytes().end(),
            envelope.begin() + Aead::kKeyIdOffset);
  EXPECT_THAT(Aead::Open(other, Span(envelope), AsBytes(aad_)), StatusIs(StatusCode::kDataLoss));
}

TEST_F(AeadTest, OpenRejectsUnknownVersions) {
  std::string envelope = Seal(plaintext_, aad_);
  for (int version : {0x00, 0x02, 0x7f, 0xff}) {
    std::string bad = envelope;
    bad[Aead::kVersionOffset] = static_cast<char>(version);
    EXPECT_THAT(Aead::Open(key_, Span(bad), AsBytes(aad_)), StatusIs(StatusCode::kInvalidArgument))
        << "version " << version;
  }
}

TEST_F(AeadTest, OpenRejectsUnknownAlgorithms) {
  std::string envelope = Seal(plaintext_, aad_);
  for (int algorithm : {0x00, 0x02, 0xff}) {
    std::string bad = envelope;
    bad[Aead::kAlgorithmOffset] = static_cast<char>(algorithm);
    EXPECT_THAT(Aead::Open(key_, Span(bad), AsBytes(aad_)), StatusIs(StatusCode::kInvalidArgument))
        << "algorithm " << algorithm;
  }
}

TEST_F(AeadTest, OpenRejectsEveryPrefixShorterThanTheHeader) {
  std::string envelope = Seal(plaintext_, aad_);
  for (size_t n = 0; n < Aead::kHeaderSize; ++n) {
    EXPECT_THAT(Aead::Open(key_, Span(envelope.substr(0, n)), AsBytes(aad_)),
                StatusIs(StatusCode::kInvalidArgument))
        << "length " << n;
  }
}

TEST_F(AeadTest, OpenFailsOnEveryTruncationAfterTheHeader) {
  std::string envelope = Seal(plaintext_, aad_);
  for (size_t n = Aead::kHeaderSize; n < envelope.size(); ++n) {
    EXPECT_THAT(Aead::Open(key_, Span(envelope.substr(0, n)), AsBytes(aad_)),
                StatusIs(StatusCode::kDataLoss))
        << "length " << n;
  }
}

TEST_F(AeadTest, OpenFailsWhenBytesAreAppended) {
  std::string envelope = Seal(plaintext_, aad_) + std::string(1, '\0');
  EXPECT_THAT(Aead::Open(key_, Span(envelope), AsBytes(aad_)), StatusIs(StatusCode::kDataLoss));
}

TEST_F(AeadTest, EnvelopeKeyIdRejectsShortAndUnknownEnvelopes) {
  EXPECT_THAT(Aead::EnvelopeKeyId({}), StatusIs(StatusCode::kInvalidArgument));
  std::string envelope = Seal(plaintext_, aad_);
  envelope[Aead::kVersionOffset] = 0x09;
  EXPECT_THAT(Aead::EnvelopeKeyId(Span(envelope)), StatusIs(StatusCode::kInvalidArgument));
}

// An over-long input is refused before a byte of it is read, so the test maps
// address space without touching it.
class HugeMapping {
 public:
  explicit HugeMapping(size_t size) : size_(size) {
    void* p = mmap(nullptr, size_, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    data_ = p == MAP_FAILED ? nullptr : static_cast<uint8_t*>(p);
  }
  ~HugeMapping() {
    if (data_ != nullptr) munmap(data_, size_);
  }
  std::span<uint8_t> span() { return {data_, size_}; }
  bool ok() const { return data_ != nullptr; }

 private:
  size_t size_;
  uint8_t* data_;
};

TEST_F(AeadTest, SealRejectsPlaintextOverTheLimit) {
  HugeMapping huge(Aead::kMaxPlaintextSize + 1);
  ASSERT_TRUE(huge.ok());
  EXPECT_THAT(Aead::Seal(key_, huge.span(), {}, random_), StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(AeadTest, OpenRejectsEnvelopeOverTheLimit) {
  HugeMapping huge(Aead::kMaxPlaintextSize + Aead::kOverhead + 1);
  ASSERT_TRUE(huge.ok());
  std::string header = Seal("", "").substr(0, Aead::kHeaderSize);
  std::copy(header.begin(), header.end(), huge.span().begin());
  EXPECT_THAT(Aead::Open(key_, huge.span(), {}), StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(AeadTest, SealAndOpenRejectAadOverTheLimit) {
  std::vector<uint8_t> aad(Aead::kMaxAadSize + 1, 'a');
  EXPECT_THAT(Aead::Seal(key_, {}, aad, random_), StatusIs(StatusCode::kInvalidArgument));
  std::string envelope = Seal("x", "");
  EXPECT_THAT(Aead::Open(key_, Span(envelope), aad), StatusIs(StatusCode::kInvalidArgument));
  aad.pop_back();
  auto sealed = Aead::Seal(key_, {}, aad, random_);
  ASSERT_THAT(sealed, IsOk());
  EXPECT_THAT(Aead::Open(key_, Span(*sealed), aad), IsOk());
}

TEST(AeadKeyTest, ImportRejectsKeysThatAreNot32Bytes) {
  for (size_t size : {0, 16, 31, 33, 64}) {
    EXPECT_THAT(AeadKey::Import(AeadKeyId(), std::vector<uint8_t>(size, 1)),
                StatusIs(StatusCode::kInvalidArgument))
        << size;
  }
}

TEST(AeadKeyTest, KeyIdFromBytesRejectsWrongSizes) {
  EXPECT_THAT(AeadKeyId::FromBytes(std::vector<uint8_t>(15)),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(AeadKeyId::FromBytes(std::vector<uint8_t>(17)),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(AeadKeyId::FromBytes(Range(0xa0, 16))->ToHex(), "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf");
}

TEST(AeadKeyTest, GenerateIsReproducibleUnderASeededRandom) {
  core::DeterministicRandom a(5), b(5), c(6);
  AeadKey x = AeadKey::Generate(a), y = AeadKey::Generate(b), z = AeadKey::Generate(c);
  EXPECT_EQ(x.id(), y.id());
  EXPECT_TRUE(ConstantTimeEquals(x.ExportKeyBytes(), y.ExportKeyBytes()));
  EXPECT_NE(x.id(), z.id());
  EXPECT_FALSE(ConstantTimeEquals(x.ExportKeyBytes(), z.ExportKeyBytes()));
}

TEST(AeadKeyTest, CloneOpensWhatTheOriginalSealed) {
  core::DeterministicRandom random(9);
  AeadKey key = AeadKey::Generate(random);
  AeadKey clone = key.Clone();
  auto envelope = Aead::Seal(key, AsBytes("x"), {}, random);
  ASSERT_THAT(envelope, IsOk());
  EXPECT_THAT(Aead::Open(clone, Span(*envelope), {}), IsOk());
}

TEST(AeadDeathTest, SealWithAMovedFromKeyAborts) {
  core::DeterministicRandom random(9);
  AeadKey key = AeadKey::Generate(random);
  AeadKey taken = std::move(key);
  EXPECT_DEATH((void)Aead::Seal(key, {}, {}, random), "bytes_");  // NOLINT(bugprone-use-after-move)
}

TEST(AeadDeathTest, OpenWithAMovedFromKeyAborts) {
  core::DeterministicRandom random(9);
  AeadKey key = AeadKey::Generate(random);
  auto envelope = Aead::Seal(key, {}, {}, random);
  ASSERT_THAT(envelope, IsOk());
  AeadKey taken = std::move(key);
  EXPECT_DEATH((void)Aead::Open(key, Span(*envelope), {}), "bytes_");  // NOLINT
}

// The fuzz corpus's main seed is a genuine envelope (README.md "Testing"), so
// the fuzz target reaches tag verification with it.
TEST(AeadFuzzCorpusTest, SeedEnvelopeOpensUnderTheFuzzKeyWithItsOwnAad) {
  std::ifstream in(
      std::string(MAMORI_TEST_SRCDIR) + "/aead_envelope_corpus/valid_envelope_other_aad",
      std::ios::binary);
  std::string envelope((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_EQ(envelope.size(), 38 + Aead::kOverhead);
  std::array<uint8_t, AeadKeyId::kSize> id;
  id.fill(0x11);
  auto key = AeadKey::Import(AeadKeyId(id), std::vector<uint8_t>(AeadKey::kSize, 0x22));
  ASSERT_THAT(key, IsOk());
  auto opened = Aead::Open(*key, Span(envelope), AsBytes("seed-aad"));
  ASSERT_THAT(opened, IsOk());
  EXPECT_EQ(AsStringView(*opened), R"({"resourceType":"Patient","id":"seed"})");
  EXPECT_THAT(Aead::Open(*key, Span(envelope), AsBytes("mamori-fuzz")),
              StatusIs(StatusCode::kDataLoss));
}

}  // namespace
}  // namespace mamori::crypto
