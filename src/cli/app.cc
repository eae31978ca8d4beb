// SPDX-License-Identifier: Apache-2.0
#include "cli/app.h"

#include <unistd.h>

#include <cstdio>
#include <exception>
#include <string>

#include <CLI/CLI.hpp>

#include "cli/assess_command.h"
#include "cli/audit_command.h"
#include "cli/backup_command.h"
#include "cli/export_command.h"
#include "cli/import_command.h"
#include "cli/init_command.h"
#include "cli/master_key.h"
#include "cli/serve_command.h"
#include "cli/store_command.h"
#include "cli/syslog_client.h"
#include "cli/user_command.h"
#include "cli/view_command.h"
#include "crypto/key_file.h"

#ifndef MAMORI_VERSION
#define MAMORI_VERSION "0.0.0"
#endif

namespace mamori::cli {
namespace {

int ReportFailure(const core::Status& status) {
  // Operator-facing: the message already names the cause and what to do.
  std::fprintf(stderr, "mamori: %s\n", status.message().c_str());
  return kExitFailure;
}

struct Flags {
  AuditVerifyOptions audit;
  AuditAffectedOptions affected;
  AuditExportOptions audit_export;  // its .search also serves `audit search`
  AuditTimestampOptions timestamp;
  std::string sth_out;
  std::string passphrase_file;
  std::string new_passphrase_file;
  std::string data_dir;  // key rotate
};

void AddInit(CLI::App& app, InitOptions& options, Flags& flags) {
  CLI::App* init = app.add_subcommand("init", "Create a new data directory");
  init->add_option("--data-dir", options.data_dir, "Directory to create (must be absent or empty)")
      ->required();
  init->add_flag("--demo", options.demo, "Demo installation (used by `make run`)");
  init->add_option("--tls-cert", options.tls_cert,
                   "Use this PEM certificate chain instead of generating a CA");
  init->add_option("--tls-key", options.tls_key, "Private key (PEM) for --tls-cert");
  init->add_option("--store", options.store_url,
                   "postgres:// URL of an empty PostgreSQL database (default: SQLite in the "
                   "data directory)");
  init->add_option("--passphrase-file", flags.passphrase_file,
                   "File (mode 0600) holding the new master key passphrase; else "
                   "MAMORI_PASSPHRASE_FILE, else a prompt");
  init->add_option("--hostname", options.hostnames,
                   "Name or IP for the generated server certificate (repeatable)")
      ->take_all();
}

void AddServe(CLI::App& app, ServeOptions& options, Flags& flags) {
  CLI::App* serve = app.add_subcommand("serve", "Serve HTTPS from a data directory");
  serve->add_option("--data-dir", options.data_dir, "Data directory made by `mamori init`")
      ->required();
  serve->add_option("--listen", options.listen,
                    "host:port to listen on (overrides server.listen in config.toml)");
  serve->add_option("--passphrase-file", flags.passphrase_file,
                    "File (mode 0600) holding the master key passphrase; else "
                    "MAMORI_PASSPHRASE_FILE, else a prompt");
}

core::Status RunInit(InitOptions& init, const Flags& flags, core::Env& env) {
  MAMORI_ASSIGN_OR_RETURN(init.passphrase, ObtainPassphrase(flags.passphrase_file, env,
                                                            "New master key passphrase", true));
  return InitDataDir(init, env);
}

core::Status RunServe(ServeOptions& serve, const Flags& flags, core::Env& env) {
  MAMORI_ASSIGN_OR_RETURN(serve.passphrase, ObtainPassphrase(flags.passphrase_file, env,
                                                             "Master key passphrase", false));
  return Serve(serve, env);
}

void AddImport(CLI::App& app, ImportCommandOptions& options, Flags& flags) {
  CLI::App* cmd = app.add_subcommand("import", "Import FHIR NDJSON files and Bundles");
  cmd->add_option("--data-dir", options.data_dir, "Data directory (no server may be using it)")
      ->required();
  cmd->add_option("files", options.files, "NDJSON (.ndjson) or Bundle (.json) files")->required();
  cmd->add_flag("--continue-on-error", options.continue_on_error,
                "Skip bad resources, listing their location and reason in --rejects");
  cmd->add_option("--rejects", options.rejects_file,
                  "Where to list rejected resources (default import-rejects.tsv)");
  cmd->add_option("--passphrase-file", flags.passphrase_file,
                  "File (mode 0600) holding the master key passphrase");
}

void AddKey(CLI::App& app, Flags& flags) {
  CLI::App* key = app.add_subcommand("key", "Master key operations");
  key->require_subcommand(1);
  CLI::App* rotate = key->add_subcommand(
      "rotate", "Replace the master key and its passphrase; data keys are rewrapped, records stay");
  rotate->add_option("--data-dir", flags.data_dir, "Data directory (no server may be using it)")
      ->required();
  rotate->add_option("--passphrase-file", flags.passphrase_file,
                     "File with the current passphrase");
  rotate->add_option("--new-passphrase-file", flags.new_passphrase_file,
                     "File (mode 0600) with the new passphrase; else a prompt");
}

// The auditor's filter, shared by `audit search` and `audit export`.
void AddAuditFilter(CLI::App& command, Flags& flags) {
  AuditSearchOptions& o = flags.audit_export.search;
  command.add_option("--data-dir", o.data_dir, "Data directory")->required();
  command.add_option("--patient", o.patient, "Only events concerning this Patient id");
  command.add_option("--principal", o.principal, "Only events of this user or system id");
  command.add_option("--action", o.action, "Only this action (read, search-type, login, ...)");
  command.add_option("--outcome", o.outcome, "success or failure");
  command.add_option("--from", o.from, "Start, YYYY-MM-DDTHH:MM:SSZ");
  command.add_option("--to", o.to, "End (inclusive), YYYY-MM-DDTHH:MM:SSZ");
  command.add_flag("--emergency", o.emergency_only, "Only break-glass accesses");
  command.add_option("--first-index", o.first_index, "Start at this event index (default 0)");
  command.add_option("--passphrase-file", flags.passphrase_file,
                     "File (mode 0600) holding the master key passphrase");
}

void AddAuditSearchAndExport(CLI::App& audit, Flags& flags) {
  CLI::App* search = audit.add_subcommand(
      "search", "Print matching audit events, oldest first, as JSON lines (needs the passphrase)");
  AddAuditFilter(*search, flags);
  search->add_option("--limit", flags.audit_export.search.limit, "Stop after this many events");
  CLI::App* out = audit.add_subcommand(
      "export", "Export audit events as JSON lines to a file, or RFC 5424 syslog over TLS");
  AddAuditFilter(*out, flags);
  AuditExportOptions& o = flags.audit_export;
  out->add_option("--out", o.to_file, "JSON lines file to create (- for stdout)");
  out->add_option("--syslog", o.syslog, "Collector HOST[:PORT] (TLS, default port 6514)");
  out->add_option("--ca", o.ca_file, "PEM CA file that verifies the collector's certificate");
  out->add_option("--cert", o.cert_file, "Client certificate (PEM) for mutual TLS");
  out->add_option("--key", o.key_file, "Client key (PEM) for --cert");
  out->add_option("--state", o.state_file,
                  "File holding the next index to export; updated after each complete export");
}

void AddAudit(CLI::App& app, Flags& flags) {
  CLI::App* audit = app.add_subcommand("audit", "Audit log operations (no passphrase needed)");
  audit->require_subcommand(1);
  CLI::App* verify = audit->add_subcommand(
      "verify", "Recompute the audit log and check every tree head; exit 1 if anything is wrong");
  verify->add_option("--data-dir", flags.audit.data_dir, "Data directory")->required();
  verify->add_option("--against", flags.audit.against,
                     "File of tree heads exported earlier (audit.sth_export or `audit sth --out`)");
  verify->add_option("--public-key", flags.audit.public_key,
                     "PEM public key of the log (default DIR/keys/ledger_pub.pem)");
  verify->add_option("--tsa-ca", flags.audit.tsa_ca,
                     "CA file of the time-stamp authority: also check DIR/audit/timestamps");
  CLI::App* stamp = audit->add_subcommand(
      "timestamp", "Have the newest tree head time-stamped by an RFC 3161 authority");
  stamp->add_option("--data-dir", flags.timestamp.data_dir, "Data directory")->required();
  stamp->add_option("--tsa", flags.timestamp.tsa_url, "URL of the time-stamp authority")
      ->required();
  stamp
      ->add_option("--tsa-ca", flags.timestamp.tsa_ca,
                   "PEM CA file that verifies the authority's signature")
      ->required();
  CLI::App* affected = audit->add_subcommand(
      "affected", "List the patients a principal read, searched or exported in a time window");
  affected->add_option("--data-dir", flags.affected.data_dir, "Data directory")->required();
  affected->add_option("--principal", flags.affected.principal, "User or system id")->required();
  affected->add_option("--from", flags.affected.from, "Start, YYYY-MM-DDTHH:MM:SSZ")->required();
  affected->add_option("--to", flags.affected.to, "End (inclusive), YYYY-MM-DDTHH:MM:SSZ")
      ->required();
  affected->add_option("--passphrase-file", flags.passphrase_file,
                       "File (mode 0600) holding the master key passphrase");
  CLI::App* sth = audit->add_subcommand("sth", "Print the newest signed tree head");
  sth->add_option("--data-dir", flags.data_dir, "Data directory")->required();
  sth->add_option("--out", flags.sth_out, "Also write its 171 bytes to this file");
  AddAuditSearchAndExport(*audit, flags);
}

// The event payloads are encrypted: the passphrase unlocks the audit key.
core::Status RunAffected(const Flags& flags, core::Env& env) {
  MAMORI_ASSIGN_OR_RETURN(
      crypto::SecureBytes passphrase,
      ObtainPassphrase(flags.passphrase_file, env, "Master key passphrase", false));
  MAMORI_ASSIGN_OR_RETURN(crypto::AeadKey kek,
                          UnlockMasterKey(flags.affected.data_dir, passphrase, env));
  MAMORI_ASSIGN_OR_RETURN(std::vector<std::string> patients, AffectedPatients(flags.affected, kek));
  for (const std::string& p : patients) std::printf("%s\n", p.c_str());
  return core::Status::Ok();
}

// `audit search` and `audit export` decrypt events: the passphrase unlocks the key.
core::Status RunAuditSearchOrExport(bool do_export, const Flags& flags, core::Env& env) {
  const AuditExportOptions& o = flags.audit_export;
  MAMORI_ASSIGN_OR_RETURN(
      crypto::SecureBytes passphrase,
      ObtainPassphrase(flags.passphrase_file, env, "Master key passphrase", false));
  MAMORI_ASSIGN_OR_RETURN(crypto::AeadKey kek, UnlockMasterKey(o.search.data_dir, passphrase, env));
  if (do_export) {
    MAMORI_ASSIGN_OR_RETURN(AuditExportSummary summary, ExportAuditLog(o, kek, env));
    std::fprintf(stderr, "mamori: exported %llu audit events; next index %llu\n",
                 static_cast<unsigned long long>(summary.exported),
                 static_cast<unsigned long long>(summary.next_index));
    return core::Status::Ok();
  }
  return SearchAuditLog(o.search, kek,
                        [](uint64_t index, const ledger::AuditEvent&, std::string_view json) {
                          std::printf("%s\n", AuditJsonLine(index, json).c_str());
                          return core::Status::Ok();
                        })
      .status();
}

int RunAudit(CLI::App& app, const Flags& flags, core::Env& env) {
  CLI::App* audit = app.get_subcommand("audit");
  if (audit->got_subcommand("search") || audit->got_subcommand("export")) {
    core::Status s = RunAuditSearchOrExport(audit->got_subcommand("export"), flags, env);
    return s.ok() ? kExitOk : ReportFailure(s);
  }
  if (audit->got_subcommand("affected")) {
    core::Status s = RunAffected(flags, env);
    return s.ok() ? kExitOk : ReportFailure(s);
  }
  if (audit->got_subcommand("timestamp")) {
    core::Status s = TimestampNewestHead(flags.timestamp, env, stdout);
    return s.ok() ? kExitOk : ReportFailure(s);
  }
  if (audit->got_subcommand("sth")) {
    core::Status s = PrintTreeHead(flags.data_dir, flags.sth_out, env, stdout);
    return s.ok() ? kExitOk : ReportFailure(s);
  }
  core::Result<bool> intact = VerifyAuditLog(flags.audit, env, stdout);
  if (!intact.ok()) return ReportFailure(intact.status());
  return *intact ? kExitOk : kExitFailure;
}

core::Status RunKeyRotate(const Flags& flags, core::Env& env) {
  auto lock = env.fs().Lock(core::JoinPath(flags.data_dir, "mamori.lock"));
  if (!lock.ok()) {
    return core::UnavailableError("another mamori process (serve, import or key rotate) is using " +
                                  flags.data_dir + "; stop it before rotating the key");
  }
  MAMORI_ASSIGN_OR_RETURN(
      crypto::SecureBytes old_passphrase,
      ObtainPassphrase(flags.passphrase_file, env, "Current passphrase", false));
  if (flags.new_passphrase_file.empty() && !isatty(STDIN_FILENO)) {
    return core::InvalidArgumentError("give the new passphrase with --new-passphrase-file FILE");
  }
  MAMORI_ASSIGN_OR_RETURN(crypto::SecureBytes new_passphrase,
                          flags.new_passphrase_file.empty()
                              ? ObtainPassphrase("", env, "New passphrase", true)
                              : crypto::ReadPassphraseFile(env.fs(), flags.new_passphrase_file));
  MAMORI_RETURN_IF_ERROR(RotateMasterKey(flags.data_dir, old_passphrase, new_passphrase,
                                         crypto::kArgon2KeyFileParams, env));
  std::printf("mamori: master key rotated for %s; use the new passphrase from now on\n",
              flags.data_dir.c_str());
  return core::Status::Ok();
}

core::Status RunImportCommand(ImportCommandOptions& options, const Flags& flags, core::Env& env) {
  MAMORI_ASSIGN_OR_RETURN(options.passphrase, ObtainPassphrase(flags.passphrase_file, env,
                                                               "Master key passphrase", false));
  return RunImport(options, env);
}

int Dispatch(CLI::App& app, InitOptions& init, ServeOptions& serve, ImportCommandOptions& import,
             BackupCommands& backup, UserCommands& users, AssessCommands& assess,
             StoreCommands& stores, SearchCommands& search, const Flags& flags, core::Env& env) {
  core::Status status;
  if (std::optional<core::Status> ran = backup.Dispatch(app, env)) {
    status = *ran;
  } else if (std::optional<core::Status> ran_store = stores.Dispatch(env)) {
    status = *ran_store;
  } else if (std::optional<core::Status> ran_export = search.Dispatch(env)) {
    status = *ran_export;
  } else if (std::optional<core::Status> ran_assess = assess.Dispatch(env)) {
    status = *ran_assess;
  } else if (std::optional<core::Status> ran_user = users.Dispatch(env)) {
    status = *ran_user;
  } else if (app.got_subcommand("init")) {
    status = RunInit(init, flags, env);
    if (status.ok()) {
      std::printf("mamori: created %s\n", init.data_dir.c_str());
    }
  } else if (app.got_subcommand("serve")) {
    status = RunServe(serve, flags, env);
  } else if (app.got_subcommand("import")) {
    status = RunImportCommand(import, flags, env);
  } else if (app.got_subcommand("audit")) {
    return RunAudit(app, flags, env);
  } else if (app.got_subcommand("key")) {
    status = RunKeyRotate(flags, env);
  }
  return status.ok() ? kExitOk : ReportFailure(status);
}

}  // namespace

int RunMain(int argc, char** argv, core::Env& env) {
  CLI::App app{"mamori — FHIR R4 records server for Japanese medical institutions", "mamori"};
  app.set_version_flag("--version", std::string("mamori ") + MAMORI_VERSION);
  app.require_subcommand(1);
  InitOptions init;
  ServeOptions serve;
  ImportCommandOptions import;
  Flags flags;
  AddInit(app, init, flags);
  AddServe(app, serve, flags);
  AddImport(app, import, flags);
  AddKey(app, flags);
  BackupCommands backup;
  backup.Register(app);
  UserCommands users;
  users.Register(app);
  AssessCommands assess;
  assess.Register(app);
  StoreCommands stores;
  stores.Register(app);
  SearchCommands search;
  search.Register(app);
  AddAudit(app, flags);
  ViewCommand view;
  view.Register(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "mamori: %s; run `mamori --help` for usage\n", e.what());
    return kExitUsage;
  }
  try {
    if (std::optional<core::Status> ran_view = view.Dispatch(env)) {
      return ran_view->ok() ? kExitOk : ReportFailure(*ran_view);
    }
    return Dispatch(app, init, serve, import, backup, users, assess, stores, search, flags, env);
  } catch (const std::exception& e) {
    // A library threw despite STYLE.md rule 6: report it as one line, not a trace.
    std::fprintf(stderr, "mamori: internal error: %s; please report this\n", e.what());
    return kExitFailure;
  }
}

}  // namespace mamori::cli
