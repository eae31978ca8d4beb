// SPDX-License-Identifier: Apache-2.0
// The mutation catalogue of STYLE.md rule 24, as golden files in testdata/.
// Regenerate (and review the diff) with:
//   ninja -C build ledger_golden_gen && build/src/ledger/ledger_golden_gen src/ledger

#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/testing/status_matchers.h"
#include "ledger/proof.h"
#include "ledger/testing/mutation_catalogue.h"
#include "ledger/testing/proof_file.h"

namespace mamori::ledger {
namespace {

namespace lt = ::mamori::ledger::testing;
using core::StatusCode;
using core::testing::IsOk;

const std::string kTestdata = std::string(MAMORI_TEST_SRCDIR) + "/testdata";
constexpr char kRegenerate[] =
    "regenerate with: ninja -C build ledger_golden_gen && "
    "build/src/ledger/ledger_golden_gen src/ledger";

std::vector<std::string> GoldenPaths() {
  std::vector<std::string> paths;
  for (const char* kind : {"inclusion", "consistency"}) {
    for (const std::string& p : lt::ListJsonFiles(kTestdata + "/" + kind)) paths.push_back(p);
  }
  return paths;
}

std::string Relative(const std::string& path) { return path.substr(kTestdata.size() + 1); }

bool AllHashes32(const lt::ProofFile& f) {
  auto ok = [](const lt::Bytes& b) { return b.size() == kHashSize; };
  bool all = f.kind == lt::ProofFile::Kind::kInclusion ? ok(f.leaf_hash) && ok(f.root)
                                                       : ok(f.root1) && ok(f.root2);
  for (const lt::Bytes& b : f.proof) all = all && ok(b);
  return all;
}

core::Status VerifyTyped(const lt::ProofFile& f) {
  auto hash = [](const lt::Bytes& b) { return *ParseHash(b); };
  std::vector<Hash> proof;
  for (const lt::Bytes& b : f.proof) proof.push_back(hash(b));
  if (f.kind == lt::ProofFile::Kind::kInclusion) {
    return VerifyInclusion(f.leaf_index, f.tree_size, hash(f.leaf_hash), proof, hash(f.root));
  }
  return VerifyConsistency(f.size1, f.size2, proof, hash(f.root1), hash(f.root2));
}

TEST(ProofGoldenTest, EveryGoldenCaseFailsOrPassesAsRecorded) {
  const std::vector<std::string> paths = GoldenPaths();
  std::map<StatusCode, int> outcomes;
  for (const std::string& path : paths) {
    core::Result<lt::ProofFile> golden = lt::ReadProofFile(path);
    ASSERT_THAT(golden, IsOk()) << path;
    ASSERT_TRUE(golden->want_code.has_value()) << path << " has no wantCode";
    const core::Status status = lt::VerifyProofFile(*golden);
    EXPECT_EQ(status.code(), *golden->want_code)
        << Relative(path) << " (" << golden->desc << "): " << status.ToString();
    EXPECT_EQ(golden->want_err, *golden->want_code != StatusCode::kOk) << path;
    // The typed API gives the same answer wherever it can be called.
    if (AllHashes32(*golden)) {
      EXPECT_EQ(VerifyTyped(*golden).code(), *golden->want_code) << Relative(path);
    }
    ++outcomes[status.code()];
  }
  const size_t pairs = lt::kGoldenInclusionPairs.size() + lt::kGoldenConsistencyPairs.size();
  EXPECT_EQ(paths.size(), 299u) << kRegenerate;
  EXPECT_EQ(outcomes[StatusCode::kOk], static_cast<int>(pairs)) << "only the happy paths pass";
  EXPECT_EQ(outcomes[StatusCode::kOk] + outcomes[StatusCode::kInvalidArgument] +
                outcomes[StatusCode::kDataLoss],
            static_cast<int>(paths.size()));
}

TEST(ProofGoldenTest, FilesOnDiskAreExactlyWhatTheGeneratorWrites) {
  std::map<std::string, std::string> on_disk;
  for (const std::string& path : GoldenPaths()) {
    std::ifstream in(path, std::ios::binary);
    on_disk[Relative(path)] =
        std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }
  std::map<std::string, std::string> generated;
  for (const lt::GoldenFile& file : lt::GoldenCatalogue()) generated[file.path] = file.text;
  for (const auto& [path, text] : generated) {
    auto it = on_disk.find(path);
    if (it == on_disk.end()) {
      ADD_FAILURE() << "missing golden file " << path << "; " << kRegenerate;
    } else {
      EXPECT_EQ(it->second, text) << path << " differs; " << kRegenerate;
    }
  }
  for (const auto& [path, text] : on_disk) {
    EXPECT_TRUE(generated.contains(path)) << "stale golden file " << path << "; " << kRegenerate;
  }
}

// Every mutation STYLE.md rule 24 names is present for every pair.
TEST(ProofGoldenTest, CatalogueCoversEveryMutationOfStyleRule24) {
  std::map<std::string, std::set<std::string>> names;  // dir -> file stems
  std::map<std::string, size_t> proof_sizes;           // dir -> happy proof length
  for (const std::string& path : GoldenPaths()) {
    const std::string rel = Relative(path);
    const std::string dir = rel.substr(0, rel.rfind('/'));
    const std::string stem = rel.substr(rel.rfind('/') + 1, rel.size() - rel.rfind('/') - 6);
    names[dir].insert(stem);
    if (stem == "happy-path") proof_sizes[dir] = lt::ReadProofFile(path)->proof.size();
  }
  ASSERT_EQ(names.size(), lt::kGoldenInclusionPairs.size() + lt::kGoldenConsistencyPairs.size());
  for (const auto& [dir, stems] : names) {
    SCOPED_TRACE(dir);
    const bool inclusion = dir.starts_with("inclusion/");
    std::vector<std::string> required = {"happy-path", "preceding-garbage", "trailing-garbage",
                                         "inserted-proof-0"};
    if (inclusion) {
      for (const char* s : {"wrong-leaf", "leaf-index-plus-1", "tree-size-doubled",
                            "tree-size-halved", "empty-root", "random-root"}) {
        required.push_back(s);
      }
    } else {
      for (const char* s :
           {"wrong-root1", "size1-plus-1", "size1-minus-1", "size2-doubled", "size2-halved",
            "empty-root1", "empty-root2", "random-root1", "random-root2"}) {
        required.push_back(s);
      }
    }
    const size_t n = proof_sizes[dir];
    for (size_t i = 0; i < n; ++i) {
      required.push_back("removed-proof-" + std::to_string(i));
      required.push_back("inserted-proof-" + std::to_string(i + 1));
    }
    for (const std::string& name : required) EXPECT_TRUE(stems.contains(name)) << name;
    size_t flipped = 0;
    for (const std::string& stem : stems) flipped += stem.starts_with("modified-proof-");
    EXPECT_EQ(flipped, n) << "one flipped-bit case per proof hash";
  }
}

}  // namespace
}  // namespace mamori::ledger
