// SPDX-License-Identifier: Apache-2.0
#include "fhir/search/extract.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <ostream>
#include <string>
#include <vector>

#include <boost/json/parse.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/testing/status_matchers.h"
#include "fhir/internal/test_data.h"
#include "fhir/json_parser.h"
#include "fhir/search/internal/fhir_time.h"

namespace mamori::fhir::search {

void PrintTo(const IndexEntry& e, std::ostream* os) {
  *os << "{" << e.param << " " << FormTag(e.form) << " \"" << e.value << "\"";
  if (e.time) *os << " [" << e.time->low << "," << e.time->high << ")";
  if (e.number) *os << " [" << e.number->low << "," << e.number->high << "]";
  *os << "}";
}

namespace {

// The production parser: decimals arrive as exact-text decimals
// (fhir/json_number.h), as they do from the REST API and import.
boost::json::object Parsed(std::string_view text) {
  auto parsed = ::mamori::fhir::ParseResourceJson(text, {.max_bytes = size_t{1} << 30});
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
  return parsed.ok() ? std::move(*parsed) : boost::json::object();
}

using ::mamori::core::StatusCode;
using ::mamori::core::testing::IsOk;
using ::mamori::core::testing::StatusIs;
using ::testing::Contains;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::UnorderedElementsAre;

constexpr int64_t kDay = 86'400'000'000;
int64_t Day(int y, unsigned m, unsigned d) { return internal::DaysFromCivil(y, m, d) * kDay; }

IndexEntry E(std::string param, IndexForm form, std::string value) {
  return IndexEntry{.param = std::move(param), .form = form, .value = std::move(value)};
}
IndexEntry Dated(std::string param, int64_t low, int64_t high) {
  return IndexEntry{.param = std::move(param),
                    .form = IndexForm::kDate,
                    .value = {},
                    .time = TimeRange{low, high}};
}
IndexEntry Numbered(std::string param, IndexForm form, std::string value, double low, double high) {
  return IndexEntry{.param = std::move(param),
                    .form = form,
                    .value = std::move(value),
                    .number = NumberRange{low, high}};
}

class ExtractTest : public ::testing::Test {
 protected:
  std::vector<IndexEntry> Extract(std::string_view json, ExtractOptions options = {}) {
    resource_ = Parsed(json);
    core::Result<std::vector<IndexEntry>> entries = ExtractIndexEntries(resource_, options);
    EXPECT_THAT(entries, IsOk());
    return entries.ok() ? *entries : std::vector<IndexEntry>{};
  }
  std::vector<IndexEntry> ExtractJpCore(std::string_view file) {
    std::string path = std::string(MAMORI_SHARED_DIR) + "/data/fhir/jp-core/" + std::string(file);
    return Extract(test_data::ReadFile(path));
  }
  // The entries of one parameter.
  static std::vector<IndexEntry> Of(const std::vector<IndexEntry>& all, std::string_view param) {
    std::vector<IndexEntry> out;
    std::copy_if(all.begin(), all.end(), std::back_inserter(out),
                 [&](const IndexEntry& e) { return e.param == param; });
    return out;
  }

