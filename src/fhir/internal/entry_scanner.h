// SPDX-License-Identifier: Apache-2.0
#pragma once
// Private to fhir: include "fhir/importer.h" instead.
//
// Streams a Bundle file without holding it in memory: finds the top-level
// "type" string and hands each element of the top-level "entry" array to a
// callback as its own JSON text. The scanner only tracks strings, escapes and
// nesting; each entry's text is then parsed and validated as usual, and a
// file that is not valid JSON fails there or here (kInvalidArgument with the
// byte offset, never content).
//
//   MAMORI_ASSIGN_OR_RETURN(std::string type, internal::ScanBundleType(path));
//   MAMORI_RETURN_IF_ERROR(internal::ScanBundleEntries(path, [&](std::string entry) {...}));

#include <functional>
#include <string>

#include "core/status.h"

namespace mamori::fhir::internal {

// The value of the top-level "type" member ("" if there is none).
core::Result<std::string> ScanBundleType(const std::string& path);

// Calls `on_entry` with the text of each element of the top-level "entry"
// array, in order; stops at the first error it returns. Memory: one entry.
core::Status ScanBundleEntries(const std::string& path,
                               const std::function<core::Status(std::string)>& on_entry);

}  // namespace mamori::fhir::internal
