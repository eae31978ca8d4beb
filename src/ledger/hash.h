// SPDX-License-Identifier: Apache-2.0
#pragma once

// ledger::Hash: the 32-byte value every node of the audit log's Merkle tree
// carries (RFC 9162 hashing with SHA-256), and the checks that turn untrusted
// bytes into one.
//
// A Hash is a plain value (std::array), so a wrong length cannot exist once
// you hold one: bytes from the network, a file or a database row become a
// Hash through ParseHash, which refuses anything but 32 bytes.
//
//   ledger::Hash leaf_hash = ledger::HashLeaf(crypto::AsBytes(encoded_leaf));
//   MAMORI_ASSIGN_OR_RETURN(ledger::Hash root, ledger::ParseHash(row.root_bytes));
//   LOG(INFO) << "root " << ledger::HashToHex(root);   // hashes are not secret
//
// Thread-safety: values and pure functions.

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string>

#include "core/status.h"

namespace mamori::ledger {

inline constexpr size_t kHashSize = 32;
using Hash = std::array<uint8_t, kHashSize>;

// The largest tree size any ledger API accepts or produces: 2^63 - 1, so that
// sizes and leaf indexes fit a signed 64-bit SQL column and every node
// arithmetic below stays inside uint64_t. (Proof *verification* accepts any
// uint64_t, as RFC 9162 verifiers do.)
inline constexpr uint64_t kMaxTreeSize = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());

// The RFC 9162 leaf hash SHA-256(0x00 || leaf) of an encoded leaf (leaf.h).
// This is the value the tree stores and proofs talk about.
Hash HashLeaf(std::span<const uint8_t> leaf);

// `bytes` as a Hash.
// Errors: kInvalidArgument unless bytes.size() == 32 (the message gives the size).
core::Result<Hash> ParseHash(std::span<const uint8_t> bytes);

// 64 lowercase hex digits, for messages and logs.
std::string HashToHex(const Hash& hash);

}  // namespace mamori::ledger
