// SPDX-License-Identifier: Apache-2.0
#pragma once

// Inclusion and consistency proofs for the audit log's Merkle tree
// (RFC 9162 §2.1.3 and §2.1.4; RFC 6962 trees and proofs are the same).
//
// Verification is pure: hashes and sizes in, a Status out, no I/O, so the
// server, `mamori audit verify`, `compliance` and an outside auditor share one
// verifier (STYLE.md rule 23). Generation reads the nodes it needs from a
// HashSource (hash_source.h) in one batch: O(log n) lookups at any log size.
// Proofs are lists of hashes ordered bottom-up, as RFC 9162 sends them.
//
// Outcomes of every Verify function:
//   OK                the proof shows what it claims;
//   kInvalidArgument  the arguments cannot describe a valid proof, whatever the
//                     hashes: index >= size, size1 > size2, size1 == 0 for a
//                     consistency proof, a non-empty proof for size1 == size2, a
//                     proof whose length is not the one RFC 9162 fixes for these
//                     sizes (truncated, extended, garbage before or after), or a
//                     hash that is not 32 bytes;
//   kDataLoss         the proof is well formed but does not verify: the root it
//                     computes differs from the root given (a changed leaf, node
//                     or root, a leaf at another index). For a log this means
//                     tampering or a bug, so it maps to HTTP 500 plus an alert.
//
//   // Server side: serve a proof from the stored nodes.
//   MAMORI_ASSIGN_OR_RETURN(std::vector<ledger::Hash> proof,
//                           ledger::InclusionProof(source, index, head.tree_size));
//   // Verifier side: check it against a signed tree head.
//   MAMORI_RETURN_IF_ERROR(ledger::VerifyInclusion(index, head.tree_size, leaf_hash, proof,
//                                                  head.root_hash));
//   // Untrusted bytes (HTTP, files): the ByteView overloads check every length.
//   MAMORI_RETURN_IF_ERROR(ledger::VerifyConsistency(size1, size2, proof_views, root1, root2));
//   // tests: ledger::InMemoryTree tree; ... ledger::InclusionProof(tree, i, tree.size());
//
// Thread-safety: the Verify functions are pure. The generation functions are
// as thread-safe as the HashSource they are given.

#include <cstdint>
#include <span>
#include <vector>

#include "core/status.h"
#include "ledger/hash.h"
#include "ledger/hash_source.h"

namespace mamori::ledger {

// Untrusted bytes that should hold a hash.
using ByteView = std::span<const uint8_t>;

// Checks that `proof` proves leaf `index`, with leaf hash `leaf_hash`
// (HashLeaf of the leaf), is in the tree of `size` leaves whose root is
// `root` (RFC 9162 §2.1.3.2).
// Errors: kInvalidArgument if index >= size or proof.size() is not the
// length RFC 9162 fixes for (index, size); kDataLoss if the proof does not
// lead to `root`.
[[nodiscard]] core::Status VerifyInclusion(uint64_t index, uint64_t size, const Hash& leaf_hash,
                                           std::span<const Hash> proof, const Hash& root);

// Checks that `proof` shows the tree of `size2` leaves with root `root2`
// extends the tree of `size1` leaves with root `root1` (RFC 9162 §2.1.4.2).
// size1 == size2 needs an empty proof and root1 == root2.
// Errors: kInvalidArgument if size1 == 0 (no consistency proof from the empty
// tree exists), size1 > size2, size1 == size2 with a non-empty proof, or
// proof.size() is not the length RFC 9162 fixes for (size1, size2);
// kDataLoss if the proof does not lead to root1 and root2.
[[nodiscard]] core::Status VerifyConsistency(uint64_t size1, uint64_t size2,
                                             std::span<const Hash> proof, const Hash& root1,
                                             const Hash& root2);

// The same checks over untrusted byte strings. Every hash must be exactly 32
// bytes (kInvalidArgument otherwise, empty strings included), checked after
// the size rules above. One exception, kept for compatibility with
// transparency-dev/merkle and its probe files: when size1 == size2 (> 0) and
// the proof is empty, byte-identical roots pass whatever their length,
// because nothing is hashed and the claim "the two heads agree" holds
// (probe consistency/additional/sizes-are-equal-one-and-proof-is-empty.json).
[[nodiscard]] core::Status VerifyInclusion(uint64_t index, uint64_t size, ByteView leaf_hash,
                                           std::span<const ByteView> proof, ByteView root);
[[nodiscard]] core::Status VerifyConsistency(uint64_t size1, uint64_t size2,
                                             std::span<const ByteView> proof, ByteView root1,
                                             ByteView root2);

// `proof` as hashes. Errors: kInvalidArgument naming the first element that
// is not 32 bytes.
core::Result<std::vector<Hash>> ParseProof(std::span<const ByteView> proof);

// The inclusion proof for leaf `index` in the tree of `size` leaves, bottom
// up, read from `source` with one NodeHashes call of at most
// 2 * std::bit_width(size) nodes (about 2 log2 size).
// Errors: kInvalidArgument if index >= size or size > kMaxTreeSize; any
// error of `source` (kNotFound if it holds fewer than `size` leaves);
// kInternal if `source` returns the wrong number of hashes.
core::Result<std::vector<Hash>> InclusionProof(const HashSource& source, uint64_t index,
                                               uint64_t size);

// The consistency proof from the tree of `size1` leaves to the tree of
// `size2` leaves; empty when size1 == size2. Errors: kInvalidArgument if
// size1 == 0, size1 > size2 or size2 > kMaxTreeSize; otherwise as
// InclusionProof.
core::Result<std::vector<Hash>> ConsistencyProof(const HashSource& source, uint64_t size1,
                                                 uint64_t size2);

// The root of the tree of `size` leaves (the empty tree's root for 0), from
// std::popcount(size) nodes of `source`. Errors: kInvalidArgument if
// size > kMaxTreeSize; otherwise as InclusionProof.
core::Result<Hash> RootHash(const HashSource& source, uint64_t size);

}  // namespace mamori::ledger
