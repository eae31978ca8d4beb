// SPDX-License-Identifier: Apache-2.0
#pragma once

// backup::BackupKeys: the keys of one backup repository, generated when the
// repository is initialised and kept in its `config` object wrapped by the
// installation's master key (KEK), never in plaintext (GUIDELINE EMG-04: a
// stolen backup reveals nothing; the key to restore is kept apart, in the
// passphrase-protected key file).
//
//   seal           AES-256-GCM for chunks
//   chunk_id       HMAC-SHA-256 naming chunks by content, keyed so that a
//                  reader of the backup cannot test which known data it holds
//   chunker_seed   the content-defined chunker's gear table
//   signing        Ed25519 over each snapshot manifest
//
// Thread-safety: immutable after creation; share read-only.

#include <array>
#include <string>
#include <string_view>

#include "core/random.h"
#include "core/status.h"
#include "crypto/aead.h"
#include "crypto/hash.h"
#include "crypto/secure_bytes.h"
#include "crypto/signature.h"

namespace mamori::backup {

struct BackupKeys {
  crypto::AeadKey seal;
  crypto::HmacKey chunk_id;
  crypto::SecureBytes chunker_seed;  // 32 bytes
  crypto::SigningKey signing;

  static BackupKeys Generate(core::Random& random);
  // One AEAD envelope under `kek` with AAD "mamori/backup-keys/v1".
  core::Result<std::string> Wrap(const crypto::AeadKey& kek, core::Random& random) const;
  // Errors: kDataLoss if the envelope does not open under `kek` (wrong
  // passphrase's key, or damaged).
  static core::Result<BackupKeys> Unwrap(const crypto::AeadKey& kek, std::string_view wrapped);
  std::span<const uint8_t, 32> seed() const {
    return std::span<const uint8_t, 32>(chunker_seed.data(), 32);
  }
};

// The repository's admin key (Ed25519): the only key that can prune.
// `mamori backup admin-key` writes the private half as PKCS#8 PEM for the
// administrator to keep offline; the public half goes into a repository's
// config when it is created (InitRepository). It is never stored in the data
// directory nor in the destination.
struct AdminKey {
  crypto::SigningKey key;

  static AdminKey Generate(core::Random& random) {
    return AdminKey{.key = crypto::SigningKey::Generate(random)};
  }
  // Errors: kInvalidArgument if `pem` is not an Ed25519 private key.
  static core::Result<AdminKey> FromPem(std::string_view pem);
};

}  // namespace mamori::backup
