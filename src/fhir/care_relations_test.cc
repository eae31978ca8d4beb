// SPDX-License-Identifier: Apache-2.0
// Which patients a response names (issue 6: a search's audit event lists
// every patient in the result; GUIDELINE PLAN-05 leak scoping).
#include "fhir/care_relations.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace mamori::fhir {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

TEST(PatientsNamedInTest, FindsEveryPatientOfASearchPageOnce) {
  std::string page =
      R"({"resourceType":"Bundle","type":"searchset",)"
      R"("link":[{"relation":"self","url":"https://h/fhir/Patient/p9/Observation?_count=2"}],)"
      R"("entry":[{"fullUrl":"https://h/fhir/Patient/p1","resource":{"resourceType":"Patient","id":"p1"}},)"
      R"({"fullUrl":"https://h/fhir/Observation/o1","resource":{"subject":{"reference":"Patient/p2"}}},)"
      R"({"resource":{"subject":{"reference": "Patient/p1/_history/3"}}},)"
      R"({"resource":{"entity":[{"what":{"reference":"Patient/p-3.x"}}]}}]})";
  EXPECT_THAT(PatientsNamedIn(page), UnorderedElementsAre("p9", "p1", "p2", "p-3.x"));
}

// A Bulk Data Patient file: stored resources, one per line, no references.
TEST(PatientsNamedInTest, FindsThePatientsOfAnNdjsonPatientFile) {
  std::string file = R"({"resourceType":"Patient","id":"p1","meta":{"versionId":"1"}})"
                     "\n"
                     R"({"resourceType":"Patient","id":"p2","gender":"female"})"
                     "\n";
  EXPECT_THAT(PatientsNamedIn(file), ElementsAre("p1", "p2"));
}

TEST(PatientsNamedInTest, IgnoresWhatIsNotAReferenceToAPatientId) {
  EXPECT_THAT(
      PatientsNamedIn(R"({"text":"RelatedPatient/x","a":"Patient/","b":"Patient/$everything"})"),
      IsEmpty());
  EXPECT_THAT(PatientsNamedIn(R"("Patient/unterminated)"), IsEmpty());
  EXPECT_THAT(PatientsNamedIn(R"({"reference":"Practitioner/p1"})"), IsEmpty());
  EXPECT_THAT(PatientsNamedIn(""), IsEmpty());
  EXPECT_THAT(PatientsNamedIn("Patient/"), IsEmpty());
}

TEST(PatientsNamedInTest, IdsLongerThanFhirAllowsAreNotTakenInPart) {
  std::string long_id(65, 'a');
  EXPECT_THAT(PatientsNamedIn(R"({"reference":"Patient/)" + long_id + R"("})"), IsEmpty());
  std::string max_id(64, 'a');
  EXPECT_THAT(PatientsNamedIn(R"({"reference":"Patient/)" + max_id + R"("})"), ElementsAre(max_id));
}

}  // namespace
}  // namespace mamori::fhir
