// SPDX-License-Identifier: Apache-2.0
#pragma once

// `mamori import --data-dir DIR FILE...`: loads NDJSON files and Bundles into
// a data directory that no server is using (fhir/importer.h says how each
// kind is read). Prints one summary line per file; on a terminal, a progress
// line while it runs. On bad input, names the file, line or entry and the
// reason, and stops (or, with --continue-on-error, records the location and
// reason in the rejects file and goes on).

#include <string>
#include <vector>

#include "core/env.h"
#include "core/status.h"
#include "crypto/secure_bytes.h"

namespace mamori::cli {

struct ImportCommandOptions {
  std::string data_dir;
  std::vector<std::string> files;
  bool continue_on_error = false;
  // Where --continue-on-error records rejects (location and reason only).
  std::string rejects_file;
  // Files imported at once (each a stream of chunks into one store).
  size_t parallel_files = 4;
  crypto::SecureBytes passphrase;
};

// Errors: kInvalidArgument with the file and location of a bad resource;
// kUnavailable when a server holds the directory's lock.
core::Status RunImport(const ImportCommandOptions& options, core::Env& env);

}  // namespace mamori::cli
