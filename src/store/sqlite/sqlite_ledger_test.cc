// SPDX-License-Identifier: Apache-2.0
// The audit ledger in the SQLite store (issue 6): leaves commit with the
// change they record or not at all (DESIGN invariant 2), the log resumes
// after a restart, proofs served from the node table verify against signed
// heads, and master key rotation keeps the ledger readable.
#include <chrono>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/testing/status_matchers.h"
#include "core/testing/temp_dir.h"
#include "crypto/secure_bytes.h"
#include "ledger/hash.h"
#include "ledger/in_memory_tree.h"
#include "ledger/proof.h"
#include "ledger/tree_head.h"
#include "store/store.h"
#include "store/testing/fault_vfs.h"

namespace mamori::store {
namespace {

using core::StatusCode;
using core::testing::IsOk;
using core::testing::StatusIs;

class SqliteLedgerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    vfs_.Reset();
    Open();
  }
  void TearDown() override {
    store_.reset();
    vfs_.Reset();
  }
  void Open(const crypto::AeadKey* kek = nullptr) {
    store_.reset();
    auto s = OpenStore({.path = path_,
                        .kek = kek ? kek : &kek_,
                        .checkpoint_interval_ms = 0,
                        .vfs_name_for_test = vfs_.name(),
                        .tree_head_interval_ms = 0,
                        .tree_head_export_path = dir_ + "/sth.bin"},
                       env_);
    ASSERT_THAT(s, IsOk());
    store_ = std::move(*s);
  }
  core::Status Append(const std::string& event) {
    return store_->Write([&](Transaction& tx) { return tx.AppendAudit(event).status(); });
  }
  core::Status PutAndAppend(const std::string& id) {
    return store_->Write([&](Transaction& tx) -> core::Status {
      MAMORI_RETURN_IF_ERROR(tx.Put({.type = "Patient",
                                     .id = id,
                                     .compartment = id,
                                     .render = [](int64_t, auto) { return std::string("{}"); }})
                                 .status());
      return tx.AppendAudit(R"({"action":"create"})").status();
    });
  }
  // Rows in ledger_leaf, read from the file without any key.
  size_t LeafRows() {
    size_t rows = 0;
    EXPECT_THAT(ReadAuditLog(
                    path_, [&](const AuditRow&) { return ++rows, core::Status::Ok(); }, nullptr),
                IsOk());
    return rows;
  }

  store::testing::FaultVfs& vfs_ = store::testing::FaultVfs::Get();
  core::Env env_ = core::Env::Real();
  crypto::AeadKey kek_ = crypto::AeadKey::Generate(core::Random::Secure());
  std::string dir_ = core::testing::MakeTempDir();
  std::string path_ = dir_ + "/m.db";
  std::unique_ptr<Store> store_;
};

TEST_F(SqliteLedgerTest, AppendedEventsAreSealedAndOpenAgain) {
  ASSERT_THAT(Append(R"({"n":0})"), IsOk());
  ASSERT_THAT(Append(R"({"n":1})"), IsOk());
  EXPECT_EQ(store_->AuditTreeSize(), 2u);
  auto leaves = store_->AuditLeaves(0, 2);
  ASSERT_THAT(leaves, IsOk());
  EXPECT_EQ((*leaves)[1].find("\"n\""), std::string::npos) << "the payload must be encrypted";
  EXPECT_THAT(store_->OpenAuditLeaf((*leaves)[1]), core::testing::IsOkAndHolds(R"({"n":1})"));
}

TEST_F(SqliteLedgerTest, AFailedBodyTakesItsLeafWithIt) {
  core::Status s = store_->Write([&](Transaction& tx) -> core::Status {
    MAMORI_RETURN_IF_ERROR(tx.AppendAudit(R"({"n":0})").status());
    return core::AbortedError("version conflict");
  });
  EXPECT_THAT(s, StatusIs(StatusCode::kAborted));
  EXPECT_EQ(store_->AuditTreeSize(), 0u);
  ASSERT_THAT(Append(R"({"n":1})"), IsOk());
  EXPECT_EQ(store_->AuditTreeSize(), 1u);
  auto leaves = store_->AuditLeaves(0, 1);
  ASSERT_THAT(leaves, IsOk());
  EXPECT_THAT(store_->OpenAuditLeaf((*leaves)[0]), core::testing::IsOkAndHolds(R"({"n":1})"));
}