  boost::json::object resource_;
};

TEST_F(ExtractTest, JpCorePatientNamesGiveFoldedPrefixes) {
  std::vector<IndexEntry> all = ExtractJpCore("Patient-jp-patient-example-1.json");
  EXPECT_THAT(Of(all, "family"),
              UnorderedElementsAre(E("family", IndexForm::kStringExact, "山田"),
                                   E("family", IndexForm::kStringExact, "ヤマダ"),
                                   E("family", IndexForm::kStringPrefix, "山"),
                                   E("family", IndexForm::kStringPrefix, "山田"),
                                   E("family", IndexForm::kStringPrefix, "や"),
                                   E("family", IndexForm::kStringPrefix, "やま"),
                                   E("family", IndexForm::kStringPrefix, "やまだ"),
                                   E("family", IndexForm::kStringGram, "山田"),
                                   E("family", IndexForm::kStringGram, "やま"),
                                   E("family", IndexForm::kStringGram, "まだ"),
                                   E("family", IndexForm::kPresent, "")));
  // name covers text, family and given; prefixes are per word.
  EXPECT_THAT(all, Contains(E("name", IndexForm::kStringPrefix, "山田")));
  EXPECT_THAT(all, Contains(E("name", IndexForm::kStringPrefix, "たろう")));
  EXPECT_THAT(all, Contains(E("name", IndexForm::kStringPrefix, "太郎")));
  EXPECT_THAT(all, Contains(E("phonetic", IndexForm::kStringPrefix, "やまだ")));
  EXPECT_THAT(all, Not(Contains(E("name", IndexForm::kStringPrefix, "山田 太郎"))));
  EXPECT_THAT(all, Not(Contains(E("name", IndexForm::kStringGram, "田 "))));
  EXPECT_THAT(all, Contains(E("name", IndexForm::kStringExact, "山田 太郎")));
}

TEST_F(ExtractTest, JpCorePatientTokensDatesAndAddress) {
  std::vector<IndexEntry> all = ExtractJpCore("Patient-jp-patient-example-1.json");
  EXPECT_THAT(Of(all, "identifier"),
              UnorderedElementsAre(E("identifier", IndexForm::kTokenCode, "00000010"),
                                   E("identifier", IndexForm::kTokenSystemCode,
                                     "urn:oid:1.2.392.100495.20.3.51.11311234567|00000010"),
                                   E("identifier", IndexForm::kTokenSystem,
                                     "urn:oid:1.2.392.100495.20.3.51.11311234567"),
                                   E("identifier", IndexForm::kPresent, "")));
  EXPECT_THAT(Of(all, "gender"),
              UnorderedElementsAre(E("gender", IndexForm::kTokenCode, "male"),
                                   E("gender", IndexForm::kTokenSystemCode, "|male"),
                                   E("gender", IndexForm::kPresent, "")));
  EXPECT_THAT(all, Contains(Dated("birthdate", Day(1970, 1, 1), Day(1970, 1, 2))));
  EXPECT_THAT(all, Contains(E("phone", IndexForm::kTokenCode, "0312345678")));
  EXPECT_THAT(all, Contains(E("telecom", IndexForm::kTokenCode, "0312345678")));
  EXPECT_THAT(Of(all, "email"), IsEmpty());  // no value, so no kPresent either
  EXPECT_THAT(all, Contains(E("deceased", IndexForm::kTokenCode, "false")));
  EXPECT_THAT(all, Contains(E("_id", IndexForm::kTokenCode, "jp-patient-example-1")));
  EXPECT_THAT(all, Contains(E("address", IndexForm::kStringPrefix, "東京都新宿区")));
  EXPECT_THAT(all, Contains(E("address-postalcode", IndexForm::kStringExact, "1600023")));
  EXPECT_THAT(all, Contains(E("_profile", IndexForm::kUri,
                              "http://jpfhir.jp/fhir/core/StructureDefinition/JP_Patient")));
}

TEST_F(ExtractTest, ABirthYearCoversTheWholeYear) {
  std::vector<IndexEntry> all = Extract(R"({"resourceType":"Patient","birthDate":"1970"})");
  EXPECT_THAT(all, Contains(Dated("birthdate", Day(1970, 1, 1), Day(1971, 1, 1))));
}

TEST_F(ExtractTest, JpCoreObservationGivesCodesQuantityReferencesAndDate) {
  std::vector<IndexEntry> all =
      ExtractJpCore("Observation-jp-observation-vitalsigns-example-1.json");
  EXPECT_THAT(all, Contains(E("code", IndexForm::kTokenSystemCode,
                              "urn:oid:1.2.392.200119.4.804|31001369")));
  EXPECT_THAT(all,
              Not(Contains(E("code", IndexForm::kTokenTextPrefix, "呼吸"))));  // off by default
  EXPECT_THAT(all, Contains(E("category", IndexForm::kTokenCode, "vital-signs")));
  EXPECT_THAT(all, Contains(E("subject", IndexForm::kReference, "Patient/jp-patient-example-1")));
  EXPECT_THAT(all, Contains(E("patient", IndexForm::kReference, "Patient/jp-patient-example-1")));
  EXPECT_THAT(all, Contains(E("performer", IndexForm::kReference,
                              "Practitioner/jp-practitioner-example-male-2")));
  int64_t ten_jst = Day(2021, 10, 19) + 1 * 3'600'000'000;  // 10:00+09:00 is 01:00Z
  EXPECT_THAT(all, Contains(Dated("date", ten_jst, ten_jst + 1'000'000)));
  EXPECT_THAT(all, Contains(Numbered("value-quantity", IndexForm::kQuantity, "", 400, 400)));
  EXPECT_THAT(all, Contains(Numbered("value-quantity", IndexForm::kQuantityCode, "回", 400, 400)));
  CompositePart code{IndexForm::kTokenSystemCode, "urn:oid:1.2.392.200119.4.804|31001369"};
  CompositePart unit{IndexForm::kQuantityCode, "回"};
  std::vector<CompositePart> parts{code, unit};
  EXPECT_THAT(all, Contains(Numbered("code-value-quantity", IndexForm::kComposite,
                                     CompositeKey(parts), 400, 400)));
}

TEST_F(ExtractTest, QuantitiesGiveUnitFormsAndRangesGiveSpans) {
  std::vector<IndexEntry> all = Extract(R"({"resourceType":"Observation","status":"final",
      "code":{"text":"bp"},
      "valueQuantity":{"value":5.4,"system":"http://unitsofmeasure.org","code":"mg","unit":"milligram"},
      "component":[{"code":{"text":"x"},"valueRange":{"low":{"value":1},"high":{"value":3}}}]})");
  EXPECT_THAT(Of(all, "value-quantity"),
              UnorderedElementsAre(
                  Numbered("value-quantity", IndexForm::kQuantity, "", 5.4, 5.4),
                  Numbered("value-quantity", IndexForm::kQuantitySystemCode,
                           "http://unitsofmeasure.org|mg", 5.4, 5.4),
                  Numbered("value-quantity", IndexForm::kQuantityCode, "mg", 5.4, 5.4),
                  Numbered("value-quantity", IndexForm::kQuantityCode, "milligram", 5.4, 5.4)));
  // No kPresent entry: the kQuantity entry's hash answers :missing (PresenceForm).

