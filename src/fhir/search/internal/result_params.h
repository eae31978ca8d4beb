// SPDX-License-Identifier: Apache-2.0
#pragma once
// Private to fhir: include "fhir/search/query.h" instead.
//
// The result parameters (search.html "Modifying Search Results"): _count,
// _sort, _include, _revinclude, _summary, _total, _elements, _format,
// _pretty. Status codes follow query.cc's convention: kInvalidArgument for a
// malformed value (an error in every mode), kUnimplemented for something
// unsupported (an error when strict, ignored when lenient).

#include <string_view>

#include "core/status.h"
#include "fhir/search/query.h"

namespace mamori::fhir::search::internal {

// True if `code` (the name before any ':') is one of the result parameters.
bool IsResultParameter(std::string_view code);

// Applies one result parameter to `query`. `code` is the name before ':',
// `modifier` what follows it (empty when none).
core::Status ApplyResultParameter(std::string_view code, std::string_view modifier,
                                  std::string_view value, const ParseOptions& options,
                                  SearchQuery& query);

}  // namespace mamori::fhir::search::internal
