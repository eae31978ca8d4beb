// SPDX-License-Identifier: Apache-2.0
// Fuzz target for the master key file reader (STYLE.md rule 32): the file is
// read from disk or a backup at start-up. InspectKeyFile and OpenKeyFile must
// never crash; everything InspectKeyFile refuses, OpenKeyFile refuses with the
// same code and without deriving a key; a key is released only with the right
// passphrase, and carries the id the file names.
//
// Corpus (key_file_corpus/): written by testdata/key_file_vectors.py with
// Python `cryptography`: a genuine file under the fuzz passphrase at m=64,
// t=1, p=1 (checked by KeyFileFuzzCorpusTest.SeedFileOpensUnderTheFuzzPassphrase),
// one under another passphrase, truncations, trailing bytes, bad magic,
// version 2, a bad checksum, and with rewritten checksums a flipped tag, an
// unknown KDF, a 4 GiB memory cost and a wrapped key for another salt.

#include <string_view>

#include "core/check.h"
#include "core/testing/fuzz.h"
#include "crypto/key_file.h"

namespace {

using mamori::core::StatusCode;
namespace crypto = mamori::crypto;

constexpr std::string_view kFuzzPassphrase = "mamori fuzz passphrase";

}  // namespace

MAMORI_FUZZ_TARGET(data, size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto info = crypto::InspectKeyFile(bytes);
  if (!info.ok()) {
    StatusCode code = info.status().code();
    MAMORI_CHECK(code == StatusCode::kInvalidArgument || code == StatusCode::kDataLoss);
    auto opened = crypto::OpenKeyFile(bytes, kFuzzPassphrase);
    MAMORI_CHECK(!opened.ok() && opened.status().code() == code);
    return;
  }
  // Opening runs Argon2id at the file's own cost: only for cheap ones.
  if (info->params.memory_kib > 1024 || info->params.iterations > 4) return;
  auto opened = crypto::OpenKeyFile(bytes, kFuzzPassphrase);
  if (opened.ok()) {
    MAMORI_CHECK(opened->id() == info->kek_id);
  } else {
    MAMORI_CHECK(opened.status().code() == StatusCode::kPermissionDenied);
  }
  MAMORI_CHECK(crypto::OpenKeyFile(bytes, "not the fuzz passphrase").status().code() ==
               StatusCode::kPermissionDenied);
}
