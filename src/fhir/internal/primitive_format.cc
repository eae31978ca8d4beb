// SPDX-License-Identifier: Apache-2.0

#include "fhir/internal/primitive_format.h"

#include <cstddef>
#include <cstdint>

namespace mamori::fhir::internal {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool IsAsciiSpace(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

// Length of the ECMAScript whitespace character (\s) at s[i], or 0. Covers
// ASCII \t \n \v \f \r and space, and in UTF-8 U+00A0, U+1680, U+2000-U+200A,
// U+2028, U+2029, U+202F, U+205F, U+3000 and U+FEFF.
size_t SpaceLength(std::string_view s, size_t i) {
  auto byte = [&](size_t k) { return i + k < s.size() ? static_cast<uint8_t>(s[i + k]) : 0; };
  uint8_t b0 = byte(0);
  if (b0 < 0x80) return IsAsciiSpace(static_cast<char>(b0)) ? 1 : 0;
  if (b0 == 0xC2 && byte(1) == 0xA0) return 2;
  if (b0 == 0xE1 && byte(1) == 0x9A && byte(2) == 0x80) return 3;
  if (b0 == 0xE2 && byte(1) == 0x80) {
    uint8_t b2 = byte(2);
    return (b2 >= 0x80 && b2 <= 0x8A) || b2 == 0xA8 || b2 == 0xA9 || b2 == 0xAF ? 3 : 0;
  }
  if (b0 == 0xE2 && byte(1) == 0x81 && byte(2) == 0x9F) return 3;
  if (b0 == 0xE3 && byte(1) == 0x80 && byte(2) == 0x80) return 3;
  if (b0 == 0xEF && byte(1) == 0xBB && byte(2) == 0xBF) return 3;
  return 0;
}

bool HasSpace(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    if (SpaceLength(s, i) != 0) return true;
  }
  return false;
}

bool HasForbiddenControl(std::string_view s) {
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 && c != '\t' && c != '\r' && c != '\n') return true;
  }
  return false;
}

// Reads exactly n digits at s[pos]; advances pos.
bool ReadDigits(std::string_view s, size_t& pos, size_t n, int& value) {
  if (pos + n > s.size()) return false;
  value = 0;
  for (size_t k = 0; k < n; ++k) {
    char c = s[pos + k];
    if (!IsDigit(c)) return false;
    value = value * 10 + (c - '0');
  }
  pos += n;
  return true;
}

bool Expect(std::string_view s, size_t& pos, char c) {
  if (pos >= s.size() || s[pos] != c) return false;
  ++pos;
  return true;
}

bool IsLeapYear(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeapYear(y) ? 29 : kDays[m - 1];
}

// YYYY, YYYY-MM or YYYY-MM-DD; `parts` receives how many were present.
bool ReadDate(std::string_view s, size_t& pos, int& parts) {
  int year = 0, month = 0, day = 0;
  if (!ReadDigits(s, pos, 4, year) || year == 0) return false;
  parts = 1;
  if (pos == s.size() || s[pos] != '-') return true;
  if (!Expect(s, pos, '-') || !ReadDigits(s, pos, 2, month) || month < 1 || month > 12)
    return false;
  parts = 2;
  if (pos == s.size() || s[pos] != '-') return true;
  if (!Expect(s, pos, '-') || !ReadDigits(s, pos, 2, day)) return false;
  parts = 3;
  return day >= 1 && day <= DaysInMonth(year, month);
}

// hh:mm:ss(.fff)? with seconds up to 60 (leap second), as the regex allows.
bool ReadTime(std::string_view s, size_t& pos) {
  int h = 0, m = 0, sec = 0;
  if (!ReadDigits(s, pos, 2, h) || h > 23 || !Expect(s, pos, ':')) return false;
  if (!ReadDigits(s, pos, 2, m) || m > 59 || !Expect(s, pos, ':')) return false;
  if (!ReadDigits(s, pos, 2, sec) || sec > 60) return false;
  if (pos < s.size() && s[pos] == '.') {
    size_t start = ++pos;
    while (pos < s.size() && IsDigit(s[pos])) ++pos;
    if (pos == start) return false;
  }
  return true;
}

// Z, or +hh:mm / -hh:mm with hh 00-13 (any minutes) or exactly 14:00.
bool ReadZone(std::string_view s, size_t& pos) {
  if (pos < s.size() && s[pos] == 'Z') {
    ++pos;
    return true;
  }
  if (pos >= s.size() || (s[pos] != '+' && s[pos] != '-')) return false;
  ++pos;
  int h = 0, m = 0;
  if (!ReadDigits(s, pos, 2, h) || !Expect(s, pos, ':') || !ReadDigits(s, pos, 2, m)) return false;
  return m <= 59 && (h <= 13 || (h == 14 && m == 0));
}

bool IsBase64Char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || IsDigit(c) || c == '+' || c == '/';
}

}  // namespace

