// SPDX-License-Identifier: Apache-2.0
#include "cli/user_command.h"

#include <cstdio>

#include <boost/json.hpp>

#include "auth/qr_code.h"
#include "cli/data_dir.h"
#include "cli/identity.h"
#include "cli/master_key.h"
#include "cli/serve_command.h"
#include "crypto/key_file.h"

namespace mamori::cli {
namespace {

namespace json = boost::json;

void Print(bool as_json, const json::object& object, const std::string& text) {
  if (as_json) {
    std::printf("%s\n", json::serialize(object).c_str());
  } else {
    std::printf("%s", text.c_str());
  }
}

// The data directory opened for one administrative command.
struct Opened {
  std::unique_ptr<core::FileLock> lock;
  std::unique_ptr<crypto::AeadKey> kek;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<Identity> identity;
};

core::Result<Opened> Open(const std::string& data_dir, const std::string& passphrase_file,
                          core::Env& env) {
  Opened o;
  auto lock = env.fs().Lock(core::JoinPath(data_dir, "mamori.lock"));
  if (!lock.ok()) {
    return core::UnavailableError("mamori serve (or another command) is using " + data_dir +
                                  "; stop it, run this command, then start it again");
  }
  o.lock = *std::move(lock);
  MAMORI_ASSIGN_OR_RETURN(crypto::SecureBytes passphrase,
                          ObtainPassphrase(passphrase_file, env, "Master key passphrase", false));
  MAMORI_ASSIGN_OR_RETURN(crypto::AeadKey kek, UnlockMasterKey(data_dir, passphrase, env));
  o.kek = std::make_unique<crypto::AeadKey>(std::move(kek));
  MAMORI_ASSIGN_OR_RETURN(std::string location, StoreLocation(data_dir, env.fs()));
  store::StoreOptions options{.path = location, .kek = o.kek.get()};
  ApplyBenchmarkPlaintext(options);  // benchmark builds only
  MAMORI_ASSIGN_OR_RETURN(o.store, store::OpenStore(options, env));
  MAMORI_ASSIGN_OR_RETURN(o.identity, OpenIdentity(*o.store, data_dir, env));
  return o;
}

core::Result<auth::Account> FindLogin(Identity& identity, const std::string& login) {
  MAMORI_ASSIGN_OR_RETURN(std::optional<auth::Account> account,
                          identity.accounts.FindByLogin(login));
  if (!account) return core::NotFoundError("no user " + login + " (see `mamori user list`)");
  return *std::move(account);
}

}  // namespace

void UserCommands::Register(CLI::App& app) {
  user_ = app.add_subcommand("user", "People's accounts (two factors, identity proofing)");
  user_->require_subcommand(1);
  auto common = [&](CLI::App* c) {
    c->add_option("--data-dir", f_.data_dir, "Data directory (stop `mamori serve` first)")
        ->required();
    c->add_option("--passphrase-file", f_.passphrase_file, "Master key passphrase file");
    c->add_flag("--json", f_.json, "Machine-readable output");
  };
  CLI::App* add =
      user_->add_subcommand("add", "Create an account (initial password, changed at first login)");
  common(add);
  add->add_option("--login", f_.login, "Login id (a-z 0-9 . _ -)")->required();
  add->add_option("--name", f_.name, "Display name")->required();
  add->add_option("--role", f_.role,
                  "physician, nurse, pharmacist, medical-clerk, administrator or auditor")
      ->required();
  add->add_option("--department", f_.departments, "Department (Organization id), repeatable");
  add->add_option("--organization", f_.organizations, "Organization id, repeatable");
  add->add_option("--name-part", f_.name_parts,
                  "Name in kanji, kana or romaji, refused inside passwords; repeatable");
  add->add_option("--birth-date", f_.birth_date, "YYYY-MM-DD, refused inside passwords");
  add->add_option("--requested-by", f_.requested_by, "Who requested the role (SYS-40)")->required();
  add->add_option("--approved-by", f_.approved_by, "Who approved it, another person (SYS-40)")
      ->required();
  add->add_option("--password-file", f_.password_file, "File holding the initial password")
      ->required();
  add->add_option("--proofing-method", f_.proofing_method,
                  "How identity was verified: in-person-photo-id, jpki or other");
  add->add_option("--proofing-verified-by", f_.proofing_verified_by, "Who verified it");
  add->add_option("--proofing-evidence", f_.proofing_evidence, "Where the evidence is kept");
  add->add_option("--proofing-waiver", f_.proofing_waiver,
                  "Why the account may log in without a proofing record (recorded)");
  add->add_flag("--recovery-codes", f_.recovery_codes, "Also issue 10 recovery codes");
  CLI::App* list = user_->add_subcommand("list", "Accounts, roles, second factors");
  common(list);
  for (const char* name : {"disable", "enroll-totp", "recovery-codes", "reset-password"}) {
    CLI::App* c = user_->add_subcommand(name, name);
    common(c);
    c->add_option("--login", f_.login, "Login id")->required();
    if (std::string(name) == "enroll-totp") {
      c->add_option("--confirm", f_.confirm, "The first code from the app, to finish enrolment");
    }
    if (std::string(name) == "reset-password") {
      c->add_option("--password-file", f_.password_file, "File with the new initial password")
          ->required();
    }
  }
  client_ = app.add_subcommand("client", "Systems (OAuth client credentials)");
  client_->require_subcommand(1);
  CLI::App* cadd = client_->add_subcommand("add", "Register a system");
  common(cadd);
  cadd->add_option("--id", f_.client_id, "Client id")->required();
  cadd->add_option("--name", f_.client_name, "Name")->required();
  cadd->add_option("--cert-sha256", f_.cert_sha256,
                   "SHA-256 of its TLS client certificate (mutual TLS, tls_client_auth)");
  cadd->add_option("--jwk-file", f_.jwk_file, "Its public JWK (private_key_jwt)");
  cadd->add_option("--scope", f_.scopes, "SMART system scope, e.g. system/Observation.rs")
      ->required();
  CLI::App* clist = client_->add_subcommand("list", "Registered systems");
  common(clist);
  CLI::App* revoke = client_->add_subcommand("revoke", "Revoke a system (its tokens stop)");
  common(revoke);
  revoke->add_option("--id", f_.client_id, "Client id")->required();
}

std::optional<core::Status> UserCommands::Dispatch(core::Env& env) {
  if ((user_ == nullptr || !user_->parsed()) && (client_ == nullptr || !client_->parsed())) {
    return std::nullopt;
  }
  return Run(env);
}

core::Status UserCommands::Run(core::Env& env) {
  MAMORI_ASSIGN_OR_RETURN(Opened o, Open(f_.data_dir, f_.passphrase_file, env));
  Identity& id = *o.identity;
  CLI::App* sub =
      user_->parsed() ? user_->get_subcommands().front() : client_->get_subcommands().front();
  std::string name = sub->get_name();
  if (user_->parsed() && name == "add") {
    std::optional<auth::Role> role = auth::RoleFromName(f_.role);
    if (!role || *role == auth::Role::kSystem) {
      return core::InvalidArgumentError(
          "--role must be physician, nurse, pharmacist, medical-clerk, administrator or auditor");
    }
    MAMORI_ASSIGN_OR_RETURN(crypto::SecureBytes password,
                            crypto::ReadPassphraseFile(env.fs(), f_.password_file));
    auth::NewAccount request{.login_id = f_.login,
                             .display_name = f_.name,
                             .name_parts = f_.name_parts,
                             .birth_date = f_.birth_date,
                             .role = *role,
                             .organizations = f_.organizations,
                             .departments = f_.departments,
                             .requested_by = f_.requested_by,
                             .approved_by = f_.approved_by,
                             .initial_password = std::string(crypto::AsStringView(password))};
    if (!f_.proofing_method.empty()) {
      request.proofing = auth::IdentityProofing{.method = f_.proofing_method,
                                                .verified_by = f_.proofing_verified_by,
                                                .verified_at = env.clock().Now(),
                                                .evidence_ref = f_.proofing_evidence};
    } else if (f_.proofing_waiver.empty()) {
      return core::InvalidArgumentError(
          "record how the person's identity was verified (--proofing-method, "
          "--proofing-verified-by, --proofing-evidence) or why not (--proofing-waiver)");
    }
    MAMORI_ASSIGN_OR_RETURN(auth::Account account, id.authenticator.CreateAccount(request));
    if (!request.proofing) {
      MAMORI_RETURN_IF_ERROR(
          id.authenticator.WaiveProofing(account.account_id, f_.proofing_waiver, f_.approved_by));
    }
    json::object out{{"account_id", account.account_id}, {"login", account.login_id}};
    std::string text = "mamori: created " + account.login_id + " (" + f_.role +
                       "); the initial password must be changed at first login\n";
    if (f_.recovery_codes) {
      MAMORI_ASSIGN_OR_RETURN(auto codes, id.authenticator.IssueRecoveryCodes(account.account_id));
      json::array list;
      text += "recovery codes (each works once; hand them over on paper):\n";
      for (const std::string& c : codes) {
        list.emplace_back(c);
        text += "  " + c + "\n";
      }
      out["recovery_codes"] = list;
    }
    Print(f_.json, out, text);
    return core::Status::Ok();
  }
  if (user_->parsed() && name == "list") {
    MAMORI_ASSIGN_OR_RETURN(std::vector<auth::Account> accounts, id.accounts.List());
    json::array rows;
    std::string text;
    for (const auth::Account& a : accounts) {
      bool totp = !a.totp_sealed.empty();
      rows.push_back(json::object{{"login", a.login_id},
                                  {"role", auth::RoleName(a.role)},
                                  {"totp", totp},
                                  {"disabled", a.disabled},
                                  {"proofing", a.proofing ? a.proofing->method : "waived"}});
      text += a.login_id + "  " + std::string(auth::RoleName(a.role)) +
              (totp ? "  TOTP" : "  NO SECOND FACTOR ENROLLED") + (a.disabled ? "  disabled" : "") +
              "\n";
    }
    Print(f_.json, {{"users", rows}}, text);
    return core::Status::Ok();
  }
  if (user_->parsed()) {
    MAMORI_ASSIGN_OR_RETURN(auth::Account account, FindLogin(id, f_.login));
    if (name == "disable") {
      MAMORI_RETURN_IF_ERROR(id.authenticator.Disable(account.account_id));
      Print(f_.json, {{"disabled", f_.login}}, "mamori: disabled " + f_.login + "\n");
    } else if (name == "reset-password") {
      MAMORI_ASSIGN_OR_RETURN(crypto::SecureBytes password,
                              crypto::ReadPassphraseFile(env.fs(), f_.password_file));
      MAMORI_RETURN_IF_ERROR(id.authenticator.ResetPassword(
          account.account_id, std::string(crypto::AsStringView(password))));
      Print(f_.json, {{"reset", f_.login}},
            "mamori: " + f_.login + " must change the new password at next login\n");
    } else if (name == "recovery-codes") {
      MAMORI_ASSIGN_OR_RETURN(auto codes, id.authenticator.IssueRecoveryCodes(account.account_id));
      json::array list;
      std::string text;
      for (const std::string& c : codes) {
        list.emplace_back(c);
        text += c + "\n";
      }
      Print(f_.json, {{"recovery_codes", list}}, text);
    } else if (f_.confirm.empty()) {  // enroll-totp
      MAMORI_ASSIGN_OR_RETURN(auth::TotpEnrolment e,
                              id.authenticator.BeginTotpEnrolment(account.account_id));
      MAMORI_ASSIGN_OR_RETURN(std::string qr, auth::QrTerminal(e.key_uri));
      Print(f_.json, {{"totp_secret", e.secret_base32}, {"totp_uri", e.key_uri}},
            qr + "\nsecret: " + e.secret_base32 +
                "\nscan it with the authenticator app, then run\n  mamori user enroll-totp "
                "--data-dir " +
                f_.data_dir + " --login " + f_.login + " --confirm CODE\n");
    } else {
      MAMORI_RETURN_IF_ERROR(id.authenticator.ConfirmTotpEnrolment(account.account_id, f_.confirm));
      Print(f_.json, {{"enrolled", f_.login}}, "mamori: TOTP enrolled for " + f_.login + "\n");
    }
    return core::Status::Ok();
  }
  if (name == "add") {
    auth::OAuthClient client{
        .client_id = f_.client_id, .name = f_.client_name, .scopes = f_.scopes};
    if (!f_.cert_sha256.empty()) {
      client.auth_method = "tls_client_auth";
      client.certificate_sha256 = f_.cert_sha256;
    } else {
      client.auth_method = "private_key_jwt";
      MAMORI_ASSIGN_OR_RETURN(std::string jwk, env.fs().ReadFile(f_.jwk_file));
      client.jwks = {jwk};
    }
    MAMORI_RETURN_IF_ERROR(id.clients.Save(client));
    Print(f_.json, {{"client_id", client.client_id}},
          "mamori: registered client " + client.client_id + "\n");
    return core::Status::Ok();
  }
  if (name == "list") {
    MAMORI_ASSIGN_OR_RETURN(std::vector<auth::OAuthClient> clients, id.clients.List());
    json::array rows;
    std::string text;
    for (const auth::OAuthClient& c : clients) {
      rows.push_back(
          json::object{{"id", c.client_id}, {"auth", c.auth_method}, {"revoked", c.revoked}});
      text += c.client_id + "  " + c.auth_method + (c.revoked ? "  revoked" : "") + "\n";
    }
    Print(f_.json, {{"clients", rows}}, text);
    return core::Status::Ok();
  }
  MAMORI_ASSIGN_OR_RETURN(std::optional<auth::OAuthClient> client, id.clients.Find(f_.client_id));
  if (!client) return core::NotFoundError("no client " + f_.client_id);
  client->revoked = true;
  MAMORI_RETURN_IF_ERROR(id.clients.Save(*client));
  Print(f_.json, {{"revoked", f_.client_id}}, "mamori: revoked " + f_.client_id + "\n");
  return core::Status::Ok();
}

}  // namespace mamori::cli
