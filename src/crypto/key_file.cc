// SPDX-License-Identifier: Apache-2.0
#include "crypto/key_file.h"

#include <algorithm>
#include <cstdio>

#include <openssl/crypto.h>

#include "core/check.h"

namespace mamori::crypto {
namespace {

using F = KeyFileFormat;
using ByteSpan = std::span<const uint8_t>;

static_assert(F::kHeaderSize == 54 && F::kChecksumOffset == 132 && F::kFileSize == 164);
static_assert(F::kSaltSize == AeadKeyId::kSize, "the salt doubles as the wrapping key's id");

constexpr std::string_view kWrongPassphrase = "wrong passphrase for the master key file";

void PutUint32(std::span<uint8_t> out, size_t offset, uint32_t value) {
  for (int i = 0; i < 4; ++i) out[offset + i] = static_cast<uint8_t>(value >> (24 - 8 * i));
}

uint32_t GetUint32(ByteSpan in, size_t offset) {
  uint32_t value = 0;
  for (int i = 0; i < 4; ++i) value = (value << 8) | in[offset + i];
  return value;
}

// Characters as a person counts them: Unicode code points, i.e. UTF-8 bytes
// that are not continuation bytes (a 12-character Japanese passphrase is 36
// bytes and passes; 12 bytes of it, 4 characters, do not).
size_t CountCharacters(std::string_view text) {
  return static_cast<size_t>(std::count_if(
      text.begin(), text.end(), [](char c) { return (static_cast<uint8_t>(c) & 0xc0) != 0x80; }));
}

core::Status CheckPassphrase(std::string_view passphrase) {
  // Never echo the passphrase; its length in characters is not secret enough
  // to matter once refused, but say only what the rule is.
  if (CountCharacters(passphrase) < kMinPassphraseCharacters) {
    return core::InvalidArgumentError(
        "the master key file passphrase must be at least 12 characters long");
  }
  if (passphrase.size() > kMaxPassphraseSize) {
    return core::InvalidArgumentError(
        "the master key file passphrase must be at most 1024 bytes long");
  }
  return core::Status::Ok();
}

std::string SizeText(size_t size) {
  return std::to_string(size) + " of " + std::to_string(F::kFileSize) + " bytes";
}

// The checks that need nothing but the bytes, in the order FORMAT.md gives.
core::Status CheckFraming(ByteSpan file) {
  size_t magic_bytes = std::min(file.size(), F::kMagic.size());
  if (!std::equal(file.begin(), file.begin() + magic_bytes, F::kMagic.begin())) {
    return core::InvalidArgumentError("not a mamori master key file (bad magic)");
  }
  if (file.size() <= F::kVersionOffset) {
    return core::DataLossError("master key file is truncated: " + SizeText(file.size()));
  }
  if (file[F::kVersionOffset] != F::kVersion1) {
    return core::InvalidArgumentError("unsupported master key file version " +
                                      std::to_string(file[F::kVersionOffset]) +
                                      " (this build reads version 1)");
  }
  if (file.size() < F::kFileSize) {
    return core::DataLossError("master key file is truncated: " + SizeText(file.size()));
  }
  if (file.size() > F::kFileSize) {
    return core::DataLossError("master key file has trailing bytes: " + SizeText(file.size()));
  }
  Sha256Digest checksum = Sha256(file.first(F::kChecksumOffset));
  if (!ConstantTimeEquals(checksum, file.subspan(F::kChecksumOffset, F::kChecksumSize))) {
    return core::DataLossError("master key file is damaged: checksum mismatch");
  }
  return core::Status::Ok();
}

core::Result<KeyFileInfo> ParseKeyFile(ByteSpan file) {
  MAMORI_RETURN_IF_ERROR(CheckFraming(file));
  if (file[F::kKdfOffset] != F::kKdfArgon2id) {
    return core::InvalidArgumentError("unsupported key derivation function " +
                                      std::to_string(file[F::kKdfOffset]) +
                                      " in master key file (this build knows 1, Argon2id)");
  }
  Argon2Params params{.memory_kib = GetUint32(file, F::kMemoryKibOffset),
                      .iterations = GetUint32(file, F::kIterationsOffset),
                      .parallelism = GetUint32(file, F::kParallelismOffset)};
  // Limits apply before any memory is allocated: a hostile file must not make
  // start-up allocate terabytes.
  MAMORI_RETURN_IF_ERROR(CheckArgon2Params(params).With("master key file"));
  ByteSpan wrapped = file.subspan(F::kWrappedKekOffset, F::kWrappedKekSize);
  // A wrapped key written by a newer build (another envelope version or
  // algorithm) is kInvalidArgument, as for the file's own version byte.
  core::Result<AeadKeyId> wrapping_id = Aead::EnvelopeKeyId(wrapped);
  if (!wrapping_id.ok()) return std::move(wrapping_id).status().With("master key file");
  if (!std::equal(wrapping_id->bytes().begin(), wrapping_id->bytes().end(),
                  file.begin() + F::kSaltOffset)) {
    return core::DataLossError("master key file is damaged: wrapped key does not match the salt");
  }
  MAMORI_ASSIGN_OR_RETURN(AeadKeyId kek_id,
                          AeadKeyId::FromBytes(file.subspan(F::kKekIdOffset, AeadKeyId::kSize)));
  return KeyFileInfo{kek_id, params};
}

// The passphrase-derived key that wraps the KEK. The header is Argon2id's
// associated data, so the key belongs to this file's magic, version,
// parameters, salt and KEK id (and to no PHC password hash, which has none);
// it is named by the salt.
core::Result<AeadKey> DeriveWrappingKey(std::string_view passphrase, ByteSpan header,
                                        const Argon2Params& params) {
  ByteSpan salt = header.subspan(F::kSaltOffset, F::kSaltSize);
  MAMORI_ASSIGN_OR_RETURN(SecureBytes key, Argon2id(AsBytes(passphrase), salt, params,
                                                    AeadKey::kSize, /*secret=*/{}, header));
  MAMORI_ASSIGN_OR_RETURN(AeadKeyId id, AeadKeyId::FromBytes(salt));
  return AeadKey::Import(id, key.span());
}

std::string ModeText(uint32_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", mode & 07777);
  return text;
}

// Wipes a string's buffer when it goes out of scope.
class StringWiper {
 public:
  explicit StringWiper(std::string& s) : s_(s) {}
  ~StringWiper() { OPENSSL_cleanse(s_.data(), s_.size()); }
  StringWiper(const StringWiper&) = delete;
  StringWiper& operator=(const StringWiper&) = delete;

