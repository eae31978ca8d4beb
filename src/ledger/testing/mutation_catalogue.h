// SPDX-License-Identifier: Apache-2.0
#pragma once

// Test-only (mamori::ledger_testing): the mutation catalogue of STYLE.md rule
// 24, written out as golden files in src/ledger/testdata/ by
// ledger_golden_gen and checked by ledger_proof_golden_test.
//
// For each (leaf index, tree size) and (size1, size2) pair below, over a
// fixed tree of 64 leaves ("mamori golden leaf <i>"), the catalogue holds the
// happy path and its mutations: each proof hash with one flipped bit; 32
// bytes of garbage before and after the proof; the last proof hash cut to 31
// bytes; a wrong leaf (inclusion) or wrong root1 (consistency); the leaf
// index (size1) plus and minus 1; the tree size (size2) doubled and halved;
// the empty root and a random root in place of each root; swapped roots; a
// hash inserted at, and removed from, every position.
//
// The expected outcome of each case is NOT obtained by running the verifier
// under test: ExpectedCode derives it from the case itself (the size rules,
// hash lengths, and the proof length given by the naive RFC 6962 recursion
// in reference_tree.h); every mutation that is well formed must be
// kDataLoss, and only the happy path is OK.
//
//   for (const GoldenFile& g : GoldenCatalogue()) WriteFile(dir + "/" + g.path, g.text);

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "ledger/hash.h"
#include "ledger/testing/proof_file.h"
#include "ledger/testing/reference_tree.h"

namespace mamori::ledger::testing {

// The pairs the catalogue covers: single leaf, powers of two, the last leaf,
// right-edge siblings that are not perfect subtrees, size1 a power of two.
inline const std::vector<std::pair<uint64_t, uint64_t>> kGoldenInclusionPairs = {
    {0, 1}, {1, 2}, {4, 7}, {5, 8}, {6, 7}, {12, 13}, {9, 22}};
inline const std::vector<std::pair<uint64_t, uint64_t>> kGoldenConsistencyPairs = {
    {1, 2}, {2, 5}, {3, 7}, {4, 8}, {6, 8}, {7, 13}, {16, 21}, {5, 5}};
inline constexpr uint64_t kGoldenTreeSize = 64;

// The leaf hashes of the golden tree.
std::vector<Hash> GoldenLeafHashes();

struct MutationCase {
  std::string name;  // file stem, e.g. "modified-proof-1-byte-10-bit-1"
  ProofFile file;    // want_err and want_code filled in by ExpectedCode
};

std::vector<MutationCase> InclusionMutations(ReferenceTree& tree, uint64_t index, uint64_t size);
std::vector<MutationCase> ConsistencyMutations(ReferenceTree& tree, uint64_t size1, uint64_t size2);

// The code the verifier must return for `file`, derived independently of
// proof.cc (see above). `happy` marks the unmutated proof.
core::StatusCode ExpectedCode(const ProofFile& file, bool happy);

struct GoldenFile {
  std::string path;  // relative to testdata/, e.g. "inclusion/5-in-8/happy-path.json"
  std::string text;  // FormatProofFile of the case
};

// Every golden file, sorted by path.
std::vector<GoldenFile> GoldenCatalogue();

}  // namespace mamori::ledger::testing
