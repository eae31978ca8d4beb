// SPDX-License-Identifier: Apache-2.0
// The search conformance table (issue 5): queries over the shared JP Core
// examples and one Synthea patient (Rudolf Weber), each row with the ids it
// must return. The expected ids were picked by hand from the data files
// (shared/data/fhir), never from mamori's output; each row fails when the
// behaviour it names breaks. Runs through fhir::RestApi over a real encrypted
// store, so it covers the index writer, the planner and the Bundle.
#include <map>
#include <set>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/form_decode.h"
#include "core/testing/status_matchers.h"
#include "core/testing/temp_dir.h"
#include "fhir/definitions.h"
#include "fhir/internal/test_data.h"
#include "fhir/rest_api.h"

namespace mamori::fhir {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::UnorderedElementsAreArray;

constexpr char kRudolf[] = "806be451-d26f-436c-829c-9da92bde28f0";
constexpr char kSyntheaFile[] = "Rudolf_Weber_a4b93263-c55f-4d39-8c4e-31dfba932181.json";

// Hand-made patients for the Japanese folding rows: the same family name in
// hiragana and half-width katakana, and a different name sharing a prefix.
const char* const kExtraResources[] = {
    R"({"resourceType":"Patient","id":"yamada-hira","name":[{"family":"やまだ","given":["はなこ"]}]})",
    R"({"resourceType":"Patient","id":"yamada-half","name":[{"family":"ﾔﾏﾀﾞ","given":["ｼﾞﾛｳ"]}]})",
    R"({"resourceType":"Patient","id":"yamamoto","name":[{"family":"ヤマモト"}]})",
    R"({"resourceType":"RiskAssessment","id":"ra-high","status":"final",
        "subject":{"reference":"Patient/jp-patient-example-1"},
        "prediction":[{"probabilityDecimal":0.7}]})",
    R"({"resourceType":"RiskAssessment","id":"ra-low","status":"final",
        "subject":{"reference":"Patient/jp-patient-example-1"},
        "prediction":[{"probabilityDecimal":0.2}]})",
    R"({"resourceType":"Observation","id":"obs-ident","status":"final","code":{"text":"x"},
        "subject":{"identifier":{"system":"urn:oid:1.2.392.999","value":"MRN-77"}}})",
};

RestRequest Request(const std::string& query = "") {
  RestRequest r;
  r.base_url = "https://h/fhir";
  r.query = core::SplitFormQuery(query);
  return r;
}

boost::json::object Json(const RestResponse& r) { return boost::json::parse(r.body).as_object(); }

std::vector<std::string> Ids(const boost::json::object& bundle, const char* mode = "match") {
  std::vector<std::string> ids;
  for (const auto& e : bundle.at("entry").as_array()) {
    if (e.at("search").at("mode").as_string() != mode) continue;
    ids.emplace_back(e.at("resource").at("id").as_string());
  }
  return ids;
}

std::string Link(const boost::json::object& bundle, const char* relation) {
  for (const auto& l : bundle.at("link").as_array()) {
    if (l.at("relation").as_string() == relation) return std::string(l.at("url").as_string());
  }
  return "";
}

// Replaces urn:uuid references of a Synthea transaction with Type/id, so
// each entry can be stored under the id the file gives it.
void RewriteUrns(boost::json::value& v, const std::map<std::string, std::string>& refs) {
  if (v.is_object()) {
    for (auto& [key, member] : v.as_object()) {
      if (key == "reference" && member.is_string()) {
        auto it = refs.find(std::string(member.as_string()));
        if (it != refs.end()) member = it->second;
      } else {
        RewriteUrns(member, refs);
      }
    }
  } else if (v.is_array()) {
    for (auto& item : v.as_array()) RewriteUrns(item, refs);
  }
}

class SearchConformanceTest : public ::testing::Test {
 public:
  static void SetUpTestSuite() {
    static crypto::AeadKey kek = crypto::AeadKey::Generate(core::Random::Secure());
    // A small merge threshold: by the end of the setup some rows have been
    // merged into search_index and later ones are in search_index_recent, so
    // every query below reads both levels of the index (store/SCHEMA.md).
    auto store = store::OpenStore({.path = core::testing::MakeTempDir() + "/m.db",
                                   .kek = &kek,
                                   .index_merge_rows = 2000,
                                   .index_merge_slices = 3},
                                  env_);
    ASSERT_THAT(store, core::testing::IsOk());
    store_ = store->release();
    api_ = new RestApi(*store_, env_);
    std::vector<std::string> jp = test_data::JsonFiles("jp-core");
    ASSERT_EQ(jp.size(), 36u);
    for (const std::string& path : jp) Put(test_data::ReadFile(path));
    auto bundle = boost::json::parse(
        test_data::ReadFile(std::string(MAMORI_SHARED_DIR) + "/data/fhir/synthea/" + kSyntheaFile));
    std::map<std::string, std::string> refs;
    for (const auto& e : bundle.at("entry").as_array()) {
      const auto& r = e.at("resource").as_object();
      refs[std::string(e.at("fullUrl").as_string())] =
          std::string(r.at("resourceType").as_string()) + "/" + std::string(r.at("id").as_string());
    }
    size_t n = 0;
    for (auto& e : bundle.at("entry").as_array()) {
      boost::json::value r = e.at("resource");
      RewriteUrns(r, refs);
      Put(boost::json::serialize(r));
      ++n;
    }
    ASSERT_EQ(n, 159u);
    for (const char* extra : kExtraResources) Put(extra);
  }
  static void TearDownTestSuite() {
    delete api_;
    delete store_;
  }

