// SPDX-License-Identifier: Apache-2.0
#pragma once
// Private to fhir: include "fhir/search_index.h" instead.
//
// The index writer's half of issue 5: a resource's fhir::search entries,
// MACed with the store's index key into store::IndexEntry rows. Two parts,
// because a create learns its id (and every write its lastUpdated) only at
// write time: ContentEntries before the transaction, IdentityEntries inside.

#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "core/status.h"
#include "fhir/search/extract.h"
#include "fhir/search/index.h"
#include "store/store.h"

namespace mamori::fhir::internal {

// The extraction options of every index mamori writes, and so of every query
// (search::LookupOptionsFor). No base URL: the base a client sees depends on
// its Host header, so absolute references are kept as written.
const search::ExtractOptions& IndexExtractOptions();

// The store hash of one (param, form, value) of a `type` resource.
core::Result<std::string> IndexHash(store::Store& store, std::string_view type,
                                    std::string_view param, search::IndexForm form,
                                    std::string_view value);

// Entries of everything but _id and _lastUpdated (which IdentityEntries adds).
core::Result<std::vector<store::IndexEntry>> ContentEntries(const std::string& type,
                                                            const boost::json::object& resource,
                                                            store::Store& store);

// Appends the _id entries of `id` and the _lastUpdated entry the store fills
// with the version's own time (IndexEntry::Range::kWriteTime).
core::Status AppendIdentityEntries(const std::string& type, const std::string& id,
                                   store::Store& store, std::vector<store::IndexEntry>& out);

// The hash every live `type` resource has (its _id presence): the set a
// search without narrowing clauses pages through.
core::Result<std::string> TypeHash(store::Store& store, std::string_view type);

}  // namespace mamori::fhir::internal
