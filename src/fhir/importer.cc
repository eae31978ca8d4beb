// SPDX-License-Identifier: Apache-2.0
#include "fhir/importer.h"

#include <condition_variable>
#include <deque>
#include <fstream>
#include <mutex>
#include <optional>
#include <thread>

#include <boost/json/parse.hpp>

#include "fhir/internal/entry_scanner.h"
#include "fhir/internal/rest/output.h"
#include "fhir/internal/rest/resource_util.h"
#include "fhir/internal/rest/write_plan.h"
#include "fhir/json_parser.h"

namespace mamori::fhir {
namespace {

struct Item {
  std::string location;
  std::string text;                           // NDJSON line, or
  std::optional<boost::json::object> parsed;  // a Bundle entry's resource
};
using Chunk = std::vector<Item>;

// "Patient.gender: <diagnostics>" from an OperationOutcome response.
std::string Reason(const RestResponse& r) {
  auto parsed = ParseResourceJson(r.body);
  if (!parsed.ok()) return "HTTP status " + std::to_string(r.status);
  const auto* issues = parsed->if_contains("issue");
  if (issues == nullptr || !issues->is_array() || issues->get_array().empty()) {
    return "HTTP status " + std::to_string(r.status);
  }
  const auto& issue = issues->get_array()[0].get_object();
  std::string out;
  if (const auto* e = issue.if_contains("expression");
      e && e->is_array() && !e->get_array().empty()) {
    out = std::string(e->get_array()[0].as_string()) + ": ";
  }
  if (const auto* d = issue.if_contains("diagnostics"); d && d->is_string()) {
    out += std::string(d->get_string());
  }
  return out;
}

// Runs chunks on worker threads with a bounded queue, so reading never runs
// far ahead of writing and memory stays bounded.
class ChunkPipeline {
 public:
  ChunkPipeline(store::Store& store, core::Env& env, const ImportOptions& options,
                ImportSummary& summary)
      : store_(store), env_(env), options_(options), summary_(summary) {
    for (size_t i = 0; i < std::max<size_t>(1, options.workers); ++i) {
      workers_.emplace_back([this] { Work(); });
    }
  }
  ~ChunkPipeline() { Finish().IgnoreError(); }

  // Blocks while the queue is full. Returns the first error so far.
  core::Status Submit(Chunk chunk) {
    std::unique_lock lock(mu_);
    space_.wait(lock, [&] { return queue_.size() < 2 * workers_.size() || !error_.ok(); });
    if (!error_.ok()) return error_;
    queue_.push_back(std::move(chunk));
    ready_.notify_one();
    return core::Status::Ok();
  }

  // Waits for every chunk; returns the first error.
  core::Status Finish() {
    {
      std::lock_guard lock(mu_);
      done_ = true;
    }
    ready_.notify_all();
    for (auto& t : workers_) {
      if (t.joinable()) t.join();
    }
    std::lock_guard lock(mu_);
    return error_;
  }

 private:
  void Work() {
    while (true) {
      Chunk chunk;
      {
        std::unique_lock lock(mu_);
        ready_.wait(lock, [&] { return !queue_.empty() || done_; });
        if (queue_.empty()) return;
        chunk = std::move(queue_.front());
        queue_.pop_front();
      }
      space_.notify_one();
      core::Status s = WriteChunk(chunk);
      if (!s.ok()) {
        std::lock_guard lock(mu_);
        if (error_.ok()) error_ = s;
        space_.notify_all();
      }
    }
  }

  core::Status Reject(const Item& item, std::string reason) {
    if (!options_.continue_on_error) {
      return core::InvalidArgumentError(item.location + ": " + reason);
    }
    std::lock_guard lock(mu_);
    ++summary_.rejected;
    summary_.rejects.push_back({item.location, std::move(reason)});
    return core::Status::Ok();
  }