bool IsValidId(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    bool ok =
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || IsDigit(c) || c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

bool IsValidDate(std::string_view s) {
  size_t pos = 0;
  int parts = 0;
  return ReadDate(s, pos, parts) && pos == s.size();
}

bool IsValidDateTime(std::string_view s) {
  size_t pos = 0;
  int parts = 0;
  if (!ReadDate(s, pos, parts)) return false;
  if (pos == s.size()) return true;
  // A time needs the full date and a zone.
  return parts == 3 && Expect(s, pos, 'T') && ReadTime(s, pos) && ReadZone(s, pos) &&
         pos == s.size();
}

bool IsValidInstant(std::string_view s) {
  size_t pos = 0;
  int parts = 0;
  return ReadDate(s, pos, parts) && parts == 3 && Expect(s, pos, 'T') && ReadTime(s, pos) &&
         ReadZone(s, pos) && pos == s.size();
}

bool IsValidTime(std::string_view s) {
  size_t pos = 0;
  return ReadTime(s, pos) && pos == s.size();
}

bool IsValidCode(std::string_view s) {
  if (s.empty() || HasForbiddenControl(s)) return false;
  bool previous_space = true;  // a leading space is as bad as a double one
  for (size_t i = 0; i < s.size();) {
    size_t space = SpaceLength(s, i);
    if (space != 0) {
      if (previous_space) return false;
      previous_space = true;
      i += space;
    } else {
      previous_space = false;
      ++i;
    }
  }
  return !previous_space;
}

bool IsValidUri(std::string_view s) {
  return !s.empty() && !HasForbiddenControl(s) && !HasSpace(s);
}

bool IsValidOid(std::string_view s) {
  constexpr std::string_view kPrefix = "urn:oid:";
  if (!s.starts_with(kPrefix)) return false;
  size_t pos = kPrefix.size();
  if (pos >= s.size() || s[pos] < '0' || s[pos] > '2') return false;
  ++pos;
  int arcs = 0;
  while (pos < s.size()) {
    if (s[pos] != '.' || pos + 1 >= s.size() || !IsDigit(s[pos + 1])) return false;
    ++pos;
    if (s[pos] == '0' && pos + 1 < s.size() && IsDigit(s[pos + 1]))
      return false;  // no leading zero
    while (pos < s.size() && IsDigit(s[pos])) ++pos;
    ++arcs;
  }
  return arcs > 0;
}

bool IsValidUuid(std::string_view s) {
  constexpr std::string_view kPrefix = "urn:uuid:";
  if (s.size() != kPrefix.size() + 36 || !s.starts_with(kPrefix)) return false;
  std::string_view u = s.substr(kPrefix.size());
  for (size_t i = 0; i < u.size(); ++i) {
    char c = u[i];
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    bool ok = dash ? c == '-' : (IsDigit(c) || (c >= 'a' && c <= 'f'));
    if (!ok) return false;
  }
  return true;
}

bool IsValidBase64Binary(std::string_view s) {
  size_t count = 0;
  size_t padding = 0;
  for (char c : s) {
    if (IsAsciiSpace(c)) continue;
    if (c == '=') {
      ++padding;
    } else if (!IsBase64Char(c) || padding != 0) {
      return false;  // not base64, or data after padding
    }
    ++count;
  }
  return count != 0 && count % 4 == 0 && padding <= 2;
}

bool IsValidString(std::string_view s) { return !s.empty() && !HasForbiddenControl(s); }

bool IsValidXhtml(std::string_view s) {
  size_t start = 0;
  while (start < s.size() && IsAsciiSpace(s[start])) ++start;
  std::string_view rest = s.substr(start);
  return IsValidString(s) && rest.starts_with("<div") && rest.size() > 4 &&
         (rest[4] == '>' || rest[4] == '/' || IsAsciiSpace(rest[4]));
}

bool IsValidStringPrimitive(Primitive type, std::string_view s) {
  switch (type) {
    case Primitive::kId:
      return IsValidId(s);
    case Primitive::kDate:
      return IsValidDate(s);
    case Primitive::kDateTime:
      return IsValidDateTime(s);
    case Primitive::kInstant:
      return IsValidInstant(s);
    case Primitive::kTime:
      return IsValidTime(s);
    case Primitive::kCode:
      return IsValidCode(s);
    case Primitive::kUri:
    case Primitive::kUrl:
    case Primitive::kCanonical:
      return IsValidUri(s);
    case Primitive::kOid:
      return IsValidOid(s);
    case Primitive::kUuid:
      return IsValidUuid(s);
    case Primitive::kBase64Binary:
      return IsValidBase64Binary(s);
    case Primitive::kString:
    case Primitive::kMarkdown:
      return IsValidString(s);
    case Primitive::kXhtml:
      return IsValidXhtml(s);
    default:
      return false;
  }
}

}  // namespace mamori::fhir::internal
