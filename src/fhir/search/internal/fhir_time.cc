// SPDX-License-Identifier: Apache-2.0
#include "fhir/search/internal/fhir_time.h"

namespace mamori::fhir::search::internal {
namespace {

constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kMicrosPerMinute = 60 * kMicrosPerSecond;
constexpr int64_t kMicrosPerDay = 24 * 60 * kMicrosPerMinute;

// Reads exactly `n` digits at text[pos]; advances pos.
std::optional<int> Digits(std::string_view text, size_t& pos, size_t n) {
  if (pos + n > text.size()) return std::nullopt;
  int value = 0;
  for (size_t k = 0; k < n; ++k) {
    char c = text[pos + k];
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  pos += n;
  return value;
}

bool Expect(std::string_view text, size_t& pos, char c) {
  if (pos >= text.size() || text[pos] != c) return false;
  ++pos;
  return true;
}

bool IsLeapYear(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

unsigned DaysInMonth(int year, unsigned month) {
  static constexpr unsigned kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

// The calendar fields read so far.
struct Fields {
  int year = 0;
  unsigned month = 1;
  unsigned day = 1;
  int hour = 0;
  int minute = 0;
  int second = 0;
  int64_t fraction_us = 0;
  int fraction_digits = 0;
  TimePrecision precision = TimePrecision::kYear;
};

bool ParseDate(std::string_view text, size_t& pos, Fields& f) {
  std::optional<int> year = Digits(text, pos, 4);
  if (!year || *year == 0) return false;
  f.year = *year;
  if (pos == text.size()) return true;
  std::optional<int> month;
  if (!Expect(text, pos, '-') || !(month = Digits(text, pos, 2)) || *month < 1 || *month > 12) {
    return false;
  }
  f.month = static_cast<unsigned>(*month);
  f.precision = TimePrecision::kMonth;
  if (pos == text.size()) return true;
  std::optional<int> day;
  if (!Expect(text, pos, '-') || !(day = Digits(text, pos, 2)) || *day < 1 ||
      static_cast<unsigned>(*day) > DaysInMonth(f.year, f.month)) {
    return false;
  }
  f.day = static_cast<unsigned>(*day);
  f.precision = TimePrecision::kDay;
  return true;
}

bool ParseFraction(std::string_view text, size_t& pos, Fields& f) {
  size_t start = pos;
  while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
    if (pos - start < 6) f.fraction_us = f.fraction_us * 10 + (text[pos] - '0');
    ++pos;
  }
  f.fraction_digits = static_cast<int>(pos - start);
  if (f.fraction_digits == 0) return false;
  for (int k = f.fraction_digits; k < 6; ++k) f.fraction_us *= 10;
  f.precision = TimePrecision::kFraction;
  return true;
}

bool ParseClock(std::string_view text, size_t& pos, const TimeParseOptions& options, Fields& f) {
  std::optional<int> hour, minute, second;
  if (!(hour = Digits(text, pos, 2)) || *hour > 23 || !Expect(text, pos, ':') ||
      !(minute = Digits(text, pos, 2)) || *minute > 59) {
    return false;
  }
  f.hour = *hour;
  f.minute = *minute;
  f.precision = TimePrecision::kMinute;
  if (pos < text.size() && text[pos] == ':') {
    ++pos;
    if (!(second = Digits(text, pos, 2)) || *second > 60) return false;  // 60: leap second
    f.second = *second;
    f.precision = TimePrecision::kSecond;
    if (pos < text.size() && text[pos] == '.' && !ParseFraction(text, ++pos, f)) return false;
  } else if (!options.allow_minutes) {
    return false;
  }
  return true;
}

// Reads Z or (+|-)hh:mm; returns the offset in minutes.
std::optional<int> ParseZone(std::string_view text, size_t& pos, const TimeParseOptions& options) {
  if (Expect(text, pos, 'Z')) return 0;
  if (pos >= text.size()) return std::nullopt;
  char sign = text[pos];
  if (sign == ' ' && options.plus_as_space) sign = '+';
  if (sign != '+' && sign != '-') return std::nullopt;
  ++pos;
  std::optional<int> hours, minutes;
  if (!(hours = Digits(text, pos, 2)) || !Expect(text, pos, ':') ||
      !(minutes = Digits(text, pos, 2)) || *minutes > 59 || *hours * 60 + *minutes > 14 * 60) {
    return std::nullopt;
  }
  int offset = *hours * 60 + *minutes;
  return sign == '-' ? -offset : offset;
}

int64_t PeriodEndDays(const Fields& f) {
  if (f.precision == TimePrecision::kYear) return DaysFromCivil(f.year + 1, 1, 1);
  if (f.precision == TimePrecision::kMonth) {
    return f.month == 12 ? DaysFromCivil(f.year + 1, 1, 1) : DaysFromCivil(f.year, f.month + 1, 1);
  }
  return DaysFromCivil(f.year, f.month, f.day) + 1;
}

int64_t Width(const Fields& f) {
  switch (f.precision) {
    case TimePrecision::kMinute:
      return kMicrosPerMinute;
    case TimePrecision::kSecond:
      return kMicrosPerSecond;
    case TimePrecision::kFraction: {
      int64_t width = 1;
      for (int k = f.fraction_digits; k < 6; ++k) width *= 10;
      return width;
    }
    default:
      return 0;  // date precisions use PeriodEndDays
  }
}

}  // namespace

int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day) {
  year -= month <= 2;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(year - era * 400);
  const unsigned doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

std::optional<ParsedTime> ParseFhirTime(std::string_view text, const TimeParseOptions& options) {
  Fields f;
  size_t pos = 0;
  if (!ParseDate(text, pos, f)) return std::nullopt;
  int offset = options.default_offset_minutes;
  bool has_zone = false;
  if (pos < text.size()) {
    if (f.precision != TimePrecision::kDay || !Expect(text, pos, 'T') ||
        !ParseClock(text, pos, options, f)) {
      return std::nullopt;
    }
    if (pos < text.size()) {
      std::optional<int> zone = ParseZone(text, pos, options);
      if (!zone || pos != text.size()) return std::nullopt;
      offset = *zone;
      has_zone = true;
    }
  }
  int64_t offset_us = int64_t{offset} * kMicrosPerMinute;
  int64_t day_start = DaysFromCivil(f.year, f.month, f.day) * kMicrosPerDay - offset_us;
  ParsedTime out;
  out.precision = f.precision;
  out.has_zone = has_zone;
  if (f.precision <= TimePrecision::kDay) {
    out.low_us = day_start;
    out.high_us = PeriodEndDays(f) * kMicrosPerDay - offset_us;
    return out;
  }
  out.low_us = day_start + (int64_t{f.hour} * 60 + f.minute) * kMicrosPerMinute +
               f.second * kMicrosPerSecond + f.fraction_us;
  out.high_us = out.low_us + Width(f);
  return out;
}

}  // namespace mamori::fhir::search::internal