  // Parses and validates outside the store's commit thread, then writes the
  // chunk as one store write: update-as-create under each resource's own id.
  core::Status WriteChunk(Chunk& chunk) {
    std::vector<internal::WritePlan> plans;
    plans.reserve(chunk.size());
    for (Item& item : chunk) {
      if (!item.parsed) {
        auto parsed = ParseResourceJson(item.text);
        if (!parsed.ok()) {
          MAMORI_RETURN_IF_ERROR(Reject(item, parsed.status().message()));
          continue;
        }
        item.parsed = std::move(*parsed);
      }
      const auto* type = item.parsed->if_contains("resourceType");
      std::string type_name = type && type->is_string() ? std::string(type->get_string()) : "";
      internal::WritePlan plan;
      if (auto bad =
              internal::PrepareParsed(type_name, std::move(*item.parsed), false, store_, plan)) {
        MAMORI_RETURN_IF_ERROR(Reject(item, Reason(*bad)));
        continue;
      }
      const auto* id = plan.resource.if_contains("id");
      plan.id = id && id->is_string() && internal::IsValidId(id->get_string())
                    ? std::string(id->get_string())
                    : internal::NewResourceId(env_);
      plan.compartment = internal::PatientCompartmentOf(plan.type, plan.id, plan.resource);
      plans.push_back(std::move(plan));
    }
    MAMORI_RETURN_IF_ERROR(store_.Write([&](store::Transaction& tx) -> core::Status {
      for (const internal::WritePlan& plan : plans) {
        MAMORI_ASSIGN_OR_RETURN(store::NewVersion version, internal::MakeNewVersion(plan));
        MAMORI_RETURN_IF_ERROR(tx.Put(version).status());
      }
      return core::Status::Ok();
    }));
    std::lock_guard lock(mu_);
    summary_.imported += plans.size();
    for (const internal::WritePlan& plan : plans) ++summary_.imported_by_type[plan.type];
    return core::Status::Ok();
  }

  store::Store& store_;
  core::Env& env_;
  const ImportOptions& options_;
  ImportSummary& summary_;
  std::mutex mu_;
  std::condition_variable ready_, space_;
  std::deque<Chunk> queue_;
  bool done_ = false;
  core::Status error_;
  std::vector<std::thread> workers_;
};

bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

Importer::Importer(RestApi& api, store::Store& store, core::Env& env, ImportOptions options)
    : api_(api), store_(store), env_(env), options_(options) {}

core::Result<ImportSummary> Importer::ImportFile(const std::string& path,
                                                 const ImportProgress& progress) {
  ImportSummary summary{.file = path};
  auto started = env_.clock().Monotonic();
  core::Status s = EndsWith(path, ".ndjson") || EndsWith(path, ".jsonl")
                       ? ImportNdjson(path, progress, summary)
                       : ImportBundle(path, summary);
  if (!s.ok()) return s;
  summary.seconds = std::chrono::duration<double>(env_.clock().Monotonic() - started).count();
  return summary;
}

core::Status Importer::ImportNdjson(const std::string& path, const ImportProgress& progress,
                                    ImportSummary& summary) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return core::NotFoundError("cannot open " + path);
  ChunkPipeline pipeline(store_, env_, options_, summary);
  Chunk chunk;
  std::string line;
  uint64_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    summary.bytes += line.size() + 1;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    chunk.push_back({path + ":" + std::to_string(line_no), std::move(line), std::nullopt});
    if (chunk.size() >= options_.chunk_size) {
      MAMORI_RETURN_IF_ERROR(pipeline.Submit(std::move(chunk)));
      chunk.clear();
      if (progress) progress(line_no, summary.bytes);
    }
  }
  if (!chunk.empty()) MAMORI_RETURN_IF_ERROR(pipeline.Submit(std::move(chunk)));
  return pipeline.Finish();
}

