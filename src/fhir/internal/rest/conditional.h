// SPDX-License-Identifier: Apache-2.0
#pragma once
// Private to fhir: include "fhir/rest_api.h" instead.
//
// Conditional interactions (If-None-Exist, conditional update, conditional
// references) over the search index: the criteria are any search the planner
// runs (fhir/internal/search/planner.h), read inside the write transaction so
// the answer cannot change before the write commits.

#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "store/store.h"

namespace mamori::fhir::internal {

using QueryPairs = std::vector<std::pair<std::string, std::string>>;

// Criteria of a conditional interaction: decoded search pairs, parsed per
// type by Match.
struct Criteria {
  QueryPairs pairs;
  store::Store* store = nullptr;  // for the index key
};

// Splits and decodes "identifier=http%3A%2F%2Fx%7C123&_id=abc".
QueryPairs SplitQuery(std::string_view query);

// Keeps the pairs. Errors: kInvalidArgument when no search parameter is given
// (result parameters such as _format do not count).
core::Result<Criteria> ParseCriteria(const QueryPairs& query, store::Store& store);

// The ids of current resources of `type` matching `criteria` (at most 2:
// enough to tell none, one and many apart). Errors: kInvalidArgument naming
// an unknown or unsupported parameter (never a value).
core::Result<std::vector<std::string>> Match(store::Transaction& tx, const std::string& type,
                                             const Criteria& criteria);

}  // namespace mamori::fhir::internal
