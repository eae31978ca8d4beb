// SPDX-License-Identifier: Apache-2.0
#pragma once
// Private to fhir: include "fhir/validator.h" instead.
//
// Hand-written checkers for the lexical forms of the FHIR R4 primitive types,
// equivalent to the regexes in the StructureDefinitions (kept in
// r4_definitions.json and cross-checked against std::regex in
// primitive_format_test.cc), but a few hundred times faster than std::regex.
// Deliberate differences from the bare regexes, each stricter or a documented
// reading of the spec:
//   - date, dateTime and instant must name a real calendar day (no 2023-02-30);
//   - base64Binary must decode: '=' only as final padding; ASCII whitespace
//     is allowed anywhere (line-wrapped base64), not only between quads;
//   - every string-based type rejects C0 control characters other than tab,
//     CR and LF (the spec's rule for string), and string and markdown accept
//     Unicode spaces such as U+3000, which Japanese text uses (the regex's \S
//     would reject them);
//   - id, code, uri and friends treat the ECMAScript \s set (ASCII and Unicode
//     spaces) as whitespace, as the regexes do.
// Inputs are valid UTF-8 (ParseResourceJson guarantees it). Pure functions,
// thread-safe.

#include <string_view>

#include "fhir/internal/model.h"

namespace mamori::fhir::internal {

bool IsValidId(std::string_view s);
bool IsValidDate(std::string_view s);
bool IsValidDateTime(std::string_view s);
bool IsValidInstant(std::string_view s);
bool IsValidTime(std::string_view s);
bool IsValidCode(std::string_view s);
// uri, url, canonical: no whitespace, not empty.
bool IsValidUri(std::string_view s);
bool IsValidOid(std::string_view s);
bool IsValidUuid(std::string_view s);
bool IsValidBase64Binary(std::string_view s);
// string, markdown: not empty, no C0 controls other than \t \r \n.
bool IsValidString(std::string_view s);
// xhtml: a valid string that is a <div> element (Narrative.div, txt-1). The
// XHTML itself is not parsed or sanitised here: clients must not render
// stored narrative as trusted HTML.
bool IsValidXhtml(std::string_view s);

// Dispatches on a string-valued primitive type (not boolean or the numbers,
// which are JSON numbers and checked by the validator).
bool IsValidStringPrimitive(Primitive type, std::string_view s);

}  // namespace mamori::fhir::internal
