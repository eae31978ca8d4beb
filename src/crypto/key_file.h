// SPDX-License-Identifier: Apache-2.0
#pragma once

// The master key file: mamori's key-encryption key (KEK) wrapped under a
// passphrase (DESIGN "Storage and keys"; GUIDELINE SYS-60). The KEK wraps the
// per-compartment data keys (the store does that with crypto::Aead); this file
// is how the KEK itself rests on disk.
//
// SealKeyFile derives a wrapping key from the passphrase with Argon2id (a
// fresh 16-byte salt, the parameters given) and seals the 32 KEK bytes with
// AES-256-GCM (crypto::Aead). The file is 164 bytes: magic, version, KDF id,
// the Argon2id parameters and salt, the KEK's key id, the wrapped KEK and a
// SHA-256 checksum. The header is bound into both the Argon2id derivation and
// the GCM tag, so no field can be changed without opening failing. The
// checksum is not a security control: it tells a damaged file (kDataLoss) from
// a wrong passphrase (kPermissionDenied). The byte layout with a worked
// example is in src/crypto/FORMAT.md ("Master key file"); KeyFileFormat names
// its offsets.
//
// Key rotation (`mamori key rotate`): the store opens the old file, generates
// a new KEK, rewraps every data key under it and seals the new KEK into a new
// file with SealKeyFile; nothing else is needed from this module.
//
// Nothing here touches the disk except ReadPassphraseFile: the caller writes
// the returned bytes (core::WriteFileAtomically, mode 0600). The functions
// borrow their arguments; the KEK returned by OpenKeyFile owns its bytes and
// wipes them when destroyed.
//
//   MAMORI_ASSIGN_OR_RETURN(crypto::SecureBytes passphrase,
//       crypto::ReadPassphraseFile(env.fs(), passphrase_path));
//   crypto::AeadKey kek = crypto::AeadKey::Generate(env.random());
//   MAMORI_ASSIGN_OR_RETURN(std::string file, crypto::SealKeyFile(kek,
//       crypto::AsStringView(passphrase), crypto::kArgon2KeyFileParams, env.random()));
//   MAMORI_RETURN_IF_ERROR(core::WriteFileAtomically(env.fs(), key_path, file, 0600));
//   ...
//   MAMORI_ASSIGN_OR_RETURN(std::string bytes, env.fs().ReadFile(key_path));
//   MAMORI_ASSIGN_OR_RETURN(crypto::AeadKey kek,
//       crypto::OpenKeyFile(bytes, crypto::AsStringView(passphrase)));
//   // tests: Argon2Params{.memory_kib = 64, .iterations = 1, .parallelism = 1}
//   //        and core::DeterministicRandom, core::MemFileSystem.
//
// Thread-safety: pure functions apart from the FileSystem calls.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/file_system.h"
#include "core/random.h"
#include "core/status.h"
#include "crypto/aead.h"
#include "crypto/argon2.h"
#include "crypto/hash.h"
#include "crypto/secure_bytes.h"

namespace mamori::crypto {

// Key file version 1, byte by byte (FORMAT.md "Master key file"). Integers are
// big-endian. 0x00 is reserved in the version and KDF bytes, so a zeroed file
// never parses.
struct KeyFileFormat {
  static constexpr std::array<uint8_t, 8> kMagic = {'M', 'A', 'M', 'O', 'R', 'I', 'K', 'F'};
  static constexpr uint8_t kVersion1 = 0x01;
  static constexpr uint8_t kKdfArgon2id = 0x01;  // Argon2id v1.3 (0x13)

