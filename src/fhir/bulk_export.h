// SPDX-License-Identifier: Apache-2.0
#pragma once

// Bulk Data export (FHIR Bulk Data Access IG v2, issue 5): which resources a
// `$export` at system, Patient or Group level selects, and reading them back
// as NDJSON. The server runs exports as asynchronous ExportJobs; `mamori
// export` runs PlanExport and ReadExportFile itself.
//
// Nothing is written to disk: a plan is a list of resource keys per output
// file, chosen from the keyed-hash index in one store snapshot, and a file is
// read from the store (decrypted) when it is downloaded. So no plaintext
// export sits at rest (DESIGN invariant 4); the price is that a file holds
// each resource's version current at download, and leaves out resources
// deleted since the kick-off (docs/SECURITY.md "Bulk Data export").
//
//   MAMORI_ASSIGN_OR_RETURN(fhir::ExportRequest req,
//                           fhir::ParseExportRequest(fhir::ExportLevel::kSystem, "", pairs));
//   MAMORI_ASSIGN_OR_RETURN(fhir::ExportPlan plan, fhir::PlanExport(store, env, req));
//   for (const fhir::ExportFile& f : plan.files)
//     MAMORI_RETURN_IF_ERROR(fhir::ReadExportFile(store, f, [&](std::string_view json) {
//       return out.Append(json + "\n"); }).status());
//
// Thread-safety: the functions may run concurrently; ExportJobs is
// thread-safe and runs its jobs on one worker thread of its own.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "core/env.h"
#include "core/status.h"
#include "store/store.h"

namespace mamori::fhir {

enum class ExportLevel {
  kSystem,   // GET [base]/$export: every resource of the types
  kPatient,  // GET [base]/Patient/$export: every patient's compartment
  kGroup,    // GET [base]/Group/[id]/$export: the compartments of the group's members
};

using QueryPairs = std::vector<std::pair<std::string, std::string>>;

struct ExportRequest {
  ExportLevel level = ExportLevel::kSystem;
  std::string group_id;  // kGroup
  // The exported types, sorted. ParseExportRequest fills in every type of the
  // level when _type is absent (Patient and Group: the compartment types).
  std::vector<std::string> types;
  // _since as given (a FHIR instant), or empty.
  std::string since;
  // _typeFilter: per type, search queries ORed (a resource of a type with
  // filters is exported if it matches one of them).
  std::vector<std::pair<std::string, QueryPairs>> type_filters;
};

// The kick-off's parameters: _type, _since, _typeFilter, _outputFormat
// (application/fhir+ndjson, application/ndjson or ndjson) and
// _elements/includeAssociatedData are refused. Errors: kInvalidArgument
// naming the parameter (never a value) for an unknown parameter, a type this
// server does not store (or, at Patient and Group level, outside the Patient
// compartment), a malformed _since or a _typeFilter that is not a valid search.
core::Result<ExportRequest> ParseExportRequest(ExportLevel level, std::string group_id,
                                               const QueryPairs& params);

// One output file: resources of one type, by key.
struct ExportFile {
  std::string type;
  std::vector<int64_t> keys;  // ascending
};

struct ExportPlan {
  // The store time the plan was taken at (the manifest's transactionTime).
  core::Clock::WallTime transaction_time;
  std::vector<ExportFile> files;                        // by type, then key
  std::vector<std::pair<std::string, int64_t>> counts;  // per exported type with resources
  int64_t total = 0;
};

struct ExportOptions {
  // Resources per file (the IG lets a server split a type). Default 10,000.
  size_t max_per_file = 10000;
  // Checked between types; set: PlanExport returns kAborted.
  const std::atomic<bool>* cancelled = nullptr;
  // Called after each type: (types done, types in all).
  std::function<void(size_t, size_t)> progress;
};

// The resources `request` selects, from one store snapshot (index lookups;
// only _typeFilter rechecks decrypt). Errors: kNotFound for an unknown or
// deleted Group; kAborted when cancelled; the store's errors.
core::Result<ExportPlan> PlanExport(store::Store& store, core::Env& env,
                                    const ExportRequest& request,
                                    const ExportOptions& options = {});

// Calls `line` with each resource of `file` (its current version, one JSON
// object without a newline), in key order, skipping resources deleted since
// the plan. Returns how many it passed. Errors: kDataLoss; whatever `line`
// returns stops the read.
core::Result<int64_t> ReadExportFile(store::Store& store, const ExportFile& file,
                                     const std::function<core::Status(std::string_view)>& line);

// Asynchronous export jobs for the server: kick-off queues a job, one worker
// thread plans it, status reports progress and then the plan; jobs live in
// memory (a restart forgets them: clients kick off again) until cancelled or
// the server stops.
class ExportJobs {
 public:
  struct Options {
    size_t max_jobs = 16;  // queued, running and complete together
    size_t max_per_file = 10000;
  };
  enum class State { kQueued, kRunning, kComplete, kFailed };
  struct Status {
    State state = State::kQueued;
    std::string progress;  // "12 of 40 types"
    std::string error;     // kFailed: what went wrong (no patient data)
    ExportRequest request;
    std::string request_url;                 // the kick-off URL, for the manifest
    std::shared_ptr<const ExportPlan> plan;  // kComplete
  };
  // Runs on the worker once a plan is ready, before any file is served: the
  // server records the export in the audit ledger here. An error fails the
  // job (nothing is served without its record: DESIGN invariant 2).
  using OnPlanned = std::function<core::Status(const std::string& job_id, const ExportPlan&)>;

  ExportJobs(store::Store& store, core::Env& env, Options options);
  ExportJobs(store::Store& store, core::Env& env) : ExportJobs(store, env, Options{}) {}
  ~ExportJobs();  // cancels what runs and joins the worker
  ExportJobs(const ExportJobs&) = delete;
  ExportJobs& operator=(const ExportJobs&) = delete;

  // Queues a job for `owner` and returns its id (32 hex digits). Errors:
  // kResourceExhausted when max_jobs exist.
  core::Result<std::string> Start(ExportRequest request, std::string owner, std::string request_url,
                                  OnPlanned on_planned);
  // Errors: kNotFound for an unknown job or one of another owner.
  core::Result<Status> Get(const std::string& id, const std::string& owner) const;
  // Cancels (if running) and forgets the job. Errors: kNotFound as Get.
  core::Status Cancel(const std::string& id, const std::string& owner);

 private:
  struct Job {
    std::string id;
    std::string owner;
    OnPlanned on_planned;
    Status status;
    std::atomic<bool> cancelled{false};
  };
  void Work();

  store::Store& store_;
  core::Env& env_;
  Options options_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::map<std::string, std::shared_ptr<Job>> jobs_;
  std::deque<std::shared_ptr<Job>> queue_;
  bool stopping_ = false;
  std::thread worker_;
};

}  // namespace mamori::fhir