 protected:
  static void Put(const std::string& json) {
    auto resource = boost::json::parse(json).as_object();
    std::string type(resource.at("resourceType").as_string());
    std::string id(resource.at("id").as_string());
    RestRequest req = Request();
    req.body = json;
    RestResponse r = api_->Update(type, id, req);
    ASSERT_EQ(r.status, 201) << type << "/" << id << ": " << r.body;
  }
  static RestResponse Search(const std::string& type, const std::string& query,
                             const std::string& prefer = "") {
    RestRequest req = Request(query);
    req.prefer = prefer;
    return api_->Search(type, req);
  }

  static inline core::Env env_ = core::Env::Real();
  static inline store::Store* store_ = nullptr;
  static inline RestApi* api_ = nullptr;
};

struct Row {
  const char* name;
  const char* type;
  const char* query;
  std::vector<std::string> ids;
};

void PrintTo(const Row& row, std::ostream* os) { *os << row.name; }

const std::vector<std::string> kHeights = {
    "71dc2e2c-f1f0-458e-ab2a-ad2e7d896398", "97cdd5a8-9709-4f12-b4b6-2451ff5511e5",
    "c78e1474-ea0a-4b89-9910-0c04f6ae6d35", "fa89052f-fbac-4bbf-b3cb-90d2a1f8ece9"};
const std::vector<std::string> kJpObservations = {
    "jp-observation-bodyMeasurement-example-1", "jp-observation-labresult-example-1",
    "jp-observation-socialhistory-example-1", "jp-observation-vitalsigns-example-1"};

