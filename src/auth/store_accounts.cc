// SPDX-License-Identifier: Apache-2.0
#include "auth/store_accounts.h"

#include <chrono>

#include <boost/json.hpp>

#include "crypto/hex.h"
#include "crypto/secure_bytes.h"

namespace mamori::auth {
namespace {

namespace json = boost::json;
constexpr char kAccount[] = "account";
constexpr char kLogin[] = "login";
constexpr char kClient[] = "oauth-client";

core::Result<Account> FromRecord(const store::Record& record) {
  MAMORI_ASSIGN_OR_RETURN(Account account, DecodeAccount(record.body));
  account.version = record.version;
  return account;
}

int64_t Micros(core::Clock::WallTime t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

}  // namespace

core::Result<std::string> StoreAccountStore::LoginKey(std::string_view login_id) {
  std::string input = "login";
  input.push_back('\0');
  input += login_id;
  MAMORI_ASSIGN_OR_RETURN(std::string mac, store_.BlindIndex(input));
  return crypto::HexEncode(crypto::AsBytes(mac));
}

core::Result<std::optional<Account>> StoreAccountStore::FindById(std::string_view account_id) {
  MAMORI_ASSIGN_OR_RETURN(std::optional<store::Record> record,
                          store_.GetRecord(kAccount, std::string(account_id)));
  if (!record) return std::optional<Account>();
  MAMORI_ASSIGN_OR_RETURN(Account account, FromRecord(*record));
  return std::optional<Account>(std::move(account));
}

core::Result<std::optional<Account>> StoreAccountStore::FindByLogin(std::string_view login_id) {
  MAMORI_ASSIGN_OR_RETURN(std::string key, LoginKey(login_id));
  MAMORI_ASSIGN_OR_RETURN(std::optional<store::Record> login, store_.GetRecord(kLogin, key));
  if (!login) return std::optional<Account>();
  MAMORI_ASSIGN_OR_RETURN(std::optional<Account> account, FindById(login->body));
  if (account && account->login_id != login_id) {
    return core::DataLossError("login record points at another account");
  }
  return account;
}

core::Status StoreAccountStore::Save(Account& account) {
  MAMORI_ASSIGN_OR_RETURN(std::string login_key, LoginKey(account.login_id));
  int64_t version = 0;
  core::Status s = store_.Write([&](store::Transaction& tx) -> core::Status {
    if (account.version == 0) {
      auto login = tx.PutRecord(kLogin, login_key, account.account_id, 0);
      if (login.status().code() == core::StatusCode::kAlreadyExists) {
        return core::AlreadyExistsError("login id " + account.login_id + " is taken");
      }
      MAMORI_RETURN_IF_ERROR(login.status());
    }
    MAMORI_ASSIGN_OR_RETURN(version, tx.PutRecord(kAccount, account.account_id,
                                                  EncodeAccount(account), account.version));
    return core::Status::Ok();
  });
  MAMORI_RETURN_IF_ERROR(s);
  account.version = version;
  return core::Status::Ok();
}

core::Result<std::vector<Account>> StoreAccountStore::List() {
  MAMORI_ASSIGN_OR_RETURN(std::vector<store::Record> records, store_.ListRecords(kAccount));
  std::vector<Account> out;
  for (const store::Record& r : records) {
    MAMORI_ASSIGN_OR_RETURN(Account a, FromRecord(r));
    out.push_back(std::move(a));
  }
  return out;
}

std::string EncodeClient(const OAuthClient& c) {
  json::array jwks, scopes;
  for (const std::string& j : c.jwks) jwks.emplace_back(j);
  for (const std::string& s : c.scopes) scopes.emplace_back(s);
  json::object o{{"format", 1},
                 {"client_id", c.client_id},
                 {"name", c.name},
                 {"auth_method", c.auth_method},
                 {"certificate_sha256", c.certificate_sha256},
                 {"jwks", jwks},
                 {"scopes", scopes},
                 {"revoked", c.revoked},
                 {"not_after_us", c.not_after ? Micros(*c.not_after) : 0}};
  return json::serialize(o);
}

core::Result<OAuthClient> DecodeClient(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return core::DataLossError("stored OAuth client is not JSON");
  const json::object& o = v.as_object();
  auto str = [&](const char* k) -> std::optional<std::string> {
    const json::value* x = o.if_contains(k);
    if (x == nullptr || !x->is_string()) return std::nullopt;
    return std::string(x->as_string());
  };
  auto strings = [&](const char* k) -> std::optional<std::vector<std::string>> {
    const json::value* x = o.if_contains(k);
    if (x == nullptr || !x->is_array()) return std::nullopt;
    std::vector<std::string> out;
    for (const json::value& e : x->as_array()) {
      if (!e.is_string()) return std::nullopt;
      out.emplace_back(e.as_string());
    }
    return out;
  };
  OAuthClient c;
  auto id = str("client_id"), name = str("name"), method = str("auth_method"),
       fp = str("certificate_sha256");
  auto jwks = strings("jwks"), scopes = strings("scopes");
  const json::value* revoked = o.if_contains("revoked");
  const json::value* not_after = o.if_contains("not_after_us");
  if (!id || !name || !method || !fp || !jwks || !scopes || !revoked || !revoked->is_bool() ||
      !not_after || !not_after->is_int64()) {
    return core::DataLossError("stored OAuth client is missing fields");
  }
  c.client_id = *id;
  c.name = *name;
  c.auth_method = *method;
  c.certificate_sha256 = *fp;
  c.jwks = *jwks;
  c.scopes = *scopes;
  c.revoked = revoked->as_bool();
  if (int64_t us = not_after->as_int64(); us != 0) {
    c.not_after = core::Clock::WallTime(
        std::chrono::duration_cast<core::Clock::WallTime::duration>(std::chrono::microseconds(us)));
  }
  return c;
}

core::Result<std::optional<OAuthClient>> StoreClientStore::Find(std::string_view client_id) {
  MAMORI_ASSIGN_OR_RETURN(std::optional<store::Record> record,
                          store_.GetRecord(kClient, std::string(client_id)));
  if (!record) return std::optional<OAuthClient>();
  MAMORI_ASSIGN_OR_RETURN(OAuthClient c, DecodeClient(record->body));
  c.version = record->version;
  return std::optional<OAuthClient>(std::move(c));
}

core::Status StoreClientStore::Save(OAuthClient& client) {
  MAMORI_RETURN_IF_ERROR(ValidateClient(client));
  int64_t version = 0;
  MAMORI_RETURN_IF_ERROR(store_.Write([&](store::Transaction& tx) -> core::Status {
    MAMORI_ASSIGN_OR_RETURN(
        version, tx.PutRecord(kClient, client.client_id, EncodeClient(client), client.version));
    return core::Status::Ok();
  }));
  client.version = version;
  return core::Status::Ok();
}

core::Result<std::vector<OAuthClient>> StoreClientStore::List() {
  MAMORI_ASSIGN_OR_RETURN(std::vector<store::Record> records, store_.ListRecords(kClient));
  std::vector<OAuthClient> out;
  for (const store::Record& r : records) {
    MAMORI_ASSIGN_OR_RETURN(OAuthClient c, DecodeClient(r.body));
    c.version = r.version;
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace mamori::auth
