// SPDX-License-Identifier: Apache-2.0
#pragma once

// auth::SessionTable: bearer sessions after a login (GUIDELINE SYS-44).
//
// A token is 32 random bytes (base64url); the table keeps only its SHA-256,
// so a memory dump or a copy of the table cannot be replayed as a login. A
// session ends after `idle` without use (15 min) or `absolute` after login
// (12 h), whichever comes first, or on logout. A session may be bound to the
// client certificate it was created over (its SHA-256 fingerprint): presented
// over another certificate, or without one, it is refused (a token copied
// to another device does not work there).
//
// Each session also has a CSRF token for the console's cookie (the double
// submit pattern: the cookie carries the session, the header carries the
// CSRF token, which only a page of our origin can read).
//
// Sessions live in memory: a restart of `mamori serve` logs everyone out,
// which is the safe direction.
//
//   auth::SessionTable sessions(env.clock(), env.random());
//   auth::IssuedSession s = sessions.Create(principal, cert_fingerprint);
//   MAMORI_ASSIGN_OR_RETURN(auth::Principal who, sessions.Authenticate(token, cert_fingerprint));
//   sessions.Revoke(token);   // logout
//
// Thread-safety: all methods may be called concurrently.

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/check.h"
#include "core/clock.h"
#include "core/random.h"
#include "core/status.h"

namespace mamori::auth {

// The roles of issue 7; kSystem is an OAuth client, not a person.
enum class Role {
  kPhysician,
  kNurse,
  kPharmacist,
  kMedicalClerk,
  kAdministrator,
  kAuditor,
  kSystem
};
std::string_view RoleName(Role role);  // "physician", "medical-clerk", ...
// The role RoleName gives `name`, or nullopt.
std::optional<Role> RoleFromName(std::string_view name);

// Who a request is from, as authorization and the audit ledger see it.
struct Principal {
  std::string account_id;
  std::string login_id;
  Role role = Role::kPhysician;
  std::vector<std::string> organizations;
  std::vector<std::string> departments;
  // The login used a second factor (SYS-41).
  bool second_factor = false;
  // An initial, reset or expired password: only the password change is
  // allowed until it is changed (PLAN-25, SYS-42).
  bool must_change_password = false;
};

struct SessionPolicy {
  std::chrono::minutes idle{15};
  std::chrono::hours absolute{12};
};

struct IssuedSession {
  std::string token;                 // for the Authorization header or the cookie
  std::string csrf_token;            // for the console's X-CSRF-Token header
  core::Clock::WallTime expires_at;  // the absolute end
};

class SessionTable {
 public:
  SessionTable(const core::Clock& clock, core::Random& random, SessionPolicy policy = {})
      : clock_(clock), random_(random), policy_(policy) {}

  // `binding`: the client certificate's fingerprint, or "" for none.
  IssuedSession Create(Principal principal, std::string binding) MAMORI_EXCLUDES(mu_);

  // The principal of a live session, and marks it used now.
  // Errors (kUnauthenticated, with the reason for the audit event): unknown
  // or revoked token, idle timeout, absolute timeout, other certificate.
  core::Result<Principal> Authenticate(std::string_view token, std::string_view binding)
      MAMORI_EXCLUDES(mu_);

  // True when `csrf_token` belongs to the session of `token`.
  bool CheckCsrf(std::string_view token, std::string_view csrf_token) MAMORI_EXCLUDES(mu_);

  // Logout. Unknown tokens are ignored.
  void Revoke(std::string_view token) MAMORI_EXCLUDES(mu_);
  // Ends every session of an account (disabled account, password reset).
  void RevokeAccount(std::string_view account_id) MAMORI_EXCLUDES(mu_);

  size_t size() MAMORI_EXCLUDES(mu_);

 private:
  struct Session {
    Principal principal;
    std::string binding;
    std::string csrf_hash;
    core::Clock::WallTime created;
    core::Clock::WallTime last_used;
  };
  std::string NewToken();
  void DropExpired(core::Clock::WallTime now) MAMORI_REQUIRES(mu_);

  const core::Clock& clock_;
  core::Random& random_;
  const SessionPolicy policy_;
  std::mutex mu_;
  // Key: SHA-256 of the token.
  std::unordered_map<std::string, Session> sessions_ MAMORI_GUARDED_BY(mu_);
  size_t creates_since_sweep_ MAMORI_GUARDED_BY(mu_) = 0;
};

}  // namespace mamori::auth
