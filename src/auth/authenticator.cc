// SPDX-License-Identifier: Apache-2.0
#include "auth/authenticator.h"

#include <array>
#include <chrono>

#include "crypto/hash.h"
#include "crypto/hex.h"
#include "crypto/secure_bytes.h"

namespace mamori::auth {
namespace {

constexpr size_t kRecoveryCodes = 10;
constexpr size_t kPasswordHistory = 5;

std::string RandomHex(core::Random& random, size_t bytes) {
  std::vector<uint8_t> buf(bytes);
  random.Fill(buf);
  return crypto::HexEncode(buf);
}

// Recovery codes: 16 characters of base32 in four groups (80 bits), easy to
// read off paper. Stored as SHA-256: with 80 random bits no slow hash is needed.
std::string NewRecoveryCode(core::Random& random) {
  static constexpr char kAlphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";  // no I, O, 0, 1
  std::array<uint8_t, 16> bytes;
  random.Fill(bytes);
  std::string code;
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i > 0 && i % 4 == 0) code.push_back('-');
    code.push_back(kAlphabet[bytes[i] % 32]);
  }
  return code;
}

std::string NormalizeRecoveryCode(std::string_view code) {
  std::string out;
  for (char c : code) {
    if (c == '-' || c == ' ') continue;
    out.push_back(c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c);
  }
  return out;
}

std::string RecoveryHash(std::string_view code) {
  crypto::Sha256Digest d = crypto::Sha256(crypto::AsBytes(NormalizeRecoveryCode(code)));
  return crypto::HexEncode(d);
}

bool IsValidLoginId(std::string_view id) {
  if (id.size() < 3 || id.size() > 64) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string TotpAad(const Account& account) { return "mamori/totp/" + account.account_id; }

core::Status LoginFailed(std::string* why, std::string reason) {
  if (why != nullptr) *why = std::move(reason);
  return core::UnauthenticatedError(kLoginFailedMessage);
}

}  // namespace

Authenticator::Authenticator(AccountStore& accounts, const PasswordChecker& checker,
                             LoginThrottle& throttle, SessionTable& sessions,
                             const crypto::AeadKey& secrets_key, core::Env& env,
                             AuthOptions options)
    : accounts_(accounts),
      checker_(checker),
      throttle_(throttle),
      sessions_(sessions),
      secrets_key_(secrets_key),
      env_(env),
      options_(std::move(options)) {
  auto phc = crypto::HashPassword("mamori-dummy-password", options_.password_params, env_.random());
  dummy_phc_ = phc.ok() ? *phc : "";
}

core::Result<Account> Authenticator::Load(std::string_view account_id) {
  MAMORI_ASSIGN_OR_RETURN(std::optional<Account> account, accounts_.FindById(account_id));
  if (!account) return core::NotFoundError("no such account");
  return *std::move(account);
}

core::Result<Account> Authenticator::CreateAccount(const NewAccount& request) {
  if (!IsValidLoginId(request.login_id)) {
    return core::InvalidArgumentError(
        "login id must be 3 to 64 characters of a-z, 0-9, '.', '_' or '-'");
  }
  if (request.role == Role::kSystem) {
    return core::InvalidArgumentError(
        "systems are OAuth clients, not accounts (mamori client add)");
  }
  if (request.requested_by.empty() || request.approved_by.empty()) {
    return core::InvalidArgumentError("a role grant needs a requester and an approver (SYS-40)");
  }
  if (options_.four_eyes && request.requested_by == request.approved_by) {
    return core::InvalidArgumentError(
        "the approver of a role grant must be another person than the requester (SYS-40)");
  }
  if (request.proofing && !IsKnownProofingMethod(request.proofing->method)) {
    return core::InvalidArgumentError(
        "identity proofing method must be in-person-photo-id, jpki or other");
  }
  core::Clock::WallTime now = env_.clock().Now();
  Account account{.account_id = RandomHex(env_.random(), 16),
                  .login_id = request.login_id,
                  .display_name = request.display_name,
                  .name_parts = request.name_parts,
                  .birth_date = request.birth_date,
                  .role = request.role,
                  .organizations = request.organizations,
                  .departments = request.departments,
                  .grant = {.requested_by = request.requested_by,
                            .approved_by = request.approved_by,
                            .granted_at = now},
                  .proofing = request.proofing};
  MAMORI_RETURN_IF_ERROR(SetPassword(account, request.initial_password));
  account.must_change_password = true;
  MAMORI_RETURN_IF_ERROR(accounts_.Save(account));
  return account;
}