  // component-value-quantity takes Quantity and SampledData only, not Range.
  EXPECT_THAT(Of(all, "component-value-quantity"), IsEmpty());
  std::vector<IndexEntry> condition = Extract(R"({"resourceType":"Condition",
      "subject":{"reference":"Patient/p"},
      "onsetRange":{"low":{"value":20,"unit":"a"},"high":{"value":30,"unit":"a"}}})");
  EXPECT_THAT(condition, Contains(Numbered("onset-age", IndexForm::kQuantityCode, "a", 20, 30)));
}

TEST_F(ExtractTest, ReferencesAreNormalizedToLocalTypeAndId) {
  std::vector<IndexEntry> all = Extract(
      R"({"resourceType":"Observation","status":"final","code":{"text":"x"},
          "subject":{"reference":"https://clinic.example/fhir/Patient/p1"},
          "performer":[{"reference":"Practitioner/d1/_history/3"},{"reference":"#contained"},
                       {"identifier":{"system":"urn:mrn","value":"42"}}],
          "specimen":{"reference":"urn:uuid:9f0c","type":"Specimen"}})",
      {.base_url = "https://clinic.example/fhir"});
  EXPECT_THAT(all, Contains(E("subject", IndexForm::kReference, "Patient/p1")));
  EXPECT_THAT(all, Contains(E("patient", IndexForm::kReference, "Patient/p1")));
  EXPECT_THAT(
      Of(all, "performer"),
      UnorderedElementsAre(E("performer", IndexForm::kReference, "Practitioner/d1"),
                           E("performer", IndexForm::kReference, "Practitioner/d1/_history/3"),
                           E("performer", IndexForm::kTokenCode, "42"),
                           E("performer", IndexForm::kTokenSystemCode, "urn:mrn|42"),
                           E("performer", IndexForm::kTokenSystem, "urn:mrn"),
                           E("performer", IndexForm::kPresent, "")));
  EXPECT_THAT(all, Contains(E("specimen", IndexForm::kReference, "urn:uuid:9f0c")));
}

