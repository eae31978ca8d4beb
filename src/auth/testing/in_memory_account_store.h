// SPDX-License-Identifier: Apache-2.0
#pragma once

// A test-only AccountStore kept in memory. It stores each account as
// EncodeAccount() bytes, as the database does, so every test also exercises
// the codec, and it enforces the same version and uniqueness rules.

#include <map>
#include <mutex>

#include "auth/account.h"

namespace mamori::auth::testing {

class InMemoryAccountStore : public AccountStore {
 public:
  core::Result<std::optional<Account>> FindByLogin(std::string_view login_id) override;
  core::Result<std::optional<Account>> FindById(std::string_view account_id) override;
  core::Status Save(Account& account) override;
  core::Result<std::vector<Account>> List() override;

  // Number of successful saves (tests check that a failed login saved nothing).
  int saves() const { return saves_; }

 private:
  struct Row {
    int64_t version;
    std::string login_id;
    std::string encoded;
  };
  core::Result<std::optional<Account>> Decode(const Row& row) const;

  std::mutex mu_;
  std::map<std::string, Row, std::less<>> rows_;  // by account id
  int saves_ = 0;
};

}  // namespace mamori::auth::testing
