// SPDX-License-Identifier: Apache-2.0
#pragma once

// auth::Authenticator: the login flow and the account life cycle, over an
// AccountStore.
//
// Login (POST /auth/login, issue 7): throttle first (SYS-43), then the
// password (Argon2id; rehashed when the parameters changed), then the identity
// proofing record (an account without one, and without an administrator's
// recorded waiver, cannot log in), then the second factor — a TOTP code
// (SYS-41; a code is accepted once) or an unused recovery code — and only then
// a session (SYS-44). Every failure returns the same message, so a caller
// cannot tell an unknown login id from a wrong password (SYS-43); the real
// reason goes to `audit_reason` for the ledger.
//
// Accounts are created with a role grant that names who requested and who
// approved it, two different people when four-eyes is on (SYS-40, default),
// and with an initial password that must be changed at first login
// (PLAN-25). TOTP enrolment is done with the administrator (who has just
// verified the person's identity): Begin returns the secret and the otpauth
// URI for the QR code, Confirm takes the first code from the app.
//
//   auth::Authenticator authn(accounts, checker, throttle, sessions, secrets_key, env);
//   std::string why;
//   auto login = authn.Login({.login_id = id, .password = pw, .second_factor = code,
//                             .source = peer_ip}, &why);
//   if (!login.ok()) { audit(why); return 401 "login failed"; }
//
// Thread-safety: all methods may be called concurrently; account updates are
// serialised by the AccountStore's version check (a concurrent second use of
// the same TOTP code loses).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/account.h"
#include "auth/login_throttle.h"
#include "auth/password_policy.h"
#include "auth/session.h"
#include "core/env.h"
#include "crypto/aead.h"
#include "crypto/argon2.h"
#include "crypto/totp.h"

namespace mamori::auth {

struct AuthOptions {
  bool require_second_factor = true;  // SYS-41: every human login
  bool four_eyes = true;              // SYS-40
  crypto::Argon2Params password_params = crypto::kArgon2PasswordParams;
  std::string totp_issuer = "mamori";
};

struct NewAccount {
  std::string login_id;
  std::string display_name;
  std::vector<std::string> name_parts;
  std::string birth_date;
  Role role = Role::kPhysician;
  std::vector<std::string> organizations;
  std::vector<std::string> departments;
  std::string requested_by;
  std::string approved_by;
  std::string initial_password;
  std::optional<IdentityProofing> proofing;
};

struct LoginRequest {
  std::string_view login_id;
  std::string_view password;
  // A 6-digit TOTP code or a recovery code.
  std::string_view second_factor;
  // Peer address, for the throttle and the audit event.
  std::string_view source;
  // Fingerprint of the client certificate, or "".
  std::string_view binding;
};

struct LoginResult {
  IssuedSession session;
  Principal principal;
};

struct TotpEnrolment {
  std::string secret_base32;  // to type into an app
  std::string key_uri;        // otpauth://, for the QR code
};

// The one message every failed login gets.
inline constexpr char kLoginFailedMessage[] = "login failed: wrong login id, password or code";

class Authenticator {
 public:
  // Borrows everything; all must outlive the Authenticator. `secrets_key`
  // seals TOTP secrets at rest.
  Authenticator(AccountStore& accounts, const PasswordChecker& checker, LoginThrottle& throttle,
                SessionTable& sessions, const crypto::AeadKey& secrets_key, core::Env& env,
                AuthOptions options = {});

  // Errors: kInvalidArgument naming the rule broken (login id form, SYS-40
  // grant, SYS-42 password, proofing method); kAlreadyExists.
  core::Result<Account> CreateAccount(const NewAccount& request);

  // Errors: kUnauthenticated with kLoginFailedMessage; `audit_reason` (if
  // not null) gets the real reason.
  core::Result<LoginResult> Login(const LoginRequest& request, std::string* audit_reason);

  // Errors: kUnauthenticated for a wrong current password; kInvalidArgument
  // naming the SYS-42 rule the new one breaks. Ends every session of the
  // account (log in again with the new password).
  core::Status ChangePassword(std::string_view account_id, std::string_view current_password,
                              std::string_view new_password);
  // An administrator's reset: a new initial password, changed at next login.
  core::Status ResetPassword(std::string_view account_id, std::string_view initial_password);

  core::Result<TotpEnrolment> BeginTotpEnrolment(std::string_view account_id);
  // Errors: kFailedPrecondition without a pending enrolment; kUnauthenticated
  // for a wrong code.
  core::Status ConfirmTotpEnrolment(std::string_view account_id, std::string_view code);
  // Ten new codes (the old ones stop working), shown once; stored hashed.
  core::Result<std::vector<std::string>> IssueRecoveryCodes(std::string_view account_id);

  core::Status RecordProofing(std::string_view account_id, const IdentityProofing& proofing);
  // Lets an account without a proofing record log in; `reason` is required.
  core::Status WaiveProofing(std::string_view account_id, std::string_view reason,
                             std::string_view administrator);
  core::Status Disable(std::string_view account_id);
  // The administrator's list of human accounts that cannot use a second factor yet.
  core::Result<std::vector<Account>> AccountsWithoutSecondFactor();

 private:
  core::Result<Account> Load(std::string_view account_id);
  core::Result<std::string> SealTotp(const Account& account, const crypto::TotpSecret& secret);
  core::Result<crypto::TotpSecret> OpenTotp(const Account& account, const std::string& sealed);
  // Checks the second factor and updates `account` (last step, used recovery code).
  core::Status CheckSecondFactor(Account& account, std::string_view code, std::string* why);
  core::Status SetPassword(Account& account, std::string_view password);
  Principal PrincipalOf(const Account& account, bool second_factor) const;

  AccountStore& accounts_;
  const PasswordChecker& checker_;
  LoginThrottle& throttle_;
  SessionTable& sessions_;
  const crypto::AeadKey& secrets_key_;
  core::Env& env_;
  const AuthOptions options_;
  // Verified against for unknown login ids, so they take as long as real ones.
  std::string dummy_phc_;
};

}  // namespace mamori::auth
