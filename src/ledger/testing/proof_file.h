// SPDX-License-Identifier: Apache-2.0
#pragma once

// Test-only (mamori::ledger_testing): proof probe files in the JSON layout of
// transparency-dev/merkle's testdata/ (shared/data/vectors/merkle) and of our
// own golden mutation catalogue (src/ledger/testdata/), which adds
// "wantCode". Hashes are standard base64; "proof" may be null (= empty).
//
//   inclusion:   {leafIdx, treeSize, root, leafHash, proof[], desc, wantErr[, wantCode]}
//   consistency: {size1, size2, root1, root2, proof[], desc, wantErr[, wantCode]}
//
//   MAMORI_ASSIGN_OR_RETURN(ProofFile probe, ReadProofFile(path));
//   core::Status s = VerifyProofFile(probe);   // the raw-bytes verifiers of proof.h
//   EXPECT_EQ(s.ok(), !probe.want_err);

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace mamori::ledger::testing {

using Bytes = std::vector<uint8_t>;

struct ProofFile {
  enum class Kind { kInclusion, kConsistency };
  Kind kind = Kind::kInclusion;
  // Inclusion.
  uint64_t leaf_index = 0;
  uint64_t tree_size = 0;
  Bytes leaf_hash;
  Bytes root;
  // Consistency.
  uint64_t size1 = 0;
  uint64_t size2 = 0;
  Bytes root1;
  Bytes root2;
  // Both.
  std::vector<Bytes> proof;
  std::string desc;
  bool want_err = false;
  // Golden files only: the exact code the verifier must return.
  std::optional<core::StatusCode> want_code;
};

// Reads one file. Errors: kNotFound if it cannot be read, kInvalidArgument
// if it is not a probe (bad JSON, missing field, bad base64).
core::Result<ProofFile> ReadProofFile(const std::string& path);

// The golden-file text of `file`: fixed field order, two-space indent, one
// hash per line, trailing newline. Deterministic, so files can be compared
// byte for byte.
std::string FormatProofFile(const ProofFile& file);

// Runs the raw-bytes VerifyInclusion or VerifyConsistency of proof.h.
core::Status VerifyProofFile(const ProofFile& file);

// Every *.json file below `dir`, recursively, sorted; empty if none.
std::vector<std::string> ListJsonFiles(const std::string& dir);

// "OK", "InvalidArgument", "DataLoss", ... and back (nullopt if unknown).
std::string CodeName(core::StatusCode code);
std::optional<core::StatusCode> CodeFromName(std::string_view name);

// Lowercase or uppercase hex; nullopt on odd length or a non-hex digit.
std::optional<Bytes> HexDecode(std::string_view hex);

// Standard base64 with padding (RFC 4648 §4).
std::string Base64Encode(std::span<const uint8_t> bytes);
std::optional<Bytes> Base64Decode(std::string_view text);

}  // namespace mamori::ledger::testing
