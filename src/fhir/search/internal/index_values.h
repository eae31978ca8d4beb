// SPDX-License-Identifier: Apache-2.0
#pragma once
// Private to fhir: include "fhir/search/extract.h" instead.
//
// One evaluated FHIRPath item -> the index entries of a parameter type (the
// table in extract.h). The parameter code is left empty; the caller sets it.

#include <string>
#include <vector>

#include "fhir/definitions.h"
#include "fhir/search/extract.h"
#include "fhir/search/index.h"
#include "fhir/search/internal/fhirpath.h"

namespace mamori::fhir::search::internal {

// How much an item yields: kFull for a parameter of its own; kCompositePart
// for a component of a composite, which keeps only the exact forms (tc, tsc,
// sn, ref, uri) and the ordered ones (date, num, q, qsc, qc).
enum class Yield { kFull, kCompositePart };

void AppendItemEntries(SearchParamType type, const Item& item, const ExtractOptions& options,
                       Yield yield, std::vector<IndexEntry>& out);

// The raw strings `item` yields for a string parameter, or for token :text.
void AppendItemStrings(SearchParamType type, const Item& item, std::vector<std::string>& out);

// Each prefix of a stored length (IsStoredPrefixLength: 1-4, 6, 8, 12, max)
// of each of the first 8 words of `normalized` (words are separated by single
// spaces after normalization).
std::vector<std::string> PrefixKeys(std::string_view normalized, size_t max);

// Each run of kGramLength code points inside a word, within the first `max`
// code points of `normalized`. Grams never contain a space.
std::vector<std::string> GramKeys(std::string_view normalized, size_t max);

// "/"-prefixes of a URL after its authority, then the URL itself, without a
// trailing "/": http://a.org/fhir/ValueSet/1 -> http://a.org,
// http://a.org/fhir, http://a.org/fhir/ValueSet, http://a.org/fhir/ValueSet/1.
// Just the uri for URNs and relative uris.
std::vector<std::string> UriPrefixes(std::string_view uri);

}  // namespace mamori::fhir::search::internal
