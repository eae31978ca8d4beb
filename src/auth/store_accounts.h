// SPDX-License-Identifier: Apache-2.0
#pragma once

// AccountStore and ClientStore over the data directory's store (store.h,
// Record): each account and each OAuth client is one sealed record, so they
// are encrypted at rest, kept in the same database as the records they
// protect, and backed up with them.
//
//   kind "account"       key: account id        body: EncodeAccount()
//   kind "login"         key: hex of BlindIndex("login\0" + login id)
//                        body: the account id (login ids are unique; the
//                        keyed hash keeps them out of the database in clear)
//   kind "oauth-client"  key: client id         body: JSON of the registration
//
// A new account's "login" record is written in the same transaction as the
// account, with expected version 0, so two concurrent creations of one
// login id cannot both succeed.
//
// Thread-safety: as the store's.

#include "auth/account.h"
#include "auth/oauth.h"
#include "store/store.h"

namespace mamori::auth {

class StoreAccountStore final : public AccountStore {
 public:
  explicit StoreAccountStore(store::Store& store) : store_(store) {}
  core::Result<std::optional<Account>> FindByLogin(std::string_view login_id) override;
  core::Result<std::optional<Account>> FindById(std::string_view account_id) override;
  core::Status Save(Account& account) override;
  core::Result<std::vector<Account>> List() override;

 private:
  core::Result<std::string> LoginKey(std::string_view login_id);
  store::Store& store_;
};

class StoreClientStore final : public ClientStore {
 public:
  explicit StoreClientStore(store::Store& store) : store_(store) {}
  core::Result<std::optional<OAuthClient>> Find(std::string_view client_id) override;
  core::Status Save(OAuthClient& client) override;
  core::Result<std::vector<OAuthClient>> List() override;

 private:
  store::Store& store_;
};

// JSON for an OAuth client registration (exposed for tests).
std::string EncodeClient(const OAuthClient& client);
core::Result<OAuthClient> DecodeClient(std::string_view json);

}  // namespace mamori::auth
