// SPDX-License-Identifier: Apache-2.0
#pragma once

// fhir::Importer: loads FHIR data files into the store (`mamori import`).
//
//   .ndjson  one resource per line, streamed: memory stays bounded by the
//            chunk size whatever the file size. A resource with an id is
//            stored under that id (update-as-create), so references between
//            exported resources stay valid; one without an id gets a new one.
//   .json    a Bundle. A transaction Bundle is one atomic unit (as over
//            HTTP, urn:uuid references resolved) and is read whole, up to
//            max_bundle_bytes; batch and collection Bundles are imported entry
//            by entry like NDJSON, and streamed from the file when larger than
//            max_bundle_bytes. A single resource file is imported as one.
//
// Every resource is validated as over HTTP. A bad resource stops the import
// with its file, line or entry and the reason, or with continue_on_error is
// recorded (location and reason only, never the content: rejects would
// otherwise be plaintext patient data) and skipped.
//
//   fhir::Importer importer(api, store, env, {.continue_on_error = true});
//   core::Result<fhir::ImportSummary> s = importer.ImportFile(path, progress);
//
// Thread-safety: one Importer per thread; it uses `chunk_threads` workers
// internally so that chunks share group commits.

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/env.h"
#include "core/status.h"
#include "fhir/rest_api.h"
#include "store/store.h"

namespace mamori::fhir {

struct ImportOptions {
  // Resources per store write. Default 2048: each commit rewrites every
  // search-index page its rows land on (random keyed hashes), so few large
  // commits write far less than many small ones (docs/PERFORMANCE.md,
  // "Import"); peak memory stays below Argon2id's 256 MiB at start-up (4096
  // went past it).
  size_t chunk_size = 2048;
  // Writers submitting chunks at once. Default 4 (2 cores: validation of one
  // chunk overlaps the commit of another).
  size_t workers = 4;
  // Largest Bundle file read whole. Default 256 MiB. Larger batch and
  // collection Bundles are streamed; a larger transaction is refused.
  size_t max_bundle_bytes = 256u << 20;
  bool continue_on_error = false;
};

struct ImportReject {
  std::string location;  // "file:line 12" or "file: Bundle.entry[3]"
  std::string reason;    // names the element, never its value
};

struct ImportSummary {
  std::string file;
  uint64_t imported = 0;
  std::map<std::string, uint64_t> imported_by_type;  // for the audit event of the import
  uint64_t rejected = 0;
  uint64_t bytes = 0;
  double seconds = 0;
  std::vector<ImportReject> rejects;
};

// Called now and then with resources done so far and bytes read.
using ImportProgress = std::function<void(uint64_t resources, uint64_t bytes)>;

class Importer {
 public:
  Importer(RestApi& api, store::Store& store, core::Env& env, ImportOptions options = {});

  // Errors: the file's errors; kInvalidArgument for a bad resource (without
  // continue_on_error) naming its location and the reason; the store's errors.
  core::Result<ImportSummary> ImportFile(const std::string& path, const ImportProgress& progress);

 private:
  core::Status ImportNdjson(const std::string& path, const ImportProgress& progress,
                            ImportSummary& summary);
  core::Status ImportBundle(const std::string& path, ImportSummary& summary);
  core::Status ImportLargeBundle(const std::string& path, uint64_t size, ImportSummary& summary);

  RestApi& api_;
  store::Store& store_;
  core::Env& env_;
  ImportOptions options_;
};

}  // namespace mamori::fhir
