// SPDX-License-Identifier: Apache-2.0
#include "ledger/proof.h"

#include <algorithm>
#include <bit>
#include <string>

#include "ledger/internal/tree_hasher.h"

namespace mamori::ledger {
namespace {

using internal::HashChildren;

std::string Str(uint64_t n) { return std::to_string(n); }

// x >> n, defined as 0 for n >= 64 (a plain shift would be undefined there;
// verification accepts any uint64_t size, so the divergence level can be 64).
uint64_t ShiftRight(uint64_t x, int n) { return n >= 64 ? 0 : x >> n; }

// The shape of the path from position `index` to the root of a tree of
// `size` positions (REQUIRES index < size). Below level `inner` the paths to
// `index` and to the last position size - 1 differ, and every level has a
// sibling (left or right; the highest right one may be an incomplete
// subtree). From `inner` up the path runs along the tree's right border,
// where only left siblings exist: one per 1 bit of index >> inner.
struct PathShape {
  int inner;
  int border;
  size_t length() const { return static_cast<size_t>(inner + border); }
};

PathShape ShapeOf(uint64_t index, uint64_t size) {
  const int inner = std::bit_width(index ^ (size - 1));
  return PathShape{inner, std::popcount(ShiftRight(index, inner))};
}

// Climbs the inner part of a path: at level i the sibling is on the right if
// bit i of `index` is 0, on the left otherwise.
Hash ChainInner(Hash hash, std::span<const Hash> siblings, uint64_t index) {
  for (size_t i = 0; i < siblings.size(); ++i) {
    hash =
        ((index >> i) & 1) == 0 ? HashChildren(hash, siblings[i]) : HashChildren(siblings[i], hash);
  }
  return hash;
}

// Like ChainInner, but keeps only the left siblings: the result is the root
// of the tree that ends where the path's subtree ends (the older tree of a
// consistency proof), since nodes to the right did not exist then.
Hash ChainInnerLeftOnly(Hash hash, std::span<const Hash> siblings, uint64_t index) {
  for (size_t i = 0; i < siblings.size(); ++i) {
    if (((index >> i) & 1) == 1) hash = HashChildren(siblings[i], hash);
  }
  return hash;
}

// Climbs the right border: every sibling is on the left.
Hash ChainBorder(Hash hash, std::span<const Hash> siblings) {
  for (const Hash& sibling : siblings) hash = HashChildren(sibling, hash);
  return hash;
}

core::Status WrongLength(const char* what, size_t want, size_t got) {
  return core::InvalidArgumentError(std::string(what) + " has " + Str(want) + " hashes, got " +
                                    Str(got));
}

core::Status CheckConsistencySizes(uint64_t size1, uint64_t size2, size_t proof_size) {
  if (size1 > size2) {
    return core::InvalidArgumentError("consistency proof from tree size " + Str(size1) +
                                      " to the smaller size " + Str(size2));
  }
  if (size1 == 0) {
    return core::InvalidArgumentError("a consistency proof from the empty tree is meaningless");
  }
  if (size1 == size2 && proof_size != 0) {
    return core::InvalidArgumentError(
        "a consistency proof between equal tree sizes is empty, got " + Str(proof_size) +
        " hashes");
  }
  return core::Status::Ok();
}

// ---- Generation -----------------------------------------------------------

// What a proof needs from a HashSource: the perfect nodes to fetch, and for
// each proof hash the run of fetched nodes that fold (from the right) into
// it. A run of one node is a stored node; a longer run is a subtree on the
// right edge of the tree that is not perfect and so is never stored.
struct Plan {
  std::vector<NodeId> ids;
  std::vector<size_t> ends;  // proof hash k folds ids[ends[k - 1], ends[k])

  // Adds one proof hash: the RFC 9162 hash of leaves [begin, end), where
  // begin is a multiple of a power of two >= end - begin (true of every
  // sibling and of [0, size)). The perfect nodes covering it, left to right,
  // are one per 1 bit of end - begin.
  void AddRange(uint64_t begin, uint64_t end) {
    while (begin < end) {
      int level = std::bit_width(end - begin) - 1;
      ids.push_back(NodeId{static_cast<uint8_t>(level), begin >> level});
      begin += uint64_t{1} << level;
    }
    ends.push_back(ids.size());
  }

