// SPDX-License-Identifier: Apache-2.0
// The master key file: unlock, wrong passphrase, rotation and its recovery.
#include "cli/master_key.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/testing/status_matchers.h"
#include "core/testing/temp_dir.h"
#include "crypto/key_file.h"
#include "ledger/audit_event.h"
#include "store/store.h"

namespace mamori::cli {
namespace {

using core::StatusCode;
using core::testing::IsOk;
using core::testing::StatusIs;

constexpr crypto::Argon2Params kCheap{.memory_kib = 64, .iterations = 1, .parallelism = 1};

crypto::SecureBytes Pass(std::string_view text) {
  return crypto::SecureBytes(crypto::AsBytes(text));
}

class MasterKeyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_THAT(env_.fs().CreateDir(dir_, 0700), IsOk());
    auto kek = CreateMasterKey(dir_, old_, kCheap, env_);
    ASSERT_THAT(kek, IsOk());
    auto store = OpenDb(*kek);
    ASSERT_THAT(store, IsOk());
    ASSERT_THAT((*store)->Write([](store::Transaction& tx) {
      return tx
          .Put({.type = "Patient",
                .id = "p1",
                .compartment = "p1",
                .render = [](int64_t, auto) { return std::string("{\"k\":1}"); }})
          .status();
    }),
                IsOk());
  }

  core::Result<std::unique_ptr<store::Store>> OpenDb(const crypto::AeadKey& kek) {
    return store::OpenStore({.path = dir_ + "/" + kDatabaseFile, .kek = &kek}, env_);
  }

  // Reads p1 through the key that `passphrase` unlocks.
  core::Status ReadWith(const crypto::SecureBytes& passphrase) {
    MAMORI_ASSIGN_OR_RETURN(crypto::AeadKey kek, UnlockMasterKey(dir_, passphrase, env_));
    MAMORI_ASSIGN_OR_RETURN(auto store, OpenDb(kek));
    return store->Read("Patient", "p1").status();
  }

  core::Env env_ = core::Env::Real();
  std::string dir_ = core::testing::MakeTempDir() + "/d";
  crypto::SecureBytes old_ = Pass("old passphrase 1234");
  crypto::SecureBytes new_ = Pass("new passphrase 5678");
};

TEST_F(MasterKeyTest, WrongPassphraseIsPermissionDeniedWithAClearMessage) {
  auto kek = UnlockMasterKey(dir_, Pass("not the passphrase"), env_);
  ASSERT_THAT(kek, StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(kek.status().message(), ::testing::HasSubstr("wrong passphrase"));
}

TEST_F(MasterKeyTest, KeyFileIsOwnerOnly) {
  EXPECT_EQ(env_.fs().Stat(dir_ + "/" + kMasterKeyFile)->mode, 0600u);
  EXPECT_EQ(env_.fs().Stat(dir_ + "/" + kKeysDir)->mode, 0700u);
}

TEST_F(MasterKeyTest, RotationKeepsEveryRecordReadableWithTheNewPassphraseOnly) {
  ASSERT_THAT(RotateMasterKey(dir_, old_, new_, kCheap, env_), IsOk());
  EXPECT_THAT(ReadWith(new_), IsOk());
  EXPECT_THAT(UnlockMasterKey(dir_, old_, env_), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_FALSE(*env_.fs().Exists(dir_ + "/" + kNextMasterKeyFile));
}

// Issue 6: a key operation is in the audit log, readable under the new key.
TEST_F(MasterKeyTest, RotationIsRecordedInTheAuditLog) {
  ASSERT_THAT(RotateMasterKey(dir_, old_, new_, kCheap, env_), IsOk());
  auto kek = UnlockMasterKey(dir_, new_, env_);
  ASSERT_THAT(kek, IsOk());
  std::vector<std::string> events;
  ASSERT_THAT(store::ReadAuditEvents(dir_ + "/" + kDatabaseFile, *kek,
                                     [&](uint64_t, std::string_view json) {
                                       events.emplace_back(json);
                                       return core::Status::Ok();
                                     }),
              IsOk());
  ASSERT_EQ(events.size(), 1u);
  auto event = ledger::ParseAuditEvent(events[0]);
  ASSERT_THAT(event, IsOk());
  EXPECT_EQ(event->action, "key-rotate");
  EXPECT_EQ(event->outcome, "success");
  EXPECT_EQ(event->method, "CLI");
  EXPECT_TRUE(event->user.starts_with("os:")) << event->user;
}

TEST_F(MasterKeyTest, RotationWithAWrongPassphraseChangesNothing) {
  EXPECT_THAT(RotateMasterKey(dir_, Pass("wrong passphrase!!"), new_, kCheap, env_),
              StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(ReadWith(old_), IsOk());
}

TEST_F(MasterKeyTest, CrashBeforeRewrapLeavesTheOldKeyInCharge) {
  // The new key file was written, then the process died before the database
  // changed: the old passphrase still opens everything and the leftover goes.
  crypto::AeadKey next = crypto::AeadKey::Generate(env_.random());
  auto file = crypto::SealKeyFile(next, "new passphrase 5678", kCheap, env_.random());
  ASSERT_THAT(core::WriteFileAtomically(env_.fs(), dir_ + "/" + kNextMasterKeyFile, *file, 0600),
              IsOk());
  EXPECT_THAT(ReadWith(old_), IsOk());
  EXPECT_FALSE(*env_.fs().Exists(dir_ + "/" + kNextMasterKeyFile));
}

TEST_F(MasterKeyTest, CrashAfterRewrapIsFinishedByTheNextUnlock) {
  // The database was rewrapped but the new file was not yet renamed.
  auto old_kek = UnlockMasterKey(dir_, old_, env_);
  ASSERT_THAT(old_kek, IsOk());
  crypto::AeadKey next = crypto::AeadKey::Generate(env_.random());
  auto file = crypto::SealKeyFile(next, "new passphrase 5678", kCheap, env_.random());
  ASSERT_THAT(core::WriteFileAtomically(env_.fs(), dir_ + "/" + kNextMasterKeyFile, *file, 0600),
              IsOk());
  ASSERT_THAT(
      store::RewrapDataKeys({.path = dir_ + "/" + kDatabaseFile, .kek = &*old_kek}, next, env_),
      IsOk());
  EXPECT_THAT(ReadWith(new_), IsOk());
  EXPECT_FALSE(*env_.fs().Exists(dir_ + "/" + kNextMasterKeyFile));
  EXPECT_THAT(UnlockMasterKey(dir_, old_, env_), StatusIs(StatusCode::kPermissionDenied));
}

}  // namespace
}  // namespace mamori::cli