TEST_F(ExtractTest, PatientParameterKeepsOnlyReferencesToPatients) {
  std::vector<IndexEntry> all = Extract(R"({"resourceType":"Observation","status":"final",
      "code":{"text":"x"},"subject":{"reference":"Group/g1"}})");
  EXPECT_THAT(all, Contains(E("subject", IndexForm::kReference, "Group/g1")));
  EXPECT_THAT(Of(all, "patient"), IsEmpty());
}

TEST_F(ExtractTest, PeriodsWithoutAnEndAreOpen) {
  std::vector<IndexEntry> all = Extract(R"({"resourceType":"Encounter","status":"finished",
      "class":{"code":"AMB"},"period":{"start":"2020-05-01"}})");
  EXPECT_THAT(all, Contains(Dated("date", Day(2020, 5, 1), kMaxTime)));
}

TEST_F(ExtractTest, TimingsCoverTheirEventsAndBounds) {
  std::vector<IndexEntry> all = Extract(R"({"resourceType":"CarePlan","status":"active",
      "intent":"plan","subject":{"reference":"Patient/p"},
      "activity":[{"detail":{"status":"scheduled","scheduledTiming":{
        "event":["2020-01-05","2020-01-02"],
        "repeat":{"boundsPeriod":{"start":"2020-01-01","end":"2020-01-10"}}}}}]})");
  EXPECT_THAT(all, Contains(Dated("activity-date", Day(2020, 1, 1), Day(2020, 1, 11))));
}

TEST_F(ExtractTest, NumbersArePointsAndRangesSpans) {
  std::vector<IndexEntry> all = Extract(R"({"resourceType":"RiskAssessment","status":"final",
      "subject":{"reference":"Patient/p"},
      "prediction":[{"probabilityDecimal":0.25},{"probabilityRange":{"low":{"value":0.1}}}]})");
  EXPECT_THAT(all, Contains(Numbered("probability", IndexForm::kNumber, "", 0.25, 0.25)));
  EXPECT_THAT(all, Contains(Numbered("probability", IndexForm::kNumber, "", 0.1,
                                     std::numeric_limits<double>::infinity())));
}

TEST_F(ExtractTest, UrisGiveExactAndBelowForms) {
  std::vector<IndexEntry> all = Extract(R"({"resourceType":"CapabilityStatement",
      "status":"active","date":"2024","kind":"instance","fhirVersion":"4.0.1","format":["json"],
      "url":"http://acme.org/fhir/CapabilityStatement/1"})");
  EXPECT_THAT(Of(all, "url"),
              UnorderedElementsAre(
                  E("url", IndexForm::kUri, "http://acme.org/fhir/CapabilityStatement/1"),
                  E("url", IndexForm::kUriBelow, "http://acme.org"),
                  E("url", IndexForm::kUriBelow, "http://acme.org/fhir"),
                  E("url", IndexForm::kUriBelow, "http://acme.org/fhir/CapabilityStatement"),
                  E("url", IndexForm::kUriBelow, "http://acme.org/fhir/CapabilityStatement/1"),
                  E("url", IndexForm::kPresent, "")));
}

TEST_F(ExtractTest, CanonicalsGiveUrlAndVersionedUrl) {
  std::vector<IndexEntry> all = Extract(R"({"resourceType":"CarePlan","status":"active",
      "intent":"plan","subject":{"reference":"Patient/p"},
      "instantiatesCanonical":["http://x.org/PlanDefinition/pd|2.0"]})");
  EXPECT_THAT(all, Contains(E("instantiates-canonical", IndexForm::kReference,
                              "http://x.org/PlanDefinition/pd")));
  EXPECT_THAT(all, Contains(E("instantiates-canonical", IndexForm::kReference,
                              "http://x.org/PlanDefinition/pd|2.0")));
}

TEST_F(ExtractTest, DocumentBundlesReferenceTheirComposition) {
  std::vector<IndexEntry> all = Extract(R"({"resourceType":"Bundle","type":"document",
      "entry":[{"resource":{"resourceType":"Composition","id":"c1"}}]})");
  EXPECT_THAT(all, Contains(E("composition", IndexForm::kReference, "Composition/c1")));
}

