// SPDX-License-Identifier: Apache-2.0
#include "auth/testing/in_memory_account_store.h"

namespace mamori::auth::testing {

core::Result<std::optional<Account>> InMemoryAccountStore::Decode(const Row& row) const {
  MAMORI_ASSIGN_OR_RETURN(Account account, DecodeAccount(row.encoded));
  account.version = row.version;
  return std::optional<Account>(std::move(account));
}

core::Result<std::optional<Account>> InMemoryAccountStore::FindByLogin(std::string_view login_id) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [id, row] : rows_) {
    if (row.login_id == login_id) return Decode(row);
  }
  return std::optional<Account>();
}

core::Result<std::optional<Account>> InMemoryAccountStore::FindById(std::string_view account_id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = rows_.find(account_id);
  if (it == rows_.end()) return std::optional<Account>();
  return Decode(it->second);
}

core::Status InMemoryAccountStore::Save(Account& account) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = rows_.find(account.account_id);
  int64_t stored = it == rows_.end() ? 0 : it->second.version;
  if (stored != account.version) return core::AbortedError("account was changed concurrently");
  if (it == rows_.end()) {
    for (const auto& [id, row] : rows_) {
      if (row.login_id == account.login_id) return core::AlreadyExistsError("login id is taken");
    }
  }
  account.version = stored + 1;
  rows_[account.account_id] = Row{account.version, account.login_id, EncodeAccount(account)};
  ++saves_;
  return core::Status::Ok();
}

core::Result<std::vector<Account>> InMemoryAccountStore::List() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Account> out;
  for (const auto& [id, row] : rows_) {
    MAMORI_ASSIGN_OR_RETURN(std::optional<Account> a, Decode(row));
    out.push_back(*std::move(a));
  }
  return out;
}

}  // namespace mamori::auth::testing
