// SPDX-License-Identifier: Apache-2.0
#include "cli/serve_command.h"

#include <cstdlib>
#include <string_view>

#include "cli/backup_schedule.h"
#include "cli/data_dir.h"
#include "cli/identity.h"
#include "cli/master_key.h"
#include "cli/view_command.h"
#include "compliance/assess.h"
#include "compliance/report.h"
#include "core/logging.h"
#include "fhir/bulk_export.h"
#include "fhir/care_relations.h"
#include "fhir/rest_api.h"
#include "fhir/search_index.h"
#include "http/audit.h"
#include "http/auth_gate.h"
#include "http/auth_routes.h"
#include "http/export_routes.h"
#include "http/fhir_routes.h"
#include "http/router.h"
#include "store/store.h"

namespace mamori::cli {
namespace {

core::Status CheckDataDir(core::FileSystem& fs, const std::string& data_dir) {
  MAMORI_ASSIGN_OR_RETURN(bool exists, fs.Exists(core::JoinPath(data_dir, kConfigFile)));
  if (!exists) {
    return core::NotFoundError("no " + std::string(kConfigFile) + " in " + data_dir +
                               "; create the data directory with `mamori init --data-dir " +
                               data_dir + "`");
  }
  return core::Status::Ok();
}

// GET /pki/ca.crl: the installation CA's revocation list, referenced by the
// CRL distribution point in the certificates it issues (GUIDELINE SYS-35).
// Public, like any CRL: it names serial numbers only.
core::Status RegisterPkiRoutes(http::Router& router, core::FileSystem& fs,
                               const std::string& data_dir) {
  std::string crl_path = core::JoinPath(data_dir, kCaCrlFile);
  return router.Add("GET", "/pki/ca.crl",
                    [&fs, crl_path](const http::Request&, const http::PathParams&) {
                      core::Result<std::string> crl = fs.ReadFile(crl_path);
                      if (!crl.ok()) {
                        http::Response r =
                            http::Response::Json(404, R"({"error":"no CRL in this installation"})");
                        return r;
                      }
                      http::Response r;
                      r.status = 200;
                      r.content_type = "application/pkix-crl";
                      r.body = std::move(*crl);
                      return r;
                    });
}

// GET /admin/assessment[?lang=en]: the compliance report as HTML (issue 9),
// for administrators only (the gate maps /admin/ to the administration
// action). Reads the running store directly; no handshake with itself.
core::Status RegisterAssessmentRoute(http::Router& router, const std::string& data_dir,
                                     store::Store& store, core::Env& env) {
  return router.Add(
      "GET", "/admin/assessment",
      [data_dir, &store, &env](const http::Request& request, const http::PathParams&) {
        compliance::AssessRequest assess{.data_dir = data_dir, .open_store = &store};
        assess.probe_options.tls_handshake = false;
        std::unique_ptr<compliance::Host> host = compliance::SystemHost();
        core::Result<compliance::Assessment> a = compliance::AssessInstallation(assess, *host, env);
        if (!a.ok()) {
          return http::Response::Json(503, R"({"error":"assessment failed"})");
        }
        http::Response r;
        r.content_type = "text/html; charset=utf-8";
        r.body = compliance::RenderHtml(*a, request.query.find("lang=en") != std::string::npos
                                                ? compliance::Language::kEn
                                                : compliance::Language::kJa);
        return r;
      });
}

// Tree heads go to the configured export file (its folder is created
// 0700), so a copy of every head exists outside the database (SYS-54).
core::Status ApplyAuditConfig(const core::Config& config, const std::string& data_dir,
                              core::FileSystem& fs, store::StoreOptions& options) {
  options.tree_head_export_path = ResolveDataPath(data_dir, config.audit.sth_export);
  options.tree_head_interval_ms = config.audit.sth_interval_ms;
  options.tree_head_every_leaves = config.audit.sth_every_events;
  std::string parent =
      options.tree_head_export_path.substr(0, options.tree_head_export_path.find_last_of('/'));
  MAMORI_ASSIGN_OR_RETURN(bool exists, fs.Exists(parent));
  if (!exists) MAMORI_RETURN_IF_ERROR(fs.CreateDir(parent, 0700).With("audit.sth_export"));
  return core::Status::Ok();
}

// Writes the tree-head verification key to keys/ledger_pub.pem the first
// time, and afterwards refuses to serve if the database's key differs: a
// database whose ledger keys were replaced would sign a rewritten history.
core::Status PublishLedgerKey(store::Store& store, const std::string& data_dir,
                              core::FileSystem& fs) {
  std::string path = core::JoinPath(data_dir, kLedgerPublicKeyFile);
  std::string pem = store.AuditPublicKey().ToPem();
  MAMORI_ASSIGN_OR_RETURN(bool exists, fs.Exists(path));
  if (exists) {
    MAMORI_ASSIGN_OR_RETURN(std::string published, fs.ReadFile(path));
    if (published != pem) {
      return core::DataLossError(
          "the audit ledger's signing key does not match " + path +
          "; the database's keys were replaced or the file was edited: run `mamori audit verify`");
    }
    return core::Status::Ok();
  }
  MAMORI_ASSIGN_OR_RETURN(auto file, fs.NewWritableFile(path, 0644));
  MAMORI_RETURN_IF_ERROR(file->Append(pem));
  MAMORI_RETURN_IF_ERROR(file->Sync());
  return file->Close();
}

}  // namespace

core::Status ExportTreeHeadsAsServeDoes(const std::string& data_dir, core::Env& env,
                                        store::StoreOptions& options) {
  std::string path = core::JoinPath(data_dir, kConfigFile);
  MAMORI_ASSIGN_OR_RETURN(bool configured, env.fs().Exists(path));
  if (!configured) return core::Status::Ok();  // a bare store (tests); `serve` refuses to start
  MAMORI_ASSIGN_OR_RETURN(core::Config config, core::LoadConfig(env.fs(), path));
  return ApplyAuditConfig(config, data_dir, env.fs(), options);
}

// Benchmark builds only: with MAMORI_BENCHMARK_NO_AUDIT=1 requests are not
// audited, so bench/audit_cost.sh can measure what the ledger costs (issue 6:
// "the ledger costs <= 20% of read throughput versus ledger off").
// Production binaries are compiled without this (DESIGN invariant 3).
namespace {
bool BenchmarkWithoutAudit() {
#ifdef MAMORI_ALLOW_PLAINTEXT_BENCHMARK
  const char* flag = std::getenv("MAMORI_BENCHMARK_NO_AUDIT");
  if (flag != nullptr && std::string_view(flag) == "1") {
    core::LogWarn("benchmark build: requests are NOT audited");
    return true;
  }
#endif
  return false;
}
}  // namespace

// Benchmark builds only (-DMAMORI_BUILD_BENCHMARKS=ON): with
// MAMORI_BENCHMARK_PLAINTEXT=1 the store keeps bodies unencrypted, so
// bench/fhir_load can show what encryption costs. Production binaries are
// compiled without this and cannot store plaintext (DESIGN invariant 4).
void ApplyBenchmarkPlaintext(store::StoreOptions& options) {
#ifdef MAMORI_ALLOW_PLAINTEXT_BENCHMARK
  const char* flag = std::getenv("MAMORI_BENCHMARK_PLAINTEXT");
  if (flag != nullptr && std::string_view(flag) == "1") {
    core::LogWarn("benchmark build: storing records WITHOUT encryption");
    options.encrypt = false;
    options.allow_plaintext_for_benchmark = true;
  }
#else
  (void)options;
#endif
}

// Benchmark builds only: MAMORI_BENCHMARK_INDEX_MERGE_ROWS=N and
// MAMORI_BENCHMARK_INDEX_MERGE_SLICES=K override StoreOptions::index_merge_rows
// and index_merge_slices, so the merge threshold can be tuned by measurement
// (bench/fhir_load; 0 rows = one-level index, as before schema step 6).
void ApplyBenchmarkIndexMerge(store::StoreOptions& options) {
#ifdef MAMORI_ALLOW_PLAINTEXT_BENCHMARK
  if (const char* rows = std::getenv("MAMORI_BENCHMARK_INDEX_MERGE_ROWS")) {
    options.index_merge_rows = std::strtoull(rows, nullptr, 10);
    core::LogWarn("benchmark build: index_merge_rows = {}", options.index_merge_rows);
  }
  if (const char* slices = std::getenv("MAMORI_BENCHMARK_INDEX_MERGE_SLICES")) {
    options.index_merge_slices = static_cast<uint32_t>(std::strtoul(slices, nullptr, 10));
    core::LogWarn("benchmark build: index_merge_slices = {}", options.index_merge_slices);
  }
#else
  (void)options;
#endif
}

std::string ResolveDataPath(const std::string& data_dir, const std::string& path) {
  if (!path.empty() && path.front() == '/') return path;
  return core::JoinPath(data_dir, path);
}

core::Result<http::ServerOptions> MakeServerOptions(const core::Config& config,
                                                    const std::string& data_dir) {
  MAMORI_ASSIGN_OR_RETURN(core::HostPort listen, core::ParseHostPort(config.server.listen));
  http::ServerOptions o;
  o.listen_address = listen.host;
  o.port = listen.port;
  o.threads = config.server.threads;
  o.cert_chain_path = ResolveDataPath(data_dir, config.tls.cert);
  o.key_path = ResolveDataPath(data_dir, config.tls.key);
  if (!config.tls.client_ca.empty()) {
    o.client_ca_path = ResolveDataPath(data_dir, config.tls.client_ca);
  }
  o.require_client_certificate = config.tls.require_client_cert;
  o.max_header_bytes = config.limits.max_header_bytes;
  o.max_body_bytes = config.limits.max_body_bytes;
  o.handshake_timeout = std::chrono::milliseconds(config.limits.handshake_timeout_ms);
  o.header_timeout = std::chrono::milliseconds(config.limits.header_timeout_ms);
  o.body_timeout = std::chrono::milliseconds(config.limits.body_timeout_ms);
  o.idle_timeout = std::chrono::milliseconds(config.limits.idle_timeout_ms);
  o.max_connections = config.limits.max_connections;
  o.access_log = config.log.access_log;
  return o;
}

core::Status Serve(const ServeOptions& options, core::Env& env) {
  MAMORI_RETURN_IF_ERROR(CheckDataDir(env.fs(), options.data_dir));
  std::string config_path = core::JoinPath(options.data_dir, kConfigFile);
  MAMORI_ASSIGN_OR_RETURN(core::Config config, core::LoadConfig(env.fs(), config_path));
  if (options.listen) {
    MAMORI_RETURN_IF_ERROR(core::ParseHostPort(*options.listen).status().With("--listen"));
    config.server.listen = *options.listen;
  }
  MAMORI_ASSIGN_OR_RETURN(core::LogLevel level, core::ParseLogLevel(config.log.level));
  core::SetLogLevel(level);
  MAMORI_ASSIGN_OR_RETURN(http::ServerOptions server_options,
                          MakeServerOptions(config, options.data_dir));

  // One server per data directory: a second would keep its own caches.
  auto lock = env.fs().Lock(core::JoinPath(options.data_dir, "mamori.lock"));
  if (!lock.ok()) {
    return core::UnavailableError("another mamori process (serve, import or key rotate) is using " +
                                  options.data_dir + "; stop it first");
  }
  MAMORI_ASSIGN_OR_RETURN(crypto::AeadKey kek,
                          UnlockMasterKey(options.data_dir, options.passphrase, env));
  store::StoreOptions store_options{.path = config.store.url.empty()
                                                ? core::JoinPath(options.data_dir, kDatabaseFile)
                                                : config.store.url,
                                    .kek = &kek,
                                    .indexer = fhir::IndexStoredResource};
  ApplyBenchmarkPlaintext(store_options);
  ApplyBenchmarkIndexMerge(store_options);
  MAMORI_RETURN_IF_ERROR(ApplyAuditConfig(config, options.data_dir, env.fs(), store_options));
  MAMORI_ASSIGN_OR_RETURN(auto store, store::OpenStore(store_options, env));
  MAMORI_RETURN_IF_ERROR(PublishLedgerKey(*store, options.data_dir, env.fs()));
  fhir::RestApi fhir_api(*store, env);
  MAMORI_ASSIGN_OR_RETURN(std::unique_ptr<Identity> identity,
                          OpenIdentity(*store, options.data_dir, env));
  fhir::EncounterCareRelations care(fhir_api);

  http::Router router;
  MAMORI_RETURN_IF_ERROR(http::RegisterHealthRoutes(router));
  MAMORI_RETURN_IF_ERROR(RegisterPkiRoutes(router, env.fs(), options.data_dir));
  MAMORI_RETURN_IF_ERROR(http::RegisterFhirRoutes(router, fhir_api));
  MAMORI_RETURN_IF_ERROR(http::RegisterAuditRoutes(router, *store));
  MAMORI_RETURN_IF_ERROR(RegisterAssessmentRoute(router, options.data_dir, *store, env));
  // Bulk Data export (issue 5): jobs in memory, files read from the store.
  fhir::ExportJobs export_jobs(*store, env);
  MAMORI_RETURN_IF_ERROR(http::RegisterExportRoutes(router, export_jobs, *store, env));
  MAMORI_RETURN_IF_ERROR(http::RegisterAuthRoutes(router,
                                                  {.authenticator = &identity->authenticator,
                                                   .sessions = &identity->sessions,
                                                   .tokens = &identity->tokens,
                                                   .emergency = &identity->emergency,
                                                   .policy = &identity->policy},
                                                  env));
  // Deny by default: every route but the public four asks the gate
  // (DESIGN invariant 1).
  http::AuthGate gate({.sessions = &identity->sessions,
                       .tokens = &identity->tokens,
                       .policy = &identity->policy,
                       .care = &care,
                       .emergency = &identity->emergency,
                       .patients_of =
                           [&store](const std::string& type, const std::string& id) {
                             return fhir::PatientsOfResource(*store, type, id);
                           },
                       .patients_of_body = fhir::PatientsOfBody},
                      env);
  ReadOnlyGate read_only_gate(gate);
  if (options.read_only) {
    MAMORI_RETURN_IF_ERROR(RegisterViewerRoutes(router));
    router.SetGate(&read_only_gate);
  } else {
    router.SetGate(&gate);
  }

  // Every request appends an audit event (DESIGN invariant 3) in a group
  // commit. A request's thread does not wait for that commit; the answer
  // leaves when it is done (WrapAsync). So reads by id, which wait on
  // nothing else, run on the network thread (Router::AddNonBlocking).
  http::RequestAuditor auditor(*store, env);
  server_options.run_inline = [&router](const http::Request& r) { return router.IsNonBlocking(r); };
  MAMORI_ASSIGN_OR_RETURN(
      auto server, BenchmarkWithoutAudit()
                       ? http::Server::Create(server_options, env, router.AsHandler())
                       : http::Server::CreateAsync(server_options, env, auditor.WrapAsync(router)));
  // Backups on a schedule (issue 8), each result recorded in the ledger.
  std::unique_ptr<ScheduledBackups> backups;
  if (!config.backup.schedule.empty() && !options.read_only) {
    auto schedule =
        backup::Schedule::Parse(config.backup.schedule, config.backup.utc_offset_minutes);
    if (!schedule.ok()) return schedule.status().With(config_path);
    if (config.backup.destinations.empty()) {
      return core::InvalidArgumentError(config_path +
                                        ": backup.schedule is set but backup.destinations is "
                                        "empty; name at least one destination");
    }
    backups = std::make_unique<ScheduledBackups>(
        *std::move(schedule),
        BackupRunOptions{
            .data_dir = options.data_dir, .kek = &kek, .destinations = config.backup.destinations},
        *store, env);
    core::LogInfo("backups scheduled ({}) into {} destinations",
                  core::LogSafe::Vouch(config.backup.schedule, "config value"),
                  config.backup.destinations.size());
    backups->Start();
  }
  core::LogInfo("mamori serving https://{}:{}",
                core::LogSafe::Vouch(server_options.listen_address, "config value"),
                server->port());
  MAMORI_RETURN_IF_ERROR(server->RunUntilSignal());
  core::LogInfo("mamori stopped");
  return core::Status::Ok();
}

}  // namespace mamori::cli
