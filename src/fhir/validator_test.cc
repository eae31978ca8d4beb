// SPDX-License-Identifier: Apache-2.0

#include "fhir/validator.h"

#include <ostream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/testing/status_matchers.h"
#include "fhir/internal/test_data.h"

namespace mamori::fhir {

namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;

// Placed in the invalid field of every case: no issue may repeat it.
constexpr std::string_view kCanary = "CanaryYamada7f3a";

boost::json::object Parse(std::string_view text) {
  auto r = ParseResourceJson(text);
  EXPECT_TRUE(r.ok()) << r.status().ToString() << " in " << text;
  return r.ok() ? *r : boost::json::object();
}

std::vector<ValidationIssue> Check(std::string_view text) { return Validate(Parse(text)); }

auto Issue(IssueCode code, std::string_view expression) {
  return AllOf(Field(&ValidationIssue::code, code),
               Field(&ValidationIssue::expression, std::string(expression)),
               Field(&ValidationIssue::severity, IssueSeverity::kError));
}

TEST(ValidatorTest, AcceptsMinimalResources) {
  EXPECT_THAT(Check(R"({"resourceType":"Patient"})"), IsEmpty());
  EXPECT_THAT(Check(R"({"resourceType":"Observation","status":"final","code":{"text":"BP"}})"),
              IsEmpty());
}

TEST(ValidatorTest, AcceptsPrimitiveExtensionsAndNullPlaceholders) {
  EXPECT_THAT(Check(R"({"resourceType":"Patient","name":[{"given":["太郎",null],
      "_given":[null,{"id":"g2","extension":[{"url":"http://example.org/x","valueCode":"SYL"}]}]}],
      "_birthDate":{"extension":[{"url":"http://example.org/y","valueBoolean":true}]}})"),
              IsEmpty());
}

TEST(ValidatorTest, AcceptsExtensionsAndModifierExtensionsAnywhere) {
  EXPECT_THAT(
      Check(
          R"({"resourceType":"Patient","modifierExtension":[{"url":"http://e.org/m","valueBoolean":true}],
      "extension":[{"url":"http://e.org/a","extension":[{"url":"inner","valueString":"x"}]}],
      "name":[{"extension":[{"url":"http://e.org/b","valueQuantity":{"value":1.5,"unit":"kg"}}],"family":"x"}]})"),
      IsEmpty());
}

TEST(ValidatorTest, AcceptsContainedReferencesAndConditionalReferencesInTransactions) {
  EXPECT_THAT(Check(R"({"resourceType":"Observation","status":"final","code":{"text":"x"},
      "contained":[{"resourceType":"Patient","id":"p1"}],"subject":{"reference":"#p1"}})"),
              IsEmpty());
  EXPECT_THAT(Check(R"({"resourceType":"Bundle","type":"transaction","entry":[{"resource":
      {"resourceType":"Observation","status":"final","code":{"text":"x"},
       "subject":{"reference":"Patient?identifier=urn:oid:1.2.3|42"}},
      "request":{"method":"POST","url":"Observation"}}]})"),
              IsEmpty());
  ValidationOptions options;
  options.allow_conditional_references = true;
  EXPECT_THAT(Validate(Parse(R"({"resourceType":"Observation","status":"final","code":{"text":"x"},
      "subject":{"reference":"Patient?identifier=42"}})"),
                       options),
              IsEmpty());
}

TEST(ValidatorTest, AcceptsEveryReferenceForm) {
  for (std::string_view ref :
       {"Patient/123", "Patient/123/_history/2", "https://fhir.example.jp/r4/Patient/1",
        "urn:uuid:9a628ccd-2a55-4331-8e68-bb58458fd674", "urn:oid:1.2.392.100495.20.3.51"}) {
    std::string text =
        R"({"resourceType":"Observation","status":"final","code":{"text":"x"},"subject":{"reference":")" +
        std::string(ref) + "\"}}";
    EXPECT_THAT(Check(text), IsEmpty()) << ref;
  }
}

TEST(ValidatorTest, AcceptsJapaneseTextWithFullWidthSpaces) {
  EXPECT_THAT(Check("{\"resourceType\":\"Location\",\"name\":\"南ウィング\xE3\x80\x80手術室1\"}"),
              IsEmpty());
}

TEST(ValidatorTest, AcceptsNumbersForDecimalsAndLeapDays) {
  EXPECT_THAT(Check(R"({"resourceType":"Observation","status":"final","code":{"text":"x"},
      "valueQuantity":{"value":5},"effectiveDateTime":"2024-02-29T23:59:60+09:00"})"),
              IsEmpty());
}

TEST(ValidatorTest, ReportsEveryIssueNotJustTheFirst) {
  auto issues = Check(R"({"resourceType":"Patient","gender":"x","birthDate":"x","active":"x"})");
  EXPECT_THAT(issues, ElementsAre(Issue(IssueCode::kCodeInvalid, "Patient.gender"),
                                  Issue(IssueCode::kValue, "Patient.birthDate"),
                                  Issue(IssueCode::kStructure, "Patient.active")));
  EXPECT_TRUE(HasErrors(issues));
}

TEST(ValidatorTest, StopsAfterTheIssueLimit) {
  std::string text = R"({"resourceType":"Patient")";
  for (int i = 0; i < 50; ++i) text += ",\"bad" + std::to_string(i) + "\":1";
  ValidationOptions options;
  options.max_issues = 10;
  auto issues = Validate(Parse(text + "}"), options);
  ASSERT_THAT(issues, SizeIs(11));
  EXPECT_EQ(issues.back().code, IssueCode::kTooCostly);
  EXPECT_EQ(issues.back().severity, IssueSeverity::kInformation);
}

TEST(ValidatorTest, KeysThatAreNotElementNamesAreNotEchoed) {
  auto issues = Check(R"({"resourceType":"Patient","Yamada Taro 1960-01-01":1})");
  EXPECT_THAT(issues, ElementsAre(Issue(IssueCode::kStructure, "Patient.(invalid name)")));
}

TEST(ValidatorTest, NamesTheIssueCodesAsFhirDoes) {
  EXPECT_EQ(IssueCodeName(IssueCode::kCodeInvalid), "code-invalid");
  EXPECT_EQ(IssueCodeName(IssueCode::kNotSupported), "not-supported");
  EXPECT_EQ(IssueSeverityName(IssueSeverity::kError), "error");
  EXPECT_FALSE(HasErrors(
      std::vector<ValidationIssue>{{IssueSeverity::kWarning, IssueCode::kValue, "", ""}}));
}

}  // namespace
}  // namespace mamori::fhir