core::Status Authenticator::SetPassword(Account& account, std::string_view password) {
  PasswordContext context{.login_id = account.login_id,
                          .names = account.name_parts,
                          .birth_date = account.birth_date,
                          .second_factor = options_.require_second_factor,
                          .previous_phc = account.password_history};
  MAMORI_RETURN_IF_ERROR(checker_.Check(password, context));
  MAMORI_ASSIGN_OR_RETURN(std::string phc,
                          crypto::HashPassword(password, options_.password_params, env_.random()));
  if (!account.password_phc.empty()) {
    account.password_history.insert(account.password_history.begin(), account.password_phc);
    if (account.password_history.size() > kPasswordHistory) {
      account.password_history.resize(kPasswordHistory);
    }
  }
  account.password_phc = std::move(phc);
  core::Clock::WallTime now = env_.clock().Now();
  account.password_changed_at = now;
  account.password_expires_at.reset();
  if (auto max_age =
          checker_.MaxAge(PasswordChecker::Length(password), options_.require_second_factor)) {
    account.password_expires_at = now + *max_age;
  }
  return core::Status::Ok();
}

Principal Authenticator::PrincipalOf(const Account& account, bool second_factor) const {
  bool expired = account.password_expires_at && env_.clock().Now() >= *account.password_expires_at;
  return {.account_id = account.account_id,
          .login_id = account.login_id,
          .role = account.role,
          .organizations = account.organizations,
          .departments = account.departments,
          .second_factor = second_factor,
          .must_change_password = account.must_change_password || expired};
}

core::Result<LoginResult> Authenticator::Login(const LoginRequest& request, std::string* why) {
  Admission admission = throttle_.Admit(request.login_id, request.source);
  if (!admission.allowed) return LoginFailed(why, "throttled: " + admission.reason);

  MAMORI_ASSIGN_OR_RETURN(std::optional<Account> found, accounts_.FindByLogin(request.login_id));
  if (!found) {
    (void)crypto::VerifyPassword(request.password, dummy_phc_);  // same time as a real account
    throttle_.RecordFailure(request.login_id, request.source);
    return LoginFailed(why, "unknown login id");
  }
  Account& account = *found;
  auto verified = crypto::VerifyPassword(request.password, account.password_phc);
  if (!verified.ok() || !*verified) {
    throttle_.RecordFailure(request.login_id, request.source);
    return LoginFailed(why, verified.ok() ? "wrong password" : "stored password hash unreadable");
  }
  if (account.disabled) return LoginFailed(why, "account disabled");
  if (!account.proofing && account.proofing_waiver.empty()) {
    return LoginFailed(why, "no identity proofing record and no recorded waiver");
  }
  bool second_factor = false;
  if (options_.require_second_factor || !request.second_factor.empty()) {
    if (core::Status s = CheckSecondFactor(account, request.second_factor, why); !s.ok()) {
      throttle_.RecordFailure(request.login_id, request.source);
      return s;
    }
    second_factor = true;
  }
  if (crypto::NeedsRehash(account.password_phc, options_.password_params)) {
    auto rehashed = crypto::HashPassword(request.password, options_.password_params, env_.random());
    if (rehashed.ok()) account.password_phc = *std::move(rehashed);
  }
  // The used TOTP step is stored before the session exists: a concurrent
  // login with the same code fails on the version check here.
  if (core::Status saved = accounts_.Save(account); !saved.ok()) {
    return LoginFailed(why, "concurrent login (" + std::string(saved.message()) + ")");
  }
  throttle_.RecordSuccess(request.login_id, request.source);
  Principal principal = PrincipalOf(account, second_factor);
  IssuedSession session = sessions_.Create(principal, std::string(request.binding));
  return LoginResult{.session = std::move(session), .principal = std::move(principal)};
}

