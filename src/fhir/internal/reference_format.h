// SPDX-License-Identifier: Apache-2.0
#pragma once
// Private to fhir: include "fhir/validator.h" instead.
//
// The lexical forms of Reference.reference in R4 (spec section 2.3.0
// "Literal references"): a relative `Type/id` (optionally
// `/_history/vid`), an absolute URL, `urn:uuid:`, `urn:oid:`, a `#id` pointer
// to a contained resource (`#` alone is the container), and, inside
// transaction and batch Bundles only, a conditional `Type?search`.
// Pure functions, thread-safe.

#include <string_view>

namespace mamori::fhir::internal {

enum class ReferenceKind {
  kInvalid,
  kRelative,     // Patient/123, Patient/123/_history/2
  kConditional,  // Patient?identifier=x|1
  kAbsolute,     // https://example.org/fhir/Patient/123, other absolute URIs
  kUrnUuid,      // urn:uuid:<lowercase uuid>
  kUrnOid,       // urn:oid:1.2.3
  kContained,    // #id, or # for the containing resource
};

struct ParsedReference {
  ReferenceKind kind = ReferenceKind::kInvalid;
  // For kRelative and kConditional: the resource type as written (the caller
  // checks it names an R4 type). For kContained: the id (empty for "#").
  std::string_view type;
  std::string_view id;
};

// Classifies `reference`; kInvalid when it has none of the forms above.
// `reference` must outlive the result (the views point into it).
ParsedReference ParseReference(std::string_view reference);

}  // namespace mamori::fhir::internal
