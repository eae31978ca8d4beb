// SPDX-License-Identifier: Apache-2.0
#include "cli/export_command.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <map>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "cli/data_dir.h"
#include "cli/master_key.h"
#include "cli/offline_store.h"
#include "core/file_system.h"
#include "fhir/bulk_export.h"
#include "fhir/search_index.h"
#include "ledger/audit_event.h"
#include "store/store.h"

namespace mamori::cli {
namespace {

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : ",") + s;
  return out;
}

std::string Counts(const fhir::ExportPlan& plan) {
  std::string out;
  for (const auto& [type, n] : plan.counts) {
    out += (out.empty() ? "" : " ") + type + "=" + std::to_string(n);
  }
  return out.empty() ? "none" : out;
}

}  // namespace

void SearchCommands::Register(CLI::App& app) {
  cmd_ = app.add_subcommand("export", "Bulk Data export to NDJSON files (offline; --plaintext)");
  cmd_->add_option("--data-dir", data_dir_, "Data directory (no server may be using it)")
      ->required();
  cmd_->add_option("--to", to_, "Directory for the NDJSON files (created; must be empty)")
      ->required();
  cmd_->add_option("--type", types_, "Resource type to export (repeatable; default all)");
  cmd_->add_option("--since", since_, "Only resources changed at or after this FHIR instant");
  cmd_->add_option("--group", group_, "Only the compartments of this Group's member patients");
  cmd_->add_flag("--patients", patients_, "Only the Patient compartments (Patient-level export)");
  cmd_->add_flag("--plaintext", plaintext_,
                 "Write the NDJSON (plaintext patient data) to --to; without it nothing is "
                 "written");
  cmd_->add_option("--passphrase-file", passphrase_file_,
                   "File (mode 0600) holding the master key passphrase");
  reindex_ = app.add_subcommand("reindex", "Rebuild the search index (stop the server first)");
  reindex_->add_option("--data-dir", data_dir_, "Data directory (no server may be using it)")
      ->required();
  reindex_->add_option("--passphrase-file", passphrase_file_,
                       "File (mode 0600) holding the master key passphrase");
}

std::optional<core::Status> SearchCommands::Dispatch(core::Env& env) {
  if (reindex_ != nullptr && reindex_->parsed()) return Reindex(env);
  if (cmd_ == nullptr || !cmd_->parsed()) return std::nullopt;
  return Export(env);
}

core::Status SearchCommands::Reindex(core::Env& env) {
  MAMORI_ASSIGN_OR_RETURN(OfflineStore opened, OpenOfflineStore(data_dir_, passphrase_file_, env,
                                                                fhir::IndexStoredResource));
  store::Store* store = opened.store.get();
  auto started = env.clock().Monotonic();
  bool tty = isatty(STDERR_FILENO) != 0;
  int64_t resources = 0;
  MAMORI_RETURN_IF_ERROR(store->RebuildSearchIndex([&](int64_t done, int64_t total) {
    resources = total;
    double secs = std::chrono::duration<double>(env.clock().Monotonic() - started).count();
    std::fprintf(stderr, "%sreindexing: %lld of %lld resources, %.0f/s%s", tty ? "\r" : "",
                 static_cast<long long>(done), static_cast<long long>(total),
                 secs > 0 ? done / secs : 0.0, tty ? "   " : "\n");
    std::fflush(stderr);
  }));
  double secs = std::chrono::duration<double>(env.clock().Monotonic() - started).count();
  std::printf("%smamori: rebuilt the search index of %lld resources in %.2f s\n", tty ? "\r" : "",
              static_cast<long long>(resources), secs);
  return core::Status::Ok();
}

