// SPDX-License-Identifier: Apache-2.0
#pragma once

// Private to ledger: include "ledger/hash.h" or "ledger/proof.h" instead.
//
// The RFC 9162 §2.1.1 tree hasher, and nothing else (STYLE.md rule 23): SHA-256
// with a one-byte domain-separation prefix, so that a leaf can never be passed
// off as an interior node or the other way round (the second-preimage attack
// on Merkle trees without prefixes; RFC 9162 §2.1.1, last paragraph).
//
//   Hash leaf = internal::HashLeaf(crypto::AsBytes(encoded_leaf));
//   Hash node = internal::HashChildren(left, right);
//   Hash empty = internal::EmptyRoot();   // the root of the tree with no leaves
//
// Callers outside this folder hash leaves through ledger::HashLeaf (hash.h)
// and never combine nodes themselves: HashChildren is for the tree code only.
//
// Thread-safety: pure functions, safe from any thread.

#include <cstdint>
#include <span>

#include "ledger/hash.h"

namespace mamori::ledger::internal {

// Prefix of a leaf hash input: MTH({d(0)}) = SHA-256(0x00 || d(0)).
inline constexpr uint8_t kLeafHashPrefix = 0x00;
// Prefix of an interior node hash input: SHA-256(0x01 || left || right).
inline constexpr uint8_t kNodeHashPrefix = 0x01;

// SHA-256(0x00 || leaf): the hash of one leaf, whatever its length (the empty
// leaf included; it is a valid leaf, not an absent one).
Hash HashLeaf(std::span<const uint8_t> leaf);

// SHA-256(0x01 || left || right): the hash of an interior node from the hashes
// of its left and right children.
Hash HashChildren(const Hash& left, const Hash& right);

// SHA-256 of the empty string (no prefix): the root of the empty tree,
// e3b0c442...b855 (RFC 9162 §2.1.1, MTH({}) ).
Hash EmptyRoot();

}  // namespace mamori::ledger::internal
