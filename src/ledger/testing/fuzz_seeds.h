// SPDX-License-Identifier: Apache-2.0
#pragma once

// Test-only (mamori::ledger_testing): the seed inputs of the ledger's fuzz
// targets, written by ledger_golden_gen into tree_head_corpus/, leaf_corpus/
// and proof_corpus/ as files named "seed-<name>" (other files in a corpus,
// such as crashes found by libFuzzer, are left alone).
//
//   for (const FuzzSeed& s : TreeHeadSeeds()) WriteFile(dir + "/seed-" + s.name, s.bytes);

#include <string>
#include <vector>

#include "ledger/testing/proof_file.h"
#include "ledger/tree_head.h"

namespace mamori::ledger::testing {

struct FuzzSeed {
  std::string name;
  std::string bytes;
};

// The head in seed-valid-head: tree size 8 of the golden tree, signed
// with kFuzzSigningKeySeed.
TreeHead FuzzSeedTreeHead();

// A valid signed head, its truncations and extensions, other versions and
// algorithms, a head of size 0 with a non-empty root, oversize fields.
std::vector<FuzzSeed> TreeHeadSeeds();
// A valid leaf sealed under kFuzzAeadKey, a short header, another version,
// a key id that differs from the envelope's, a truncated envelope.
std::vector<FuzzSeed> LeafSeeds();
// Happy and mutated golden cases, in the input format of proof_fuzz_test.cc:
//   byte 0: 0 = inclusion (a = leaf index, b = tree size, then leaf hash,
//           root, proof...), 1 = consistency (a = size1, b = size2, then
//           root1, root2, proof...);
//   bytes 1..16: a and b, big-endian uint64;
//   then hashes, each one length byte followed by that many bytes.
std::vector<FuzzSeed> ProofSeeds();
std::string EncodeProofFuzzInput(const ProofFile& file);

}  // namespace mamori::ledger::testing
