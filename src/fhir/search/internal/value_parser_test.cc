// SPDX-License-Identifier: Apache-2.0
// The value grammar of each parameter type (value_parser.h), by table.

#include "fhir/search/internal/value_parser.h"

#include <cmath>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/testing/status_matchers.h"
#include "fhir/definitions.h"
#include "fhir/search/internal/fhir_time.h"

namespace mamori::fhir::search::internal {
namespace {

using ::mamori::core::StatusCode;
using ::mamori::core::testing::IsOk;
using ::mamori::core::testing::IsOkAndHolds;
using ::mamori::core::testing::StatusIs;
using ::testing::ElementsAre;

constexpr int64_t kDay = 86'400'000'000;

int64_t Day(int y, unsigned m, unsigned d) { return DaysFromCivil(y, m, d) * kDay; }

const SearchParameter* Param(std::string_view type, std::string_view code) {
  const SearchParameter* p = Definitions::R4().FindSearchParameter(type, code);
  EXPECT_NE(p, nullptr) << type << "." << code;
  return p;
}

TEST(EscapingTest, SplitsOnlyOnUnescapedSeparators) {
  EXPECT_THAT(SplitUnescaped("a\\,b,c", ','), ElementsAre("a\\,b", "c"));
  EXPECT_THAT(SplitUnescaped("a\\\\,b", ','), ElementsAre("a\\\\", "b"));
  EXPECT_THAT(SplitUnescaped("", ','), ElementsAre(""));
  EXPECT_THAT(SplitUnescaped("x|y|", '|'), ElementsAre("x", "y", ""));
}

TEST(EscapingTest, UnescapesTheFourEscapesAndRejectsOthers) {
  EXPECT_EQ(Unescape("a\\,b\\$c\\|d\\\\e"), "a,b$c|d\\e");
  EXPECT_EQ(Unescape("xx\\xx"), std::nullopt);  // search.html: "xx\xx is illegal"
  EXPECT_EQ(Unescape("trailing\\"), std::nullopt);
}

struct TokenCase {
  const char* name;
  const char* text;
  TokenValue expected;
};

void PrintTo(const TokenCase& c, std::ostream* os) { *os << c.name; }

class TokenTableTest : public ::testing::TestWithParam<TokenCase> {};

TEST_P(TokenTableTest, ParsesTheTokenForm) {
  EXPECT_THAT(ParseToken(GetParam().text, false), IsOkAndHolds(GetParam().expected));
}

INSTANTIATE_TEST_SUITE_P(
    Table, TokenTableTest,
    ::testing::Values(
        TokenCase{"CodeOnly", "male", {.form = TokenValue::Form::kCode, .code = "male"}},
        TokenCase{"SystemAndCode",
                  "http://loinc.org|8867-4",
                  {.form = TokenValue::Form::kSystemAndCode,
                   .system = "http://loinc.org",
                   .code = "8867-4"}},
        TokenCase{"NoSystem", "|8867-4", {.form = TokenValue::Form::kNoSystem, .code = "8867-4"}},
        TokenCase{"SystemOnly",
                  "http://loinc.org|",
                  {.form = TokenValue::Form::kSystemOnly, .system = "http://loinc.org"}},
        TokenCase{"EscapedBar", "a\\|b", {.form = TokenValue::Form::kCode, .code = "a|b"}}),
    [](const ::testing::TestParamInfo<TokenCase>& info) { return info.param.name; });

TEST(TokenTest, RejectsMalformedTokens) {
  for (std::string bad : {"|", "a|b|c", "a\\q"}) {
    EXPECT_THAT(ParseToken(bad, false), StatusIs(StatusCode::kInvalidArgument)) << bad;
  }
  EXPECT_THAT(ParseToken("sys|code", true), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseToken("|MR|1", true), StatusIs(StatusCode::kInvalidArgument));
}

struct DateCase {
  const char* name;
  const char* text;
  Prefix prefix;
  int64_t low;
  int64_t high;
};

void PrintTo(const DateCase& c, std::ostream* os) { *os << c.name; }

class DateTableTest : public ::testing::TestWithParam<DateCase> {};

TEST_P(DateTableTest, ParsesPrefixAndRange) {
  ValueContext context{.param = Param("Patient", "birthdate")};
  core::Result<DateValue> d = ParseDate(GetParam().text, context);
  ASSERT_THAT(d, IsOk());
  EXPECT_EQ(d->prefix, GetParam().prefix);
  EXPECT_EQ(d->range.low, GetParam().low);
  EXPECT_EQ(d->range.high, GetParam().high);
}

INSTANTIATE_TEST_SUITE_P(
    Table, DateTableTest,
    ::testing::Values(
        DateCase{"NoPrefixIsEq", "1970", Prefix::kEq, Day(1970, 1, 1), Day(1971, 1, 1)},
        DateCase{"Eq", "eq2013-01", Prefix::kEq, Day(2013, 1, 1), Day(2013, 2, 1)},
        DateCase{"Ne", "ne2013-01-14", Prefix::kNe, Day(2013, 1, 14), Day(2013, 1, 15)},
        DateCase{"Gt", "gt2013-01-14", Prefix::kGt, Day(2013, 1, 14), Day(2013, 1, 15)},
        DateCase{"Lt", "lt2013-01-14", Prefix::kLt, Day(2013, 1, 14), Day(2013, 1, 15)},
        DateCase{"Ge", "ge2013-01-14", Prefix::kGe, Day(2013, 1, 14), Day(2013, 1, 15)},
        DateCase{"Le", "le2013-01-14", Prefix::kLe, Day(2013, 1, 14), Day(2013, 1, 15)},
        DateCase{"Sa", "sa2013-01-14", Prefix::kSa, Day(2013, 1, 14), Day(2013, 1, 15)},
        DateCase{"Eb", "eb2013-01-14", Prefix::kEb, Day(2013, 1, 14), Day(2013, 1, 15)},
        DateCase{"Ap", "ap2013-01-14", Prefix::kAp, Day(2013, 1, 14), Day(2013, 1, 15)},
        DateCase{"Minute", "lt2013-01-14T10:00", Prefix::kLt, Day(2013, 1, 14) + 36'000'000'000,
                 Day(2013, 1, 14) + 36'060'000'000},
        DateCase{"Second", "2013-01-14T10:00:00Z", Prefix::kEq, Day(2013, 1, 14) + 36'000'000'000,
                 Day(2013, 1, 14) + 36'001'000'000},
        DateCase{"ZoneWithDecodedPlus", "2013-01-14T10:00:00 09:00", Prefix::kEq,
                 Day(2013, 1, 14) + 3'600'000'000, Day(2013, 1, 14) + 3'601'000'000}),
    [](const ::testing::TestParamInfo<DateCase>& info) { return info.param.name; });

TEST(DateTest, RejectsWhatIsNotADate) {
  ValueContext context{.param = Param("Patient", "birthdate")};
  for (std::string bad : {"xx2013", "gt", "2013-02-30", "1970-01-01T00", "today"}) {
    EXPECT_THAT(ParseDate(bad, context), StatusIs(StatusCode::kInvalidArgument)) << bad;
  }
}

struct NumberCase {
  const char* name;
  const char* text;
  double value;
  double low;
  double high;
};

void PrintTo(const NumberCase& c, std::ostream* os) { *os << c.name; }

class NumberTableTest : public ::testing::TestWithParam<NumberCase> {};

TEST_P(NumberTableTest, ReadsTheImplicitRangeOfItsSignificantDigits) {
  std::optional<NumberValue> n = ParseDecimal(GetParam().text);
  ASSERT_TRUE(n.has_value());
  EXPECT_DOUBLE_EQ(n->value, GetParam().value);
  EXPECT_NEAR(n->low, GetParam().low, 1e-12);
  EXPECT_NEAR(n->high, GetParam().high, 1e-12);
}

// search.html "number": 100 is [99.5, 100.5), 100.00 is [99.995, 100.005).
// 1e2 has one significant digit, so half a unit of 10^2 either side: the
// spec's own example says [95, 105), which contradicts its rule; we follow
// the rule (1.00e2 gives the example's three digits).
INSTANTIATE_TEST_SUITE_P(
    Table, NumberTableTest,
    ::testing::Values(NumberCase{"Integer", "100", 100, 99.5, 100.5},
                      NumberCase{"TwoDecimals", "100.00", 100, 99.995, 100.005},
                      NumberCase{"ExponentOneDigit", "1e2", 100, 50, 150},
                      NumberCase{"ExponentThreeDigits", "1.00e2", 100, 99.5, 100.5},
                      NumberCase{"Fraction", "0.8", 0.8, 0.75, 0.85},
                      NumberCase{"Negative", "-5", -5, -5.5, -4.5},
                      NumberCase{"NegativeExponent", "5.40e-3", 0.0054, 0.005395, 0.005405},
                      NumberCase{"PlusSign", "+2", 2, 1.5, 2.5}),
    [](const ::testing::TestParamInfo<NumberCase>& info) { return info.param.name; });

TEST(NumberTest, RejectsWhatIsNotADecimal) {
  for (std::string bad :
       {"", "1.", ".5", "e2", "1e", "abc", "1e999", "1,5", "0x10", "--1", "1e+"}) {
    EXPECT_FALSE(ParseDecimal(bad).has_value()) << bad;
  }
}

TEST(QuantityTest, ParsesNumberSystemAndCode) {
  ValueContext context{.param = Param("Observation", "value-quantity")};
  core::Result<QuantityValue> q = ParseQuantity("le5.4|http://unitsofmeasure.org|mg", context);
  ASSERT_THAT(q, IsOk());
  EXPECT_EQ(q->number.prefix, Prefix::kLe);
  EXPECT_DOUBLE_EQ(q->number.value, 5.4);
  EXPECT_EQ(q->system, "http://unitsofmeasure.org");
  EXPECT_EQ(q->code, "mg");

  q = ParseQuantity("5.4||mg", context);
  ASSERT_THAT(q, IsOk());
  EXPECT_EQ(q->system, "");
  EXPECT_EQ(q->code, "mg");

  q = ParseQuantity("5.4", context);
  ASSERT_THAT(q, IsOk());
  EXPECT_EQ(q->code, "");

  for (std::string bad : {"5.4|mg", "x|a|b", "5.4|a|b|c", ""}) {
    EXPECT_THAT(ParseQuantity(bad, context), StatusIs(StatusCode::kInvalidArgument)) << bad;
  }
}

struct ReferenceCase {
  const char* name;
  const char* text;
  ReferenceValue expected;
};

void PrintTo(const ReferenceCase& c, std::ostream* os) { *os << c.name; }

class ReferenceTableTest : public ::testing::TestWithParam<ReferenceCase> {};

TEST_P(ReferenceTableTest, ParsesTheReferenceForm) {
  ValueContext context{.param = Param("Observation", "subject"),
                       .base_url = "https://clinic.example/fhir"};
  EXPECT_THAT(ParseReference(GetParam().text, context), IsOkAndHolds(GetParam().expected));
}

INSTANTIATE_TEST_SUITE_P(
    Table, ReferenceTableTest,
    ::testing::Values(ReferenceCase{"TypeAndId", "Patient/123", {.type = "Patient", .id = "123"}},
                      ReferenceCase{"IdOnly", "123", {.id = "123"}},
                      ReferenceCase{"Version",
                                    "Patient/123/_history/2",
                                    {.type = "Patient", .id = "123", .version = "2"}},
                      ReferenceCase{"LocalAbsolute",
                                    "https://clinic.example/fhir/Patient/9",
                                    {.type = "Patient", .id = "9"}},
                      ReferenceCase{"ForeignAbsolute",
                                    "https://other.example/fhir/Patient/9",
                                    {.url = "https://other.example/fhir/Patient/9"}},
                      ReferenceCase{"Urn", "urn:uuid:0a5e", {.url = "urn:uuid:0a5e"}},
                      ReferenceCase{"CanonicalVersion",
                                    "http://x.org/Questionnaire/q|1.0",
                                    {.version = "1.0", .url = "http://x.org/Questionnaire/q"}}),
    [](const ::testing::TestParamInfo<ReferenceCase>& info) { return info.param.name; });

TEST(ReferenceTest, RejectsMalformedOrForeignTypedReferences) {
  ValueContext subject{.param = Param("Observation", "subject")};
  for (std::string bad : {"Nope/1", "Patient/", "Patient/a/b", "bad id!", "Practitioner/1",
                          "Patient/1|2", "Patient/1/_history/", "a|b|c"}) {
    EXPECT_THAT(ParseReference(bad, subject), StatusIs(StatusCode::kInvalidArgument)) << bad;
  }
  ValueContext typed{.param = Param("Observation", "subject"), .type_modifier = "Patient"};
  EXPECT_THAT(ParseReference("Group/1", typed), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseReference("7", typed),
              IsOkAndHolds(ReferenceValue{.type = "Patient", .id = "7"}));
}

TEST(IdTest, AcceptsFhirIdsOnly) {
  EXPECT_TRUE(IsValidId("jp-patient-example-1"));
  EXPECT_TRUE(IsValidId(std::string(64, 'a')));
  EXPECT_FALSE(IsValidId(std::string(65, 'a')));
  EXPECT_FALSE(IsValidId(""));
  EXPECT_FALSE(IsValidId("a/b"));
}

TEST(PrefixTest, ReadsKnownPrefixesOnly) {
  std::string_view text = "ge2013";
  EXPECT_EQ(ReadPrefix(text), Prefix::kGe);
  EXPECT_EQ(text, "2013");
  text = "xx2013";
  EXPECT_EQ(ReadPrefix(text), Prefix::kEq);
  EXPECT_EQ(text, "xx2013");
}

}  // namespace
}  // namespace mamori::fhir::search::internal