const Row kRows[] = {
    // token
    {"TokenCode", "Observation", "code=8302-2", kHeights},
    {"TokenSystemAndCode",
     "Observation",
     "code=http://loinc.org|29463-7",
     {"a28a7b8d-3e5b-4940-bc41-6d2b60705d30", "c9e84e08-9722-4db6-92b2-9feaea85e6d9",
      "9b3196da-aaa4-4d07-83d5-4fb5474d8dc6", "02fd8a23-7170-4b7d-abe3-e6a288f4e377"}},
    {"TokenWrongSystem", "Observation", "code=http://snomed.info/sct|8302-2", {}},
    {"TokenIdentifier",
     "Patient",
     "identifier=urn:oid:1.2.392.100495.20.3.51.11311234567|00000010",
     {"jp-patient-example-1"}},
    {"TokenIdentifierAnySystem", "Patient", "identifier=999-91-9147", {kRudolf}},
    {"TokenOrValues",
     "Observation",
     "code=31000296,31001369",
     {"jp-observation-bodyMeasurement-example-1", "jp-observation-vitalsigns-example-1"}},
    {"TokenNot",
     "Condition",
     "subject=Patient/806be451-d26f-436c-829c-9da92bde28f0&code:not=444814009",
     {"ddf4ff5f-b7f8-43b3-9b0e-95624e7e3fb7", "cd744e6f-7cb3-4fa7-921b-e67b0e95ad84",
      "241a5d94-4abb-4d6d-b84b-96182adf62c9", "1a67a03f-d456-47c4-8588-051e2556df27",
      "a8d18071-2739-49e2-8b08-1b4d0d33afa6"}},
    {"TokenValueConcept",
     "Observation",
     "value-concept=http://snomed.info/sct|266919005",
     {"1fc6cf94-c330-46f5-9f10-a1c4111d96c2", "725a813e-5235-45db-8f8c-3f13dd6503f9",
      "64822368-5b90-489d-9c2b-e838e5f59551", "f4bf1b86-8933-4c6c-9c2f-b29d26d1bf2a"}},
    {"TokenTag", "Patient", "_tag=https://smarthealthit.org/tags|synthea-5-2019", {kRudolf}},
    {"Id",
     "Patient",
     "_id=jp-patient-example-1,806be451-d26f-436c-829c-9da92bde28f0",
     {"jp-patient-example-1", kRudolf}},
    // string, with the Japanese folding of issue 5
    {"StringKatakanaFindsAllForms",
     "Patient",
     "family=ヤマダ",
     {"jp-patient-example-1", "yamada-hira", "yamada-half"}},
    {"StringHiraganaFindsAllForms",
     "Patient",
     "family=やまだ",
     {"jp-patient-example-1", "yamada-hira", "yamada-half"}},
    {"StringHalfwidthFindsAllForms",
     "Patient",
     "family=ﾔﾏﾀﾞ",
     {"jp-patient-example-1", "yamada-hira", "yamada-half"}},
    {"StringPrefix",
     "Patient",
     "family=ﾔﾏ",
     {"jp-patient-example-1", "yamada-hira", "yamada-half", "yamamoto"}},
    {"StringExact", "Patient", "family:exact=ヤマダ", {"jp-patient-example-1"}},
    {"StringExactIsCaseSensitive", "Patient", "family:exact=weber", {}},
    {"StringCaseInsensitive", "Patient", "name=WEBER", {kRudolf}},
    {"StringContains", "Patient", "name:contains=eber", {kRudolf}},
    {"StringKanji", "Patient", "family=山田", {"jp-patient-example-1"}},
    {"StringLaterWord", "Practitioner", "name=ignacio", {"79a13b7d-a382-4b6a-a31a-57e763818a56"}},
    // date, every prefix kind
    {"DateYear", "Observation", "code=29463-7&date=2015", {"c9e84e08-9722-4db6-92b2-9feaea85e6d9"}},
    {"DateGe",
     "Observation",
     "code=29463-7&date=ge2017-01-01",
     {"9b3196da-aaa4-4d07-83d5-4fb5474d8dc6", "02fd8a23-7170-4b7d-abe3-e6a288f4e377"}},
    {"DateLt",
     "Observation",
     "code=29463-7&date=lt2015-12-23",
     {"a28a7b8d-3e5b-4940-bc41-6d2b60705d30"}},
    {"DateNe",
     "Observation",
     "code=29463-7&date=ne2015",
     {"a28a7b8d-3e5b-4940-bc41-6d2b60705d30", "9b3196da-aaa4-4d07-83d5-4fb5474d8dc6",
      "02fd8a23-7170-4b7d-abe3-e6a288f4e377"}},
    {"DateStartsAfter",
     "Encounter",
     "date=sa2020-01-01",
     {"c02f5374-75d6-49ac-bb8e-cec7646a2e4b", "jp-encounter-example-1"}},
    {"DateEndsBefore",
     "Condition",
     "abatement-date=eb2014-01-01",
     {"241a5d94-4abb-4d6d-b84b-96182adf62c9"}},
    {"DateMissing",
     "Condition",
     "subject=Patient/806be451-d26f-436c-829c-9da92bde28f0&abatement-date:missing=true",
     {"ddf4ff5f-b7f8-43b3-9b0e-95624e7e3fb7", "cd744e6f-7cb3-4fa7-921b-e67b0e95ad84",
      "a8d18071-2739-49e2-8b08-1b4d0d33afa6"}},
    // Ordered parameters answer :missing from their range entries (no kPresent).
    {"DateMissingFalse",
     "Patient",
     "_id=jp-patient-example-1&birthdate:missing=false",
     {"jp-patient-example-1"}},
    {"DateMissingTrueNone", "Patient", "_id=jp-patient-example-1&birthdate:missing=true", {}},
    // Required elements index only their absence (fhir/search/index.h ValueIsRequired).
    {"RequiredMissingFalse",
     "Observation",
     "_id=9b3196da-aaa4-4d07-83d5-4fb5474d8dc6&status:missing=false",
     {"9b3196da-aaa4-4d07-83d5-4fb5474d8dc6"}},
    {"RequiredMissingTrueNone",
     "Observation",
     "_id=9b3196da-aaa4-4d07-83d5-4fb5474d8dc6&status:missing=true",
     {}},
    {"LastUpdatedNow",
     "Patient",
     "_id=jp-patient-example-1&_lastUpdated=gt2020-01-01",
     {"jp-patient-example-1"}},
    {"LastUpdatedPast", "Patient", "_lastUpdated=lt2020-01-01", {}},
    // number and quantity
    {"NumberGt", "RiskAssessment", "probability=gt0.5", {"ra-high"}},
    {"NumberEqImplicitRange", "RiskAssessment", "probability=0.2", {"ra-low"}},
    {"QuantitySystemUnit",
     "Observation",
     "value-quantity=gt85|http://unitsofmeasure.org|kg",
     {"9b3196da-aaa4-4d07-83d5-4fb5474d8dc6", "02fd8a23-7170-4b7d-abe3-e6a288f4e377"}},
    {"QuantityUnitCodeOrText",
     "Observation",
     "value-quantity=le80||kg",
     {"a28a7b8d-3e5b-4940-bc41-6d2b60705d30", "jp-observation-bodyMeasurement-example-1"}},
    {"CompositeCodeValue",
     "Observation",
     "code-value-quantity=http://loinc.org|29463-7$gt85|http://unitsofmeasure.org|kg",
     {"9b3196da-aaa4-4d07-83d5-4fb5474d8dc6", "02fd8a23-7170-4b7d-abe3-e6a288f4e377"}},
    // The index keeps code x value only; system and unit are rechecked.
    {"CompositeCodeOnlyValue",
     "Observation",
     "code-value-quantity=29463-7$gt85",
     {"9b3196da-aaa4-4d07-83d5-4fb5474d8dc6", "02fd8a23-7170-4b7d-abe3-e6a288f4e377"}},
    {"CompositeOtherUnitRechecked",
     "Observation",
     "code-value-quantity=http://loinc.org|29463-7$gt85|http://unitsofmeasure.org|g",
     {}},
    {"CompositeOtherSystemRechecked",
     "Observation",
     "code-value-quantity=http://snomed.info/sct|29463-7$gt85",
     {}},
    // "|code" is looked up as the code and rechecked for having no system.
    {"TokenNoSystem",
     "Observation",
     "_id=9b3196da-aaa4-4d07-83d5-4fb5474d8dc6&status=|final",
     {"9b3196da-aaa4-4d07-83d5-4fb5474d8dc6"}},
    {"TokenNoSystemRejectsASystem", "Observation", "code=|29463-7", {}},
    // phonetic has name's expression: its entries are stored once, under name.
    {"PhoneticSharesNameEntries", "Patient", "phonetic=たろう", {"jp-patient-example-1"}},
    // reference
    {"Reference",
     "Observation",
     "encounter=Encounter/ddaec147-93d7-44cc-a07f-61107672b325",
     {"1fc6cf94-c330-46f5-9f10-a1c4111d96c2", "3dfa9be7-eced-4344-a5fe-3bdc7ce6f39e",
      "685b33f0-6974-485c-9745-8ff4b9e94e61", "71dc2e2c-f1f0-458e-ab2a-ad2e7d896398",
      "9314f8b0-b596-4078-b257-d65ec9e3fc21", "966d0e2a-89f2-439b-a610-d6636cb4a7b2",
      "a28a7b8d-3e5b-4940-bc41-6d2b60705d30"}},
    {"ReferenceTypeModifier", "Observation", "subject:Patient=jp-patient-example-1",
     kJpObservations},
    {"ReferenceChain", "Observation", "subject:Patient.family=ﾔﾏﾀﾞ", kJpObservations},
    {"ReferenceChainNoMatch", "Observation", "subject:Patient.family=yamamoto", {}},
    // uri
    {"Uri",
     "Patient",
     "_profile=http://jpfhir.jp/fhir/core/StructureDefinition/JP_Patient",
     {"jp-patient-example-1"}},
    {"UriBelow", "Patient", "_profile:below=http://jpfhir.jp/fhir/core", {"jp-patient-example-1"}},
    {"UriAbove",
     "Patient",
     "_profile:above=http://jpfhir.jp/fhir/core/StructureDefinition/JP_Patient/extra",
     {"jp-patient-example-1"}},
    // token modifiers answered by a scan and a check of each candidate
    {"TokenText", "Observation", "code:text=body height", kHeights},
    {"TokenOfType",
     "Patient",
     "identifier:of-type=http://terminology.hl7.org/CodeSystem/v2-0203|SS|999-91-9147",
     {kRudolf}},
    {"ReferenceIdentifier",
     "Observation",
     "subject:identifier=urn:oid:1.2.392.999|MRN-77",
     {"obs-ident"}},
    // _has one level: the referring resources' references, read after decryption
    {"HasReverseChain", "Patient", "_has:Observation:subject:code=29463-7", {kRudolf}},
    {"HasOnAnOrderedParameter",
     "Patient",
     "_has:RiskAssessment:subject:probability=gt0.5",
     {"jp-patient-example-1"}},
    {"HasAndAnotherClause",
     "Patient",
     "_has:Observation:patient:code=31000296&family=ﾔﾏﾀﾞ",
     {"jp-patient-example-1"}},
    {"HasNoMatch", "Patient", "_has:Observation:subject:code=no-such-code", {}},
    // several clauses are ANDed
    {"AndAcrossParameters",
     "Observation",
     "code=8302-2&date=2012",
     {"71dc2e2c-f1f0-458e-ab2a-ad2e7d896398"}},
};

