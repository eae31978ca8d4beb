// SPDX-License-Identifier: Apache-2.0

#include "fhir/validator.h"

#include <array>

#include "fhir/definitions.h"
#include "fhir/internal/model.h"
#include "fhir/internal/walker.h"

namespace mamori::fhir {
namespace {

constexpr std::array<std::string_view, 4> kSeverityNames = {"fatal", "error", "warning",
                                                            "information"};
constexpr std::array<std::string_view, 8> kCodeNames = {
    "invalid",   "structure",    "required",      "value",
    "invariant", "code-invalid", "not-supported", "too-costly"};

}  // namespace

std::string_view IssueSeverityName(IssueSeverity severity) {
  return kSeverityNames[static_cast<size_t>(severity)];
}

std::string_view IssueCodeName(IssueCode code) { return kCodeNames[static_cast<size_t>(code)]; }

std::vector<ValidationIssue> Validate(const boost::json::object& resource,
                                      const ValidationOptions& options) {
  std::vector<ValidationIssue> issues;
  internal::Walker walker(internal::ModelOf(Definitions::R4()), options, issues);
  walker.Run(resource);
  return issues;
}

bool HasErrors(std::span<const ValidationIssue> issues) {
  for (const ValidationIssue& issue : issues) {
    if (issue.severity == IssueSeverity::kFatal || issue.severity == IssueSeverity::kError)
      return true;
  }
  return false;
}

}  // namespace mamori::fhir
