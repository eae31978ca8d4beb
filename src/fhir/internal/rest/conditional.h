// SPDX-License-Identifier: Apache-2.0
#pragma once
// Private to fhir: include "fhir/rest_api.h" instead.
//
// Conditional interactions (If-None-Exist, conditional update, conditional
// references) over the keyed-hash index. Until full search lands (issue 5)
// the criteria understood are `identifier=[system|]value` and `_id=id`.

#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "core/status.h"
#include "store/store.h"

namespace mamori::fhir::internal {

// Index entries for a resource: one per identifier, under the exact form
// "system|value" (or "|value" without a system) and the any-system form
// "value". Hashed with the store's index key: no plaintext identifier is
// stored (DESIGN invariant 4).
core::Result<std::vector<store::IndexEntry>> IdentifierIndexEntries(
    const boost::json::object& resource, store::Store& store);

// Parsed criteria of a conditional interaction.
struct Criteria {
  std::string id;     // from _id, if given
  std::string param;  // "identifier", if given
  std::string hash;   // its index hash
};

using QueryPairs = std::vector<std::pair<std::string, std::string>>;

// Splits and decodes "identifier=http%3A%2F%2Fx%7C123&_id=abc".
QueryPairs SplitQuery(std::string_view query);

// Reads identifier and _id from decoded pairs, ignoring the result
// parameters (_format, _pretty, ...). Errors: kInvalidArgument naming an
// unsupported parameter (never its value), or empty criteria.
core::Result<Criteria> ParseCriteria(const QueryPairs& query, store::Store& store);

// The ids of current resources of `type` matching `criteria` (at most 2:
// enough to tell none, one and many apart), read inside `tx` so the answer
// cannot change before the write commits.
core::Result<std::vector<std::string>> Match(store::Transaction& tx, const std::string& type,
                                             const Criteria& criteria);

}  // namespace mamori::fhir::internal
