// SPDX-License-Identifier: Apache-2.0
#pragma once

// fhir::Validate: checks one FHIR R4 resource, given as parsed JSON, against
// the R4 base definitions in fhir::Definitions::R4() and returns every issue
// found (DESIGN invariant 7: bad input gets a clear error and changes
// nothing; GUIDELINE SYS-07: standard formats).
//
// What is checked: resourceType known and supported; unknown properties
// (including wrong choice suffixes such as valueFoo); JSON kinds (string vs
// number vs boolean vs object vs array); cardinality (arrays exactly where
// max > 1, required elements present, at most one type of a choice); the
// lexical form of every primitive (id, date, dateTime, instant, time, code,
// uri, oid, uuid, base64Binary, integer ranges, ...); `_element` primitive
// extensions and null placeholders in primitive arrays; Reference.reference
// forms and target types, and `#id` pointing at a contained resource;
// REQUIRED value-set bindings on code elements (Patient.gender,
// Observation.status, Bundle.type, ...); contained resources and Bundle
// entries recursively; FHIR JSON's rule that no object, array or string is
// empty; extensions anywhere, which need a url and exactly one of value[x]
// or nested extensions (ext-1). Not checked: profiles (meta.profile), other
// invariants (FHIRPath constraints), terminology other than required
// bindings on codes, and whether referenced resources exist.
//
// Each issue names the element as a FHIRPath-style expression using the JSON
// property names ("Patient.name[0].given[1]", "Observation.valueQuantity",
// "Bundle.entry[2].resource.status"). Diagnostics name the element, the
// expected type, format or value set, never the offending value, so they may
// be logged and returned to clients (DESIGN invariant 5).
//
// Borrows the resource for the duration of the call. Thread-safe: Validate
// keeps no state between calls.
//
// Example:
//   MAMORI_ASSIGN_OR_RETURN(boost::json::object r, fhir::ParseResourceJson(body));
//   std::vector<fhir::ValidationIssue> issues = fhir::Validate(r);
//   if (fhir::HasErrors(issues)) return Respond422(issues);  // nothing stored
//   // Tests: EXPECT_THAT(Validate(r), IsEmpty());

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "fhir/json_parser.h"

namespace mamori::fhir {

// OperationOutcome.issue.severity.
enum class IssueSeverity { kFatal, kError, kWarning, kInformation };

// The OperationOutcome.issue.code values this validator produces.
enum class IssueCode {
  kInvalid,       // content invalid against the spec (e.g. a reference of the wrong type)
  kStructure,     // unknown element, wrong JSON kind, array vs single, empty object or array
  kRequired,      // a required element (min >= 1) is missing
  kValue,         // a primitive's lexical form is wrong (bad date, id, empty string, ...)
  kInvariant,     // a spec invariant fails (ext-1, dom-2)
  kCodeInvalid,   // a code outside its required value set
  kNotSupported,  // a resource type mamori does not store
  kTooCostly,     // validation stopped early (too many issues, too deep)
};

// "fatal", "error", "warning", "information".
std::string_view IssueSeverityName(IssueSeverity severity);
// "invalid", "structure", "required", "value", "invariant", "code-invalid",
// "not-supported", "too-costly".
std::string_view IssueCodeName(IssueCode code);

struct ValidationIssue {
  IssueSeverity severity = IssueSeverity::kError;
  IssueCode code = IssueCode::kInvalid;
  // FHIRPath-style location, e.g. "Patient.name[0].given[1]".
  std::string expression;
  // What is wrong, for people; never contains the offending value.
  std::string diagnostics;
};

struct ValidationOptions {
  // Accept conditional references (`Patient?identifier=...`). Default false;
  // turned on automatically inside transaction and batch Bundles, where the
  // spec allows them.
  bool allow_conditional_references = false;
  // Stop after this many issues and add one kTooCostly information issue.
  // Default 100: enough to fix a resource, bounded for hostile input.
  size_t max_issues = 100;
};

// Validates `resource`. Returns the issues found; empty means valid.
// Issues come in document order (required-element issues after the other
// issues of their object).
std::vector<ValidationIssue> Validate(const boost::json::object& resource,
                                      const ValidationOptions& options = {});

// True if any issue is fatal or an error (warnings and information are not).
bool HasErrors(std::span<const ValidationIssue> issues);

}  // namespace mamori::fhir
