// SPDX-License-Identifier: Apache-2.0
#pragma once

// The identity and access stack of one data directory, as `serve` and the
// `mamori user|client` commands use it: accounts and OAuth clients in the
// store, the password rules, the login throttle, sessions, tokens, the TOTP
// secrets key, and the policy from DIR/policy.toml.
//
//   MAMORI_ASSIGN_OR_RETURN(auto identity, OpenIdentity(*store, data_dir, env));
//   identity->authenticator->Login(...);

#include <memory>
#include <string>

#include "auth/authenticator.h"
#include "auth/login_throttle.h"
#include "auth/oauth.h"
#include "auth/password_policy.h"
#include "auth/session.h"
#include "auth/store_accounts.h"
#include "core/env.h"
#include "crypto/aead.h"
#include "policy/policy.h"
#include "store/store.h"

namespace mamori::cli {

inline constexpr char kPolicyFile[] = "policy.toml";

struct Identity {
  Identity(store::Store& store, core::Env& env, auth::PasswordChecker checker,
           crypto::AeadKey secrets, policy::Policy policy);
  auth::StoreAccountStore accounts;
  auth::StoreClientStore clients;
  auth::PasswordChecker checker;
  auth::LoginThrottle throttle;
  auth::SessionTable sessions;
  auth::TokenService tokens;
  crypto::AeadKey secrets_key;
  auth::Authenticator authenticator;
  policy::Policy policy;
  policy::EmergencyAccess emergency;
};

// Errors: the policy file's (kInvalidArgument with its line), the password
// lists' (kFailedPrecondition naming the Debian package), the store's.
core::Result<std::unique_ptr<Identity>> OpenIdentity(store::Store& store,
                                                     const std::string& data_dir, core::Env& env);

}  // namespace mamori::cli
