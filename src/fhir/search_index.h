// SPDX-License-Identifier: Apache-2.0
#pragma once

// fhir::IndexStoredResource: the search index entries of a stored resource
// version, MACed with the store's index key. It is the StoreOptions::indexer
// every mamori command that opens a store passes, so that a database whose
// index must be rebuilt (after a schema migration) is rebuilt on open:
//
//   store::StoreOptions options{.path = db, .kek = &kek,
//                               .indexer = fhir::IndexStoredResource};
//
// The REST write path computes the same entries (fhir/internal/search/indexer.h).
// Thread-safety: pure apart from Store::BlindIndex; call from any thread.

#include <vector>

#include "core/status.h"
#include "store/store.h"

namespace mamori::fhir {

// Errors: kInvalidArgument when the stored JSON does not parse or its type is
// not supported.
core::Result<std::vector<store::IndexEntry>> IndexStoredResource(const store::ResourceVersion& v,
                                                                 store::Store& store);

}  // namespace mamori::fhir