 private:
  std::string& s_;
};

}  // namespace

core::Result<std::string> SealKeyFile(const AeadKey& kek, std::string_view passphrase,
                                      const Argon2Params& params, core::Random& random) {
  ByteSpan kek_bytes = kek.ExportKeyBytes();
  MAMORI_RETURN_IF_ERROR(CheckPassphrase(passphrase));
  MAMORI_RETURN_IF_ERROR(CheckArgon2Params(params));
  std::string file(F::kFileSize, '\0');
  std::span<uint8_t> out(reinterpret_cast<uint8_t*>(file.data()), file.size());
  std::copy(F::kMagic.begin(), F::kMagic.end(), out.begin() + F::kMagicOffset);
  out[F::kVersionOffset] = F::kVersion1;
  out[F::kKdfOffset] = F::kKdfArgon2id;
  PutUint32(out, F::kMemoryKibOffset, params.memory_kib);
  PutUint32(out, F::kIterationsOffset, params.iterations);
  PutUint32(out, F::kParallelismOffset, params.parallelism);
  // A fresh salt per file: the same passphrase never derives the same key twice.
  random.Fill(out.subspan(F::kSaltOffset, F::kSaltSize));
  std::copy(kek.id().bytes().begin(), kek.id().bytes().end(), out.begin() + F::kKekIdOffset);
  ByteSpan header = out.first(F::kHeaderSize);
  MAMORI_ASSIGN_OR_RETURN(AeadKey wrapping_key, DeriveWrappingKey(passphrase, header, params));
  // The header is also the GCM AAD: changing any header field fails the tag.
  MAMORI_ASSIGN_OR_RETURN(std::string wrapped, Aead::Seal(wrapping_key, kek_bytes, header, random));
  MAMORI_CHECK(wrapped.size() == F::kWrappedKekSize);
  std::copy(wrapped.begin(), wrapped.end(), file.begin() + F::kWrappedKekOffset);
  Sha256Digest checksum = Sha256(out.first(F::kChecksumOffset));
  std::copy(checksum.begin(), checksum.end(), out.begin() + F::kChecksumOffset);
  return file;
}

core::Result<AeadKey> OpenKeyFile(std::string_view file_bytes, std::string_view passphrase) {
  ByteSpan file = AsBytes(file_bytes);
  MAMORI_ASSIGN_OR_RETURN(KeyFileInfo info, ParseKeyFile(file));
  ByteSpan header = file.first(F::kHeaderSize);
  MAMORI_ASSIGN_OR_RETURN(AeadKey wrapping_key, DeriveWrappingKey(passphrase, header, info.params));
  core::Result<SecureBytes> kek =
      Aead::Open(wrapping_key, file.subspan(F::kWrappedKekOffset, F::kWrappedKekSize), header);
  if (!kek.ok()) {
    // The checksum matched, so the bytes are as they were written: the tag
    // fails because the key differs, i.e. the passphrase is wrong. (Someone
    // who rewrites the file and its checksum also lands here; it still fails
    // closed.)
    if (kek.status().code() == core::StatusCode::kDataLoss) {
      return core::PermissionDeniedError(std::string(kWrongPassphrase));
    }
    return std::move(kek).status().With("opening the master key file");
  }
  return AeadKey::Import(info.kek_id, kek->span());
}

core::Result<KeyFileInfo> InspectKeyFile(std::string_view file_bytes) {
  return ParseKeyFile(AsBytes(file_bytes));
}

core::Result<SecureBytes> ReadPassphraseFile(core::FileSystem& fs, const std::string& path) {
  MAMORI_ASSIGN_OR_RETURN(core::FileInfo info, fs.Stat(path));
  if (info.is_directory) {
    return core::InvalidArgumentError("passphrase file " + path + " is a directory");
  }
  // As ssh does for private keys: a passphrase others can read protects nothing.
  if ((info.mode & 077) != 0) {
    return core::PermissionDeniedError(
        "passphrase file " + path + " has mode " + ModeText(info.mode) +
        " and is accessible to group or others; run `chmod 600 " + path + "`");
  }
  constexpr size_t kMaxFileSize = kMaxPassphraseSize + 2;  // and "\r\n"
  if (info.size > kMaxFileSize) {
    return core::InvalidArgumentError("passphrase file " + path + " is larger than " +
                                      std::to_string(kMaxFileSize) + " bytes");
  }
  MAMORI_ASSIGN_OR_RETURN(std::string text, fs.ReadFile(path));
  StringWiper wipe(text);
  std::string_view passphrase = text;
  if (passphrase.size() > kMaxFileSize) {  // it grew after Stat
    return core::InvalidArgumentError("passphrase file " + path + " is larger than " +
                                      std::to_string(kMaxFileSize) + " bytes");
  }
  if (passphrase.ends_with("\r\n")) {
    passphrase.remove_suffix(2);
  } else if (passphrase.ends_with('\n')) {
    passphrase.remove_suffix(1);
  }
  if (passphrase.empty()) {
    return core::InvalidArgumentError("passphrase file " + path + " is empty");
  }
  return SecureBytes(AsBytes(passphrase));
}

}  // namespace mamori::crypto
