// SPDX-License-Identifier: Apache-2.0
#pragma once

// fhir::search::ExtractIndexEntries: the search index entries of one
// resource, for the index writer that stores them in the same transaction as
// the resource version (issue 5). For every search parameter of the
// resource's type it evaluates the parameter's FHIRPath expression
// (internal/fhirpath.h: the subset the R4 definitions use) and turns each
// value into the entries listed in index.h, by the parameter type and the
// value's FHIR type:
//
//   token      Coding, CodeableConcept (each coding; text and display for
//              :text), Identifier (type codings for :of-type), ContactPoint
//              (value), code/string/id/uri, boolean ("true"/"false")
//   string     string-like primitives; HumanName (family, given, prefix,
//              suffix, text); Address (line, city, district, state,
//              postalCode, country, text); CodeableConcept (text, display);
//              Coding (display); Annotation (text)
//   date       date, dateTime, instant (the interval of their precision:
//              birthDate 1970 covers all of 1970); Period [start, end) with
//              open ends; Timing (hull of its events and bounds)
//   number     decimal and integers (a point); Range [low, high]
//   quantity   Quantity and its profiles (Age, Duration, ...), Money
//              (currency as urn:iso:std:iso:4217), Range
//   reference  Reference (reference and identifier), canonical (url and
//              url|version), inline resources (Bundle.entry[0].resource)
//   uri        uri, url, canonical, oid, uuid
//   composite  per item of the base expression, the product of its
//              components' exact forms
// Entries are sorted and de-duplicated. A parameter whose expression selects
// any value also gets one kPresent entry (for :missing), even when the value
// has no other entry (a text-only CodeableConcept, a contained reference);
// an element with nothing but extensions counts as missing, as the spec says.
// Resource values are trusted to have passed fhir::Validate; malformed ones
// (a bad date) are skipped, never fatal.
//
// Borrows the resource for the call. Thread-safety: pure; the compiled
// expressions are built once, on first use, behind a function-local static.
//
// Example (write path, after validation):
//   MAMORI_ASSIGN_OR_RETURN(std::vector<search::IndexEntry> entries,
//                           search::ExtractIndexEntries(resource, {.base_url = base}));
//   // Patient jp-patient-example-1 gives, among others,
//   //   {"family", kStringPrefix, "やまだ"}, {"birthdate", kDate, "", [1970-01-01, 1970-01-02)}

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "core/status.h"
#include "fhir/definitions.h"
#include "fhir/search/index.h"

namespace mamori::fhir::search {

struct ExtractOptions {
  // This server's FHIR base: absolute references under it are stored as the
  // relative "Type/id" (must equal ParseOptions::base_url). Empty: none.
  std::string base_url;
  // Offset from UTC, in minutes, for dates and times without a zone (must
  // equal ParseOptions::default_offset_minutes). Default 0 (UTC).
  int32_t default_offset_minutes = 0;
  // Prefix entries per string: 1..max_prefix code points of each of its
  // first 8 words (must equal LookupOptions::max_prefix). A longer query, or
  // one of several words, looks up its first word's prefix and is rechecked.
  // Default kDefaultMaxPrefix (12).
  size_t max_prefix = kDefaultMaxPrefix;
  // :contains grams cover this many leading code points of each string
  // (must equal LookupOptions::max_gram). Default kDefaultMaxGram (256).
  size_t max_gram = kDefaultMaxGram;
  // Write the kTokenTextPrefix entries for token :text (must equal
  // LookupOptions::token_text). Default false: displays are long and
  // repeated, and these entries were 44% of a Synthea Observation's; without
  // them :text still works, as a scan with a recheck.
  bool token_text = false;
  // Write kStringGram entries (string :contains). Default true.
  bool contains_grams = true;
  // Composite entries from every exact form of each part: tc and tsc of each
  // coding times q, qsc and qc of a quantity (must equal
  // LookupOptions::full_composites). False: the broadest form of each part
  // only (tc, q), and a query naming a system or unit looks that up and is
  // rechecked; an Observation's composites shrink from ~12 entries to ~2.
  // Default true.
  bool full_composites = true;
  // Write tsc "|code" for codes and identifiers without a system (must equal
  // LookupOptions::systemless_codes). False: a "|code" query looks up tc and
  // is rechecked; status, gender and the like save a row each. Default true.
  bool systemless_codes = true;
};

// Every entry for `resource`, sorted and de-duplicated. Returns
// kInvalidArgument when resourceType is missing or not a supported type.
core::Result<std::vector<IndexEntry>> ExtractIndexEntries(const boost::json::object& resource,
                                                          const ExtractOptions& options = {});

// The entries of one parameter of the resource's type (unsorted, may repeat).
// REQUIRES: `param` is one of Definitions::R4().SearchParameters(type).
std::vector<IndexEntry> ExtractParameter(const boost::json::object& resource,
                                         const SearchParameter& param,
                                         const ExtractOptions& options = {});

// The strings a string parameter (or a token parameter's :text) indexes, as
// stored: what a recheck of :exact, :contains or a long prefix compares
// against after normalizing. Empty for other parameter types.
std::vector<std::string> ExtractStrings(const boost::json::object& resource,
                                        const SearchParameter& param);

}  // namespace mamori::fhir::search
