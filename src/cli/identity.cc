// SPDX-License-Identifier: Apache-2.0
#include "cli/identity.h"

#include <cstring>

#include "core/file_system.h"

namespace mamori::cli {
namespace {

constexpr char kKeyKind[] = "auth-key";
constexpr char kTotpKey[] = "totp";

// The key that seals TOTP secrets: random, kept as a sealed record (so it is
// under the master key, survives key rotation, and travels with backups).
core::Result<crypto::AeadKey> LoadOrCreateSecretsKey(store::Store& store, core::Env& env) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    MAMORI_ASSIGN_OR_RETURN(std::optional<store::Record> record,
                            store.GetRecord(kKeyKind, kTotpKey));
    if (record) {
      const std::string& b = record->body;
      if (b.size() != crypto::AeadKeyId::kSize + crypto::AeadKey::kSize) {
        return core::DataLossError("the TOTP secrets key record has a bad size");
      }
      MAMORI_ASSIGN_OR_RETURN(crypto::AeadKeyId id,
                              crypto::AeadKeyId::FromBytes(crypto::AsBytes(b).first(16)));
      return crypto::AeadKey::Import(id, crypto::AsBytes(b).subspan(16));
    }
    crypto::AeadKey key = crypto::AeadKey::Generate(env.random());
    std::string body(reinterpret_cast<const char*>(key.id().bytes().data()), 16);
    body.append(reinterpret_cast<const char*>(key.ExportKeyBytes().data()), 32);
    core::Status s = store.Write(
        [&](store::Transaction& tx) { return tx.PutRecord(kKeyKind, kTotpKey, body, 0).status(); });
    std::memset(body.data(), 0, body.size());
    if (s.ok()) return key;
    if (s.code() != core::StatusCode::kAlreadyExists) return s;  // else: someone else made it
  }
  return core::InternalError("could not create the TOTP secrets key");
}

core::Result<policy::Policy> LoadPolicy(const std::string& data_dir, core::Env& env) {
  std::string path = core::JoinPath(data_dir, kPolicyFile);
  MAMORI_ASSIGN_OR_RETURN(bool exists, env.fs().Exists(path));
  if (!exists) return policy::Policy::Parse(policy::DefaultPolicyToml());
  MAMORI_ASSIGN_OR_RETURN(std::string text, env.fs().ReadFile(path));
  auto parsed = policy::Policy::Parse(text);
  if (!parsed.ok()) return core::Status(parsed.status()).With(path);
  return parsed;
}

}  // namespace

Identity::Identity(store::Store& store, core::Env& env, auth::PasswordChecker checker_in,
                   crypto::AeadKey secrets, policy::Policy policy_in)
    : accounts(store),
      clients(store),
      checker(std::move(checker_in)),
      throttle(env.clock()),
      sessions(env.clock(), env.random()),
      tokens(clients, env.clock(), env.random()),
      secrets_key(std::move(secrets)),
      authenticator(accounts, checker, throttle, sessions, secrets_key, env),
      policy(std::move(policy_in)) {}

core::Result<std::unique_ptr<Identity>> OpenIdentity(store::Store& store,
                                                     const std::string& data_dir, core::Env& env) {
  MAMORI_ASSIGN_OR_RETURN(policy::Policy policy, LoadPolicy(data_dir, env));
  MAMORI_ASSIGN_OR_RETURN(auth::PasswordChecker checker, auth::PasswordChecker::Load({}));
  MAMORI_ASSIGN_OR_RETURN(crypto::AeadKey secrets, LoadOrCreateSecretsKey(store, env));
  return std::make_unique<Identity>(store, env, std::move(checker), std::move(secrets),
                                    std::move(policy));
}

}  // namespace mamori::cli
