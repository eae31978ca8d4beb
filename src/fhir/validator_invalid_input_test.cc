// SPDX-License-Identifier: Apache-2.0
// A table of invalid resources, each with the one issue it must produce.
// Every case puts a canary where the bad value goes ($ in the JSON); the
// issue must name the element and never repeat the canary (DESIGN
// invariant 5).

#include <ostream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fhir/internal/test_data.h"
#include "fhir/validator.h"

namespace mamori::fhir {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr std::string_view kCanary = "CanaryYamada7f3a";

struct InvalidCase {
  const char* name;
  const char* json;  // '$' is replaced by kCanary
  IssueCode code;
  const char* expression;
};

const InvalidCase kCases[] = {
    {"UnknownElement", R"({"resourceType":"Patient","foo":"$"})", IssueCode::kStructure,
     "Patient.foo"},
    {"UnknownNestedElement", R"({"resourceType":"Patient","name":[{"famly":"$"}]})",
     IssueCode::kStructure, "Patient.name[0].famly"},
    {"MedplumMetaElement", R"({"resourceType":"Patient","meta":{"project":"$"}})",
     IssueCode::kStructure, "Patient.meta.project"},
    {"WrongChoiceSuffix",
     R"({"resourceType":"Observation","status":"final","code":{"text":"x"},"valueFoo":"$"})",
     IssueCode::kStructure, "Observation.valueFoo"},
    {"TwoChoiceTypes",
     R"({"resourceType":"Observation","status":"final","code":{"text":"x"},"valueString":"$","valueBoolean":true})",
     IssueCode::kStructure, "Observation.valueBoolean"},
    {"StringWhereBooleanExpected", R"({"resourceType":"Patient","active":"$"})",
     IssueCode::kStructure, "Patient.active"},
    {"NumberWhereStringExpected",
     R"({"resourceType":"Patient","name":[{"family":1960,"text":"$"}]})", IssueCode::kStructure,
     "Patient.name[0].family"},
    {"ObjectWhereStringExpected", R"({"resourceType":"Patient","birthDate":{"value":"$"}})",
     IssueCode::kStructure, "Patient.birthDate"},
    {"StringWhereObjectExpected", R"({"resourceType":"Patient","maritalStatus":"$"})",
     IssueCode::kStructure, "Patient.maritalStatus"},
    {"MissingRequiredElement", R"({"resourceType":"Observation","code":{"text":"$"}})",
     IssueCode::kRequired, "Observation.status"},
    {"MissingRequiredChoice",
     R"({"resourceType":"MedicationRequest","status":"active","intent":"order","subject":{"display":"$"}})",
     IssueCode::kRequired, "MedicationRequest.medication"},
    {"MissingRequiredInBackbone",
     R"({"resourceType":"Observation","status":"final","code":{"text":"x"},"component":[{"valueString":"$"}]})",
     IssueCode::kRequired, "Observation.component[0].code"},
    {"ArrayWhereSingleExpected", R"({"resourceType":"Patient","gender":["$"]})",
     IssueCode::kStructure, "Patient.gender"},
    {"SingleWhereArrayExpected", R"({"resourceType":"Patient","name":{"family":"$"}})",
     IssueCode::kStructure, "Patient.name"},
    {"BadDate", R"({"resourceType":"Patient","birthDate":"$"})", IssueCode::kValue,
     "Patient.birthDate"},
    {"ImpossibleDate", R"({"resourceType":"Patient","birthDate":"2023-02-29","id":"$"})",
     IssueCode::kValue, "Patient.birthDate"},
    {"DateTimeWithoutZone",
     R"({"resourceType":"Observation","status":"final","code":{"text":"$"},"effectiveDateTime":"2020-01-01T10:00:00"})",
     IssueCode::kValue, "Observation.effectiveDateTime"},
    {"InstantWithoutTime",
     R"({"resourceType":"Observation","status":"final","code":{"text":"$"},"issued":"2020-01-01"})",
     IssueCode::kValue, "Observation.issued"},
    {"BadTime",
     R"({"resourceType":"Patient","extension":[{"url":"http://e.org","valueTime":"25:00:00$"}]})",
     IssueCode::kValue, "Patient.extension[0].valueTime"},
    {"BadId", R"({"resourceType":"Patient","id":"$ with spaces"})", IssueCode::kValue,
     "Patient.id"},
    {"IdTooLong",
     R"({"resourceType":"Patient","id":"$0123456789012345678901234567890123456789012345678901234567890123"})",
     IssueCode::kValue, "Patient.id"},
    {"BadGenderCode", R"({"resourceType":"Patient","gender":"$"})", IssueCode::kCodeInvalid,
     "Patient.gender"},
    {"BadObservationStatus", R"({"resourceType":"Observation","status":"$","code":{"text":"x"}})",
     IssueCode::kCodeInvalid, "Observation.status"},
    {"BadBundleType", R"({"resourceType":"Bundle","type":"$"})", IssueCode::kCodeInvalid,
     "Bundle.type"},
    {"CodeWithLeadingSpace", R"({"resourceType":"Patient","gender":" $"})", IssueCode::kValue,
     "Patient.gender"},
    {"BadReference",
     R"({"resourceType":"Patient","managingOrganization":{"reference":"$ not a reference"}})",
     IssueCode::kValue, "Patient.managingOrganization.reference"},
    {"ReferenceToUnknownType",
     R"({"resourceType":"Patient","managingOrganization":{"reference":"$/123"}})",
     IssueCode::kValue, "Patient.managingOrganization.reference"},
    {"ReferenceToWrongTargetType",
     R"({"resourceType":"Patient","managingOrganization":{"reference":"Patient/1","display":"$"}})",
     IssueCode::kInvalid, "Patient.managingOrganization.reference"},
    {"UnresolvedContainedReference",
     R"({"resourceType":"Patient","managingOrganization":{"reference":"#$"}})", IssueCode::kInvalid,
     "Patient.managingOrganization.reference"},
    {"ConditionalReferenceOutsideTransaction",
     R"({"resourceType":"Patient","managingOrganization":{"reference":"Organization?name=$"}})",
     IssueCode::kValue, "Patient.managingOrganization.reference"},
    {"BadUuidReference",
     R"({"resourceType":"Patient","managingOrganization":{"reference":"urn:uuid:$"}})",
     IssueCode::kValue, "Patient.managingOrganization.reference"},
    {"EmptyString", R"({"resourceType":"Patient","name":[{"family":"","text":"$"}]})",
     IssueCode::kValue, "Patient.name[0].family"},
    {"EmptyObject", R"({"resourceType":"Patient","maritalStatus":{},"id":"$"})",
     IssueCode::kStructure, "Patient.maritalStatus"},
    {"EmptyArray", R"({"resourceType":"Patient","name":[],"id":"$"})", IssueCode::kStructure,
     "Patient.name"},
    {"NullValue", R"({"resourceType":"Patient","active":null,"id":"$"})", IssueCode::kStructure,
     "Patient.active"},
    {"NullInArrayWithoutExtension", R"({"resourceType":"Patient","name":[{"given":["$",null]}]})",
     IssueCode::kStructure, "Patient.name[0].given[1]"},
    {"ControlCharacterInString", R"({"resourceType":"Patient","name":[{"family":"$\u0001"}]})",
     IssueCode::kValue, "Patient.name[0].family"},
    {"WhitespaceInUri",
     R"({"resourceType":"Patient","identifier":[{"system":"http://e.org/$ x"}]})",
     IssueCode::kValue, "Patient.identifier[0].system"},
    {"BadBase64", R"({"resourceType":"Binary","contentType":"text/plain","data":"$="})",
     IssueCode::kValue, "Binary.data"},
    {"BadOid",
     R"({"resourceType":"Patient","extension":[{"url":"http://e.org","valueOid":"urn:oid:1.02.$"}]})",
     IssueCode::kValue, "Patient.extension[0].valueOid"},
    {"IntegerWithFraction",
     R"({"resourceType":"Observation","status":"final","code":{"text":"$"},"valueInteger":1.5})",
     IssueCode::kValue, "Observation.valueInteger"},
    {"IntegerOutOfRange",
     R"({"resourceType":"Observation","status":"final","code":{"text":"$"},"valueInteger":3000000000})",
     IssueCode::kValue, "Observation.valueInteger"},
    {"NegativeUnsignedInt", R"({"resourceType":"Bundle","type":"searchset","total":-1,"id":"$"})",
     IssueCode::kValue, "Bundle.total"},
    {"StringWhereDecimalExpected",
     R"({"resourceType":"Observation","status":"final","code":{"text":"x"},"valueQuantity":{"value":"$"}})",
     IssueCode::kStructure, "Observation.valueQuantity.value"},
    {"NarrativeNotADiv",
     R"({"resourceType":"Patient","text":{"status":"generated","div":"<p>$</p>"}})",
     IssueCode::kValue, "Patient.text.div"},
    {"UnknownResourceType", R"({"resourceType":"$"})", IssueCode::kInvalid, "Resource"},
    {"MissingResourceType", R"({"id":"$"})", IssueCode::kRequired, "Resource"},
    {"UnsupportedResourceType", R"({"resourceType":"Questionnaire","id":"$"})",
     IssueCode::kNotSupported, "Questionnaire"},
    {"NestedContainedError",
     R"({"resourceType":"DiagnosticReport","status":"final","code":{"text":"x"},"contained":[{"resourceType":"Observation","id":"o1","status":"$","code":{"text":"x"}}],"result":[{"reference":"#o1"}]})",
     IssueCode::kCodeInvalid, "DiagnosticReport.contained[0].status"},
    {"ContainedResourceWithContained",
     R"({"resourceType":"Patient","contained":[{"resourceType":"Patient","id":"$","contained":[{"resourceType":"Patient"}]}]})",
     IssueCode::kInvariant, "Patient.contained[0]"},
    {"BundleEntryError",
     R"({"resourceType":"Bundle","type":"collection","entry":[{"resource":{"resourceType":"Patient"}},{"resource":{"resourceType":"Patient","gender":"$"}}]})",
     IssueCode::kCodeInvalid, "Bundle.entry[1].resource.gender"},
    {"ExtensionWithoutUrl", R"({"resourceType":"Patient","extension":[{"valueString":"$"}]})",
     IssueCode::kRequired, "Patient.extension[0].url"},
    {"ExtensionWithValueAndExtensions",
     R"({"resourceType":"Patient","extension":[{"url":"http://e.org","valueString":"$","extension":[{"url":"a","valueString":"b"}]}]})",
     IssueCode::kInvariant, "Patient.extension[0]"},
    {"ExtensionWithTwoValues",
     R"({"resourceType":"Patient","extension":[{"url":"http://e.org","valueString":"$","valueBoolean":true}]})",
     IssueCode::kStructure, "Patient.extension[0].valueBoolean"},
    {"PrimitiveExtensionOnComplexElement",
     R"({"resourceType":"Patient","_maritalStatus":{"id":"$"}})", IssueCode::kStructure,
     "Patient._maritalStatus"},
    {"PrimitiveExtensionNotAnObject", R"({"resourceType":"Patient","_birthDate":"$"})",
     IssueCode::kStructure, "Patient.birthDate"},
    {"PrimitiveExtensionWithBadUrl",
     R"({"resourceType":"Patient","_birthDate":{"extension":[{"url":"a b","valueString":"$"}]}})",
     IssueCode::kValue, "Patient.birthDate.extension[0].url"},
    {"PrimitiveExtensionArrayLengthMismatch",
     R"({"resourceType":"Patient","name":[{"given":["$","b"],"_given":[{"id":"x"}]}]})",
     IssueCode::kStructure, "Patient.name[0].given"},
};

// Prints the case's name in test listings instead of its bytes.
void PrintTo(const InvalidCase& c, std::ostream* os) { *os << c.name; }

class InvalidInputTest : public ::testing::TestWithParam<InvalidCase> {
 protected:
  std::vector<ValidationIssue> Run() {
    std::string text = GetParam().json;
    size_t dollar = text.find('$');
    EXPECT_NE(dollar, std::string::npos) << "every case carries the canary";
    if (dollar != std::string::npos) text.replace(dollar, 1, kCanary);
    auto parsed = ParseResourceJson(text);
    EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
    return parsed.ok() ? Validate(*parsed) : std::vector<ValidationIssue>{};
  }
};

TEST_P(InvalidInputTest, ReportsTheExpectedIssue) {
  std::vector<ValidationIssue> issues = Run();
  ASSERT_EQ(issues.size(), 1u) << ::testing::PrintToString(issues);
  EXPECT_EQ(IssueCodeName(issues[0].code), IssueCodeName(GetParam().code)) << issues[0].diagnostics;
  EXPECT_EQ(issues[0].expression, GetParam().expression) << issues[0].diagnostics;
  EXPECT_EQ(issues[0].severity, IssueSeverity::kError);
  EXPECT_FALSE(issues[0].diagnostics.empty());
}

TEST_P(InvalidInputTest, DiagnosticsNeverContainTheValue) {
  for (const ValidationIssue& issue : Run()) {
    EXPECT_THAT(issue.diagnostics, Not(HasSubstr(kCanary)));
    EXPECT_THAT(issue.expression, Not(HasSubstr(kCanary)));
  }
}

INSTANTIATE_TEST_SUITE_P(Table, InvalidInputTest, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<InvalidCase>& info) {
                           return info.param.name;
                         });

}  // namespace
}  // namespace mamori::fhir
