// SPDX-License-Identifier: Apache-2.0
// Fuzz target for the catalogue parser (STYLE.md rule 32). The embedded
// catalogue is trusted, but Catalogue::Parse also serves catalogues read from
// a path and is the gate that keeps a damaged data file from being assessed
// against: any input gives a row or a clear kInvalidArgument, never a crash.
// An accepted catalogue must be self-consistent.
//
// Corpus (catalogue_corpus/): a small valid catalogue, unknown field,
// duplicate ID, bad pattern, unresolved maps_to, broken JSON, deep nesting.

#include <string_view>

#include "compliance/catalogue.h"
#include "compliance/pattern.h"
#include "core/check.h"
#include "core/testing/fuzz.h"

namespace compliance = mamori::compliance;

MAMORI_FUZZ_TARGET(data, size) {
  auto parsed =
      compliance::Catalogue::Parse(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!parsed.ok()) {
    MAMORI_CHECK(parsed.status().code() == mamori::core::StatusCode::kInvalidArgument);
    return;
  }
  for (const compliance::Requirement& row : parsed->rows()) {
    MAMORI_CHECK(parsed->Find(row.id) == &row);
    MAMORI_CHECK(!row.patterns.empty() && !row.verification.empty());
    for (const std::string& target : row.maps_to) MAMORI_CHECK(parsed->Find(target) != nullptr);
  }
  for (auto version : {compliance::GuidelineVersion::k6_0, compliance::GuidelineVersion::k7_0}) {
    compliance::PatternAssessment p = compliance::AssessPattern(
        {.location = compliance::SystemLocation::kVendorCloud}, *parsed, version);
    MAMORI_CHECK(p.rows.size() == parsed->ForVersion(version).size());
  }
}