class SearchTableTest : public SearchConformanceTest, public ::testing::WithParamInterface<Row> {};

TEST_P(SearchTableTest, ReturnsTheHandPickedIds) {
  const Row& row = GetParam();
  RestResponse r = Search(row.type, row.query + std::string("&_count=200"));
  ASSERT_EQ(r.status, 200) << r.body;
  boost::json::object bundle = Json(r);
  EXPECT_EQ(bundle.at("type").as_string(), "searchset");
  EXPECT_THAT(Ids(bundle), UnorderedElementsAreArray(row.ids));
  EXPECT_EQ(bundle.at("total").as_int64(), static_cast<int64_t>(row.ids.size()));
}

INSTANTIATE_TEST_SUITE_P(Table, SearchTableTest, ::testing::ValuesIn(kRows),
                         [](const auto& info) { return std::string(info.param.name); });

TEST_F(SearchConformanceTest, PostSearchTakesAFormBody) {
  RestRequest req = Request();
  req.body = "code=8302-2";
  req.content_type = "application/x-www-form-urlencoded";
  RestResponse r = api_->Search("Observation", req);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_THAT(Ids(Json(r)), UnorderedElementsAreArray(kHeights));
}

TEST_F(SearchConformanceTest, SystemSearchRunsOnEveryNamedType) {
  RestRequest req = Request(
      "_type=Patient,Practitioner&_tag=https://smarthealthit.org/tags|"
      "synthea-5-2019&_count=1");
  RestResponse r = api_->SearchSystem(req);
  ASSERT_EQ(r.status, 200) << r.body;
  auto bundle = Json(r);
  EXPECT_EQ(bundle.at("total").as_int64(), 2);  // Rudolf Weber and Dr. Ignacio Towne
  std::vector<std::string> seen = Ids(bundle);
  std::string next = Link(bundle, "next");
  ASSERT_FALSE(next.empty());
  r = api_->SearchSystem(Request(next.substr(next.find('?') + 1)));
  for (const std::string& id : Ids(Json(r))) seen.push_back(id);
  EXPECT_THAT(seen,
              ::testing::UnorderedElementsAre(kRudolf, "79a13b7d-a382-4b6a-a31a-57e763818a56"));
  EXPECT_EQ(api_->SearchSystem(Request("_id=jp-patient-example-1")).status, 200);
  EXPECT_EQ(api_->SearchSystem(Request("_type=Nope")).status, 400);
  auto all = Json(api_->SearchSystem(Request("_id=jp-patient-example-1,ra-low")));
  EXPECT_THAT(Ids(all), ::testing::UnorderedElementsAre("jp-patient-example-1", "ra-low"));
}

