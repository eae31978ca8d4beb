// SPDX-License-Identifier: Apache-2.0
#pragma once
// Private to fhir: include "fhir/search/extract.h" instead.
//
// The search parameter expressions of every supported type, compiled once
// (on first use, behind a function-local static) so indexing never parses
// FHIRPath. A parameter whose expression falls outside the subset is kept
// with its reason, so a test can list exactly what is not indexed.

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fhir/definitions.h"
#include "fhir/search/internal/fhirpath.h"

namespace mamori::fhir::search::internal {

struct CompiledParam {
  const SearchParameter* param = nullptr;
  ExprPtr expression;  // null when not indexed (see problem)
  // Composites: one per component, with the component's own parameter.
  std::vector<ExprPtr> components;
  std::vector<const SearchParameter*> component_params;
  // Why the parameter is not indexed (empty when it is), e.g. "special
  // parameter" or the FHIRPath parse error.
  std::string problem;
};

// Every parameter of a supported `type`, in Definitions::SearchParameters()
// order; empty for other types.
std::span<const CompiledParam> CompiledParams(std::string_view type);

// One of them, or nullptr.
const CompiledParam* FindCompiledParam(std::string_view type, std::string_view code);

}  // namespace mamori::fhir::search::internal
