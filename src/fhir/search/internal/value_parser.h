// SPDX-License-Identifier: Apache-2.0
#pragma once
// Private to fhir: include "fhir/search/query.h" instead.
//
// The value grammar of each search parameter type (search.html "Search
// Parameter Types") and FHIR's backslash escaping. Errors are
// kInvalidArgument with a message that says what was expected and never
// contains the value; the caller prefixes the parameter name.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "fhir/definitions.h"
#include "fhir/search/query.h"

namespace mamori::fhir::search::internal {

// Splits `text` at each `separator` not preceded by an escaping backslash.
// The parts keep their escapes.
std::vector<std::string_view> SplitUnescaped(std::string_view text, char separator);

// Undoes \, \$ \| and \\. Returns nullopt for a backslash before anything
// else or at the end ("xx\xx is illegal").
std::optional<std::string> Unescape(std::string_view text);

// Reads an optional two-letter prefix (eq, ne, gt, lt, ge, le, sa, eb, ap)
// from the front of `text`, which is advanced past it.
Prefix ReadPrefix(std::string_view& text);

// Everything a value parser needs besides the text.
struct ValueContext {
  const SearchParameter* param = nullptr;  // the parameter the value is for
  Modifier modifier = Modifier::kNone;
  std::string_view type_modifier;  // kType only
  std::string_view base_url;       // ParseOptions::base_url
  int32_t default_offset_minutes = 0;
};

// One OR-item of a parameter (still escaped), by the parameter's type and the
// modifier: :missing gives MissingValue, token :text a StringValue,
// reference :identifier a TokenValue, composites a CompositeValue.
// kInvalidArgument for a malformed value; kUnimplemented for a well-formed
// one the index cannot answer (a [system]| part inside a composite).
core::Result<SearchValue> ParseValue(std::string_view item, const ValueContext& context);

// The single-typed parsers, exposed for the tests and for composites.
core::Result<TokenValue> ParseToken(std::string_view item, bool of_type);
core::Result<DateValue> ParseDate(std::string_view item, const ValueContext& context);
core::Result<NumberValue> ParseNumber(std::string_view item, const ValueContext& context);
core::Result<QuantityValue> ParseQuantity(std::string_view item, const ValueContext& context);
core::Result<ReferenceValue> ParseReference(std::string_view item, const ValueContext& context);

// A decimal without prefix and its implicit range (see NumberValue).
std::optional<NumberValue> ParseDecimal(std::string_view text);

// True for a FHIR resource id: [A-Za-z0-9-.]{1,64}.
bool IsValidId(std::string_view id);

}  // namespace mamori::fhir::search::internal
