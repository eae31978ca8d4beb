// SPDX-License-Identifier: Apache-2.0
// The body codec (store/SCHEMA.md "Body encoding"): compressed when smaller,
// old bodies (plain JSON) read unchanged, and a frame that declares more than
// the limit is refused before anything is allocated.
#include "store/internal/body_codec.h"

#include <zdict.h>
#include <zstd.h>

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/testing/status_matchers.h"
#include "crypto/hash.h"
#include "crypto/hex.h"
#include "store/internal/body_samples.h"

namespace mamori::store::internal {
namespace {

using core::StatusCode;
using core::testing::IsOk;
using core::testing::StatusIs;
using ::testing::HasSubstr;

using testing::Observation;

std::string Frame(const std::string& plain, bool with_size = true, bool with_dictionary = false) {
  ZSTD_CCtx* ctx = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(ctx, ZSTD_c_contentSizeFlag, with_size ? 1 : 0);
  if (with_dictionary) {
    std::string_view dict = BodyDictionary1();
    ZSTD_CCtx_loadDictionary(ctx, dict.data(), dict.size());
  }
  std::string out(ZSTD_compressBound(plain.size()), '\0');
  size_t n = ZSTD_compress2(ctx, out.data(), out.size(), plain.data(), plain.size());
  ZSTD_freeCCtx(ctx);
  EXPECT_FALSE(ZSTD_isError(n));
  out.resize(n);
  return out;
}

// A zstd frame header that declares `size` bytes (single segment, 8-byte
// Frame_Content_Size) followed by one last RLE block of 4 bytes: RFC 8878 §3.1.1.
std::string FrameDeclaring(uint64_t size) {
  std::string f = {'\x28', '\xb5', '\x2f', '\xfd', '\xe0'};
  for (int i = 0; i < 8; ++i) f.push_back(static_cast<char>((size >> (8 * i)) & 0xff));
  // Block header: last = 1, type = 1 (RLE), size = 4 → (4 << 3) | (1 << 1) | 1.
  f += {'\x23', '\x00', '\x00', 'x'};
  return f;
}

TEST(BodyCodecTest, FhirJsonIsCompressedAndDecodesToTheSameBytes) {
  std::string json = Observation();
  std::string encoded = EncodeBody(json);
  ASSERT_FALSE(encoded.empty());
  EXPECT_EQ(static_cast<uint8_t>(encoded[0]), kBodyCodecZstdDictionary1);
  EXPECT_LT(encoded.size(), json.size() / 2) << "FHIR JSON should compress well";
  EXPECT_EQ(ZSTD_getDictID_fromFrame(encoded.data() + 1, encoded.size() - 1), kBodyDictionary1Id);
  auto decoded = DecodeBody(encoded);
  ASSERT_THAT(decoded, IsOk());
  EXPECT_EQ(*decoded, json);
}

// The dictionary is part of the on-disk format: every body written with codec
// 0x02 needs these exact bytes to decompress. Regenerating it (another zstd,
// another Python) would make stored bodies unreadable, so its digest is pinned.
TEST(BodyCodecTest, TheEmbeddedDictionaryIsTheCommittedOneByteForByte) {
  std::string_view dict = BodyDictionary1();
  ASSERT_EQ(dict.size(), 16384u);
  EXPECT_EQ(ZDICT_getDictID(dict.data(), dict.size()), kBodyDictionary1Id);
  EXPECT_EQ(crypto::HexEncode(crypto::Sha256(crypto::AsBytes(dict))),
            "cf8560ee98bb8b2f22a4c7f1233a79a369378ca54dee8765c4bcf56e08b78d08");
}

// The dictionary helps: the same body is smaller with it than without.
TEST(BodyCodecTest, TheDictionaryMakesBodiesSmallerThanPlainZstd) {
  std::string json = Observation();
  EXPECT_LT(EncodeBody(json).size() + 40, 1 + Frame(json).size());
}

// Codec 0x01 (zstd without a dictionary) is read still, though no longer
// written.
TEST(BodyCodecTest, FramesWithoutADictionaryStillDecode) {
  auto decoded = DecodeBody(std::string(1, '\x01') + Frame(Observation()));
  ASSERT_THAT(decoded, IsOk());
  EXPECT_EQ(*decoded, Observation());
}

TEST(BodyCodecTest, AFrameMustNameTheDictionaryItsCodecStandsFor) {
  auto with_dict = DecodeBody(std::string(1, '\x01') + Frame(Observation(), true, true));
  EXPECT_THAT(with_dict, StatusIs(StatusCode::kDataLoss));
  EXPECT_THAT(with_dict.status().message(), HasSubstr("names a dictionary"));
  auto without = DecodeBody(std::string(1, '\x02') + Frame(Observation()));
  EXPECT_THAT(without, StatusIs(StatusCode::kDataLoss));
  EXPECT_THAT(without.status().message(), HasSubstr("another dictionary"));
  auto right = DecodeBody(std::string(1, '\x02') + Frame(Observation(), true, true));
  ASSERT_THAT(right, IsOk());
  EXPECT_EQ(*right, Observation());
}

TEST(BodyCodecTest, ABodyThatDoesNotShrinkIsStoredAsIs) {
  for (std::string json : {std::string("{}"), std::string(R"({"id":"q8Zk3WfP"})"),
                           std::string(R"({"a":"q8Zk3WfP0xTn9LrB7vYc2HdJ5sMg1Ue4"})")}) {
    EXPECT_EQ(EncodeBody(json), json);
    auto decoded = DecodeBody(json);
    ASSERT_THAT(decoded, IsOk());
    EXPECT_EQ(*decoded, json);
  }
}

TEST(BodyCodecTest, TheEmptyTombstoneBodyStaysEmpty) {
  EXPECT_EQ(EncodeBody(""), "");
  auto decoded = DecodeBody("");
  ASSERT_THAT(decoded, IsOk());
  EXPECT_EQ(*decoded, "");
}

// Every body written before compression is its JSON, which begins with '{'
// or JSON whitespace: those read back unchanged.
TEST(BodyCodecTest, BodiesWrittenBeforeCompressionDecodeUnchanged) {
  for (std::string old : {Observation(), std::string("\n {\"a\":1}"), std::string("\t{}"),
                          std::string("\r\n[]"), std::string("plain text")}) {
    auto decoded = DecodeBody(old);
    ASSERT_THAT(decoded, IsOk());
    EXPECT_EQ(*decoded, old);
  }
}

// The store does not know FHIR: a body that itself begins with a codec byte
// gets the identity prefix, so it is never mistaken for a compressed one.
TEST(BodyCodecTest, ABodyStartingWithAReservedByteGetsTheIdentityPrefix) {
  for (std::string body :
       {std::string("\x01zz", 3), std::string("\x00", 1), std::string("\x07 short", 7)}) {
    std::string encoded = EncodeBody(body);
    EXPECT_EQ(encoded, std::string(1, '\0') + body);
    auto decoded = DecodeBody(encoded);
    ASSERT_THAT(decoded, IsOk());
    EXPECT_EQ(*decoded, body);
  }
  std::string long_body = std::string(1, '\x01') + Observation();
  auto decoded = DecodeBody(EncodeBody(long_body));
  ASSERT_THAT(decoded, IsOk());
  EXPECT_EQ(*decoded, long_body);
}

TEST(BodyCodecTest, AReservedCodecByteIsDataLoss) {
  auto decoded = DecodeBody(std::string("\x03") + Frame(Observation()));
  EXPECT_THAT(decoded, StatusIs(StatusCode::kDataLoss));
  EXPECT_THAT(decoded.status().message(), HasSubstr("unknown body codec 3"));
}

// Zip bomb: a megabyte of zeros compresses to a few dozen bytes; with a
// limit below its size the frame is refused by its declared size.
TEST(BodyCodecTest, AFrameDeclaringMoreThanTheLimitIsRefused) {
  std::string zeros(1 << 20, '\0');
  std::string encoded = std::string(1, '\x01') + Frame(zeros);
  ASSERT_LT(encoded.size(), 200u);
  EXPECT_THAT(DecodeBody(encoded, size_t{1} << 20), IsOk());
  auto refused = DecodeBody(encoded, 64 * 1024);
  EXPECT_THAT(refused, StatusIs(StatusCode::kDataLoss));
  EXPECT_THAT(refused.status().message(), HasSubstr("over the limit"));
}

// A frame claiming a terabyte with the default limit (1 GiB) is refused from
// its header: nothing the size of the claim is allocated (the test would
// die of memory otherwise).
TEST(BodyCodecTest, AFrameClaimingATerabyteIsRefusedUnderTheDefaultLimit) {
  auto refused = DecodeBody(std::string(1, '\x01') + FrameDeclaring(uint64_t{1} << 40));
  EXPECT_THAT(refused, StatusIs(StatusCode::kDataLoss));
  EXPECT_THAT(refused.status().message(), HasSubstr("over the limit"));
  // The same header declaring its true size (4 bytes) decodes.
  auto fine = DecodeBody(std::string(1, '\x01') + FrameDeclaring(4));
  ASSERT_THAT(fine, IsOk());
  EXPECT_EQ(*fine, "xxxx");
}

TEST(BodyCodecTest, AFrameThatLiesAboutItsSizeIsDataLoss) {
  // Declares 8 bytes, holds 4.
  EXPECT_THAT(DecodeBody(std::string(1, '\x01') + FrameDeclaring(8)),
              StatusIs(StatusCode::kDataLoss));
}

TEST(BodyCodecTest, AFrameWithoutItsContentSizeIsDataLoss) {
  auto refused = DecodeBody(std::string(1, '\x01') + Frame(Observation(), false));
  EXPECT_THAT(refused, StatusIs(StatusCode::kDataLoss));
  EXPECT_THAT(refused.status().message(), HasSubstr("declares no size"));
}

TEST(BodyCodecTest, TruncatedFramesAndTrailingBytesAreDataLoss) {
  std::string encoded = EncodeBody(Observation());
  ASSERT_EQ(static_cast<uint8_t>(encoded[0]), kBodyCodecZstdDictionary1);
  for (size_t cut : {size_t{1}, size_t{3}, size_t{6}, encoded.size() / 2, encoded.size() - 1}) {
    EXPECT_THAT(DecodeBody(encoded.substr(0, cut)), StatusIs(StatusCode::kDataLoss))
        << "cut at " << cut;
  }
  EXPECT_THAT(DecodeBody(encoded + "x"), StatusIs(StatusCode::kDataLoss));
  EXPECT_THAT(DecodeBody(encoded + encoded.substr(1)), StatusIs(StatusCode::kDataLoss));
}

}  // namespace
}  // namespace mamori::store::internal
