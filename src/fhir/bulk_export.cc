// SPDX-License-Identifier: Apache-2.0
// Bulk Data export (issue 5): planning over the index, reading files back
// from the store, and the server's asynchronous jobs. See bulk_export.h.
#include "fhir/bulk_export.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <set>

#include <boost/json/serialize.hpp>

#include "core/form_decode.h"
#include "fhir/definitions.h"
#include "fhir/internal/search/planner.h"
#include "fhir/json_parser.h"
#include "fhir/search/query.h"

namespace mamori::fhir {
namespace {

using Keys = std::vector<int64_t>;

// The types a server stores (what a system-level export covers).
std::vector<std::string> StoredTypes() {
  std::vector<std::string> out;
  for (const std::string& t : Definitions::R4().SupportedResourceTypes()) {
    if (t != "Bundle" && t != "OperationOutcome" && t != "CapabilityStatement" &&
        t != "Parameters") {
      out.push_back(t);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool InCompartment(const std::string& type) {
  return type == "Patient" || !Definitions::R4().PatientCompartmentParams(type).empty();
}

std::vector<std::string> SplitCommas(const std::string& value) {
  std::vector<std::string> out;
  for (size_t start = 0; start <= value.size();) {
    size_t comma = std::min(value.find(',', start), value.size());
    if (comma > start) out.push_back(value.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

Keys Union(const Keys& a, const Keys& b) {
  Keys out;
  std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

// The query pairs of one type: its filter's, plus _since as _lastUpdated=ge.
QueryPairs WithSince(QueryPairs pairs, const std::string& since) {
  if (!since.empty()) pairs.emplace_back("_lastUpdated", "ge" + since);
  return pairs;
}

// The Patient ids a Group's members name ("Patient/x" entities only).
core::Result<std::vector<std::string>> GroupPatients(store::Store& store, const std::string& id) {
  core::Result<store::ResourceVersion> group = store.Read("Group", id);
  if (!group.ok() || group->deleted) return core::NotFoundError("no such Group");
  MAMORI_ASSIGN_OR_RETURN(
      boost::json::object g,
      ParseResourceJson(group->json, {.max_bytes = size_t{1} << 31, .max_depth = 128}));
  std::vector<std::string> out;
  const boost::json::value* members = g.if_contains("member");
  if (members == nullptr || !members->is_array()) return out;
  for (const boost::json::value& m : members->as_array()) {
    const boost::json::value* ref = m.is_object() ? m.as_object().if_contains("entity") : nullptr;
    ref = ref != nullptr && ref->is_object() ? ref->as_object().if_contains("reference") : nullptr;
    if (ref == nullptr || !ref->is_string()) continue;
    std::string_view r = ref->as_string();
    if (r.starts_with("Patient/") && r.find('/', 8) == std::string_view::npos && r.size() > 8) {
      out.emplace_back(r.substr(8));
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::string RandomHex(core::Random& random, size_t bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string raw = random.Bytes(bytes);
  std::string out;
  for (unsigned char c : raw) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

}  // namespace

core::Result<ExportRequest> ParseExportRequest(ExportLevel level, std::string group_id,
                                               const QueryPairs& params) {
  ExportRequest out{.level = level, .group_id = std::move(group_id)};
  std::vector<std::string> filters;
  bool typed = false;
  for (const auto& [name, value] : params) {
    if (name == "_type") {
      typed = true;
      for (std::string& t : SplitCommas(value)) out.types.push_back(std::move(t));
    } else if (name == "_since") {
      if (!out.since.empty()) return core::InvalidArgumentError("_since is given twice");
      out.since = value;
    } else if (name == "_typeFilter") {
      for (std::string& f : SplitCommas(value)) filters.push_back(std::move(f));
    } else if (name == "_outputFormat") {
      if (value != "application/fhir+ndjson" && value != "application/ndjson" &&
          value != "ndjson") {
        return core::InvalidArgumentError("_outputFormat must be application/fhir+ndjson");
      }
    } else {
      bool printable = name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
                         return c > 0x20 && c < 0x7f;
                       });
      return core::InvalidArgumentError("$export does not take the parameter " +
                                        (printable ? name : std::string("given")));
    }
  }
  if (typed && out.types.empty()) return core::InvalidArgumentError("_type is empty");
  std::vector<std::string> stored = StoredTypes();
  for (const std::string& t : out.types) {
    if (!std::binary_search(stored.begin(), stored.end(), t)) {
      return core::InvalidArgumentError("_type names a resource type this server does not store");
    }
    if (level != ExportLevel::kSystem && !InCompartment(t)) {
      return core::InvalidArgumentError(
          "_type names a type outside the Patient compartment (use a system-level $export)");
    }
  }
  if (!typed) {
    for (const std::string& t : stored) {
      if (level == ExportLevel::kSystem || InCompartment(t)) out.types.push_back(t);
    }
  }
  std::sort(out.types.begin(), out.types.end());
  out.types.erase(std::unique(out.types.begin(), out.types.end()), out.types.end());
  if (!out.since.empty()) {
    // The same grammar the search uses for _lastUpdated (a date or instant).
    auto checked = search::ParseSearchQuery("Patient", QueryPairs{{"_lastUpdated", out.since}});
    if (!checked.ok()) return core::InvalidArgumentError("_since is not a FHIR instant");
  }
  for (const std::string& f : filters) {
    size_t q = f.find('?');
    std::string type = f.substr(0, q);
    if (q == std::string::npos || !std::binary_search(out.types.begin(), out.types.end(), type)) {
      return core::InvalidArgumentError(
          "_typeFilter must be [type]?[search] for a type being exported");
    }
    QueryPairs pairs = core::SplitFormQuery(f.substr(q + 1));
    auto parsed = search::ParseSearchQuery(type, pairs);
    if (!parsed.ok()) {
      return core::InvalidArgumentError("_typeFilter for " + type + ": " +
                                        parsed.status().message());
    }
    out.type_filters.emplace_back(type, std::move(pairs));
  }
  return out;
}

core::Result<ExportPlan> PlanExport(store::Store& store, core::Env& env,
                                    const ExportRequest& request, const ExportOptions& options) {
  std::optional<std::vector<std::string>> patients;  // unset: system level
  if (request.level == ExportLevel::kGroup) {
    MAMORI_ASSIGN_OR_RETURN(patients, GroupPatients(store, request.group_id));
  }
  ExportPlan plan;
  plan.transaction_time = env.clock().Now();
  int64_t now_us = std::chrono::duration_cast<std::chrono::microseconds>(
                       plan.transaction_time.time_since_epoch())
                       .count();
  size_t per_file = std::max<size_t>(options.max_per_file, 1);
  core::Status s = store.ReadSnapshot([&](store::IndexReader& reader) -> core::Status {
    internal::SearchContext ctx{.reader = reader, .store = store, .now_us = now_us};
    if (request.level == ExportLevel::kPatient) {
      // Every patient: the ids of the Patient keys (no decryption).
      MAMORI_ASSIGN_OR_RETURN(search::SearchQuery all, search::ParseSearchQuery("Patient", {}));
      MAMORI_ASSIGN_OR_RETURN(Keys keys, internal::QueryKeys(ctx, all, std::nullopt));
      patients.emplace();
      for (int64_t k : keys) {
        MAMORI_ASSIGN_OR_RETURN(auto name, reader.KeyName(k));
        patients->push_back(std::move(name.second));
      }
    }
    size_t done = 0;
    for (const std::string& type : request.types) {
      if (options.cancelled != nullptr && options.cancelled->load()) {
        return core::AbortedError("the export was cancelled");
      }
      std::optional<Keys> within;
      if (patients) {
        // A type with no resources at all costs no per-patient lookups.
        MAMORI_ASSIGN_OR_RETURN(search::SearchQuery any, search::ParseSearchQuery(type, {}));
        MAMORI_ASSIGN_OR_RETURN(Keys stored, internal::QueryKeys(ctx, any, std::nullopt));
        if (stored.empty()) {
          ++done;
          if (options.progress) options.progress(done, request.types.size());
          continue;
        }
        within.emplace();
        for (const std::string& patient : *patients) {
          MAMORI_ASSIGN_OR_RETURN(Keys members, internal::CompartmentKeys(ctx, patient, type));
          within = Union(*within, members);
        }
      }
      Keys keys;
      if (!within || !within->empty()) {
        std::vector<QueryPairs> queries;
        for (const auto& [filter_type, pairs] : request.type_filters) {
          if (filter_type == type) queries.push_back(WithSince(pairs, request.since));
        }
        if (queries.empty()) queries.push_back(WithSince({}, request.since));
        for (const QueryPairs& pairs : queries) {
          MAMORI_ASSIGN_OR_RETURN(search::SearchQuery q, search::ParseSearchQuery(type, pairs));
          MAMORI_ASSIGN_OR_RETURN(Keys found, internal::QueryKeys(ctx, q, within));
          keys = keys.empty() ? std::move(found) : Union(keys, found);
        }
      }
      if (!keys.empty()) {
        plan.counts.emplace_back(type, static_cast<int64_t>(keys.size()));
        plan.total += static_cast<int64_t>(keys.size());
        for (size_t at = 0; at < keys.size(); at += per_file) {
          size_t end = std::min(keys.size(), at + per_file);
          plan.files.push_back(
              ExportFile{.type = type, .keys = Keys(keys.begin() + at, keys.begin() + end)});
        }
      }
      ++done;
      if (options.progress) options.progress(done, request.types.size());
    }
    return core::Status::Ok();
  });
  MAMORI_RETURN_IF_ERROR(s);
  return plan;
}

core::Result<int64_t> ReadExportFile(store::Store& store, const ExportFile& file,
                                     const std::function<core::Status(std::string_view)>& line) {
  int64_t written = 0;
  MAMORI_RETURN_IF_ERROR(store.ReadSnapshot([&](store::IndexReader& reader) -> core::Status {
    for (int64_t key : file.keys) {
      MAMORI_ASSIGN_OR_RETURN(std::optional<store::ResourceVersion> v, reader.ReadByKey(key));
      if (!v || v->deleted) continue;
      if (std::memchr(v->json.data(), '\n', v->json.size()) != nullptr) {
        // NDJSON: one line per resource, whatever the stored layout.
        MAMORI_ASSIGN_OR_RETURN(
            boost::json::object parsed,
            ParseResourceJson(v->json, {.max_bytes = size_t{1} << 31, .max_depth = 128}));
        v->json = boost::json::serialize(parsed);
      }
      MAMORI_RETURN_IF_ERROR(line(v->json));
      ++written;
    }
    return core::Status::Ok();
  }));
  return written;
}

ExportJobs::ExportJobs(store::Store& store, core::Env& env, Options options)
    : store_(store), env_(env), options_(options), worker_([this] { Work(); }) {}

ExportJobs::~ExportJobs() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    for (auto& [id, job] : jobs_) job->cancelled = true;
  }
  wake_.notify_all();
  worker_.join();
}

core::Result<std::string> ExportJobs::Start(ExportRequest request, std::string owner,
                                            std::string request_url, OnPlanned on_planned) {
  auto job = std::make_shared<Job>();
  job->id = RandomHex(env_.random(), 16);
  job->owner = std::move(owner);
  job->on_planned = std::move(on_planned);
  job->status.request = std::move(request);
  job->status.request_url = std::move(request_url);
  job->status.progress = "queued";
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (jobs_.size() >= options_.max_jobs) {
      return core::ResourceExhaustedError(
          "too many export jobs; delete finished ones (DELETE their status URL) first");
    }
    jobs_[job->id] = job;
    queue_.push_back(job);
  }
  wake_.notify_all();
  return job->id;
}

core::Result<ExportJobs::Status> ExportJobs::Get(const std::string& id,
                                                 const std::string& owner) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = jobs_.find(id);
  if (it == jobs_.end() || it->second->owner != owner) {
    return core::NotFoundError("no such export job");
  }
  return it->second->status;
}

core::Status ExportJobs::Cancel(const std::string& id, const std::string& owner) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = jobs_.find(id);
  if (it == jobs_.end() || it->second->owner != owner) {
    return core::NotFoundError("no such export job");
  }
  it->second->cancelled = true;
  std::erase(queue_, it->second);
  jobs_.erase(it);
  return core::Status::Ok();
}

void ExportJobs::Work() {
  while (true) {
    std::shared_ptr<Job> job;
    {
      std::unique_lock<std::mutex> lock(mu_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      job = queue_.front();
      queue_.pop_front();
      job->status.state = State::kRunning;
      job->status.progress = "0 of " + std::to_string(job->status.request.types.size()) + " types";
    }
    ExportOptions options{.max_per_file = options_.max_per_file,
                          .cancelled = &job->cancelled,
                          .progress = [&](size_t done, size_t of) {
                            std::lock_guard<std::mutex> lock(mu_);
                            job->status.progress =
                                std::to_string(done) + " of " + std::to_string(of) + " types";
                          }};
    core::Result<ExportPlan> plan = PlanExport(store_, env_, job->status.request, options);
    core::Status recorded = plan.status();
    if (plan.ok() && job->on_planned) recorded = job->on_planned(job->id, *plan);
    std::lock_guard<std::mutex> lock(mu_);
    if (recorded.ok()) {
      job->status.state = State::kComplete;
      job->status.progress = "complete";
      job->status.plan = std::make_shared<const ExportPlan>(std::move(*plan));
    } else {
      job->status.state = State::kFailed;
      job->status.progress = "failed";
      // Planning errors name parameters and types, never values.
      job->status.error = recorded.code() == core::StatusCode::kNotFound
                              ? recorded.message()
                              : "the export could not be completed or recorded; kick it off again";
    }
  }
}

}  // namespace mamori::fhir