TEST_F(SqliteLedgerTest, AFailedSyncCommitsNeitherTheResourceNorItsLeaf) {
  ASSERT_THAT(PutAndAppend("before"), IsOk());
  vfs_.FailNextSyncs(1);
  EXPECT_THAT(PutAndAppend("lost"), StatusIs(StatusCode::kUnavailable));
  EXPECT_EQ(store_->AuditTreeSize(), 1u) << "a failed commit must not advance the log";
  vfs_.Reset();
  Open();
  EXPECT_THAT(store_->Read("Patient", "lost"), StatusIs(StatusCode::kNotFound));
  EXPECT_EQ(store_->AuditTreeSize(), 1u);
  EXPECT_EQ(LeafRows(), 1u);
  ASSERT_THAT(PutAndAppend("after"), IsOk());
  EXPECT_EQ(store_->AuditTreeSize(), 2u);
}

TEST_F(SqliteLedgerTest, AFullDiskCommitsNeitherTheResourceNorItsLeaf) {
  vfs_.SetDiskFull(true);
  EXPECT_FALSE(PutAndAppend("lost").ok());
  vfs_.Reset();
  Open();
  EXPECT_THAT(store_->Read("Patient", "lost"), StatusIs(StatusCode::kNotFound));
  EXPECT_EQ(LeafRows(), 0u);
}

TEST_F(SqliteLedgerTest, ProofsFromTheStoreVerifyAgainstSignedHeadsAcrossARestart) {
  ledger::InMemoryTree reference;
  for (int i = 0; i < 13; ++i) {
    if (i == 7) {
      Open();  // resume from the stored compact range
    }
    ASSERT_THAT(Append("{\"n\":" + std::to_string(i) + "}"), IsOk());
    auto leaf = store_->AuditLeaves(i, i + 1);
    ASSERT_THAT(leaf, IsOk());
    reference.Append(ledger::HashLeaf(crypto::AsBytes((*leaf)[0])));
    if (i == 4) {
      ASSERT_THAT(store_->IssueTreeHead(), IsOk());
    }
  }
  auto bytes = store_->IssueTreeHead();
  ASSERT_THAT(bytes, IsOk());
  auto head = ledger::OpenSignedTreeHead(crypto::AsBytes(*bytes), store_->AuditPublicKey());
  ASSERT_THAT(head, IsOk());
  EXPECT_EQ(head->tree_size, 13u);
  EXPECT_EQ(head->root_hash, reference.Root());
  auto proof = ledger::InclusionProof(store_->AuditNodes(), 9, 13);
  ASSERT_THAT(proof, IsOk());
  auto leaf9 = store_->AuditLeaves(9, 10);
  ASSERT_THAT(leaf9, IsOk());
  EXPECT_THAT(ledger::VerifyInclusion(9, 13, ledger::HashLeaf(crypto::AsBytes((*leaf9)[0])), *proof,
                                      head->root_hash),
              IsOk());
  auto heads = store_->TreeHeads();
  ASSERT_THAT(heads, IsOk());
  ASSERT_EQ(heads->size(), 2u);
  auto first = ledger::OpenSignedTreeHead(crypto::AsBytes((*heads)[0]), store_->AuditPublicKey());
  ASSERT_THAT(first, IsOk());
  auto consistency = ledger::ConsistencyProof(store_->AuditNodes(), first->tree_size, 13);
  ASSERT_THAT(consistency, IsOk());
  EXPECT_THAT(ledger::VerifyConsistency(first->tree_size, 13, *consistency, first->root_hash,
                                        head->root_hash),
              IsOk());
  auto exported = env_.fs().ReadFile(dir_ + "/sth.bin");
  ASSERT_THAT(exported, IsOk());
  EXPECT_EQ(*exported, (*heads)[0] + (*heads)[1]) << "every head is exported as issued";
}