TEST_F(SearchConformanceTest, PatientCompartmentSearch) {
  RestResponse r = api_->SearchCompartment("jp-patient-example-1", "Observation", Request());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_THAT(Ids(Json(r)), UnorderedElementsAreArray(kJpObservations));
  r = api_->SearchCompartment("jp-patient-example-1", "Observation", Request("code=31000296"));
  EXPECT_THAT(Ids(Json(r)), ::testing::ElementsAre("jp-observation-bodyMeasurement-example-1"));
  r = api_->SearchCompartment("yamamoto", "Observation", Request());
  EXPECT_THAT(Ids(Json(r)), ::testing::IsEmpty());
}

TEST_F(SearchConformanceTest, IncludeAndRevinclude) {
  auto bundle = Json(Search(
      "Observation", "_id=71dc2e2c-f1f0-458e-ab2a-ad2e7d896398&_include=Observation:encounter"));
  EXPECT_THAT(Ids(bundle), ::testing::ElementsAre("71dc2e2c-f1f0-458e-ab2a-ad2e7d896398"));
  EXPECT_THAT(Ids(bundle, "include"),
              ::testing::ElementsAre("ddaec147-93d7-44cc-a07f-61107672b325"));
  bundle = Json(Search("Patient", "_id=jp-patient-example-1&_revinclude=RiskAssessment:subject"));
  EXPECT_THAT(Ids(bundle), ::testing::ElementsAre("jp-patient-example-1"));
  EXPECT_THAT(Ids(bundle, "include"), ::testing::UnorderedElementsAre("ra-high", "ra-low"));
}

TEST_F(SearchConformanceTest, SummaryCountAndTotalNone) {
  auto bundle = Json(Search("Observation", "code=8302-2&_summary=count"));
  EXPECT_EQ(bundle.at("total").as_int64(), 4);
  EXPECT_TRUE(bundle.at("entry").as_array().empty());
  bundle = Json(Search("Observation", "code=8302-2&_total=none"));
  EXPECT_FALSE(bundle.contains("total"));
  EXPECT_EQ(Ids(bundle).size(), 4u);
}

TEST_F(SearchConformanceTest, ElementsTrimsEachResource) {
  auto bundle = Json(Search("Patient", "_id=jp-patient-example-1&_elements=gender"));
  const auto& patient = bundle.at("entry").as_array().at(0).at("resource").as_object();
  EXPECT_TRUE(patient.contains("gender"));
  EXPECT_FALSE(patient.contains("name"));
}

TEST_F(SearchConformanceTest, UnknownParameterIsA400NamingItUnlessLenient) {
  RestResponse strict = Search("Patient", "shoe-size=42&family=ヤマダ");
  EXPECT_EQ(strict.status, 400);
  EXPECT_THAT(strict.body, HasSubstr("shoe-size"));
  EXPECT_THAT(strict.body, Not(HasSubstr("ヤマダ")));
  RestResponse lenient = Search("Patient", "shoe-size=42&family=ヤマダ", "handling=lenient");
  ASSERT_EQ(lenient.status, 200) << lenient.body;
  auto bundle = Json(lenient);
  EXPECT_EQ(Ids(bundle).size(), 3u);
  EXPECT_THAT(Link(bundle, "self"), Not(HasSubstr("shoe-size")));
  EXPECT_THAT(Link(bundle, "self"), HasSubstr("family="));
}

// _sort (issue 5): ordered rows, expected order read off the data files.
struct SortRow {
  const char* name;
  const char* type;
  const char* query;
  std::vector<std::string> ids;  // in this order
};