TEST_F(ExtractTest, DocumentReferenceRelationshipUsesTheCorrectedComponents) {
  std::vector<IndexEntry> all = Extract(R"({"resourceType":"DocumentReference",
      "status":"current","content":[{"attachment":{"url":"http://x/y"}}],
      "relatesTo":[{"code":"replaces","target":{"reference":"DocumentReference/d0"}}]})");
  std::vector<CompositePart> parts{{IndexForm::kReference, "DocumentReference/d0"},
                                   {IndexForm::kTokenCode, "replaces"}};
  EXPECT_THAT(all, Contains(E("relationship", IndexForm::kComposite, CompositeKey(parts))));
}

TEST_F(ExtractTest, CombinedCompositesCoverComponents) {
  std::vector<IndexEntry> all = Extract(R"({"resourceType":"Observation","status":"final",
      "code":{"coding":[{"system":"http://loinc.org","code":"85354-9"}]},
      "component":[{"code":{"coding":[{"system":"http://loinc.org","code":"8480-6"}]},
                    "valueQuantity":{"value":120,"system":"http://unitsofmeasure.org","code":"mm[Hg]"}}]})");
  std::vector<CompositePart> parts{
      {IndexForm::kTokenCode, "8480-6"},
      {IndexForm::kQuantitySystemCode, "http://unitsofmeasure.org|mm[Hg]"}};
  IndexEntry expected = Numbered("component-code-value-quantity", IndexForm::kComposite,
                                 CompositeKey(parts), 120, 120);
  EXPECT_THAT(all, Contains(expected));
  expected.param = "combo-code-value-quantity";
  EXPECT_THAT(all, Contains(expected));
  EXPECT_THAT(Of(all, "code-value-quantity"), IsEmpty());  // the Observation has no value
}

TEST_F(ExtractTest, EntriesAreSortedAndUnique) {
  std::vector<IndexEntry> all = ExtractJpCore("Patient-jp-patient-example-1.json");
  EXPECT_TRUE(std::is_sorted(all.begin(), all.end()));
  EXPECT_EQ(std::adjacent_find(all.begin(), all.end()), all.end());
}

TEST_F(ExtractTest, TokenTextEntriesAreWrittenWhenAskedFor) {
  std::vector<IndexEntry> all = Extract(R"({"resourceType":"Observation","status":"final",
      "code":{"coding":[{"code":"x","display":"呼吸数"}],"text":"Respiratory rate"}})",
                                        {.token_text = true});
  EXPECT_THAT(all, Contains(E("code", IndexForm::kTokenTextPrefix, "呼吸")));
  EXPECT_THAT(all, Contains(E("code", IndexForm::kTokenTextPrefix, "respirat")));
  // Only the stored lengths (1-4, 6, 8, 12): "respiratory" is 11 code points.
  EXPECT_THAT(all, Not(Contains(E("code", IndexForm::kTokenTextPrefix, "respi"))));
  EXPECT_THAT(all, Not(Contains(E("code", IndexForm::kTokenTextPrefix, "respiratory"))));
  EXPECT_THAT(all, Contains(E("code", IndexForm::kTokenTextPrefix, "rate")));
}

TEST_F(ExtractTest, OptionsTurnOffTextAndGramEntries) {
  std::vector<IndexEntry> all =
      Extract(test_data::ReadFile(
                  std::string(MAMORI_SHARED_DIR) +
                  "/data/fhir/jp-core/Observation-jp-observation-vitalsigns-example-1.json"),
              {.token_text = false, .contains_grams = false});
  for (const IndexEntry& e : all) {
    EXPECT_NE(e.form, IndexForm::kTokenTextPrefix);
    EXPECT_NE(e.form, IndexForm::kStringGram);
  }
}

TEST_F(ExtractTest, GramsCoverOnlyTheConfiguredLeadingCodePoints) {
  std::vector<IndexEntry> all =
      Extract(R"({"resourceType":"Patient","name":[{"family":"abcdefghij"}]})", {.max_gram = 4});
  std::vector<std::string> grams;
  for (const IndexEntry& e : Of(all, "family")) {
    if (e.form == IndexForm::kStringGram) grams.push_back(e.value);
  }
  EXPECT_THAT(grams, UnorderedElementsAre("ab", "bc", "cd"));
}