core::Status Authenticator::CheckSecondFactor(Account& account, std::string_view code,
                                              std::string* why) {
  if (code.size() == 6) {
    if (account.totp_sealed.empty()) return LoginFailed(why, "second factor not enrolled");
    MAMORI_ASSIGN_OR_RETURN(crypto::TotpSecret secret, OpenTotp(account, account.totp_sealed));
    auto step = crypto::VerifyTotp(secret, code, env_.clock().Now(), account.last_totp_step);
    if (!step.ok()) return LoginFailed(why, "TOTP " + std::string(step.status().message()));
    account.last_totp_step = *step;
    return core::Status::Ok();
  }
  if (code.empty()) {
    return LoginFailed(
        why, account.totp_sealed.empty() ? "second factor not enrolled" : "second factor missing");
  }
  std::string hash = RecoveryHash(code);
  for (auto it = account.recovery_code_hashes.begin(); it != account.recovery_code_hashes.end();
       ++it) {
    if (crypto::ConstantTimeEquals(crypto::AsBytes(*it), crypto::AsBytes(hash))) {
      account.recovery_code_hashes.erase(it);  // each code works once
      return core::Status::Ok();
    }
  }
  return LoginFailed(why, "wrong recovery code");
}

core::Result<std::string> Authenticator::SealTotp(const Account& account,
                                                  const crypto::TotpSecret& secret) {
  // Hex, because the account record is JSON text.
  MAMORI_ASSIGN_OR_RETURN(std::string envelope,
                          crypto::Aead::Seal(secrets_key_, secret.ExportKeyBytes(),
                                             crypto::AsBytes(TotpAad(account)), env_.random()));
  return crypto::HexEncode(crypto::AsBytes(envelope));
}

core::Result<crypto::TotpSecret> Authenticator::OpenTotp(const Account& account,
                                                         const std::string& sealed) {
  std::optional<std::vector<uint8_t>> envelope = crypto::HexDecode(sealed);
  if (!envelope) return core::DataLossError("stored TOTP secret is not hex");
  MAMORI_ASSIGN_OR_RETURN(
      crypto::SecureBytes bytes,
      crypto::Aead::Open(secrets_key_, *envelope, crypto::AsBytes(TotpAad(account))));
  return crypto::TotpSecret::Import(bytes.span());
}

core::Status Authenticator::ChangePassword(std::string_view account_id,
                                           std::string_view current_password,
                                           std::string_view new_password) {
  MAMORI_ASSIGN_OR_RETURN(Account account, Load(account_id));
  MAMORI_ASSIGN_OR_RETURN(bool ok, crypto::VerifyPassword(current_password, account.password_phc));
  if (!ok) return core::UnauthenticatedError("current password is wrong");
  MAMORI_RETURN_IF_ERROR(SetPassword(account, new_password));
  account.must_change_password = false;
  MAMORI_RETURN_IF_ERROR(accounts_.Save(account));
  sessions_.RevokeAccount(account.account_id);
  return core::Status::Ok();
}

core::Status Authenticator::ResetPassword(std::string_view account_id,
                                          std::string_view initial_password) {
  MAMORI_ASSIGN_OR_RETURN(Account account, Load(account_id));
  MAMORI_RETURN_IF_ERROR(SetPassword(account, initial_password));
  account.must_change_password = true;
  MAMORI_RETURN_IF_ERROR(accounts_.Save(account));
  sessions_.RevokeAccount(account.account_id);
  throttle_.Unlock(account.login_id);
  return core::Status::Ok();
}

