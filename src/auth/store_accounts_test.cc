// SPDX-License-Identifier: Apache-2.0
// Accounts and OAuth clients kept as sealed records in a real SQLite store
// (issue 7): the login flow works over them, a login id is unique even under
// concurrent creation, everything survives a reopen, and nothing of an
// account is in the database file in clear.
#include "auth/store_accounts.h"

#include <fstream>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "auth/authenticator.h"
#include "core/testing/status_matchers.h"
#include "core/testing/temp_dir.h"

namespace mamori::auth {
namespace {

using core::StatusCode;
using core::testing::IsOk;
using core::testing::StatusIs;

class StoreAccountsTest : public ::testing::Test {
 protected:
  StoreAccountsTest() { Open(); }
  void Open() {
    store_.reset();
    auto s = store::OpenStore({.path = dir_ + "/m.db", .kek = &kek_}, env_);
    ASSERT_THAT(s, IsOk());
    store_ = std::move(s).value();
  }
  Account NewAccount(std::string id, std::string login) {
    return {.account_id = std::move(id),
            .login_id = std::move(login),
            .display_name = "佐藤 花子",
            .role = Role::kNurse,
            .password_phc = "$argon2id$placeholder"};
  }
  core::Env env_ = core::Env::Real();
  crypto::AeadKey kek_ = crypto::AeadKey::Generate(env_.random());
  std::string dir_ = core::testing::MakeTempDir();
  std::unique_ptr<store::Store> store_;
};

TEST_F(StoreAccountsTest, AccountsRoundTripAndSurviveReopen) {
  StoreAccountStore accounts(*store_);
  Account a = NewAccount("acct-1", "h.sato");
  ASSERT_THAT(accounts.Save(a), IsOk());
  EXPECT_EQ(a.version, 1);
  a.departments = {"internal-medicine"};
  ASSERT_THAT(accounts.Save(a), IsOk());
  Account stale = a;
  stale.version = 1;
  EXPECT_THAT(accounts.Save(stale), StatusIs(StatusCode::kAborted));
  Open();
  StoreAccountStore reopened(*store_);
  auto found = reopened.FindByLogin("h.sato");
  ASSERT_THAT(found, IsOk());
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->account_id, "acct-1");
  EXPECT_EQ((*found)->departments, std::vector<std::string>{"internal-medicine"});
  EXPECT_FALSE(reopened.FindByLogin("nobody")->has_value());
  EXPECT_EQ(reopened.List()->size(), 1u);
}

TEST_F(StoreAccountsTest, ALoginIdIsUniqueEvenUnderConcurrentCreation) {
  StoreAccountStore accounts(*store_);
  std::atomic<int> created{0}, refused{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      Account a = NewAccount("acct-" + std::to_string(i), "same.login");
      core::Status s = accounts.Save(a);
      if (s.ok()) ++created;
      if (s.code() == StatusCode::kAlreadyExists) ++refused;
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(created, 1);
  EXPECT_EQ(refused, 7);
  EXPECT_EQ(accounts.List()->size(), 1u);
}

TEST_F(StoreAccountsTest, NothingOfAnAccountIsInTheDatabaseInClear) {
  StoreAccountStore accounts(*store_);
  Account a = NewAccount("acct-1", "canary.login.7f3a");
  a.display_name = "Canary-Name-91c2";
  ASSERT_THAT(accounts.Save(a), IsOk());
  store_.reset();
  std::string bytes;
  for (const char* f : {"/m.db", "/m.db-wal"}) {
    std::ifstream in(dir_ + f, std::ios::binary);
    bytes += std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }
  ASSERT_FALSE(bytes.empty());
  EXPECT_EQ(bytes.find("canary.login.7f3a"), std::string::npos);
  EXPECT_EQ(bytes.find("Canary-Name-91c2"), std::string::npos);
}

TEST_F(StoreAccountsTest, OAuthClientsRoundTrip) {
  StoreClientStore clients(*store_);
  OAuthClient c{.client_id = "lab",
                .name = "Lab analyser",
                .auth_method = "tls_client_auth",
                .certificate_sha256 = std::string(64, 'a'),
                .scopes = {"system/Observation.crs"}};
  ASSERT_THAT(clients.Save(c), IsOk());
  c.revoked = true;
  ASSERT_THAT(clients.Save(c), IsOk());
  Open();
  StoreClientStore reopened(*store_);
  auto found = reopened.Find("lab");
  ASSERT_THAT(found, IsOk());
  ASSERT_TRUE(found->has_value());
  EXPECT_TRUE((*found)->revoked);
  EXPECT_EQ((*found)->scopes, std::vector<std::string>{"system/Observation.crs"});
  OAuthClient bad = c;
  bad.client_id = "x";
  bad.version = 0;
  bad.scopes = {"patient/Observation.r"};
  EXPECT_THAT(reopened.Save(bad), StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace mamori::auth
