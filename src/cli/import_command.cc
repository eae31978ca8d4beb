// SPDX-License-Identifier: Apache-2.0
#include "cli/import_command.h"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <map>
#include <mutex>
#include <thread>

#include "cli/command_audit.h"
#include "cli/master_key.h"
#include "cli/serve_command.h"
#include "fhir/importer.h"
#include "fhir/rest_api.h"
#include "fhir/search_index.h"
#include "store/store.h"

namespace mamori::cli {
namespace {

// Shared state of a multi-file import: totals for the progress line and the
// first error.
struct Run {
  std::mutex mu;
  std::atomic<size_t> next_file{0};
  std::atomic<uint64_t> resources{0};
  std::vector<fhir::ImportSummary> done;
  core::Status error;
  bool tty = isatty(STDERR_FILENO) != 0;
};

void PrintProgress(Run& run, core::Env& env, core::Clock::MonoTime started) {
  double secs = std::chrono::duration<double>(env.clock().Monotonic() - started).count();
  std::fprintf(stderr, "\rimporting: %llu resources, %.0f/s   ",
               static_cast<unsigned long long>(run.resources.load()),
               secs > 0 ? run.resources.load() / secs : 0.0);
  std::fflush(stderr);
}

void ImportWorker(const ImportCommandOptions& options, fhir::RestApi& api, store::Store& store,
                  core::Env& env, Run& run, core::Clock::MonoTime started) {
  fhir::Importer importer(api, store, env, {.continue_on_error = options.continue_on_error});
  while (true) {
    size_t i = run.next_file.fetch_add(1);
    if (i >= options.files.size()) return;
    {
      std::lock_guard lock(run.mu);
      if (!run.error.ok()) return;
    }
    uint64_t before = 0;
    auto summary = importer.ImportFile(options.files[i], [&](uint64_t n, uint64_t) {
      run.resources += n - before;
      before = n;
    });
    std::lock_guard lock(run.mu);
    if (!summary.ok()) {
      if (run.error.ok()) run.error = summary.status();
      return;
    }
    run.resources += summary->imported - std::min<uint64_t>(before, summary->imported);
    std::fprintf(
        stdout, "%s%s: %llu imported, %llu rejected, %.1f MB in %.2f s\n", run.tty ? "\r" : "",
        summary->file.c_str(), static_cast<unsigned long long>(summary->imported),
        static_cast<unsigned long long>(summary->rejected), summary->bytes / 1e6, summary->seconds);
    std::fflush(stdout);
    if (run.tty) PrintProgress(run, env, started);
    run.done.push_back(std::move(*summary));
  }
}

core::Status WriteRejects(const ImportCommandOptions& options, const Run& run, core::Env& env) {
  std::string text;
  size_t count = 0;
  for (const auto& summary : run.done) {
    for (const auto& reject : summary.rejects) {
      text += reject.location + "\t" + reject.reason + "\n";
      ++count;
    }
  }
  if (count == 0) return core::Status::Ok();
  std::string path = options.rejects_file.empty() ? "import-rejects.tsv" : options.rejects_file;
  MAMORI_RETURN_IF_ERROR(core::WriteFileAtomically(env.fs(), path, text, 0600));
  std::fprintf(stdout, "%zu rejected resources listed in %s (location and reason)\n", count,
               path.c_str());
  return core::Status::Ok();
}

// "Observation=340 Patient=12 rejected=3 files=2" for the import's event.
std::string ImportedDetail(const Run& run) {
  std::map<std::string, uint64_t> by_type;
  uint64_t rejected = 0;
  for (const fhir::ImportSummary& s : run.done) {
    for (const auto& [type, n] : s.imported_by_type) by_type[type] += n;
    rejected += s.rejected;
  }
  std::string detail;
  for (const auto& [type, n] : by_type) detail += type + "=" + std::to_string(n) + " ";
  return detail + "rejected=" + std::to_string(rejected) +
         " files=" + std::to_string(run.done.size());
}

}  // namespace

core::Status RunImport(const ImportCommandOptions& options, core::Env& env) {
  if (options.files.empty()) return core::InvalidArgumentError("name at least one file to import");
  auto lock = env.fs().Lock(core::JoinPath(options.data_dir, "mamori.lock"));
  if (!lock.ok()) {
    return core::UnavailableError("another mamori process (serve, import or key rotate) is using " +
                                  options.data_dir + "; stop it before importing");
  }
  MAMORI_ASSIGN_OR_RETURN(crypto::AeadKey kek,
                          UnlockMasterKey(options.data_dir, options.passphrase, env));
  MAMORI_ASSIGN_OR_RETURN(std::string location, StoreLocation(options.data_dir, env.fs()));
  store::StoreOptions store_options{
      .path = location, .kek = &kek, .indexer = fhir::IndexStoredResource};
  MAMORI_RETURN_IF_ERROR(ExportTreeHeadsAsServeDoes(options.data_dir, env, store_options));
  MAMORI_ASSIGN_OR_RETURN(auto store, store::OpenStore(store_options, env));
  // The import is recorded before anything is written (fail closed: no
  // event, no import) and again with what it stored (issue 6: who, which
  // types, how many).
  ledger::AuditEvent event = CommandEvent(env, "import", "mamori import");
  event.detail = "files=" + std::to_string(options.files.size());
  MAMORI_RETURN_IF_ERROR(RecordCommandEvent(*store, event, core::Status::Ok()));
  fhir::RestApi api(*store, env);
  Run run;
  auto started = env.clock().Monotonic();
  std::vector<std::thread> threads;
  size_t n = std::min(options.parallel_files, options.files.size());
  for (size_t i = 0; i < n; ++i) {
    threads.emplace_back([&] { ImportWorker(options, api, *store, env, run, started); });
  }
  for (auto& t : threads) t.join();
  event.detail = ImportedDetail(run);
  core::Status recorded = RecordCommandEvent(*store, event, run.error);
  MAMORI_RETURN_IF_ERROR(WriteRejects(options, run, env));
  MAMORI_RETURN_IF_ERROR(recorded);
  double secs = std::chrono::duration<double>(env.clock().Monotonic() - started).count();
  uint64_t total = 0;
  for (const auto& s : run.done) total += s.imported;
  std::fprintf(stdout, "%simported %llu resources from %zu files in %.2f s (%.0f resources/s)\n",
               run.tty ? "\r" : "", static_cast<unsigned long long>(total), run.done.size(), secs,
               secs > 0 ? total / secs : 0.0);
  return core::Status::Ok();
}

}  // namespace mamori::cli
