// SPDX-License-Identifier: Apache-2.0
// ledger_golden_gen: writes the ledger's checked-in test data (test-only).
//
//   ninja -C build ledger_golden_gen && build/src/ledger/ledger_golden_gen src/ledger
//
// Rewrites src/ledger/testdata/{inclusion,consistency}/ (the mutation
// catalogue of STYLE.md rule 24; the directories are emptied first) and the
// "seed-*" files of tree_head_corpus/, leaf_corpus/ and proof_corpus/ (other
// corpus files are kept). Review the diff before committing it:
// ledger_proof_golden_test fails until the files match this program's output.

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "ledger/testing/fuzz_seeds.h"
#include "ledger/testing/mutation_catalogue.h"

namespace {

namespace fs = std::filesystem;
using mamori::ledger::testing::FuzzSeed;

bool WriteFile(const fs::path& path, const std::string& bytes) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) std::fprintf(stderr, "cannot write %s\n", path.c_str());
  return static_cast<bool>(out);
}

bool WriteSeeds(const fs::path& dir, const std::vector<FuzzSeed>& seeds) {
  bool ok = true;
  for (const FuzzSeed& seed : seeds) ok &= WriteFile(dir / ("seed-" + seed.name), seed.bytes);
  std::printf("%s: %zu seeds\n", dir.c_str(), seeds.size());
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: ledger_golden_gen SRC_LEDGER_DIR (e.g. src/ledger)\n");
    return 2;
  }
  const fs::path root(argv[1]);
  if (!fs::exists(root / "proof.h")) {
    std::fprintf(stderr, "%s does not look like src/ledger\n", argv[1]);
    return 2;
  }
  std::error_code ec;
  fs::remove_all(root / "testdata" / "inclusion", ec);
  fs::remove_all(root / "testdata" / "consistency", ec);
  bool ok = true;
  const auto catalogue = mamori::ledger::testing::GoldenCatalogue();
  for (const auto& file : catalogue) ok &= WriteFile(root / "testdata" / file.path, file.text);
  std::printf("%s: %zu golden files\n", (root / "testdata").c_str(), catalogue.size());
  ok &= WriteSeeds(root / "tree_head_corpus", mamori::ledger::testing::TreeHeadSeeds());
  ok &= WriteSeeds(root / "leaf_corpus", mamori::ledger::testing::LeafSeeds());
  ok &= WriteSeeds(root / "proof_corpus", mamori::ledger::testing::ProofSeeds());
  return ok ? 0 : 1;
}