core::Result<TotpEnrolment> Authenticator::BeginTotpEnrolment(std::string_view account_id) {
  MAMORI_ASSIGN_OR_RETURN(Account account, Load(account_id));
  crypto::TotpSecret secret = crypto::TotpSecret::Generate(env_.random());
  MAMORI_ASSIGN_OR_RETURN(account.totp_pending_sealed, SealTotp(account, secret));
  MAMORI_RETURN_IF_ERROR(accounts_.Save(account));
  return TotpEnrolment{
      .secret_base32 = secret.ToBase32(),
      .key_uri = crypto::TotpKeyUri(secret, options_.totp_issuer, account.login_id)};
}

core::Status Authenticator::ConfirmTotpEnrolment(std::string_view account_id,
                                                 std::string_view code) {
  MAMORI_ASSIGN_OR_RETURN(Account account, Load(account_id));
  if (account.totp_pending_sealed.empty()) {
    return core::FailedPreconditionError("no TOTP enrolment is pending for this account");
  }
  MAMORI_ASSIGN_OR_RETURN(crypto::TotpSecret secret,
                          OpenTotp(account, account.totp_pending_sealed));
  MAMORI_ASSIGN_OR_RETURN(uint64_t step, crypto::VerifyTotp(secret, code, env_.clock().Now(), 0));
  account.totp_sealed = std::move(account.totp_pending_sealed);
  account.totp_pending_sealed.clear();
  account.last_totp_step = step;  // the confirming code cannot be used to log in
  return accounts_.Save(account);
}

core::Result<std::vector<std::string>> Authenticator::IssueRecoveryCodes(
    std::string_view account_id) {
  MAMORI_ASSIGN_OR_RETURN(Account account, Load(account_id));
  std::vector<std::string> codes;
  account.recovery_code_hashes.clear();
  for (size_t i = 0; i < kRecoveryCodes; ++i) {
    codes.push_back(NewRecoveryCode(env_.random()));
    account.recovery_code_hashes.push_back(RecoveryHash(codes.back()));
  }
  MAMORI_RETURN_IF_ERROR(accounts_.Save(account));
  return codes;
}

core::Status Authenticator::RecordProofing(std::string_view account_id,
                                           const IdentityProofing& proofing) {
  if (!IsKnownProofingMethod(proofing.method)) {
    return core::InvalidArgumentError(
        "identity proofing method must be in-person-photo-id, jpki or other");
  }
  if (proofing.verified_by.empty()) {
    return core::InvalidArgumentError("identity proofing needs who verified it");
  }
  MAMORI_ASSIGN_OR_RETURN(Account account, Load(account_id));
  account.proofing = proofing;
  return accounts_.Save(account);
}

core::Status Authenticator::WaiveProofing(std::string_view account_id, std::string_view reason,
                                          std::string_view administrator) {
  if (reason.empty() || administrator.empty()) {
    return core::InvalidArgumentError("a proofing waiver needs a reason and the administrator");
  }
  MAMORI_ASSIGN_OR_RETURN(Account account, Load(account_id));
  account.proofing_waiver = std::string(administrator) + ": " + std::string(reason);
  return accounts_.Save(account);
}

core::Status Authenticator::Disable(std::string_view account_id) {
  MAMORI_ASSIGN_OR_RETURN(Account account, Load(account_id));
  account.disabled = true;
  MAMORI_RETURN_IF_ERROR(accounts_.Save(account));
  sessions_.RevokeAccount(account.account_id);
  return core::Status::Ok();
}

core::Result<std::vector<Account>> Authenticator::AccountsWithoutSecondFactor() {
  MAMORI_ASSIGN_OR_RETURN(std::vector<Account> all, accounts_.List());
  std::vector<Account> out;
  for (Account& a : all) {
    if (!a.disabled && a.role != Role::kSystem && a.totp_sealed.empty())
      out.push_back(std::move(a));
  }
  return out;
}

}  // namespace mamori::auth
