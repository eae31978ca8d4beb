// SPDX-License-Identifier: Apache-2.0
#pragma once

// fhir::search index entries: the shape in which a resource's search values
// reach the store, and the matching lookups a query needs. The extractor
// (extract.h) produces IndexEntry values; PlanLookup() turns one parsed
// search value (query.h) into the entries to look for. Both go through the
// same functions here, so an index written today answers tomorrow's query.
//
// An entry is (param, form, value, range). `value` is the canonical byte
// string for the form (table below); the store MACs HashInput(type, entry)
// with its index key and stores only the MAC (DESIGN invariant 4), plus the
// plaintext range for the ordered forms, which range search needs (issue 5
// allows dates, numbers and quantities in plaintext). Nothing here hashes:
// this module holds no key.
//
// Forms by tag: the value bytes, then what they answer.
//   present  "", one per parameter with a value, unless PresenceForm's range
//            entry or ValueIsRequired makes it redundant; kAbsentValue for a
//            required element without a value -> :missing
//   tc       code, or Identifier / ContactPoint value -> [code]
//   tsc      system "|" code ("|code" without a system, unless
//            !systemless_codes) -> [system]|[code], |[code]
//   ts       system -> [system]|
//   tot      type-system "|" type-code "|" value -> identifier:of-type
//   ttp      each word's stored-length prefixes (IsStoredPrefixLength) of the folded
//            display or text -> token:text (only with ExtractOptions::token_text)
//   sx       the string as stored -> string:exact
//   sp       each of the first 8 words' prefixes of a stored length (1-4, 6,
//            8, 12 code points), folded by NormalizeString -> string (starts with)
//   sg       each 2-code-point run inside a word, within the first max_gram
//            code points, folded -> string:contains
//   sn       the folded string -> composite string parts only
//   ref      "Type/id", "Type/id/_history/v", an absolute URL, a canonical url
//            and url|version -> reference, chains, _has, _include, _revinclude
//   uri      the uri -> uri, uri:above
//   urib     each "/"-prefix of a URL, and the URL -> uri:below
//   date     "" + TimeRange -> date, every prefix
//   num      "" + NumberRange -> number
//   q        "" + NumberRange -> quantity without a unit
//   qsc      unit system "|" code + NumberRange -> quantity number|system|code
//   qc       unit code, and unit text + NumberRange -> quantity number||code
//   comp     CompositeKey(parts) [+ the ordered part's range] -> composite a$b
// Reference :identifier uses tc, tsc and ts of Reference.identifier under the
// reference parameter's code.
//
// Thread-safety: pure functions; call from any thread.
//
// Example (index writer, in the store transaction):
//   for (const search::IndexEntry& e : entries) {
//     MAMORI_ASSIGN_OR_RETURN(std::string mac, store.BlindIndex(search::HashInput(type, e)));
//     rows.push_back({e.param, mac, e.time, e.number});
//   }
// Example (planner):
//   search::LookupPlan plan = search::PlanLookup(clause, clause.values[0], options);
//   // plan.keys: the entries to look for; plan.recheck: filter after decryption

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fhir/search/query.h"

