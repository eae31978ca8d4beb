// SPDX-License-Identifier: Apache-2.0

#include "fhir/json_parser.h"

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/testing/status_matchers.h"
#include "fhir/json_number.h"

namespace mamori::fhir {
namespace {

using core::StatusCode;
using core::testing::IsOk;
using core::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr std::string_view kCanary = "CanaryYamada7f3a";

std::string Nested(size_t depth) {
  std::string s;
  for (size_t i = 0; i < depth; ++i) s += "{\"a\":";
  s += "1";
  for (size_t i = 0; i < depth; ++i) s += "}";
  return s;
}

TEST(ParseResourceJsonTest, ParsesAnObject) {
  auto r =
      ParseResourceJson(R"({"resourceType":"Patient","active":true,"name":[{"family":"山田"}]})");
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(r->at("resourceType").as_string(), "Patient");
  EXPECT_EQ(r->at("name").as_array()[0].as_object().at("family").as_string(), "山田");
}

TEST(ParseResourceJsonTest, RejectsATopLevelValueThatIsNotAnObject) {
  for (std::string_view text : {"[]", "\"Patient\"", "1", "null", "true"}) {
    EXPECT_THAT(ParseResourceJson(text), StatusIs(StatusCode::kInvalidArgument)) << text;
  }
}

TEST(ParseResourceJsonTest, RejectsDuplicateKeysAtAnyDepth) {
  auto top = ParseResourceJson(R"({"a":1,"a":2})");
  EXPECT_THAT(top, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(top.status().message(), HasSubstr("duplicate object key"));
  EXPECT_THAT(top.status().message(), HasSubstr("at byte 9"));
  EXPECT_THAT(ParseResourceJson(R"({"x":[{"b":1,"c":{"d":1,"d":1}}]})"),
              StatusIs(StatusCode::kInvalidArgument));
  // A key repeated after a nested object has closed.
  EXPECT_THAT(ParseResourceJson(R"({"a":{"b":{"c":1}},"c":1,"a":2})"),
              StatusIs(StatusCode::kInvalidArgument));
}

TEST(ParseResourceJsonTest, RejectsDuplicateKeysWrittenWithEscapes) {
  EXPECT_THAT(ParseResourceJson(R"({"ab":1,"\u0061b":2})"), StatusIs(StatusCode::kInvalidArgument));
}

TEST(ParseResourceJsonTest, RejectsDuplicateKeysInLargeObjects) {
  std::string text = "{";
  for (int i = 0; i < 1000; ++i) text += "\"k" + std::to_string(i) + "\":1,";
  EXPECT_THAT(ParseResourceJson(text + "\"k999\":2}"), StatusIs(StatusCode::kInvalidArgument));
  text.back() = '}';
  EXPECT_THAT(ParseResourceJson(text), IsOk());
}

TEST(ParseResourceJsonTest, AcceptsTheSameKeyInSiblingAndNestedObjects) {
  EXPECT_THAT(ParseResourceJson(R"({"a":{"a":{"a":1}},"b":[{"a":1},{"a":2}]})"), IsOk());
}

TEST(ParseResourceJsonTest, RejectsInvalidUtf8InValuesAndKeys) {
  EXPECT_THAT(ParseResourceJson("{\"a\":\"\xC3\x28\"}"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseResourceJson("{\"\xFF\":1}"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseResourceJson("{\"a\":\"\xED\xA0\x80\"}"),
              StatusIs(StatusCode::kInvalidArgument));  // surrogate
}

TEST(ParseResourceJsonTest, RejectsNestingDeeperThanTheLimit) {
  JsonLimits limits;
  limits.max_depth = 10;
  EXPECT_THAT(ParseResourceJson(Nested(10), limits), IsOk());
  auto deep = ParseResourceJson(Nested(11), limits);
  EXPECT_THAT(deep, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(deep.status().message(), HasSubstr("nesting deeper than 10"));
  EXPECT_THAT(ParseResourceJson(Nested(100000)), StatusIs(StatusCode::kInvalidArgument));
}

TEST(ParseResourceJsonTest, RejectsDocumentsOverTheSizeLimit) {
  JsonLimits limits;
  limits.max_bytes = 16;
  EXPECT_THAT(ParseResourceJson(R"({"a":"0123456789"})", limits),
              StatusIs(StatusCode::kResourceExhausted));
  EXPECT_THAT(ParseResourceJson(R"({"a":"01234567"})", limits), IsOk());
}

TEST(ParseResourceJsonTest, RejectsNonStandardJson) {
  for (std::string_view text : {R"({"a":1,})", R"({"a":1} // c)", R"({/*c*/"a":1})", R"({"a":NaN})",
                                R"({'a':1})", R"({"a":1}{"b":2})", R"({"a":1} x)", "", "{"}) {
    EXPECT_THAT(ParseResourceJson(text), StatusIs(StatusCode::kInvalidArgument)) << text;
  }
}

TEST(ParseResourceJsonTest, AcceptsTrailingWhitespaceAndALeadingByteOrderMark) {
  EXPECT_THAT(ParseResourceJson("{\"a\":1}\n \t"), IsOk());
  EXPECT_THAT(ParseResourceJson("\xEF\xBB\xBF{\"a\":1}"), IsOk());
}

TEST(ParseResourceJsonTest, ErrorMessagesGiveTheOffsetButNoContent) {
  std::string bad_string = std::string(R"({"name":")") + std::string(kCanary) + "\x01\"}";
  std::string bad_token = std::string(R"({"name":)") + std::string(kCanary) + "}";
  std::string duplicate =
      std::string(R"({")") + std::string(kCanary) + R"(":1,")" + std::string(kCanary) + R"(":2})";
  for (const std::string& text : {bad_string, bad_token, duplicate}) {
    auto r = ParseResourceJson(text);
    ASSERT_THAT(r, StatusIs(StatusCode::kInvalidArgument));
    EXPECT_THAT(r.status().message(), HasSubstr("at byte "));
    EXPECT_THAT(r.status().message(), Not(HasSubstr(kCanary)));
  }
}

TEST(ParseResourceJsonTest, KeepsIntegersAndDecimalsDistinctAndRejectsInfinity) {
  // 1e400 does not fit a double; Boost.JSON would make it infinity.
  auto r = ParseResourceJson(R"({"i":5,"e":-1e400})");
  EXPECT_THAT(r, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(r.status().message(), HasSubstr("number out of range"));
  r = ParseResourceJson(R"({"i":5,"d":5.0,"u":18446744073709551615})");
  ASSERT_THAT(r, IsOk());
  EXPECT_TRUE(r->at("i").is_int64());
  EXPECT_TRUE(IsDecimal(r->at("d")));
  EXPECT_EQ(DecimalText(r->at("d")), "5.0");
  EXPECT_TRUE(r->at("u").is_uint64());
}

TEST(ParseResourceJsonTest, DecimalsKeepTheirExactTextThroughSerialization) {
  // R4: a decimal is not an IEEE float. 12.046172815636389 would print back
  // as ...387 through a double, and 1.50 would lose its precision.
  const std::string text =
      R"({"a":12.046172815636389,"b":1.50,"c":0.0,"d":-3E-5,"e":123456789012345678901234567890,"f":7})";
  auto r = ParseResourceJson(text);
  ASSERT_THAT(r, IsOk());
  EXPECT_EQ(SerializeJson(*r), text);
  EXPECT_DOUBLE_EQ(*NumberAsDouble(r->at("b")), 1.5);
  EXPECT_TRUE(IsJsonNumber(r->at("f")));
  EXPECT_FALSE(IsJsonNumber(boost::json::value("1.5")));
}

TEST(ParseResourceJsonTest, NulInsideAStringIsRefusedSoDecimalsCannotBeForged) {
  auto r = ParseResourceJson(R"({"s":"\u00001.5"})");
  EXPECT_THAT(r, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(r.status().message(), HasSubstr("U+0000"));
}

TEST(SerializeJsonTest, EscapesQuotesBackslashesAndControlCharacters) {
  boost::json::object o{{"k", "a\"b\\c\nd\x01 山田"}};
  EXPECT_EQ(SerializeJson(o), R"({"k":"a\"b\\c\nd\u0001 山田"})");
}

}  // namespace
}  // namespace mamori::fhir
