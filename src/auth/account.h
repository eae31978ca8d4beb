// SPDX-License-Identifier: Apache-2.0
#pragma once

// auth::Account: one person's (or one system's) credentials and the facts the
// guideline asks to keep about them, and the AccountStore interface through
// which they are kept (STYLE.md rule 4: the storage backend is swappable; the
// store module implements it in the data directory's database).
//
// One account per person (PLAN-25): no shared ids, no built-in default
// accounts. An account records how the person's identity was verified
// before credentials were issued (identity proofing, issue 7) and who
// requested and approved its role (SYS-40, four eyes).
//
// Secrets never sit in an Account in the clear: the password is an Argon2id
// PHC string, the TOTP secret an AEAD envelope sealed by the Authenticator,
// recovery codes SHA-256 hashes.
//
// Thread-safety: Account is a value. AccountStore implementations must be
// safe for concurrent use.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/session.h"
#include "core/clock.h"
#include "core/status.h"

namespace mamori::auth {

// How the person's identity was verified before credentials were issued.
struct IdentityProofing {
  // "in-person-photo-id" (対面, 顔写真付き身分証), "jpki" (マイナンバーカードの
  // 公的個人認証), or "other" with the details in evidence_ref.
  std::string method;
  std::string verified_by;  // login id of the staff member who checked
  core::Clock::WallTime verified_at;
  std::string evidence_ref;  // where the copy or record of the check is kept
};

// The methods IdentityProofing::method accepts.
bool IsKnownProofingMethod(std::string_view method);

struct RoleGrant {
  std::string requested_by;  // login id
  std::string approved_by;   // login id; differs from requested_by (SYS-40)
  core::Clock::WallTime granted_at;
};

struct Account {
  std::string account_id;  // stable, random; what the ledger records
  std::string login_id;
  std::string display_name;
  // Name parts in every script (kanji, kana, romaji), for the password rules.
  std::vector<std::string> name_parts;
  std::string birth_date;  // YYYY-MM-DD or empty
  Role role = Role::kPhysician;
  std::vector<std::string> organizations;
  std::vector<std::string> departments;
  RoleGrant grant;

  std::string password_phc;
  core::Clock::WallTime password_changed_at;
  // Set only for short single-factor passwords (SYS-42 (b)).
  std::optional<core::Clock::WallTime> password_expires_at;
  // Previous PHC strings, newest first.
  std::vector<std::string> password_history;
  // An initial or reset password: only a password change is allowed (PLAN-25).
  bool must_change_password = true;

  // The TOTP secret sealed under the Authenticator's secrets key; empty until
  // enrolment is confirmed. A pending secret waits for its first code.
  std::string totp_sealed;
  std::string totp_pending_sealed;
  uint64_t last_totp_step = 0;
  // SHA-256 (hex) of each unused recovery code.
  std::vector<std::string> recovery_code_hashes;

  std::optional<IdentityProofing> proofing;
  // When there is no proofing record: the administrator's recorded reason to
  // let the account log in anyway, and who recorded it.
  std::string proofing_waiver;

  bool disabled = false;
  // Optimistic concurrency: the store refuses a Save whose version is stale.
  int64_t version = 0;
};

class AccountStore {
 public:
  virtual ~AccountStore() = default;
  virtual core::Result<std::optional<Account>> FindByLogin(std::string_view login_id) = 0;
  virtual core::Result<std::optional<Account>> FindById(std::string_view account_id) = 0;
  // Stores `account` if the stored version equals account.version (0: new)
  // and sets account.version to the new one.
  // Errors: kAlreadyExists for a new account whose login id is taken;
  // kAborted when the stored version moved on (someone else saved first).
  virtual core::Status Save(Account& account) = 0;
  virtual core::Result<std::vector<Account>> List() = 0;
};

// JSON for the store to seal (the store never parses it).
std::string EncodeAccount(const Account& account);
// Errors: kDataLoss when the bytes are not an account this code wrote.
core::Result<Account> DecodeAccount(std::string_view json);

}  // namespace mamori::auth
