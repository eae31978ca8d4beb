// SPDX-License-Identifier: Apache-2.0
#pragma once

// fhir::search::ResourceMatchesClause: answers one search clause against one
// decrypted resource, the way the index answers it. The planner uses it where
// the index only narrows (LookupPlan::recheck: a prefix longer than
// max_prefix, several words, :contains, :text without text entries, a unit
// system without a code) and where it cannot narrow at all (Combine::kScan).
// Because it extracts the resource's own entries and applies the same
// PlanLookup() keys and range rules, a recheck can never disagree with what
// the index would have said, only refine it.
//
// Chained and _has clauses are joins between resources: the planner resolves
// them through kReference entries, then calls this on each side.
//
// Borrows its arguments for the call. Thread-safety: pure; call from any thread.
//
// Example (planner, after fetching and decrypting a candidate):
//   if (!search::ResourceMatchesClause(resource, clause, {.extract = options, .now_us = now}))
//     continue;  // the index over-approximated; drop it

#include <cstdint>

#include <boost/json/object.hpp>

#include "fhir/search/extract.h"
#include "fhir/search/index.h"
#include "fhir/search/query.h"

namespace mamori::fhir::search {

struct MatchOptions {
  // The options the index was written with (prefix length, grams, text, base
  // URL, default offset).
  ExtractOptions extract;
  // Now, in microseconds since the epoch, for the ap prefix on dates (from
  // core::Clock; this function reads no clock).
  int64_t now_us = 0;
};

// The lookup options that agree with an index written with `options`.
LookupOptions LookupOptionsFor(const ExtractOptions& options);

// True when one key of `plan` is satisfied by `entry`: same parameter, form
// and value, and the entry's range meets the plan's date or number condition.
bool EntryMatches(const IndexEntry& entry, const LookupKey& key, const LookupPlan& plan,
                  int64_t now_us);

// Whether `resource` matches `clause`: any of its values (OR), with :not and
// :missing=true negating the result, rechecks applied.
// REQUIRES: !clause.chain && !clause.has, and resource is of the clause's base type.
bool ResourceMatchesClause(const boost::json::object& resource, const SearchClause& clause,
                           const MatchOptions& options);

}  // namespace mamori::fhir::search