// A Bundle larger than max_bundle_bytes is never read whole: a batch or
// collection Bundle is streamed entry by entry (memory: one entry plus the
// chunk queue); a transaction that large is refused, since it must be one
// atomic write.
core::Status Importer::ImportLargeBundle(const std::string& path, uint64_t size,
                                         ImportSummary& summary) {
  MAMORI_ASSIGN_OR_RETURN(std::string type, internal::ScanBundleType(path));
  if (type == "transaction") {
    return core::ResourceExhaustedError(
        path + " is a transaction Bundle larger than " +
        std::to_string(options_.max_bundle_bytes >> 20) +
        " MiB; a transaction is one atomic write, so split it, or import the data as NDJSON");
  }
  summary.bytes = size;
  ChunkPipeline pipeline(store_, env_, options_, summary);
  Chunk chunk;
  size_t index = 0;
  core::Status scanned = internal::ScanBundleEntries(path, [&](std::string text) -> core::Status {
    Item item{path + ": Bundle.entry[" + std::to_string(index++) + "]", "{}", std::nullopt};
    auto entry = ParseResourceJson(text);
    if (entry.ok()) {
      if (auto* resource = entry->if_contains("resource"); resource && resource->is_object()) {
        item.parsed = std::move(resource->get_object());
      }
    }
    chunk.push_back(std::move(item));
    if (chunk.size() >= options_.chunk_size) {
      MAMORI_RETURN_IF_ERROR(pipeline.Submit(std::move(chunk)));
      chunk.clear();
    }
    return core::Status::Ok();
  });
  if (!scanned.ok()) {
    pipeline.Finish().IgnoreError();  // the scan error is the one to report
    return scanned;
  }
  if (!chunk.empty()) MAMORI_RETURN_IF_ERROR(pipeline.Submit(std::move(chunk)));
  return pipeline.Finish();
}

core::Status Importer::ImportBundle(const std::string& path, ImportSummary& summary) {
  MAMORI_ASSIGN_OR_RETURN(core::FileInfo info, env_.fs().Stat(path));
  if (info.size > options_.max_bundle_bytes) return ImportLargeBundle(path, info.size, summary);
  MAMORI_ASSIGN_OR_RETURN(std::string text, env_.fs().ReadFile(path));
  summary.bytes = text.size();
  core::Result<boost::json::object> parsed = ParseResourceJson(text);
  if (!parsed.ok()) return parsed.status().With(path);
  const auto* rt = parsed->if_contains("resourceType");
  const auto* type = parsed->if_contains("type");
  bool bundle = rt && rt->is_string() && rt->get_string() == "Bundle";
  if (bundle && type && type->is_string() && type->get_string() == "transaction") {
    RestResponse r = api_.ProcessBundle({.body = std::move(text)});
    if (r.status != 200) {
      return core::InvalidArgumentError(
          path + ": the transaction was refused (nothing stored): " + Reason(r));
    }
    boost::json::value response = boost::json::parse(r.body);
    for (const boost::json::value& entry : response.at("entry").as_array()) {
      // A write's response.location is "Type/id/_history/n".
      const boost::json::value* location = nullptr;
      if (const auto* answer = entry.as_object().if_contains("response")) {
        location = answer->as_object().if_contains("location");
      }
      std::string_view text;
      if (location != nullptr && location->is_string()) text = location->get_string();
      ++summary
            .imported_by_type[text.empty() ? "other" : std::string(text.substr(0, text.find('/')))];
      ++summary.imported;
    }
    return core::Status::Ok();
  }
  ChunkPipeline pipeline(store_, env_, options_, summary);
  Chunk chunk;
  if (!bundle) {
    chunk.push_back({path, "", std::move(*parsed)});
    MAMORI_RETURN_IF_ERROR(pipeline.Submit(std::move(chunk)));
    return pipeline.Finish();
  }
  auto* entries = parsed->if_contains("entry");
  if (entries != nullptr && entries->is_array()) {
    size_t index = 0;
    for (auto& entry : entries->get_array()) {
      Item item{path + ": Bundle.entry[" + std::to_string(index++) + "]", "", std::nullopt};
      auto* resource = entry.is_object() ? entry.get_object().if_contains("resource") : nullptr;
      if (resource != nullptr && resource->is_object())
        item.parsed = std::move(resource->get_object());
      else
        item.text = "{}";  // rejected as having no resourceType
      chunk.push_back(std::move(item));
      if (chunk.size() >= options_.chunk_size) {
        MAMORI_RETURN_IF_ERROR(pipeline.Submit(std::move(chunk)));
        chunk.clear();
      }
    }
  }
  if (!chunk.empty()) MAMORI_RETURN_IF_ERROR(pipeline.Submit(std::move(chunk)));
  return pipeline.Finish();
}

}  // namespace mamori::fhir
