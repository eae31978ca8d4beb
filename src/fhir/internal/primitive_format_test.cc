// SPDX-License-Identifier: Apache-2.0

#include "fhir/internal/primitive_format.h"

#include <regex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "fhir/definitions.h"

namespace mamori::fhir::internal {
namespace {

struct Samples {
  const char* type;
  std::vector<std::string> valid;
  std::vector<std::string> invalid;
};

// Each sample agrees with the R4 regex (checked below) unless listed in
// kDeliberateDifferences.
const std::vector<Samples>& AllSamples() {
  static const std::vector<Samples> kSamples = {
      {"id",
       {"a", "jp-patient-example-1", "A.b-9", std::string(64, 'x')},
       {"", "a b", "a_b", "日本", std::string(65, 'x'), "a/b"}},
      {"date",
       {"2020", "2020-02", "2020-02-29", "0001-01-01", "1000"},
       {"", "0000", "20", "2020-13", "2020-00", "2020-1-01", "2020-01-32", "2020-01-01T00:00:00Z",
        "2020/01/01"}},
      {"dateTime",
       {"2020", "2020-02", "2020-02-29", "2020-02-29T10:00:00Z", "2020-02-29T10:00:00.123+09:00",
        "2020-02-29T23:59:60-14:00"},
       {"2020-02-29T10:00Z", "2020-02-29T10:00:00", "2020-02T10:00:00Z", "2020-02-29T24:00:00Z",
        "2020-02-29T10:00:00+14:30", "2020-02-29T10:00:00.Z", "2020-02-29 10:00:00Z",
        "2020-02-29T10:00:00+0900"}},
      {"instant",
       {"2020-02-29T10:00:00Z", "2015-02-07T13:28:17.239+02:00"},
       {"2020-02-29", "2020-02-29T10:00:00", "2020T10:00:00Z"}},
      {"time",
       {"00:00:00", "23:59:60", "12:30:00.5"},
       {"24:00:00", "12:30", "12:30:00Z", "1:00:00", "12:60:00"}},
      {"code", {"final", "a b", "x-y.z", "漢字", "a\tb"}, {"", " a", "a ", "a  b", "a \tb", "a\n"}},
      {"uri", {"http://hl7.org/fhir", "urn:oid:1.2.3", "#a", "日本"}, {"a b", "http://x y", "\t"}},
      {"oid",
       {"urn:oid:1.2.392", "urn:oid:2.16.840.1.113883", "urn:oid:0.0"},
       {"urn:oid:1", "urn:oid:3.1", "urn:oid:1.02", "1.2.3", "urn:oid:1..2", "urn:oid:1.2."}},
      {"uuid",
       {"urn:uuid:9a628ccd-2a55-4331-8e68-bb58458fd674"},
       {"urn:uuid:9A628CCD-2A55-4331-8E68-BB58458FD674", "9a628ccd-2a55-4331-8e68-bb58458fd674",
        "urn:uuid:9a628ccd2a5543318e68bb58458fd674",
        "urn:uuid:9a628ccd-2a55-4331-8e68-bb58458fd67"}},
      {"base64Binary",
       {"AAAA", "aGVsbG8=", "aGk=", "YWJj ZGVm", "YW\r\nJj", "+/+/"},
       {"", "abc", "a=bc", "ab$c", "=AAA"}},
      {"string", {"x", " ", "a\tb\r\nc", "山田　太郎"}, {"", "a\x01", "\x1f"}},
  };
  return kSamples;
}

bool Check(std::string_view type, const std::string& s) {
  return IsValidStringPrimitive(PrimitiveFromName(type), s);
}

// Where the hand-written checkers are stricter than, or read the spec
// differently from, the bare regex (see primitive_format.h).
bool IsDeliberateDifference(std::string_view type, const std::string& s) {
  static const std::vector<std::pair<std::string, std::string>> kDiffs = {
      {"id", "日本"},  // std::regex works on bytes; both reject it anyway
      {"uri", "日本"},          {"base64Binary", "a=bc"},      // '=' only as final padding
      {"base64Binary", "=AAA"}, {"base64Binary", "YW\r\nJj"},  // whitespace inside a quad
      {"string", "山田　太郎"},  // U+3000 is \s for ECMAScript, allowed here
      {"string", "a\x01"},       // control characters: prose rule, not the regex
      {"string", "\x1f"},
  };
  for (const auto& [t, v] : kDiffs) {
    if (t == type && v == s) return true;
  }
  return false;
}

TEST(PrimitiveFormatTest, AcceptsValidAndRejectsInvalidLexicalForms) {
  for (const Samples& samples : AllSamples()) {
    for (const std::string& s : samples.valid)
      EXPECT_TRUE(Check(samples.type, s)) << samples.type << ": " << s;
    for (const std::string& s : samples.invalid)
      EXPECT_FALSE(Check(samples.type, s)) << samples.type << ": " << s;
  }
}

TEST(PrimitiveFormatTest, HandWrittenCheckersAgreeWithTheR4Regexes) {
  size_t compared = 0;
  for (const Samples& samples : AllSamples()) {
    const PrimitiveDefinition* def = Definitions::R4().FindPrimitive(samples.type);
    ASSERT_NE(def, nullptr) << samples.type;
    std::regex regex(def->regex, std::regex::ECMAScript);
    for (const auto* list : {&samples.valid, &samples.invalid}) {
      for (const std::string& s : *list) {
        if (s.empty() || IsDeliberateDifference(samples.type, s)) continue;  // FHIR JSON forbids ""
        EXPECT_EQ(Check(samples.type, s), std::regex_match(s, regex)) << samples.type << ": " << s;
        ++compared;
      }
    }
  }
  EXPECT_GT(compared, 80u);
}

TEST(PrimitiveFormatTest, DatesMustBeRealCalendarDays) {
  EXPECT_TRUE(IsValidDate("2000-02-29"));   // divisible by 400
  EXPECT_FALSE(IsValidDate("1900-02-29"));  // divisible by 100
  EXPECT_FALSE(IsValidDate("2023-02-29"));
  EXPECT_FALSE(IsValidDate("2023-04-31"));
  EXPECT_TRUE(IsValidDate("2023-12-31"));
  EXPECT_FALSE(IsValidDateTime("2023-02-30T00:00:00Z"));
  EXPECT_FALSE(IsValidInstant("2023-06-31T00:00:00Z"));
}

TEST(PrimitiveFormatTest, XhtmlMustBeADiv) {
  EXPECT_TRUE(IsValidXhtml("<div xmlns=\"http://www.w3.org/1999/xhtml\">x</div>"));
  EXPECT_TRUE(IsValidXhtml("\n <div>x</div>"));
  EXPECT_FALSE(IsValidXhtml("<p>x</p>"));
  EXPECT_FALSE(IsValidXhtml("<divx>"));
  EXPECT_FALSE(IsValidXhtml(""));
}

}  // namespace
}  // namespace mamori::fhir::internal
