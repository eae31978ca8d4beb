// SPDX-License-Identifier: Apache-2.0
#include "store/internal/body_codec.h"

#include <zstd.h>

#include <cstring>
#include <memory>

#include <fmt/format.h>

extern "C" const char mamori_body_dictionary_1_begin[];
extern "C" const char mamori_body_dictionary_1_end[];

namespace mamori::store::internal {
namespace {

// A zstd frame starts with this magic number, little-endian (RFC 8878 §3.1.1).
constexpr unsigned char kZstdMagic[4] = {0x28, 0xb5, 0x2f, 0xfd};

// Bodies shorter than this are never smaller compressed (a frame costs at
// least 9 bytes besides the codec byte), so they are not tried.
constexpr size_t kMinCompressibleSize = 32;

struct CCtxFree {
  void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};
struct DCtxFree {
  void operator()(ZSTD_DCtx* d) const { ZSTD_freeDCtx(d); }
};

// One context per thread: creating one costs more than compressing a small
// resource, and a context is not thread-safe.
ZSTD_CCtx* ThreadCCtx() {
  thread_local std::unique_ptr<ZSTD_CCtx, CCtxFree> ctx(ZSTD_createCCtx());
  return ctx.get();
}
ZSTD_DCtx* ThreadDCtx() {
  thread_local std::unique_ptr<ZSTD_DCtx, DCtxFree> ctx(ZSTD_createDCtx());
  return ctx.get();
}

// Dictionary 1 digested for compression (at kBodyZstdLevel) and for
// decompression, once per process; nullptr if zstd could not allocate them.
const ZSTD_CDict* Dictionary1ForCompression() {
  static const ZSTD_CDict* dict = [] {
    std::string_view bytes = BodyDictionary1();
    return ZSTD_createCDict(bytes.data(), bytes.size(), kBodyZstdLevel);
  }();
  return dict;
}
const ZSTD_DDict* Dictionary1ForDecompression() {
  static const ZSTD_DDict* dict = [] {
    std::string_view bytes = BodyDictionary1();
    return ZSTD_createDDict(bytes.data(), bytes.size());
  }();
  return dict;
}

core::Status Corrupt(std::string_view why) {
  return core::DataLossError(fmt::format("the body does not decode: {}", why));
}

}  // namespace

std::string_view BodyDictionary1() {
  return std::string_view(
      mamori_body_dictionary_1_begin,
      static_cast<size_t>(mamori_body_dictionary_1_end - mamori_body_dictionary_1_begin));
}

std::string EncodeBody(std::string_view body) {
  const bool reserved_start =
      !body.empty() && static_cast<uint8_t>(body[0]) <= kBodyCodecReservedLast;
  if (body.size() >= kMinCompressibleSize) {
    ZSTD_CCtx* ctx = ThreadCCtx();
    const ZSTD_CDict* dict = Dictionary1ForCompression();
    if (ctx != nullptr && dict != nullptr) {
      std::string out(1 + ZSTD_compressBound(body.size()), '\0');
      out[0] = static_cast<char>(kBodyCodecZstdDictionary1);
      // Writes the content size and the dictionary id into the frame header
      // and no checksum (the AEAD tag already covers every byte).
      size_t n = ZSTD_compress_usingCDict(ctx, out.data() + 1, out.size() - 1, body.data(),
                                          body.size(), dict);
      if (!ZSTD_isError(n) && 1 + n < body.size()) {
        out.resize(1 + n);
        return out;
      }
      // Not smaller (or zstd failed to allocate): store the body as it is.
    }
  }
  if (!reserved_start) return std::string(body);
  std::string out;
  out.reserve(1 + body.size());
  out.push_back(static_cast<char>(kBodyCodecIdentity));
  out.append(body);
  return out;
}

core::Result<std::string> DecodeBody(std::string_view plaintext, size_t max_size) {
  if (plaintext.empty()) return std::string();
  const auto codec = static_cast<uint8_t>(plaintext[0]);
  if (codec > kBodyCodecReservedLast) return std::string(plaintext);  // stored as is
  std::string_view rest = plaintext.substr(1);
  if (codec == kBodyCodecIdentity) {
    if (rest.size() > max_size) return Corrupt("larger than the body limit");
    return std::string(rest);
  }
  if (codec != kBodyCodecZstd && codec != kBodyCodecZstdDictionary1) {
    return Corrupt(fmt::format("unknown body codec {}", codec));
  }
  if (rest.size() < sizeof kZstdMagic || std::memcmp(rest.data(), kZstdMagic, 4) != 0) {
    return Corrupt("not a zstd frame");
  }
  unsigned long long declared = ZSTD_getFrameContentSize(rest.data(), rest.size());
  if (declared == ZSTD_CONTENTSIZE_ERROR) return Corrupt("bad zstd frame header");
  if (declared == ZSTD_CONTENTSIZE_UNKNOWN) return Corrupt("the zstd frame declares no size");
  if (declared > max_size) {
    return Corrupt(
        fmt::format("the zstd frame declares {} bytes, over the limit of {}", declared, max_size));
  }
  size_t frame_size = ZSTD_findFrameCompressedSize(rest.data(), rest.size());
  if (ZSTD_isError(frame_size) || frame_size != rest.size()) {
    return Corrupt("truncated zstd frame or trailing bytes");
  }
  // The frame must name exactly the dictionary its codec byte stands for.
  const unsigned dict_id = ZSTD_getDictID_fromFrame(rest.data(), rest.size());
  const ZSTD_DDict* dict = nullptr;
  if (codec == kBodyCodecZstdDictionary1) {
    if (dict_id != kBodyDictionary1Id) return Corrupt("the zstd frame names another dictionary");
    dict = Dictionary1ForDecompression();
    if (dict == nullptr) return core::ResourceExhaustedError("no memory for the zstd dictionary");
  } else if (dict_id != 0) {
    return Corrupt("the zstd frame names a dictionary");
  }
  ZSTD_DCtx* ctx = ThreadDCtx();
  if (ctx == nullptr) return core::ResourceExhaustedError("no memory for a zstd context");
  std::string out(static_cast<size_t>(declared), '\0');
  size_t n =
      dict != nullptr
          ? ZSTD_decompress_usingDDict(ctx, out.data(), out.size(), rest.data(), rest.size(), dict)
          : ZSTD_decompressDCtx(ctx, out.data(), out.size(), rest.data(), rest.size());
  if (ZSTD_isError(n)) return Corrupt(ZSTD_getErrorName(n));
  if (n != out.size()) return Corrupt("the zstd frame is shorter than it declares");
  return out;
}

}  // namespace mamori::store::internal
