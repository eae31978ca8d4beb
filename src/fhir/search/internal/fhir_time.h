// SPDX-License-Identifier: Apache-2.0
#pragma once
// Private to fhir: include "fhir/search/query.h" or "fhir/search/extract.h" instead.
//
// FHIR date, dateTime and instant text -> the half-open UTC interval it
// covers, in microseconds since 1970-01-01T00:00:00Z. Shared by the query
// parser (search values) and the extractor (resource values) so both sides
// agree on every boundary.

#include <cstdint>
#include <optional>
#include <string_view>

namespace mamori::fhir::search::internal {

enum class TimePrecision { kYear, kMonth, kDay, kMinute, kSecond, kFraction };

struct ParsedTime {
  int64_t low_us = 0;   // first microsecond covered
  int64_t high_us = 0;  // first microsecond after the value
  TimePrecision precision = TimePrecision::kYear;
  bool has_zone = false;
};

struct TimeParseOptions {
  // Offset from UTC, in minutes, for values without one (dates, and times
  // without a zone). The index and the query must use the same value.
  int32_t default_offset_minutes = 0;
  // Accept "hh:mm" without seconds (search values may stop at minutes;
  // resource dateTimes may not, but reading them leniently costs nothing).
  bool allow_minutes = true;
  // Accept a space where the zone's '+' belongs: form decoding turns an
  // unescaped '+' in a query string into a space.
  bool plus_as_space = false;
};

// Parses YYYY, YYYY-MM, YYYY-MM-DD, YYYY-MM-DDThh:mm[:ss[.f+]][Z|(+|-)hh:mm].
// Returns nullopt for anything else, including impossible calendar dates
// (2023-02-29), years outside 0001-9999 and offsets beyond ±14:00. Each
// precision covers its whole period: "1970" is [1970-01-01, 1971-01-01), a
// minute 60 s, a second 1 s, and n fraction digits 10^-n s (at least 1 µs).
std::optional<ParsedTime> ParseFhirTime(std::string_view text, const TimeParseOptions& options);

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day);

}  // namespace mamori::fhir::search::internal
