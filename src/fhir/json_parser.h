// SPDX-License-Identifier: Apache-2.0
#pragma once

// ParseResourceJson: the strict JSON front door for FHIR resources. It turns
// untrusted bytes into a boost::json::object or a Status, and is the only
// place mamori parses a resource body (HTTP bodies, Bundle and NDJSON import).
//
// Strict means: RFC 8259 JSON only (no comments, no trailing commas, no NaN),
// valid UTF-8 everywhere (keys included), a JSON object at the top, no
// duplicate keys in any object, no number too large for a double (1e400),
// nesting no deeper than the limit, and no more bytes than the limit. A leading UTF-8 byte order
// mark is skipped (RFC 8259 section 8.1 allows it; Windows tools send one).
//
// Error messages give the byte offset and the kind of fault, never any of the
// content (DESIGN invariant 5): "invalid JSON at byte 17: syntax error".
//
// Thread-safety: a pure function; call it from any thread.
//
// Example:
//   MAMORI_ASSIGN_OR_RETURN(boost::json::object resource, fhir::ParseResourceJson(body));
//   std::vector<fhir::ValidationIssue> issues = fhir::Validate(resource);
//   // Tests: EXPECT_THAT(ParseResourceJson("[]"), StatusIs(StatusCode::kInvalidArgument));

#include <cstddef>
#include <string_view>

#include <boost/json/object.hpp>

#include "core/status.h"

namespace mamori::fhir {

struct JsonLimits {
  // Largest accepted document in bytes. Default 16 MiB: room for a Binary or
  // a DocumentReference with an inline PDF; larger content belongs in Binary
  // uploads streamed by http. Raising it raises peak memory per request ~3x.
  size_t max_bytes = 16 * 1024 * 1024;
  // Deepest nesting of objects and arrays. Default 64: FHIR resources nest
  // about 12 deep (contained QuestionnaireResponse items can go deeper);
  // bounds the parser's and the validator's recursion.
  size_t max_depth = 64;
};

// Parses `bytes` as one JSON object.
// Returns kInvalidArgument for malformed JSON, invalid UTF-8, a top-level
// value that is not an object, a duplicate key, a number out of range, or nesting deeper than
// limits.max_depth (each message with the byte offset); kResourceExhausted
// when bytes.size() > limits.max_bytes.
core::Result<boost::json::object> ParseResourceJson(std::string_view bytes,
                                                    const JsonLimits& limits = {});

}  // namespace mamori::fhir