void PrintTo(const SortRow& row, std::ostream* os) { *os << row.name; }

const SortRow kSortRows[] = {
    // Rudolf's heights and weights share four dates: the second key breaks the tie.
    {"DateDescendingThenCode",
     "Observation",
     "code=29463-7,8302-2&_sort=-date,code",
     {"02fd8a23-7170-4b7d-abe3-e6a288f4e377", "fa89052f-fbac-4bbf-b3cb-90d2a1f8ece9",
      "9b3196da-aaa4-4d07-83d5-4fb5474d8dc6", "c78e1474-ea0a-4b89-9910-0c04f6ae6d35",
      "c9e84e08-9722-4db6-92b2-9feaea85e6d9", "97cdd5a8-9709-4f12-b4b6-2451ff5511e5",
      "a28a7b8d-3e5b-4940-bc41-6d2b60705d30", "71dc2e2c-f1f0-458e-ab2a-ad2e7d896398"}},
    {"DateAscendingThenCodeDescending",
     "Observation",
     "code=29463-7,8302-2&_sort=date,-code",
     {"71dc2e2c-f1f0-458e-ab2a-ad2e7d896398", "a28a7b8d-3e5b-4940-bc41-6d2b60705d30",
      "97cdd5a8-9709-4f12-b4b6-2451ff5511e5", "c9e84e08-9722-4db6-92b2-9feaea85e6d9",
      "c78e1474-ea0a-4b89-9910-0c04f6ae6d35", "9b3196da-aaa4-4d07-83d5-4fb5474d8dc6",
      "fa89052f-fbac-4bbf-b3cb-90d2a1f8ece9", "02fd8a23-7170-4b7d-abe3-e6a288f4e377"}},
    {"QuantityAscending",
     "Observation",
     "code=29463-7&_sort=value-quantity",
     {"a28a7b8d-3e5b-4940-bc41-6d2b60705d30", "c9e84e08-9722-4db6-92b2-9feaea85e6d9",
      "9b3196da-aaa4-4d07-83d5-4fb5474d8dc6", "02fd8a23-7170-4b7d-abe3-e6a288f4e377"}},
    {"NumberDescending", "RiskAssessment", "_sort=-probability", {"ra-high", "ra-low"}},
    {"IdDescending",
     "Patient",
     "_id=yamamoto,yamada-hira,yamada-half&_sort=-_id",
     {"yamamoto", "yamada-hira", "yamada-half"}},
    // Folded strings: ASCII before kana, だ (U+3060) before も (U+3082).
    {"StringFolded",
     "Patient",
     "_id=yamamoto,yamada-half,806be451-d26f-436c-829c-9da92bde28f0&_sort=family",
     {kRudolf, "yamada-half", "yamamoto"}},
    // A missing value sorts last in either direction.
    {"MissingLastAscending",
     "Patient",
     "_id=yamada-hira,jp-patient-example-1,806be451-d26f-436c-829c-9da92bde28f0&_sort=birthdate",
     {"jp-patient-example-1", kRudolf, "yamada-hira"}},
    {"MissingLastDescending",
     "Patient",
     "_id=yamada-hira,jp-patient-example-1,806be451-d26f-436c-829c-9da92bde28f0&_sort=-birthdate",
     {kRudolf, "jp-patient-example-1", "yamada-hira"}},
    // A scan with a recheck (token :text) and a sort together.
    {"RecheckedThenSorted",
     "Observation",
     "code:text=body height&_sort=-date",
     {"fa89052f-fbac-4bbf-b3cb-90d2a1f8ece9", "c78e1474-ea0a-4b89-9910-0c04f6ae6d35",
      "97cdd5a8-9709-4f12-b4b6-2451ff5511e5", "71dc2e2c-f1f0-458e-ab2a-ad2e7d896398"}},
    {"LastUpdatedFollowsWriteOrder",
     "Patient",
     "_id=yamamoto,yamada-hira,yamada-half&_sort=-_lastUpdated",
     {"yamamoto", "yamada-half", "yamada-hira"}},
};

class SortTableTest : public SearchConformanceTest,
                      public ::testing::WithParamInterface<SortRow> {};

