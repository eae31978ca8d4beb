// SPDX-License-Identifier: Apache-2.0
#include "ledger/testing/fuzz_seeds.h"

#include "core/check.h"
#include "core/testing/deterministic_random.h"
#include "crypto/aead.h"
#include "crypto/secure_bytes.h"
#include "crypto/signature.h"
#include "ledger/internal/big_endian.h"
#include "ledger/internal/tree_hasher.h"
#include "ledger/leaf.h"
#include "ledger/testing/fuzz_keys.h"
#include "ledger/testing/mutation_catalogue.h"

namespace mamori::ledger::testing {
namespace {

std::string Flip(std::string bytes, size_t offset, uint8_t mask) {
  bytes[offset] = static_cast<char>(bytes[offset] ^ mask);
  return bytes;
}

std::string SignedHead(const TreeHead& head) {
  crypto::SigningKey key = *crypto::SigningKey::Import(kFuzzSigningKeySeed);
  core::Result<SignedTreeHead> sth = head.Sign(key);
  MAMORI_CHECK(sth.ok());
  return sth->Serialize();
}

}  // namespace

TreeHead FuzzSeedTreeHead() {
  ReferenceTree tree(GoldenLeafHashes());
  TreeHead head;
  head.log_id.fill(0x42);
  head.tree_size = 8;
  head.root_hash = tree.Root(8);
  head.timestamp_ms = 1764000000000;  // 2025-11-24T16:00:00Z
  return head;
}

std::vector<FuzzSeed> TreeHeadSeeds() {
  using S = SignedTreeHead;
  const std::string valid = SignedHead(FuzzSeedTreeHead());
  TreeHead empty;
  empty.root_hash = internal::EmptyRoot();
  std::string empty_with_root = SignedHead(empty);
  empty_with_root[S::kRootHashOffset] ^= 1;  // size 0, non-empty root: Parse must refuse
  std::string huge_size = valid;
  huge_size[S::kTreeSizeOffset] = static_cast<char>(0x80);
  return {
      {"valid-head", valid},
      {"valid-empty-tree", SignedHead(empty)},
      {"truncated", valid.substr(0, S::kSize - 1)},
      {"signed-part-only", valid.substr(0, S::kSignedSize)},
      {"trailing-byte", valid + '\0'},
      {"empty", ""},
      {"version-2", Flip(valid, S::kVersionOffset, 0x03)},
      {"version-0", Flip(valid, S::kVersionOffset, 0x01)},
      {"hash-algorithm-0", Flip(valid, S::kHashAlgorithmOffset, 0x01)},
      {"signature-algorithm-2", Flip(valid, S::kSignatureAlgorithmOffset, 0x03)},
      {"bad-magic", Flip(valid, S::kMagicOffset, 0x20)},
      {"flipped-root", Flip(valid, S::kRootHashOffset + 5, 0x10)},
      {"flipped-signature", Flip(valid, S::kSignatureOffset + 63, 0x80)},
      {"empty-tree-other-root", empty_with_root},
      {"tree-size-2-63", huge_size},
  };
}

std::vector<FuzzSeed> LeafSeeds() {
  crypto::AeadKey key = *crypto::AeadKey::Import(crypto::AeadKeyId(kFuzzAeadKeyId), kFuzzAeadKey);
  core::DeterministicRandom random(7);
  core::Result<std::string> envelope =
      crypto::Aead::Seal(key, crypto::AsBytes(R"({"action":"read","outcome":"0"})"),
                         crypto::AsBytes("ledger/3"), random);
  MAMORI_CHECK(envelope.ok());
  Leaf leaf{
      .key_id = key.id(), .sequence = 3, .timestamp_ms = 1764000000000, .ciphertext = *envelope};
  const std::string valid = *EncodeLeaf(leaf);
  std::string other_key = valid;
  other_key[Leaf::kKeyIdOffset] ^= 1;
  std::string huge_sequence = valid;
  huge_sequence[Leaf::kSequenceOffset] = static_cast<char>(0x80);
  return {
      {"valid-leaf", valid},
      {"header-only", valid.substr(0, Leaf::kHeaderSize)},
      {"short-header", valid.substr(0, Leaf::kHeaderSize - 1)},
      {"envelope-truncated", valid.substr(0, Leaf::kHeaderSize + crypto::Aead::kOverhead - 1)},
      {"version-2", Flip(valid, Leaf::kVersionOffset, 0x03)},
      {"other-key-id", other_key},
      {"sequence-2-63", huge_sequence},
      {"empty", ""},
  };
}

std::string EncodeProofFuzzInput(const ProofFile& file) {
  const bool inclusion = file.kind == ProofFile::Kind::kInclusion;
  std::string out(1, inclusion ? '\0' : '\1');
  internal::AppendUint64(out, inclusion ? file.leaf_index : file.size1);
  internal::AppendUint64(out, inclusion ? file.tree_size : file.size2);
  auto add = [&out](const Bytes& hash) {
    MAMORI_CHECK(hash.size() < 256);
    out += static_cast<char>(hash.size());
    internal::AppendBytes(out, hash);
  };
  add(inclusion ? file.leaf_hash : file.root1);
  add(inclusion ? file.root : file.root2);
  for (const Bytes& hash : file.proof) add(hash);
  return out;
}

std::vector<FuzzSeed> ProofSeeds() {
  ReferenceTree tree(GoldenLeafHashes());
  std::vector<FuzzSeed> seeds;
  auto add = [&seeds](const std::string& prefix, const std::vector<MutationCase>& cases) {
    for (const MutationCase& c : cases) {
      if (c.name == "happy-path" || c.name == "removed-proof-0" || c.name == "wrong-leaf" ||
          c.name == "wrong-root1" || c.name == "truncated-last-hash") {
        seeds.push_back({prefix + "-" + c.name, EncodeProofFuzzInput(c.file)});
      }
    }
  };
  add("inclusion-5-in-8", InclusionMutations(tree, 5, 8));
  add("inclusion-9-in-22", InclusionMutations(tree, 9, 22));
  add("consistency-3-to-7", ConsistencyMutations(tree, 3, 7));
  add("consistency-16-to-21", ConsistencyMutations(tree, 16, 21));
  seeds.push_back({"empty", ""});
  return seeds;
}

}  // namespace mamori::ledger::testing