TEST_F(ExtractTest, PrefixesStopAtTheConfiguredLength) {
  std::vector<IndexEntry> all =
      Extract(R"({"resourceType":"Patient","name":[{"family":"abcdefghij"}]})", {.max_prefix = 3});
  std::vector<std::string> prefixes;
  for (const IndexEntry& e : Of(all, "family")) {
    if (e.form == IndexForm::kStringPrefix) prefixes.push_back(e.value);
  }
  EXPECT_THAT(prefixes, UnorderedElementsAre("a", "ab", "abc"));
}

TEST_F(ExtractTest, MalformedValuesAreSkippedNotFatal) {
  std::vector<IndexEntry> all = Extract(R"({"resourceType":"Patient","birthDate":"not-a-date",
      "name":{"family":7},"gender":["odd"]})");
  // The elements are there (so not :missing) but give nothing to match.
  EXPECT_THAT(Of(all, "birthdate"), UnorderedElementsAre(E("birthdate", IndexForm::kPresent, "")));
  EXPECT_THAT(Of(all, "family"), UnorderedElementsAre(E("family", IndexForm::kPresent, "")));
}

TEST_F(ExtractTest, AnElementWithOnlyExtensionsIsMissing) {
  std::vector<IndexEntry> all = Extract(R"({"resourceType":"Observation","status":"final",
      "code":{"text":"x"},"category":[{"text":"y"}],"valueCodeableConcept":{"extension":[{"url":"http://x",
      "valueCode":"unknown"}]}})");
  EXPECT_THAT(Of(all, "value-concept"), IsEmpty());
  EXPECT_THAT(Of(all, "category"),  // text only, still a value
              UnorderedElementsAre(E("category", IndexForm::kPresent, "")));
  // Observation.code is required (and in combo-code): a value writes nothing,
  // not even kPresent, though this text-only one has no code to index.
  EXPECT_THAT(Of(all, "code"), IsEmpty());
  EXPECT_THAT(Of(all, "combo-code"), IsEmpty());
}

TEST_F(ExtractTest, ARequiredElementIsIndexedOnlyWhenAbsent) {
  std::vector<IndexEntry> all = Extract(R"({"resourceType":"Observation",
      "_status":{"extension":[{"url":"http://x","valueCode":"unknown"}]},"code":{"text":"x"}})");
  EXPECT_THAT(Of(all, "status"),
              UnorderedElementsAre(E("status", IndexForm::kPresent, std::string(kAbsentValue))));
  const SearchParameter* status = Definitions::R4().FindSearchParameter("Observation", "status");
  const SearchParameter* category =
      Definitions::R4().FindSearchParameter("Observation", "category");
  EXPECT_TRUE(ValueIsRequired(*status));
  EXPECT_FALSE(ValueIsRequired(*category));  // 0..*
  EXPECT_FALSE(ValueIsRequired(*Definitions::R4().FindSearchParameter("Observation", "subject")));
  // A union with a required branch: Observation.code | Observation.component.code.
  EXPECT_TRUE(ValueIsRequired(*Definitions::R4().FindSearchParameter("Observation", "combo-code")));
}

TEST_F(ExtractTest, AResourceOfAnUnsupportedTypeIsRejected) {
  resource_ = Parsed(R"({"resourceType":"Questionnaire"})");
  EXPECT_THAT(ExtractIndexEntries(resource_), StatusIs(StatusCode::kInvalidArgument));
  resource_ = Parsed(R"({"id":"x"})");
  EXPECT_THAT(ExtractIndexEntries(resource_), StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(ExtractTest, ExtractStringsReturnsTheRawValuesForRechecks) {
  resource_ = boost::json::parse(
                  test_data::ReadFile(std::string(MAMORI_SHARED_DIR) +
                                      "/data/fhir/jp-core/Patient-jp-patient-example-1.json"))
                  .as_object();
  const SearchParameter* family = Definitions::R4().FindSearchParameter("Patient", "family");
  EXPECT_THAT(ExtractStrings(resource_, *family), UnorderedElementsAre("山田", "ヤマダ"));
  const SearchParameter* gender = Definitions::R4().FindSearchParameter("Patient", "gender");
  EXPECT_THAT(ExtractStrings(resource_, *gender), IsEmpty());
}

}  // namespace
}  // namespace mamori::fhir::search