TEST_P(SortTableTest, ReturnsTheIdsInOrderOnOnePageAndAcrossPages) {
  const SortRow& row = GetParam();
  RestResponse r = Search(row.type, row.query + std::string("&_count=200"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_THAT(Ids(Json(r)), ::testing::ElementsAreArray(row.ids));
  // Pages of 3 follow the same order without repeats or gaps.
  std::vector<std::string> seen;
  std::string query = row.query + std::string("&_count=3");
  for (int pages = 0; pages < 10; ++pages) {
    auto bundle = Json(Search(row.type, query));
    for (const std::string& id : Ids(bundle)) seen.push_back(id);
    std::string next = Link(bundle, "next");
    if (next.empty()) break;
    query = next.substr(next.find('?') + 1);
  }
  EXPECT_THAT(seen, ::testing::ElementsAreArray(row.ids));
}

INSTANTIATE_TEST_SUITE_P(Table, SortTableTest, ::testing::ValuesIn(kSortRows),
                         [](const auto& info) { return std::string(info.param.name); });

TEST_F(SearchConformanceTest, SortedPagingSurvivesAWriteBetweenPages) {
  std::string query = "code=29463-7,8302-2&_sort=-date,code&_count=3";
  auto first = Json(Search("Observation", query));
  std::vector<std::string> seen = Ids(first);
  ASSERT_EQ(seen.size(), 3u);
  // A new, later measurement sorts before the cursor: it is not on later pages,
  // and nothing after the cursor is skipped or repeated.
  Put(R"({"resourceType":"Observation","id":"late-weight","status":"final",
          "code":{"coding":[{"system":"http://loinc.org","code":"29463-7"}]},
          "effectiveDateTime":"2024-01-01T00:00:00Z"})");
  std::string next = Link(first, "next");
  while (!next.empty()) {
    auto bundle = Json(Search("Observation", next.substr(next.find('?') + 1)));
    for (const std::string& id : Ids(bundle)) seen.push_back(id);
    next = Link(bundle, "next");
  }
  EXPECT_THAT(seen, ::testing::ElementsAreArray(kSortRows[0].ids));
  RestRequest del = Request();
  EXPECT_EQ(api_->Delete("Observation", "late-weight", del).status, 204);
}

TEST_F(SearchConformanceTest, SortOnSeveralTypesIsNamed) {
  RestResponse r = api_->SearchSystem(Request("_type=Patient,Practitioner&_sort=_id"));
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("_sort"));
}

TEST_F(SearchConformanceTest, IncludeIterateGoesOneLevelFurther) {
  auto bundle =
      Json(Search("Observation",
                  "_id=71dc2e2c-f1f0-458e-ab2a-ad2e7d896398&_include=Observation:encounter"
                  "&_include:iterate=Encounter:service-provider"));
  EXPECT_THAT(Ids(bundle), ::testing::ElementsAre("71dc2e2c-f1f0-458e-ab2a-ad2e7d896398"));
  EXPECT_THAT(Ids(bundle, "include"),
              ::testing::UnorderedElementsAre("ddaec147-93d7-44cc-a07f-61107672b325",
                                              "b0e04623-b02c-3f8b-92ea-943fc4db60da"));
  bundle = Json(Search("Patient",
                       "_id=jp-patient-example-1&_revinclude=Encounter:subject"
                       "&_revinclude:iterate=Observation:encounter"));
  EXPECT_THAT(Ids(bundle), ::testing::ElementsAre("jp-patient-example-1"));
  // (the lab result's Encounter reference is inside its contained ServiceRequest)
  EXPECT_THAT(Ids(bundle, "include"),
              ::testing::UnorderedElementsAre("jp-encounter-example-1",
                                              "jp-observation-bodyMeasurement-example-1",
                                              "jp-observation-vitalsigns-example-1"));
  // Without :iterate the second level is not reached (and the spec is refused).
  EXPECT_EQ(Search("Patient",
                   "_id=jp-patient-example-1&_revinclude=Encounter:subject"
                   "&_revinclude=Observation:encounter")
                .status,
            400);
}

TEST_F(SearchConformanceTest, EverythingReturnsThePatientsCompartmentWithTypeSinceAndPaging) {
  // _type: the JP Core patient's Observations, RiskAssessments and Encounter
  // (every file that references Patient/jp-patient-example-1 through them).
  RestResponse r = api_->Everything("jp-patient-example-1",
                                    Request("_type=Observation,RiskAssessment,Encounter,Patient"));
  ASSERT_EQ(r.status, 200) << r.body;
  std::vector<std::string> expected = kJpObservations;
  for (const char* id : {"ra-high", "ra-low", "jp-encounter-example-1", "jp-patient-example-1"}) {
    expected.push_back(id);
  }
  auto bundle = Json(r);
  EXPECT_THAT(Ids(bundle), UnorderedElementsAreArray(expected));
  EXPECT_EQ(bundle.at("total").as_int64(), 8);
  // Without _type: every compartment type, the same as the compartment
  // searches type by type, plus the patient; paged by _count without repeats.
  std::set<std::string> all;
  for (const std::string& type : Definitions::R4().SupportedResourceTypes()) {
    if (type == "Patient" || Definitions::R4().PatientCompartmentParams(type).empty()) continue;
    RestResponse one = api_->SearchCompartment(kRudolf, type, Request("_count=1000"));
    if (one.status != 200) continue;
    for (const std::string& id : Ids(Json(one))) all.insert(id);
  }
  all.insert(kRudolf);
  ASSERT_GT(all.size(), 150u);  // the Synthea file's 159 entries but 2 shared ones
  std::vector<std::string> seen;
  std::string query = "_count=40";
  for (int pages = 0; pages < 20; ++pages) {
    auto page = Json(api_->Everything(kRudolf, Request(query)));
    for (const std::string& id : Ids(page)) seen.push_back(id);
    std::string next = Link(page, "next");
    if (next.empty()) break;
    EXPECT_THAT(next, HasSubstr("/Patient/806be451-d26f-436c-829c-9da92bde28f0/$everything?"));
    query = next.substr(next.find('?') + 1);
  }
  EXPECT_THAT(seen, UnorderedElementsAreArray(all.begin(), all.end()));
  // _since: everything was written just now.
  EXPECT_THAT(Ids(Json(api_->Everything(kRudolf, Request("_since=2000-01-01T00:00:00Z")))),
              ::testing::SizeIs(std::min<size_t>(all.size(), 50)));
  EXPECT_THAT(Ids(Json(api_->Everything(kRudolf, Request("_since=2999-01-01T00:00:00Z")))),
              ::testing::IsEmpty());
  // Errors: an unknown patient, a search parameter, a bad _since.
  EXPECT_EQ(api_->Everything("nobody", Request()).status, 404);
  RestResponse bad = api_->Everything(kRudolf, Request("code=8302-2"));
  EXPECT_EQ(bad.status, 400);
  EXPECT_THAT(bad.body, HasSubstr("code"));
  EXPECT_EQ(api_->Everything(kRudolf, Request("_since=yesterday")).status, 400);
}