namespace mamori::fhir::search {

enum class IndexForm : uint8_t {
  kPresent,
  kTokenCode,
  kTokenSystemCode,
  kTokenSystem,
  kTokenOfType,
  kTokenTextPrefix,
  kStringExact,
  kStringPrefix,
  kStringGram,
  kStringNormalized,
  kReference,
  kUri,
  kUriBelow,
  kDate,
  kNumber,
  kQuantity,
  kQuantitySystemCode,
  kQuantityCode,
  kComposite,
};

// The short tag of a form ("tc", "sp", ...), part of HashInput. Stable: a
// change needs a reindex.
std::string_view FormTag(IndexForm form);

// A closed interval of decimals. A stored decimal is a point (low == high);
// a Range element spans [low.value, high.value], a missing end is ±infinity.
struct NumberRange {
  double low = 0;
  double high = 0;
  friend bool operator==(const NumberRange&, const NumberRange&) = default;
};

struct IndexEntry {
  std::string param;  // search parameter code, e.g. "name"
  IndexForm form = IndexForm::kPresent;
  std::string value;                  // canonical bytes, see the table above
  std::optional<TimeRange> time;      // kDate, and composites with a date part
  std::optional<NumberRange> number;  // kNumber, kQuantity*, composites with one
  friend bool operator==(const IndexEntry&, const IndexEntry&) = default;
};
// Orders by param, form, value, then ranges (for sorting and de-duplication).
bool operator<(const IndexEntry& a, const IndexEntry& b);

// The form whose entry with an empty value every value of a parameter of
// `type` gets, so that its hash also answers :missing: kDate, kNumber,
// kQuantity for the ordered types, nothing for the others. Such parameters
// get a kPresent entry only when none of their values could be indexed.
std::optional<IndexForm> PresenceForm(SearchParamType type);

// Whether every valid resource has a value for `param`: its expression is,
// or is a union with, a plain path "Type.element" to an element with min >= 1
// (Observation.status, Claim.patient, combo-code through Observation.code). Such a parameter gets
// no kPresent entry; a resource without a value (its element has only extensions) gets kPresent
// with value kAbsentValue instead, and :missing looks that up. The common case writes nothing, the
// rare one one row, and the answer stays exact.
bool ValueIsRequired(const SearchParameter& param);
inline constexpr std::string_view kAbsentValue = "absent";

// The exact bytes the store MACs for an entry of a resource of `type`:
//   type 0x00 IndexedParam(type, param) 0x00 tag 0x00 value
// Type, parameter and form are inside the MAC so that equal values under
// different parameters or types give unrelated MACs (no cross-parameter or
// cross-type equality leaks); NUL cannot occur in the first three.
std::string HashInput(std::string_view type, const IndexEntry& entry);

// The parameter whose entries `param` of `type` shares: the first parameter
// of the type with the same expression and parameter type (Patient and
// Practitioner phonetic -> name, Coverage patient -> beneficiary), else
// `param`. Such parameters always select the same values, so their entries
// are identical; hashing them under one name stores each row once (the store
// ignores a duplicate row) and tells a reader of the database nothing it
// could not see from the doubled rows. Composites are never aliased.
std::string_view IndexedParam(std::string_view type, std::string_view param);
std::string HashInput(std::string_view type, std::string_view param, IndexForm form,
                      std::string_view value);

// The value of a kComposite entry: each part as <decimal length>:<tag>=<value>
// (a netstring-like framing, so no part's bytes can run into the next).
struct CompositePart {
  IndexForm form;
  std::string value;
};
std::string CompositeKey(std::span<const CompositePart> parts);

// Defaults shared by the extractor and the planner.
inline constexpr size_t kDefaultMaxPrefix = 12;  // code points per prefix entry
inline constexpr size_t kDefaultMaxGram = 256;   // code points of a string :contains sees
inline constexpr size_t kGramLength = 2;         // code points per :contains gram

// The prefix lengths the index stores for each word, up to `max` code points:
// 1, 2, 3, 4, 6, 8, 12 and `max` itself. Short prefixes are where queries
// are (and where a recheck would decrypt the most candidates); longer queries
// look up the longest stored length below them and are rechecked. Storing 7
// of the 12 lengths cut a word's entries by up to 42% (docs/PERFORMANCE.md).
bool IsStoredPrefixLength(size_t n, size_t max);
// The longest stored prefix length <= n. REQUIRES: 1 <= n <= max.
size_t StoredPrefixLength(size_t n, size_t max);

struct LookupOptions {
  size_t max_prefix = kDefaultMaxPrefix;  // must equal ExtractOptions::max_prefix
  size_t max_gram = kDefaultMaxGram;      // must equal ExtractOptions::max_gram
  bool token_text = false;                // must equal ExtractOptions::token_text
  bool contains_grams = true;             // must equal ExtractOptions::contains_grams
  bool full_composites = true;            // must equal ExtractOptions::full_composites
  bool systemless_codes = true;           // must equal ExtractOptions::systemless_codes
};

// One key to look up: resources with an entry (param, form, value) whose
// range, if the key has a condition, satisfies it.
struct LookupKey {
  std::string param;
  IndexForm form = IndexForm::kPresent;
  std::string value;
};

// How one search value is answered from the index.
struct LookupPlan {
  enum class Combine {
    kAny,   // a resource matches if it has an entry for any key
    kAll,   // ... for every key (:contains grams)
    kScan,  // the index cannot narrow this value: check every resource
  };
  Combine combine = Combine::kAny;
  std::vector<LookupKey> keys;
  // For ordered values: the entry's range must satisfy prefix vs range
  // (DateMatches / NumberMatches); unset for hashed-only values.
  std::optional<DateValue> date;
  std::optional<NumberValue> number;
  // The index over-approximates (a prefix longer than max_prefix, :contains,
  // :exact against a normalized form): confirm each candidate on the
  // decrypted resource before returning it.
  bool recheck = false;
  // :not and :missing=true: the answer is the complement of the keys' matches.
  bool negate = false;
};

// The plan for one value of `clause` (chained and _has clauses: the plan for
// the parameter on the target type; the planner joins through kReference).
LookupPlan PlanLookup(const SearchClause& clause, const SearchValue& value,
                      const LookupOptions& options = {});

// The default string match on normalized text, as the index answers it:
// the value starts with the query, or one of its later words does
// ("mary ann smith" matches "ann" and "smith"). For rechecks after decryption.
bool StringMatchesPrefix(std::string_view normalized_value, std::string_view normalized_query);

// The range comparisons of search.html "Prefixes" (eq: the search range
// contains the target; gt: the range above the search value overlaps the
// target; sa: the target starts after the search range; ...). `now` is used by
// ap only (10% of the gap between now and the searched date).
bool DateMatches(const DateValue& search, const TimeRange& target, int64_t now_us);
// Numbers: eq/ne use the search value's implicit range, gt/lt/ge/le/sa/eb the
// exact value (search.html "number"); ap is ±10% of the value.
bool NumberMatches(const NumberValue& search, const NumberRange& target);

}  // namespace mamori::fhir::search