core::Status SearchCommands::Export(core::Env& env) {
  fhir::ExportLevel level = fhir::ExportLevel::kSystem;
  if (!group_.empty() && patients_) {
    return core::InvalidArgumentError("give --group or --patients, not both");
  }
  if (!group_.empty()) level = fhir::ExportLevel::kGroup;
  if (patients_) level = fhir::ExportLevel::kPatient;
  fhir::QueryPairs pairs;
  if (!types_.empty()) pairs.emplace_back("_type", Join(types_));
  if (!since_.empty()) pairs.emplace_back("_since", since_);
  core::Result<fhir::ExportRequest> request = fhir::ParseExportRequest(level, group_, pairs);
  if (!request.ok()) {
    return core::InvalidArgumentError(request.status().message() +
                                      " (check --type and --since; see mamori export --help)");
  }
  if (plaintext_) {
    core::Result<bool> exists = env.fs().Exists(to_);
    if (!exists.ok()) return exists.status();
    if (*exists) {
      core::Result<std::vector<std::string>> entries = env.fs().ListDir(to_);
      if (!entries.ok() || !entries->empty()) {
        return core::FailedPreconditionError(to_ + " is not an empty directory; give a new one");
      }
    }
  }
  MAMORI_ASSIGN_OR_RETURN(OfflineStore opened, OpenOfflineStore(data_dir_, passphrase_file_, env,
                                                                fhir::IndexStoredResource));
  store::Store* store = opened.store.get();
  auto started = env.clock().Monotonic();
  MAMORI_ASSIGN_OR_RETURN(fhir::ExportPlan plan, fhir::PlanExport(*store, env, *request));
  if (!plaintext_) {
    for (const auto& [type, n] : plan.counts) {
      std::printf("%s\t%lld\n", type.c_str(), static_cast<long long>(n));
    }
    return core::InvalidArgumentError(
        "nothing written: the NDJSON files would be plaintext patient data; rerun with "
        "--plaintext to write them to " +
        to_ + " (keep it on an encrypted volume)");
  }
  // The ledger records the export before any file exists (fail closed).
  ledger::AuditEvent e;
  e.time_ms = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(env.clock().Now().time_since_epoch())
          .count());
  e.user = "cli";
  e.role = "operator";
  e.source_address = "local";
  e.action = "export-complete";
  e.method = "CLI";
  e.route = "mamori export";
  e.resource_type = Join(request->types);
  e.resource_id = "plaintext " + Counts(plan);
  e.http_status = 200;
  std::string event = ledger::ToJson(e);
  MAMORI_RETURN_IF_ERROR(
      store->Write([&](store::Transaction& tx) { return tx.AppendAudit(event).status(); }));
  MAMORI_RETURN_IF_ERROR(core::CreateDirs(env.fs(), to_, 0700));
  boost::json::array output;
  std::map<std::string, int> parts;
  int64_t written = 0;
  for (const fhir::ExportFile& file : plan.files) {
    int part = parts[file.type]++;
    std::string name = file.type + (part == 0 ? "" : "." + std::to_string(part)) + ".ndjson";
    std::string text;
    MAMORI_ASSIGN_OR_RETURN(int64_t n, fhir::ReadExportFile(*store, file, [&](std::string_view j) {
                              text.append(j);
                              text += '\n';
                              return core::Status::Ok();
                            }));
    MAMORI_RETURN_IF_ERROR(
        core::WriteFileAtomically(env.fs(), core::JoinPath(to_, name), text, 0600));
    written += n;
    output.push_back(boost::json::object{{"type", file.type}, {"url", name}, {"count", n}});
  }
  boost::json::object manifest{{"transactionTime", core::FormatRfc3339(plan.transaction_time)},
                               {"request", "mamori export"},
                               {"requiresAccessToken", false},
                               {"output", std::move(output)},
                               {"error", boost::json::array{}}};
  MAMORI_RETURN_IF_ERROR(core::WriteFileAtomically(env.fs(), core::JoinPath(to_, "manifest.json"),
                                                   boost::json::serialize(manifest), 0600));
  double secs = std::chrono::duration<double>(env.clock().Monotonic() - started).count();
  std::printf(
      "mamori: exported %lld resources (%s) to %s in %.2f s (%.0f resources/s); these files are "
      "plaintext patient data: keep them on an encrypted volume and delete them when done\n",
      static_cast<long long>(written), Counts(plan).c_str(), to_.c_str(), secs,
      secs > 0 ? written / secs : 0.0);
  return core::Status::Ok();
}

}  // namespace mamori::cli