TEST_F(SearchConformanceTest, UnsupportedFeaturesAreNamed) {
  for (const char* q : {"_contained=true", "name:text=x"}) {
    RestResponse r = Search("Patient", q);
    EXPECT_EQ(r.status, 400) << q;
    EXPECT_THAT(r.body, HasSubstr(std::string(q).substr(0, 4))) << q;
  }
}

TEST_F(SearchConformanceTest, PagesFollowNextLinksAndSurviveConcurrentWrites) {
  std::set<std::string> expected;
  {
    auto all =
        Json(Search("Observation", std::string("subject=Patient/") + kRudolf + "&_count=500"));
    for (const std::string& id : Ids(all)) expected.insert(id);
  }
  ASSERT_EQ(expected.size(), 79u);  // the file's 79 Observations of Rudolf Weber
  std::vector<std::string> seen;
  std::string query = std::string("subject=Patient/") + kRudolf + "&_count=10";
  int pages = 0;
  while (true) {
    auto bundle = Json(Search("Observation", query));
    for (const std::string& id : Ids(bundle)) seen.push_back(id);
    ++pages;
    // self names the page it is (the first has no cursor, later ones theirs)
    EXPECT_EQ(Link(bundle, "self").find("_page_after=") != std::string::npos, pages > 1);
    if (pages == 2) {  // a write between pages: updates keep their place, new ones come last
      Put(R"({"resourceType":"Observation","id":"late-arrival","status":"final",
              "code":{"text":"x"},"subject":{"reference":"Patient/806be451-d26f-436c-829c-9da92bde28f0"}})");
      expected.insert("late-arrival");
    }
    std::string next = Link(bundle, "next");
    if (next.empty()) break;
    query = next.substr(next.find('?') + 1);
    ASSERT_LT(pages, 20);
  }
  EXPECT_EQ(pages, 8);
  EXPECT_THAT(seen, UnorderedElementsAreArray(expected.begin(), expected.end()));  // no repeats
}

// One exact MAC answers the query: only the page's keys are read, so the
// total is given when the first page is the last, or with _total=accurate.
TEST_F(SearchConformanceTest, ASingleMacSearchGivesTheTotalWhenCheapOrAsked) {
  std::string subject = std::string("subject=Patient/") + kRudolf;
  auto paged = Json(Search("Observation", subject + "&_count=10"));
  EXPECT_EQ(Ids(paged).size(), 10u);
  EXPECT_FALSE(paged.contains("total"));
  EXPECT_FALSE(Link(paged, "next").empty());
  auto accurate = Json(Search("Observation", subject + "&_count=10&_total=accurate"));
  // 79 in the file, 80 once the paging test has added its late arrival.
  int64_t total = accurate.at("total").as_int64();
  EXPECT_THAT(total, ::testing::AnyOf(79, 80));
  EXPECT_EQ(Ids(accurate), Ids(paged));  // the same page either way
  auto whole = Json(Search("Observation", subject + "&_count=100"));
  EXPECT_EQ(whole.at("total").as_int64(), total);
  EXPECT_TRUE(Link(whole, "next").empty());
}

TEST_F(SearchConformanceTest, ConditionalCreateUsesTheSearchIndex) {
  RestRequest req = Request();
  req.body = R"({"resourceType":"Patient","name":[{"family":"ヤマダ"}]})";
  req.if_none_exist = "identifier=urn:oid:1.2.392.100495.20.3.51.11311234567|00000010";
  EXPECT_EQ(api_->Create("Patient", req).status, 200);  // exists: nothing created
  req.if_none_exist = "family=ヤマダ";
  EXPECT_EQ(api_->Create("Patient", req).status, 412);  // three match
}

}  // namespace
}  // namespace mamori::fhir
