// SPDX-License-Identifier: Apache-2.0
#pragma once
// Private to fhir: include "fhir/rest_api.h" instead.
//
// The search planner (issue 5): runs a parsed fhir::search::SearchQuery over
// the store's keyed-hash index. Each clause becomes a sorted set of resource
// keys, from PlanLookup's keys (their MACs looked up, ranges checked with
// EntryMatches); clauses are intersected; clauses the index only narrows
// (plan.recheck, Combine::kScan) are confirmed with ResourceMatchesClause on
// the decrypted candidate. Results come in resource-key order, so a page
// cursor is the last key returned: new resources get higher keys and updates
// keep theirs, so paging survives concurrent writes without skipping or
// repeating a resource that matched throughout.
//
// Supported: every parameter type the index holds (token, string, date,
// number, quantity, reference, uri, composite), their modifiers, _id,
// _lastUpdated, chains one level deep, _has one level (the referring
// resources are decrypted to read their references), _sort (several keys,
// descending; dates, numbers and quantities from the index's ranges, the
// hashed types from the decrypted matches, at most 10,000), and
// _include/_revinclude with :iterate one level.
//
// Thread-safety: stateless functions; the reader belongs to one thread.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "fhir/search/query.h"
#include "store/store.h"

namespace mamori::fhir::internal {

struct SearchContext {
  store::IndexReader& reader;
  store::Store& store;  // for BlindIndex
  int64_t now_us = 0;
};

struct SearchPage {
  // The matches of this page, in key order, decrypted.
  std::vector<store::ResourceVersion> matches;
  // The cursor of the next page (the last key of this one), or 0 if none.
  int64_t next_after = 0;
  // The number of matches on all pages, when known without decrypting every
  // candidate (or when `accurate_total` asked for it).
  std::optional<int64_t> total;
};

struct PageRequest {
  int64_t after_key = 0;  // only keys above this
  size_t count = 50;      // page size; 0 = count only
  bool accurate_total = false;
  // Only these keys (sorted): a compartment's members. Unset: no bound.
  std::optional<std::vector<int64_t>> within;
};

// The sorted keys of the `type` resources in Patient `patient_id`'s
// compartment: those whose compartment parameters (Definitions::
// PatientCompartmentParams) reference it, and for type Patient the patient
// itself.
core::Result<std::vector<int64_t>> CompartmentKeys(SearchContext& ctx,
                                                   const std::string& patient_id,
                                                   const std::string& type);

// One page of the query's matches. Errors: kUnimplemented naming an
// unsupported feature; kDataLoss; the store's errors.
core::Result<SearchPage> RunSearch(SearchContext& ctx, const search::SearchQuery& query,
                                   const PageRequest& page);

// The sorted keys of every resource the query's clauses match (result
// parameters ignored), within `within` when set; rechecks done.
core::Result<std::vector<int64_t>> QueryKeys(SearchContext& ctx, const search::SearchQuery& query,
                                             const std::optional<std::vector<int64_t>>& within);

// The sorted keys of every live resource of `type` that `clause` matches
// (compartment and conditional code use it with a single clause).
core::Result<std::vector<int64_t>> MatchingKeys(SearchContext& ctx, const std::string& type,
                                                const search::SearchClause& clause);

// _include and _revinclude, one level: the resources `specs` name from (or
// pointing at) `matches`, without those already in `matches`, at most `limit`.
core::Result<std::vector<store::ResourceVersion>> ResolveIncludes(
    SearchContext& ctx, const search::SearchQuery& query,
    const std::vector<store::ResourceVersion>& matches, size_t limit);

}  // namespace mamori::fhir::internal
