// SPDX-License-Identifier: Apache-2.0
#include "ledger/testing/mutation_catalogue.h"

#include <algorithm>
#include <functional>

#include "core/check.h"
#include "core/testing/deterministic_random.h"
#include "crypto/hash.h"
#include "crypto/secure_bytes.h"
#include "ledger/internal/tree_hasher.h"

namespace mamori::ledger::testing {
namespace {

using core::StatusCode;

Bytes ToBytes(const Hash& hash) { return Bytes(hash.begin(), hash.end()); }

Bytes Sha256Of(std::string_view text) { return ToBytes(crypto::Sha256(crypto::AsBytes(text))); }

std::vector<Bytes> ToBytes(const std::vector<Hash>& hashes) {
  std::vector<Bytes> out;
  for (const Hash& h : hashes) out.push_back(ToBytes(h));
  return out;
}

Bytes RandomRoot() {
  core::DeterministicRandom random(20261125);
  Bytes root(kHashSize);
  random.Fill(root);
  return root;
}

// The mutations both kinds share, applied to `happy` through `edit`.
using Edit = std::function<void(ProofFile&)>;

void AddCase(std::vector<MutationCase>& cases, const ProofFile& happy, std::string name,
             std::string desc, const Edit& edit) {
  MutationCase c{std::move(name), happy};
  edit(c.file);
  c.file.desc = std::move(desc);
  c.file.want_code = ExpectedCode(c.file, false);
  c.file.want_err = *c.file.want_code != StatusCode::kOk;
  cases.push_back(std::move(c));
}

void AddProofMutations(std::vector<MutationCase>& cases, const ProofFile& happy) {
  const size_t n = happy.proof.size();
  for (size_t i = 0; i < n; ++i) {
    const size_t byte = (7 * i + 3) % kHashSize;
    const int bit = static_cast<int>(i % 8);
    AddCase(cases, happy,
            "modified-proof-" + std::to_string(i) + "-byte-" + std::to_string(byte) + "-bit-" +
                std::to_string(bit),
            "proof hash " + std::to_string(i) + " with bit " + std::to_string(bit) + " of byte " +
                std::to_string(byte) + " flipped",
            [&](ProofFile& f) { f.proof[i][byte] ^= static_cast<uint8_t>(1u << bit); });
  }
  const Bytes garbage = Sha256Of("garbage");
  AddCase(cases, happy, "preceding-garbage", "32 bytes of garbage before the proof",
          [&](ProofFile& f) { f.proof.insert(f.proof.begin(), garbage); });
  AddCase(cases, happy, "trailing-garbage", "32 bytes of garbage after the proof",
          [&](ProofFile& f) { f.proof.push_back(garbage); });
  if (n > 0) {
    AddCase(cases, happy, "truncated-last-hash", "the last proof hash cut to 31 bytes",
            [&](ProofFile& f) { f.proof.back().pop_back(); });
  }
  const Bytes inserted = Sha256Of("inserted");
  for (size_t i = 0; i <= n; ++i) {
    AddCase(cases, happy, "inserted-proof-" + std::to_string(i),
            "a hash inserted at position " + std::to_string(i) + " of the proof",
            [&](ProofFile& f) { f.proof.insert(f.proof.begin() + i, inserted); });
  }
  for (size_t i = 0; i < n; ++i) {
    AddCase(cases, happy, "removed-proof-" + std::to_string(i),
            "proof hash " + std::to_string(i) + " removed",
            [&](ProofFile& f) { f.proof.erase(f.proof.begin() + i); });
  }
}

bool AllHashesAre32Bytes(const ProofFile& f) {
  auto ok = [](const Bytes& b) { return b.size() == kHashSize; };
  const bool roots = f.kind == ProofFile::Kind::kInclusion ? ok(f.leaf_hash) && ok(f.root)
                                                           : ok(f.root1) && ok(f.root2);
  return roots && std::all_of(f.proof.begin(), f.proof.end(), ok);
}

}  // namespace

std::vector<Hash> GoldenLeafHashes() {
  std::vector<Hash> leaves;
  for (uint64_t i = 0; i < kGoldenTreeSize; ++i) {
    leaves.push_back(
        internal::HashLeaf(crypto::AsBytes("mamori golden leaf " + std::to_string(i))));
  }
  return leaves;
}

core::StatusCode ExpectedCode(const ProofFile& f, bool happy) {
  if (f.kind == ProofFile::Kind::kInclusion) {
    if (f.leaf_index >= f.tree_size || !AllHashesAre32Bytes(f)) return StatusCode::kInvalidArgument;
    if (f.proof.size() != ReferenceTree::PathLength(f.leaf_index, f.tree_size)) {
      return StatusCode::kInvalidArgument;
    }
    return happy ? StatusCode::kOk : StatusCode::kDataLoss;
  }
  if (f.size1 > f.size2 || f.size1 == 0) return StatusCode::kInvalidArgument;
  if (f.size1 == f.size2) {
    if (!f.proof.empty()) return StatusCode::kInvalidArgument;
    if (f.root1 == f.root2) return StatusCode::kOk;
    return AllHashesAre32Bytes(f) ? StatusCode::kDataLoss : StatusCode::kInvalidArgument;
  }
  if (!AllHashesAre32Bytes(f)) return StatusCode::kInvalidArgument;
  if (f.proof.size() != ReferenceTree::ProofLength(f.size1, f.size2)) {
    return StatusCode::kInvalidArgument;
  }
  return happy ? StatusCode::kOk : StatusCode::kDataLoss;
}

std::vector<MutationCase> InclusionMutations(ReferenceTree& tree, uint64_t index, uint64_t size) {
  ProofFile happy;
  happy.kind = ProofFile::Kind::kInclusion;
  happy.leaf_index = index;
  happy.tree_size = size;
  happy.leaf_hash = ToBytes(tree.Mth(index, index + 1));
  happy.root = ToBytes(tree.Root(size));
  happy.proof = ToBytes(tree.Path(index, size));
  happy.desc = "happy path";
  happy.want_code = ExpectedCode(happy, true);
  MAMORI_CHECK(*happy.want_code == StatusCode::kOk);
  std::vector<MutationCase> cases = {{"happy-path", happy}};

  AddProofMutations(cases, happy);
  AddCase(cases, happy, "wrong-leaf", "the leaf hash of another leaf", [](ProofFile& f) {
    f.leaf_hash = ToBytes(internal::HashLeaf(crypto::AsBytes("wrong")));
  });
  AddCase(cases, happy, "leaf-index-plus-1", "leaf index + 1",
          [](ProofFile& f) { ++f.leaf_index; });
  if (index > 0) {
    AddCase(cases, happy, "leaf-index-minus-1", "leaf index - 1",
            [](ProofFile& f) { --f.leaf_index; });
  }
  AddCase(cases, happy, "tree-size-doubled", "tree size * 2",
          [](ProofFile& f) { f.tree_size *= 2; });
  AddCase(cases, happy, "tree-size-halved", "tree size / 2",
          [](ProofFile& f) { f.tree_size /= 2; });
  AddCase(cases, happy, "empty-root", "the empty tree's root instead of the root",
          [](ProofFile& f) { f.root = ToBytes(internal::EmptyRoot()); });
  AddCase(cases, happy, "random-root", "a random root",
          [](ProofFile& f) { f.root = RandomRoot(); });
  return cases;
}

std::vector<MutationCase> ConsistencyMutations(ReferenceTree& tree, uint64_t size1,
                                               uint64_t size2) {
  ProofFile happy;
  happy.kind = ProofFile::Kind::kConsistency;
  happy.size1 = size1;
  happy.size2 = size2;
  happy.root1 = ToBytes(tree.Root(size1));
  happy.root2 = ToBytes(tree.Root(size2));
  happy.proof = ToBytes(tree.Proof(size1, size2));
  happy.desc = "happy path";
  happy.want_code = ExpectedCode(happy, true);
  MAMORI_CHECK(*happy.want_code == StatusCode::kOk);
  std::vector<MutationCase> cases = {{"happy-path", happy}};

  AddProofMutations(cases, happy);
  AddCase(cases, happy, "wrong-root1", "root1 of another tree",
          [&](ProofFile& f) { f.root1 = ToBytes(tree.Root(size1 + 1)); });
  AddCase(cases, happy, "size1-plus-1", "size1 + 1", [](ProofFile& f) { ++f.size1; });
  AddCase(cases, happy, "size1-minus-1", "size1 - 1", [](ProofFile& f) { --f.size1; });
  AddCase(cases, happy, "size2-doubled", "size2 * 2", [](ProofFile& f) { f.size2 *= 2; });
  AddCase(cases, happy, "size2-halved", "size2 / 2", [](ProofFile& f) { f.size2 /= 2; });
  for (const char* which : {"root1", "root2"}) {
    const bool first = std::string_view(which) == "root1";
    AddCase(cases, happy, std::string("empty-") + which,
            std::string("the empty tree's root instead of ") + which,
            [&](ProofFile& f) { (first ? f.root1 : f.root2) = ToBytes(internal::EmptyRoot()); });
    AddCase(cases, happy, std::string("random-") + which, std::string("a random ") + which,
            [&](ProofFile& f) { (first ? f.root1 : f.root2) = RandomRoot(); });
  }
  if (happy.root1 != happy.root2) {
    AddCase(cases, happy, "swapped-roots", "root1 and root2 swapped",
            [](ProofFile& f) { std::swap(f.root1, f.root2); });
  }
  return cases;
}

std::vector<GoldenFile> GoldenCatalogue() {
  ReferenceTree tree(GoldenLeafHashes());
  std::vector<GoldenFile> files;
  for (auto [index, size] : kGoldenInclusionPairs) {
    const std::string dir = "inclusion/" + std::to_string(index) + "-in-" + std::to_string(size);
    for (const MutationCase& c : InclusionMutations(tree, index, size)) {
      files.push_back({dir + "/" + c.name + ".json", FormatProofFile(c.file)});
    }
  }
  for (auto [size1, size2] : kGoldenConsistencyPairs) {
    const std::string dir = "consistency/" + std::to_string(size1) + "-to-" + std::to_string(size2);
    for (const MutationCase& c : ConsistencyMutations(tree, size1, size2)) {
      files.push_back({dir + "/" + c.name + ".json", FormatProofFile(c.file)});
    }
  }
  std::sort(files.begin(), files.end(),
            [](const GoldenFile& a, const GoldenFile& b) { return a.path < b.path; });
  return files;
}

}  // namespace mamori::ledger::testing