TEST_F(SqliteLedgerTest, MasterKeyRotationKeepsTheLedgerKeysAndTheLogReadable) {
  ASSERT_THAT(Append(R"({"n":0})"), IsOk());
  crypto::VerifyingKey before = store_->AuditPublicKey();
  store_.reset();
  crypto::AeadKey next = crypto::AeadKey::Generate(core::Random::Secure());
  ASSERT_THAT(RewrapDataKeys({.path = path_, .kek = &kek_}, next, env_), IsOk());
  Open(&next);
  EXPECT_TRUE(store_->AuditPublicKey() == before) << "the signing key survives rotation";
  auto leaves = store_->AuditLeaves(0, 1);
  ASSERT_THAT(leaves, IsOk());
  EXPECT_THAT(store_->OpenAuditLeaf((*leaves)[0]), core::testing::IsOkAndHolds(R"({"n":0})"));
  store_.reset();
  EXPECT_FALSE(OpenStore({.path = path_, .kek = &kek_, .tree_head_interval_ms = 0}, env_).ok())
      << "the old master key no longer unwraps the ledger keys";
}

TEST_F(SqliteLedgerTest, EventsAreReadBackWithTheMasterKeyOnlyWhileTheStoreIsOpen) {
  ASSERT_THAT(Append(R"({"n":0})"), IsOk());
  ASSERT_THAT(Append(R"({"n":1})"), IsOk());
  std::vector<std::string> events;
  ASSERT_THAT(ReadAuditEvents(path_, kek_,
                              [&](uint64_t index, std::string_view json) {
                                EXPECT_EQ(index, events.size());
                                events.emplace_back(json);
                                return core::Status::Ok();
                              }),
              IsOk());
  EXPECT_THAT(events, ::testing::ElementsAre(R"({"n":0})", R"({"n":1})"));
  crypto::AeadKey other = crypto::AeadKey::Generate(core::Random::Secure());
  EXPECT_THAT(
      ReadAuditEvents(path_, other, [](uint64_t, std::string_view) { return core::Status::Ok(); }),
      StatusIs(StatusCode::kDataLoss));
}

TEST_F(SqliteLedgerTest, AMovedLeafDoesNotOpen) {
  ASSERT_THAT(Append(R"({"n":0})"), IsOk());
  ASSERT_THAT(Append(R"({"n":1})"), IsOk());
  auto leaves = store_->AuditLeaves(0, 2);
  ASSERT_THAT(leaves, IsOk());
  std::string moved = (*leaves)[1];
  moved[24] = 0;  // sequence 1 -> 0: the AAD no longer matches the envelope
  EXPECT_THAT(store_->OpenAuditLeaf(moved), StatusIs(StatusCode::kDataLoss));
}

TEST_F(SqliteLedgerTest, TheIssuerSignsAfterNLeavesAndOnCloseAndExportsEachHead) {
  store_.reset();
  auto opened = OpenStore({.path = path_,
                           .kek = &kek_,
                           .checkpoint_interval_ms = 0,
                           .tree_head_interval_ms = 3'600'000,  // only the leaf count triggers
                           .tree_head_every_leaves = 3,
                           .tree_head_export_path = dir_ + "/sth.bin"},
                          env_);
  ASSERT_THAT(opened, IsOk());
  store_ = std::move(*opened);
  for (int i = 0; i < 3; ++i) ASSERT_THAT(Append(R"({"n":1})"), IsOk());
  // The issuer runs on its own thread: wait for its head, at most ~20 s.
  for (int i = 0; i < 20'000 && store_->TreeHeads()->empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_EQ(store_->TreeHeads()->size(), 1u) << "3 leaves trigger a head long before the hour";
  ASSERT_THAT(Append(R"({"n":2})"), IsOk());
  crypto::VerifyingKey key = store_->AuditPublicKey();
  store_.reset();  // closing signs a last head over the 4th leaf
  auto exported = env_.fs().ReadFile(dir_ + "/sth.bin");
  ASSERT_THAT(exported, IsOk());
  ASSERT_EQ(exported->size(), 2 * ledger::SignedTreeHead::kSize);
  auto last = ledger::OpenSignedTreeHead(
      crypto::AsBytes(std::string_view(*exported).substr(ledger::SignedTreeHead::kSize)), key);
  ASSERT_THAT(last, IsOk());
  EXPECT_EQ(last->tree_size, 4u);
}

}  // namespace
}  // namespace mamori::store
