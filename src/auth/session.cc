// SPDX-License-Identifier: Apache-2.0
#include "auth/session.h"

#include <array>

#include "crypto/hash.h"
#include "crypto/hex.h"
#include "crypto/secure_bytes.h"

namespace mamori::auth {
namespace {

constexpr size_t kTokenBytes = 32;  // 256 bits: unguessable, per RFC 6750 section 5.2

std::string HashOf(std::string_view token) {
  crypto::Sha256Digest digest = crypto::Sha256(crypto::AsBytes(token));
  return std::string(reinterpret_cast<const char*>(digest.data()), digest.size());
}

}  // namespace

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kPhysician:
      return "physician";
    case Role::kNurse:
      return "nurse";
    case Role::kPharmacist:
      return "pharmacist";
    case Role::kMedicalClerk:
      return "medical-clerk";
    case Role::kAdministrator:
      return "administrator";
    case Role::kAuditor:
      return "auditor";
    case Role::kSystem:
      return "system";
  }
  return "unknown";
}

std::optional<Role> RoleFromName(std::string_view name) {
  for (Role r : {Role::kPhysician, Role::kNurse, Role::kPharmacist, Role::kMedicalClerk,
                 Role::kAdministrator, Role::kAuditor, Role::kSystem}) {
    if (RoleName(r) == name) return r;
  }
  return std::nullopt;
}

std::string SessionTable::NewToken() {
  std::array<uint8_t, kTokenBytes> bytes;
  random_.Fill(bytes);
  return crypto::HexEncode(bytes);
}

IssuedSession SessionTable::Create(Principal principal, std::string binding) {
  core::Clock::WallTime now = clock_.Now();
  IssuedSession issued{
      .token = NewToken(), .csrf_token = NewToken(), .expires_at = now + policy_.absolute};
  Session session{.principal = std::move(principal),
                  .binding = std::move(binding),
                  .csrf_hash = HashOf(issued.csrf_token),
                  .created = now,
                  .last_used = now};
  std::lock_guard<std::mutex> lock(mu_);
  // Sweep now and then so abandoned sessions do not accumulate.
  if (++creates_since_sweep_ >= 1024) DropExpired(now);
  sessions_.emplace(HashOf(issued.token), std::move(session));
  return issued;
}

core::Result<Principal> SessionTable::Authenticate(std::string_view token,
                                                   std::string_view binding) {
  core::Clock::WallTime now = clock_.Now();
  std::string key = HashOf(token);
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sessions_.find(key);
  if (it == sessions_.end()) return core::UnauthenticatedError("unknown or revoked session");
  Session& session = it->second;
  if (now - session.created >= policy_.absolute) {
    sessions_.erase(it);
    return core::UnauthenticatedError("session reached its absolute timeout (SYS-44)");
  }
  if (now - session.last_used >= policy_.idle) {
    sessions_.erase(it);
    return core::UnauthenticatedError("session idle timeout (SYS-44)");
  }
  if (session.binding != binding) {
    // Not erased: the rightful device may still use it.
    return core::UnauthenticatedError("session is bound to another client certificate (SYS-44)");
  }
  session.last_used = now;
  return session.principal;
}

bool SessionTable::CheckCsrf(std::string_view token, std::string_view csrf_token) {
  std::string key = HashOf(token);
  std::string csrf = HashOf(csrf_token);
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sessions_.find(key);
  return it != sessions_.end() &&
         crypto::ConstantTimeEquals(crypto::AsBytes(it->second.csrf_hash), crypto::AsBytes(csrf));
}

void SessionTable::Revoke(std::string_view token) {
  std::string key = HashOf(token);
  std::lock_guard<std::mutex> lock(mu_);
  sessions_.erase(key);
}

void SessionTable::RevokeAccount(std::string_view account_id) {
  std::lock_guard<std::mutex> lock(mu_);
  std::erase_if(sessions_,
                [&](const auto& e) { return e.second.principal.account_id == account_id; });
}

size_t SessionTable::size() {
  std::lock_guard<std::mutex> lock(mu_);
  return sessions_.size();
}

void SessionTable::DropExpired(core::Clock::WallTime now) {
  creates_since_sweep_ = 0;
  std::erase_if(sessions_, [&](const auto& e) {
    return now - e.second.created >= policy_.absolute || now - e.second.last_used >= policy_.idle;
  });
}

}  // namespace mamori::auth
