// SPDX-License-Identifier: Apache-2.0
// Ledger benchmarks (STYLE.md rule 33). Run optimised, on a quiet machine:
//   cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release
//     -DMAMORI_BUILD_BENCHMARKS=ON -DMAMORI_BUILD_TESTS=OFF -DCMAKE_CXX_COMPILER_LAUNCHER=ccache
//   ninja -C build-bench -j2 ledger_benchmark && build-bench/src/ledger/ledger_benchmark
//
// Targets (issue 6): `audit verify` recomputes >= 500,000 leaves/s; an
// inclusion proof at 10 million leaves takes <= 1 ms.

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "crypto/secure_bytes.h"
#include "ledger/compact_range.h"
#include "ledger/hash.h"
#include "ledger/in_memory_tree.h"
#include "ledger/proof.h"

namespace mamori::ledger {
namespace {

constexpr uint64_t kBigTree = 10'000'000;

std::vector<Hash> LeafHashes(uint64_t n) {
  std::vector<Hash> out;
  out.reserve(n);
  for (uint64_t i = 0; i < n; ++i) {
    out.push_back(HashLeaf(crypto::AsBytes("benchmark leaf " + std::to_string(i))));
  }
  return out;
}

const std::vector<Hash>& MillionLeafHashes() {
  static const std::vector<Hash>* const leaves = new std::vector<Hash>(LeafHashes(1'000'000));
  return *leaves;
}

// The 10-million-leaf tree, built once (about 640 MB of node hashes).
const InMemoryTree& BigTree() {
  static const InMemoryTree* const tree = [] {
    auto* t = new InMemoryTree();
    t->Reserve(kBigTree);
    for (uint64_t i = 0; i < kBigTree; ++i) {
      Hash h{};
      for (int b = 0; b < 8; ++b) h[b] = static_cast<uint8_t>(i >> (8 * b));
      t->Append(HashLeaf(h));
    }
    return t;
  }();
  return *tree;
}

// The writer's cost per leaf: one CompactRange append (amortised one
// HashChildren), reporting the new nodes for the ledger_node table.
void BM_CompactRangeAppend(benchmark::State& state) {
  const std::vector<Hash>& leaves = MillionLeafHashes();
  CompactRange range;
  std::vector<Node> added;
  size_t i = 0;
  for (auto _ : state) {
    added.clear();
    range.Append(leaves[i++ % leaves.size()], &added);
    benchmark::DoNotOptimize(added.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CompactRangeAppend);

// The in-memory tree keeps every node as well.
void BM_InMemoryTreeAppend(benchmark::State& state) {
  const std::vector<Hash>& leaves = MillionLeafHashes();
  InMemoryTree tree;
  size_t i = 0;
  for (auto _ : state) tree.Append(leaves[i++ % leaves.size()]);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_InMemoryTreeAppend);

// `audit verify` from stored leaf hashes: the root of N leaves.
void BM_RootFromLeafHashes(benchmark::State& state) {
  const std::vector<Hash>& leaves = MillionLeafHashes();
  const auto n = static_cast<size_t>(state.range(0));
  for (auto _ : state) {
    CompactRange range;
    for (size_t i = 0; i < n; ++i) range.Append(leaves[i]);
    benchmark::DoNotOptimize(range.Root());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(n));
}
BENCHMARK(BM_RootFromLeafHashes)->Arg(100'000)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

// `audit verify` from the leaves themselves (a 300-byte encoded leaf, about
// the size of an audit event envelope): HashLeaf plus the append.
void BM_RootFromLeafBytes(benchmark::State& state) {
  std::string leaf(300, 'x');
  const auto n = static_cast<size_t>(state.range(0));
  for (auto _ : state) {
    CompactRange range;
    for (size_t i = 0; i < n; ++i) {
      leaf[0] = static_cast<char>(i);
      leaf[1] = static_cast<char>(i >> 8);
      range.Append(HashLeaf(crypto::AsBytes(leaf)));
    }
    benchmark::DoNotOptimize(range.Root());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(n));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(n * leaf.size()));
}
BENCHMARK(BM_RootFromLeafBytes)->Arg(100'000)->Unit(benchmark::kMillisecond);

// Serving /audit/proof/inclusion at 10 million leaves: O(log n) lookups.
void BM_InclusionProofAt10M(benchmark::State& state) {
  const InMemoryTree& tree = BigTree();
  std::mt19937_64 rng(1);
  for (auto _ : state) {
    auto proof = tree.InclusionProof(rng() % kBigTree, kBigTree);
    benchmark::DoNotOptimize(proof);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_InclusionProofAt10M)->Unit(benchmark::kMicrosecond);

void BM_ConsistencyProofAt10M(benchmark::State& state) {
  const InMemoryTree& tree = BigTree();
  std::mt19937_64 rng(2);
  for (auto _ : state) {
    auto proof = tree.ConsistencyProof(1 + rng() % (kBigTree - 1), kBigTree);
    benchmark::DoNotOptimize(proof);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ConsistencyProofAt10M)->Unit(benchmark::kMicrosecond);

// The verifier's side of the same proof.
void BM_VerifyInclusionAt10M(benchmark::State& state) {
  const InMemoryTree& tree = BigTree();
  const uint64_t index = 7'654'321;
  const std::vector<Hash> proof = *tree.InclusionProof(index, kBigTree);
  const Hash leaf = *tree.NodeHashes(std::vector<NodeId>{{0, index}}).value().begin();
  const Hash root = tree.Root();
  for (auto _ : state)
    benchmark::DoNotOptimize(VerifyInclusion(index, kBigTree, leaf, proof, root));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_VerifyInclusionAt10M)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace mamori::ledger