  static constexpr size_t kMagicOffset = 0;
  static constexpr size_t kVersionOffset = 8;
  static constexpr size_t kKdfOffset = 9;
  static constexpr size_t kMemoryKibOffset = 10;    // uint32
  static constexpr size_t kIterationsOffset = 14;   // uint32
  static constexpr size_t kParallelismOffset = 18;  // uint32
  static constexpr size_t kSaltOffset = 22;
  static constexpr size_t kSaltSize = 16;
  static constexpr size_t kKekIdOffset = kSaltOffset + kSaltSize;  // 38
  // Everything before the wrapped key: the Argon2id associated data and the
  // GCM AAD.
  static constexpr size_t kHeaderSize = kKekIdOffset + AeadKeyId::kSize;  // 54
  // An Aead envelope (FORMAT.md "Envelope version 1") of the 32 KEK bytes,
  // whose key id is the salt.
  static constexpr size_t kWrappedKekOffset = kHeaderSize;
  static constexpr size_t kWrappedKekSize = Aead::kOverhead + AeadKey::kSize;  // 78
  // SHA-256 of bytes [0, kChecksumOffset).
  static constexpr size_t kChecksumOffset = kWrappedKekOffset + kWrappedKekSize;  // 132
  static constexpr size_t kChecksumSize = kSha256Size;
  static constexpr size_t kFileSize = kChecksumOffset + kChecksumSize;  // 164
};

// The passphrase rule SealKeyFile enforces: at least 12 characters (Unicode
// code points of the UTF-8 text), at most 1024 bytes.
inline constexpr size_t kMinPassphraseCharacters = 12;
inline constexpr size_t kMaxPassphraseSize = 1024;

// Wraps `kek` under `passphrase` and returns the key file's bytes
// (KeyFileFormat::kFileSize of them). The salt and the GCM nonce come from
// `random`. Production passes kArgon2KeyFileParams.
// REQUIRES: `kek` was not moved from.
// Errors: kInvalidArgument if the passphrase has fewer than 12 characters or
// more than 1024 bytes (the message states the rule, never the passphrase),
// or if `params` fail CheckArgon2Params; kResourceExhausted if Argon2id
// cannot get its memory; kInternal if OpenSSL or libargon2 fail.
core::Result<std::string> SealKeyFile(const AeadKey& kek, std::string_view passphrase,
                                      const Argon2Params& params, core::Random& random);

// Unwraps the KEK from a key file's bytes. Runs Argon2id with the parameters
// the file names; no key byte is released unless the GCM tag verifies.
// Errors:
//   kPermissionDenied "wrong passphrase for the master key file": the file is
//     intact (its checksum matches) but the passphrase does not open it.
//   kInvalidArgument: not a key file this build reads: bad magic, an
//     unsupported version or KDF, parameters out of range.
//   kDataLoss: a damaged file: truncated, trailing bytes, checksum mismatch, or
//     a wrapped key that names another salt.
//   kResourceExhausted, kInternal: as SealKeyFile.
core::Result<AeadKey> OpenKeyFile(std::string_view file_bytes, std::string_view passphrase);

// What a key file says about itself without the passphrase: which KEK it holds
// and what opening it will cost. Nothing here is authenticated until
// OpenKeyFile succeeds; use it to pick a file or to report, not to trust.
struct KeyFileInfo {
  AeadKeyId kek_id;
  Argon2Params params;
};

// Checks everything OpenKeyFile checks before deriving a key (magic, version,
// length, checksum, KDF id, parameter limits) and returns the KEK id and the
// parameters. Errors: as OpenKeyFile, except kPermissionDenied.
core::Result<KeyFileInfo> InspectKeyFile(std::string_view file_bytes);

// Reads a passphrase from the file at `path` (`--passphrase-file`,
// MAMORI_PASSPHRASE_FILE): the whole file, with one trailing "\n" or "\r\n"
// removed. The file's contents are copied into the returned SecureBytes and
// the intermediate buffer is wiped.
// Errors: kPermissionDenied naming the file and saying `chmod 600` if it is
// accessible to group or others (mode & 077), as with ssh's private keys;
// kInvalidArgument if it is empty (after the newline is removed), a
// directory, or larger than kMaxPassphraseSize + 2 bytes; the FileSystem's
// errors (kNotFound, ...) otherwise.
core::Result<SecureBytes> ReadPassphraseFile(core::FileSystem& fs, const std::string& path);

}  // namespace mamori::crypto