  // Adds the siblings of node (level, index), bottom up, in the tree of
  // `size` leaves: the node's inclusion proof. REQUIRES size <= kMaxTreeSize
  // and the node complete in that tree.
  void AddPath(int level, uint64_t index, uint64_t size) {
    for (int l = level;; ++l) {
      const uint64_t node = index >> (l - level);
      const uint64_t width = uint64_t{1} << l;
      if (node == 0 && width >= size) return;  // this node is the root
      const uint64_t sibling_begin = (node ^ 1) << l;
      // No sibling at this level: the right subtree does not exist yet, and
      // RFC 9162 lifts the node up unchanged.
      if (sibling_begin >= size) continue;
      AddRange(sibling_begin, std::min(sibling_begin + width, size));
    }
  }
};

core::Result<std::vector<Hash>> Execute(const HashSource& source, const Plan& plan) {
  MAMORI_ASSIGN_OR_RETURN(std::vector<Hash> nodes, source.NodeHashes(plan.ids));
  if (nodes.size() != plan.ids.size()) {
    return core::InternalError("hash source returned " + Str(nodes.size()) + " hashes for " +
                               Str(plan.ids.size()) + " nodes");
  }
  std::vector<Hash> out;
  out.reserve(plan.ends.size());
  size_t begin = 0;
  for (size_t end : plan.ends) {
    Hash hash = nodes[end - 1];
    for (size_t i = end - 1; i-- > begin;) hash = HashChildren(nodes[i], hash);
    out.push_back(hash);
    begin = end;
  }
  return out;
}

core::Status CheckGeneratedSize(uint64_t size) {
  if (size > kMaxTreeSize) {
    return core::InvalidArgumentError("tree size " + Str(size) + " is too large");
  }
  return core::Status::Ok();
}

}  // namespace

core::Status VerifyInclusion(uint64_t index, uint64_t size, const Hash& leaf_hash,
                             std::span<const Hash> proof, const Hash& root) {
  if (index >= size) {
    return core::InvalidArgumentError("leaf index " + Str(index) + " is not below tree size " +
                                      Str(size));
  }
  const PathShape shape = ShapeOf(index, size);
  if (proof.size() != shape.length()) {
    return WrongLength("the inclusion proof for this index and size", shape.length(), proof.size());
  }
  Hash computed = ChainInner(leaf_hash, proof.first(shape.inner), index);
  computed = ChainBorder(computed, proof.subspan(shape.inner));
  if (computed != root) {
    return core::DataLossError("inclusion proof of leaf " + Str(index) + " in tree size " +
                               Str(size) + " does not lead to the given root");
  }
  return core::Status::Ok();
}

core::Status VerifyConsistency(uint64_t size1, uint64_t size2, std::span<const Hash> proof,
                               const Hash& root1, const Hash& root2) {
  MAMORI_RETURN_IF_ERROR(CheckConsistencySizes(size1, size2, proof.size()));
  if (size1 == size2) {
    if (root1 != root2) {
      return core::DataLossError("two roots of tree size " + Str(size1) + " differ");
    }
    return core::Status::Ok();
  }
  // The older tree ends with a perfect subtree of 2^level leaves, node
  // (level, index). The proof is that node (left out when it is the whole
  // older tree, i.e. size1 is a power of two: the verifier has it as root1)
  // followed by the node's inclusion proof in the newer tree. At `level`, the
  // newer tree has `positions` nodes, the last possibly incomplete.
  const int level = std::countr_zero(size1);
  const uint64_t index = (size1 >> level) - 1;
  const uint64_t positions = ((size2 - 1) >> level) + 1;
  const PathShape shape = ShapeOf(index, positions);
  const size_t seed_in_proof = index != 0 ? 1 : 0;
  if (proof.size() != seed_in_proof + shape.length()) {
    return WrongLength("the consistency proof for these sizes", seed_in_proof + shape.length(),
                       proof.size());
  }
  const Hash& seed = seed_in_proof ? proof[0] : root1;
  std::span<const Hash> path = proof.subspan(seed_in_proof);
  if (seed_in_proof) {
    Hash computed1 = ChainInnerLeftOnly(seed, path.first(shape.inner), index);
    computed1 = ChainBorder(computed1, path.subspan(shape.inner));
    if (computed1 != root1) {
      return core::DataLossError("consistency proof from tree size " + Str(size1) + " to " +
                                 Str(size2) + " does not lead to the older root");
    }
  }
  Hash computed2 = ChainInner(seed, path.first(shape.inner), index);
  computed2 = ChainBorder(computed2, path.subspan(shape.inner));
  if (computed2 != root2) {
    return core::DataLossError("consistency proof from tree size " + Str(size1) + " to " +
                               Str(size2) + " does not lead to the newer root");
  }
  return core::Status::Ok();
}

core::Result<std::vector<Hash>> ParseProof(std::span<const ByteView> proof) {
  std::vector<Hash> hashes;
  hashes.reserve(proof.size());
  for (size_t i = 0; i < proof.size(); ++i) {
    core::Result<Hash> hash = ParseHash(proof[i]);
    if (!hash.ok()) return std::move(hash).status().With("proof hash ", i);
    hashes.push_back(*hash);
  }
  return hashes;
}

core::Status VerifyInclusion(uint64_t index, uint64_t size, ByteView leaf_hash,
                             std::span<const ByteView> proof, ByteView root) {
  if (index >= size) {
    return core::InvalidArgumentError("leaf index " + Str(index) + " is not below tree size " +
                                      Str(size));
  }
  core::Result<Hash> leaf = ParseHash(leaf_hash);
  if (!leaf.ok()) return std::move(leaf).status().With("leaf hash");
  core::Result<Hash> expected_root = ParseHash(root);
  if (!expected_root.ok()) return std::move(expected_root).status().With("root");
  MAMORI_ASSIGN_OR_RETURN(std::vector<Hash> hashes, ParseProof(proof));
  return VerifyInclusion(index, size, *leaf, hashes, *expected_root);
}

core::Status VerifyConsistency(uint64_t size1, uint64_t size2, std::span<const ByteView> proof,
                               ByteView root1, ByteView root2) {
  MAMORI_RETURN_IF_ERROR(CheckConsistencySizes(size1, size2, proof.size()));
  // Equal sizes: nothing is hashed, the check is byte equality (see proof.h).
  if (size1 == size2 && std::ranges::equal(root1, root2)) return core::Status::Ok();
  core::Result<Hash> first = ParseHash(root1);
  if (!first.ok()) return std::move(first).status().With("root1");
  core::Result<Hash> second = ParseHash(root2);
  if (!second.ok()) return std::move(second).status().With("root2");
  MAMORI_ASSIGN_OR_RETURN(std::vector<Hash> hashes, ParseProof(proof));
  return VerifyConsistency(size1, size2, hashes, *first, *second);
}

core::Result<std::vector<Hash>> InclusionProof(const HashSource& source, uint64_t index,
                                               uint64_t size) {
  MAMORI_RETURN_IF_ERROR(CheckGeneratedSize(size));
  if (index >= size) {
    return core::InvalidArgumentError("leaf index " + Str(index) + " is not below tree size " +
                                      Str(size));
  }
  Plan plan;
  plan.AddPath(0, index, size);
  return Execute(source, plan);
}

core::Result<std::vector<Hash>> ConsistencyProof(const HashSource& source, uint64_t size1,
                                                 uint64_t size2) {
  MAMORI_RETURN_IF_ERROR(CheckGeneratedSize(size2));
  MAMORI_RETURN_IF_ERROR(CheckConsistencySizes(size1, size2, 0));
  if (size1 == size2) return std::vector<Hash>();
  // See VerifyConsistency for the shape.
  const int level = std::countr_zero(size1);
  const uint64_t index = (size1 >> level) - 1;
  Plan plan;
  if (index != 0) plan.AddRange(index << level, size1);
  plan.AddPath(level, index, size2);
  return Execute(source, plan);
}

core::Result<Hash> RootHash(const HashSource& source, uint64_t size) {
  MAMORI_RETURN_IF_ERROR(CheckGeneratedSize(size));
  if (size == 0) return internal::EmptyRoot();
  Plan plan;
  plan.AddRange(0, size);
  MAMORI_ASSIGN_OR_RETURN(std::vector<Hash> root, Execute(source, plan));
  return root[0];
}

}  // namespace mamori::ledger
