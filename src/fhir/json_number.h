// SPDX-License-Identifier: Apache-2.0
#pragma once

// FHIR decimals keep their exact text. R4 says a decimal must not be handled
// as an IEEE float: 1.50 has a precision that 1.5 lacks, and Boost.JSON 1.81
// turns 12.046172815636389 into a double that prints back as
// 12.046172815636387. So ParseResourceJson stores every JSON number with a
// fraction or exponent (and every integer beyond 64 bits) as a *decimal*: a
// boost::json string whose first byte is NUL followed by the number's text
// exactly as received. Real strings can never start with NUL: the parser
// refuses NUL in strings (FHIR strings cannot hold control characters).
// Integers that fit 64 bits stay JSON integers.
//
// Everything that writes FHIR JSON must use SerializeJson (or the pretty
// printer, which shares its primitives) so decimals go out as numbers with
// their original text; boost::json::serialize would print them as strings.
//
//   if (IsJsonNumber(v)) double d = *NumberAsDouble(v);   // search, comparisons
//   std::string body = SerializeJson(resource);           // storage, responses

#include <optional>
#include <string>
#include <string_view>

#include <boost/json/value.hpp>

namespace mamori::fhir {

// True for a decimal made by the parser (or MakeDecimal).
bool IsDecimal(const boost::json::value& value);
// The decimal's text, e.g. "1.50". REQUIRES: IsDecimal(value).
std::string_view DecimalText(const boost::json::value& value);
// A decimal holding `text`. REQUIRES: `text` is a JSON number.
boost::json::value MakeDecimal(std::string_view text);
// A JSON integer or a decimal.
bool IsJsonNumber(const boost::json::value& value);
// The number's value as a double (nearest), or nullopt if not a number.
std::optional<double> NumberAsDouble(const boost::json::value& value);

// Compact JSON, decimals written as their text. Strings are escaped per
// RFC 8259 (", \ and control characters); other UTF-8 is written as is.
std::string SerializeJson(const boost::json::value& value);
void SerializeJsonTo(const boost::json::value& value, std::string& out);
// The quoted, escaped form of one string.
void AppendJsonString(std::string_view text, std::string& out);

}  // namespace mamori::fhir
