// SPDX-License-Identifier: Apache-2.0
// The FHIR REST interactions over a real encrypted SQLite store.
#include "fhir/rest_api.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/testing/log_capture.h"
#include "core/testing/status_matchers.h"
#include "core/testing/temp_dir.h"

namespace mamori::fhir {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class RestApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store =
        store::OpenStore({.path = core::testing::MakeTempDir() + "/m.db", .kek = &kek_}, env_);
    ASSERT_THAT(store, core::testing::IsOk());
    store_ = std::move(*store);
    api_ = std::make_unique<RestApi>(*store_, env_);
  }

  static RestRequest Body(std::string body) {
    RestRequest r;
    r.base_url = "https://h/fhir";
    r.body = std::move(body);
    return r;
  }
  static RestRequest Get() { return Body(""); }
  static boost::json::object Json(const RestResponse& r) {
    return boost::json::parse(r.body).as_object();
  }
  static std::string Header(const RestResponse& r, std::string_view name) {
    for (const auto& [k, v] : r.headers) {
      if (k == name) return v;
    }
    return "";
  }
  // Creates a Patient and returns its id.
  std::string CreatePatient(const std::string& family = "Yamada") {
    RestResponse r =
        api_->Create("Patient", Body(R"({"resourceType":"Patient","name":[{"family":")" + family +
                                     R"("}],"gender":"female"})"));
    EXPECT_EQ(r.status, 201) << r.body;
    return std::string(Json(r).at("id").as_string());
  }

  core::Env env_ = core::Env::Real();
  crypto::AeadKey kek_ = crypto::AeadKey::Generate(core::Random::Secure());
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<RestApi> api_;
};

TEST_F(RestApiTest, CreateAssignsIdAndMetaAndAnswers201WithLocation) {
  RestResponse r =
      api_->Create("Patient", Body(R"({"resourceType":"Patient","id":"client-chosen"})"));
  ASSERT_EQ(r.status, 201) << r.body;
  auto body = Json(r);
  std::string id(body.at("id").as_string());
  EXPECT_NE(id, "client-chosen");  // create ignores a client id
  EXPECT_EQ(body.at("meta").at("versionId").as_string(), "1");
  EXPECT_EQ(Header(r, "ETag"), "W/\"1\"");
  EXPECT_EQ(Header(r, "Location"), "https://h/fhir/Patient/" + id + "/_history/1");
  EXPECT_FALSE(Header(r, "Last-Modified").empty());
}

TEST_F(RestApiTest, ReadReturnsWhatWasStored) {
  std::string id = CreatePatient("Sato");
  RestResponse r = api_->Read("Patient", id, Get());
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(Json(r).at("name").at(0).at("family").as_string(), "Sato");
  EXPECT_EQ(r.content_type, "application/fhir+json; charset=utf-8");
}

TEST_F(RestApiTest, ReadOfUnknownIdIs404AndUnknownTypeIs404) {
  EXPECT_EQ(api_->Read("Patient", "nope", Get()).status, 404);
  RestResponse r = api_->Read("Spaceship", "x", Get());
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(Json(r).at("resourceType").as_string(), "OperationOutcome");
}

TEST_F(RestApiTest, IfNoneMatchWithCurrentVersionIs304) {
  std::string id = CreatePatient();
  RestRequest req = Get();
  req.if_none_match = "W/\"1\"";
  EXPECT_EQ(api_->Read("Patient", id, req).status, 304);
}

TEST_F(RestApiTest, UpdateKeepsHistoryAndVReadReturnsEachVersion) {
  std::string id = CreatePatient("First");
  RestResponse u = api_->Update(
      "Patient", id,
      Body(R"({"resourceType":"Patient","id":")" + id + R"(","name":[{"family":"Second"}]})"));
  ASSERT_EQ(u.status, 200) << u.body;
  EXPECT_EQ(Header(u, "ETag"), "W/\"2\"");
  EXPECT_EQ(Json(api_->VRead("Patient", id, "1", Get())).at("name").at(0).at("family").as_string(),
            "First");
  EXPECT_EQ(Json(api_->VRead("Patient", id, "2", Get())).at("name").at(0).at("family").as_string(),
            "Second");
  EXPECT_EQ(api_->VRead("Patient", id, "3", Get()).status, 404);
}

TEST_F(RestApiTest, UpdateWithStaleIfMatchIs412AndChangesNothing) {
  std::string id = CreatePatient("Kept");
  std::string body =
      R"({"resourceType":"Patient","id":")" + id + R"(","name":[{"family":"Lost"}]})";
  RestRequest ok = Body(body);
  ok.if_match = "W/\"1\"";
  ASSERT_EQ(api_->Update("Patient", id, ok).status, 200);
  RestRequest stale = Body(body);
  stale.if_match = "W/\"1\"";
  RestResponse r = api_->Update("Patient", id, stale);
  EXPECT_EQ(r.status, 412);
  EXPECT_EQ(Header(api_->Read("Patient", id, Get()), "ETag"), "W/\"2\"");
}

TEST_F(RestApiTest, UpdateAsCreateWithClientIdIs201) {
  RestResponse r = api_->Update("Patient", "jp-patient-1",
                                Body(R"({"resourceType":"Patient","id":"jp-patient-1"})"));
  EXPECT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(api_->Read("Patient", "jp-patient-1", Get()).status, 200);
}

TEST_F(RestApiTest, UpdateWithMismatchedBodyIdIs400) {
  RestResponse r = api_->Update("Patient", "a", Body(R"({"resourceType":"Patient","id":"b"})"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(api_->Read("Patient", "a", Get()).status, 404);
}

TEST_F(RestApiTest, DeleteAddsATombstoneSoReadIs410AndHistoryStays) {
  std::string id = CreatePatient();
  EXPECT_EQ(api_->Delete("Patient", id, Get()).status, 204);
  EXPECT_EQ(api_->Read("Patient", id, Get()).status, 410);
  EXPECT_EQ(api_->VRead("Patient", id, "1", Get()).status, 200);
  auto history = Json(api_->History("Patient", id, Get()));
  EXPECT_EQ(history.at("total").as_int64(), 2);
  EXPECT_EQ(history.at("entry").at(0).at("request").at("method").as_string(), "DELETE");
}

TEST_F(RestApiTest, ConditionalCreateWithMatchingIdentifierCreatesNothing) {
  std::string body =
      R"({"resourceType":"Patient","identifier":[{"system":"urn:oid:1.2.392","value":"123"}]})";
  RestRequest first = Body(body);
  first.if_none_exist = "identifier=urn:oid:1.2.392|123";
  RestResponse a = api_->Create("Patient", first);
  ASSERT_EQ(a.status, 201) << a.body;
  RestResponse b = api_->Create("Patient", first);
  EXPECT_EQ(b.status, 200);
  EXPECT_EQ(Json(a).at("id"), Json(b).at("id"));
  EXPECT_EQ(Json(api_->History("Patient", "", Get())).at("total").as_int64(), 1);
}

TEST_F(RestApiTest, ConditionalCreateWithUnknownCriteriaIs400) {
  RestRequest req = Body(R"({"resourceType":"Patient"})");
  req.if_none_exist = "shoe-size=Yamada";
  RestResponse r = api_->Create("Patient", req);
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("shoe-size"));
  EXPECT_THAT(r.body, Not(HasSubstr("Yamada")));
}

TEST_F(RestApiTest, ConditionalCreateAcceptsAnySearchCriteria) {
  RestRequest first = Body(R"({"resourceType":"Patient","name":[{"family":"やまだ"}],
                               "birthDate":"1970-01-01"})");
  ASSERT_EQ(api_->Create("Patient", first).status, 201);
  RestRequest again = first;
  again.if_none_exist = "family=%EF%BE%94%EF%BE%8F%EF%BE%80%EF%BE%9E&birthdate=1970";  // ﾔﾏﾀﾞ
  EXPECT_EQ(api_->Create("Patient", again).status, 200);  // matched: nothing created
  again.if_none_exist = "family=yamada&birthdate=1970";
  EXPECT_EQ(api_->Create("Patient", again).status, 201);
}

TEST_F(RestApiTest, ConditionalUpdateCreatesThenUpdatesTheMatch) {
  std::string body = R"({"resourceType":"Patient","identifier":[{"system":"urn:x","value":"7"}]})";
  RestRequest req = Body(body);
  req.query = {{"identifier", "urn:x|7"}};
  RestResponse a = api_->Update("Patient", "", req);
  ASSERT_EQ(a.status, 201) << a.body;
  RestResponse b = api_->Update("Patient", "", req);
  ASSERT_EQ(b.status, 200) << b.body;
  EXPECT_EQ(Json(a).at("id"), Json(b).at("id"));
  EXPECT_EQ(Header(b, "ETag"), "W/\"2\"");
}

TEST_F(RestApiTest, InvalidResourceGets422NamingTheElementWithoutEchoingTheValue) {
  core::testing::LogCapture logs(/*quiet=*/true);
  RestResponse r = api_->Create(
      "Patient",
      Body(
          R"({"resourceType":"Patient","gender":"CANARY-not-a-gender","birthDate":"CANARY-date"})"));
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_THAT(r.body, HasSubstr("Patient.gender"));
  EXPECT_THAT(r.body, Not(HasSubstr("CANARY")));
  EXPECT_FALSE(logs.Contains("CANARY"));
  EXPECT_EQ(Json(api_->History("Patient", "", Get())).at("total").as_int64(), 0);
}

TEST_F(RestApiTest, MalformedJsonIs400AndWrongResourceTypeIs400) {
  EXPECT_EQ(api_->Create("Patient", Body("{not json")).status, 400);
  EXPECT_EQ(api_->Create("Patient", Body(R"({"resourceType":"Observation"})")).status, 400);
}

TEST_F(RestApiTest, AuditEventCannotBeWritten) {
  RestResponse r = api_->Create("AuditEvent", Body(R"({"resourceType":"AuditEvent"})"));
  EXPECT_EQ(r.status, 405);
}

TEST_F(RestApiTest, PreferReturnMinimalAndOperationOutcome) {
  RestRequest minimal = Body(R"({"resourceType":"Patient"})");
  minimal.prefer = "return=minimal";
  RestResponse a = api_->Create("Patient", minimal);
  EXPECT_EQ(a.status, 201);
  EXPECT_TRUE(a.body.empty());
  RestRequest oo = Body(R"({"resourceType":"Patient"})");
  oo.prefer = "return=OperationOutcome";
  EXPECT_EQ(Json(api_->Create("Patient", oo)).at("resourceType").as_string(), "OperationOutcome");
}

TEST_F(RestApiTest, ElementsAndSummaryReduceTheResourceAndTagIt) {
  RestResponse c = api_->Create(
      "Patient",
      Body(
          R"({"resourceType":"Patient","text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">x</div>"},"gender":"male","birthDate":"1970-01-01"})"));
  std::string id(Json(c).at("id").as_string());
  RestRequest elements = Get();
  elements.query = {{"_elements", "gender"}};
  auto e = Json(api_->Read("Patient", id, elements));
  EXPECT_TRUE(e.contains("gender"));
  EXPECT_FALSE(e.contains("birthDate"));
  EXPECT_THAT(boost::json::serialize(e.at("meta")), HasSubstr("SUBSETTED"));
  RestRequest data = Get();
  data.query = {{"_summary", "data"}};
  EXPECT_FALSE(Json(api_->Read("Patient", id, data)).contains("text"));
}

TEST_F(RestApiTest, SummaryTrueKeepsOnlySummaryElements) {
  // R4 marks Patient.gender and birthDate isSummary, maritalStatus and photo not.
  RestResponse c = api_->Create(
      "Patient",
      Body(
          R"({"resourceType":"Patient","gender":"female","_gender":{"extension":[{"url":"urn:x","valueString":"y"}]},"birthDate":"1970-01-01","maritalStatus":{"text":"M"},"photo":[{"contentType":"image/png"}]})"));
  ASSERT_EQ(c.status, 201) << c.body;
  RestRequest summary = Get();
  summary.query = {{"_summary", "true"}};
  auto s = Json(api_->Read("Patient", std::string(Json(c).at("id").as_string()), summary));
  EXPECT_TRUE(s.contains("gender"));
  EXPECT_TRUE(s.contains("_gender"));
  EXPECT_TRUE(s.contains("birthDate"));
  EXPECT_FALSE(s.contains("maritalStatus"));
  EXPECT_FALSE(s.contains("photo"));
  EXPECT_THAT(boost::json::serialize(s.at("meta")), HasSubstr("SUBSETTED"));
}

TEST_F(RestApiTest, SummaryTrueFollowsChoiceElements) {
  RestResponse c = api_->Create(
      "Observation",
      Body(
          R"({"resourceType":"Observation","status":"final","code":{"text":"x"},"valueQuantity":{"value":1.50},"note":[{"text":"n"}]})"));
  ASSERT_EQ(c.status, 201) << c.body;
  RestRequest summary = Get();
  summary.query = {{"_summary", "true"}};
  RestResponse r = api_->Read("Observation", std::string(Json(c).at("id").as_string()), summary);
  auto s = Json(r);
  EXPECT_TRUE(s.contains("valueQuantity"));
  EXPECT_FALSE(s.contains("note"));
  EXPECT_THAT(r.body, HasSubstr("\"value\":1.50"));  // exact decimal text survives
}

TEST_F(RestApiTest, PrettyAndFormat) {
  std::string id = CreatePatient();
  RestRequest pretty = Get();
  pretty.query = {{"_pretty", "true"}, {"_format", "application/fhir+json"}};
  EXPECT_THAT(api_->Read("Patient", id, pretty).body, HasSubstr("\n  \"resourceType\""));
  RestRequest xml = Get();
  xml.query = {{"_format", "xml"}};
  EXPECT_EQ(api_->Read("Patient", id, xml).status, 406);
}

TEST_F(RestApiTest, HistoryPagesFollowTheNextLink) {
  std::string id = CreatePatient("v1");
  for (int i = 2; i <= 5; ++i) {
    api_->Update("Patient", id, Body(R"({"resourceType":"Patient","id":")" + id + R"("})"));
  }
  RestRequest page = Get();
  page.query = {{"_count", "2"}};
  auto first = Json(api_->History("Patient", id, page));
  EXPECT_EQ(first.at("entry").as_array().size(), 2u);
  std::string next;
  for (const auto& link : first.at("link").as_array()) {
    if (link.at("relation") == "next") next = std::string(link.at("url").as_string());
  }
  ASSERT_THAT(next, HasSubstr("_page_before="));
  std::string cursor = next.substr(next.find("_page_before=") + 13);
  page.query.emplace_back("_page_before", cursor);
  auto second = Json(api_->History("Patient", id, page));
  EXPECT_EQ(second.at("entry").at(0).at("resource").at("meta").at("versionId").as_string(), "3");
}

TEST_F(RestApiTest, TransactionResolvesUrnUuidReferences) {
  RestResponse r =
      api_->ProcessBundle(Body(R"({"resourceType":"Bundle","type":"transaction","entry":[
    {"fullUrl":"urn:uuid:11111111-1111-4111-8111-111111111111",
     "resource":{"resourceType":"Patient"},"request":{"method":"POST","url":"Patient"}},
    {"fullUrl":"urn:uuid:22222222-2222-4222-8222-222222222222",
     "resource":{"resourceType":"Observation","status":"final","code":{"text":"x"},
                 "subject":{"reference":"urn:uuid:11111111-1111-4111-8111-111111111111"}},
     "request":{"method":"POST","url":"Observation"}}]})"));
  ASSERT_EQ(r.status, 200) << r.body;
  auto bundle = Json(r);
  EXPECT_EQ(bundle.at("type").as_string(), "transaction-response");
  std::string patient_loc(bundle.at("entry").at(0).at("response").at("location").as_string());
  std::string obs_loc(bundle.at("entry").at(1).at("response").at("location").as_string());
  std::string patient_id = patient_loc.substr(8, patient_loc.find("/_history") - 8);
  std::string obs_id = obs_loc.substr(12, obs_loc.find("/_history") - 12);
  auto obs = Json(api_->Read("Observation", obs_id, Get()));
  EXPECT_EQ(obs.at("subject").at("reference").as_string(), "Patient/" + patient_id);
}

TEST_F(RestApiTest, TransactionWithOneBadEntryStoresNothing) {
  RestResponse r =
      api_->ProcessBundle(Body(R"({"resourceType":"Bundle","type":"transaction","entry":[
    {"resource":{"resourceType":"Patient"},"request":{"method":"POST","url":"Patient"}},
    {"resource":{"resourceType":"Patient","gender":"nope"},"request":{"method":"POST","url":"Patient"}}]})"));
  EXPECT_EQ(r.status, 422);
  EXPECT_THAT(r.body, HasSubstr("\"Bundle.entry[1].resource.gender\""));
  EXPECT_EQ(Json(api_->History("", "", Get())).at("total").as_int64(), 0);
}

TEST_F(RestApiTest, TransactionVersionConflictRollsBackEveryEntry) {
  std::string id = CreatePatient();
  RestResponse r =
      api_->ProcessBundle(Body(R"({"resourceType":"Bundle","type":"transaction","entry":[
    {"resource":{"resourceType":"Patient"},"request":{"method":"POST","url":"Patient"}},
    {"resource":{"resourceType":"Patient","id":")" +
                               id + R"("},
     "request":{"method":"PUT","url":"Patient/)" +
                               id + R"(","ifMatch":"W/\"9\""}}]})"));
  EXPECT_EQ(r.status, 412) << r.body;
  EXPECT_EQ(Json(api_->History("", "", Get())).at("total").as_int64(), 1);
}

TEST_F(RestApiTest, BatchEntriesSucceedOrFailOnTheirOwn) {
  RestResponse r = api_->ProcessBundle(Body(R"({"resourceType":"Bundle","type":"batch","entry":[
    {"resource":{"resourceType":"Patient"},"request":{"method":"POST","url":"Patient"}},
    {"resource":{"resourceType":"Patient","gender":"nope"},"request":{"method":"POST","url":"Patient"}},
    {"request":{"method":"GET","url":"Patient/missing"}}]})"));
  ASSERT_EQ(r.status, 200) << r.body;
  auto entries = Json(r).at("entry").as_array();
  EXPECT_EQ(entries[0].at("response").at("status").as_string(), "201 Created");
  EXPECT_EQ(entries[1].at("response").at("status").as_string(), "422");
  EXPECT_EQ(entries[2].at("response").at("status").as_string(), "404");
  EXPECT_EQ(Json(api_->History("", "", Get())).at("total").as_int64(), 1);
}

TEST_F(RestApiTest, CapabilityStatementListsOnlyWorkingInteractions) {
  auto cs = Json(api_->Capabilities(Get()));
  EXPECT_EQ(cs.at("fhirVersion").as_string(), "4.0.1");
  std::string text = boost::json::serialize(cs);
  EXPECT_THAT(text, HasSubstr("\"transaction\""));
  EXPECT_THAT(text, HasSubstr("search-type"));
  EXPECT_THAT(text, Not(HasSubstr("\"near\"")));  // Location.near is not indexed
  EXPECT_THAT(text, Not(HasSubstr("\"patch\"")));
  // AuditEvent is the ledger's read-only view: read and search-type only.
  for (const auto& r : cs.at("rest").at(0).at("resource").as_array()) {
    if (r.at("type") != "AuditEvent") continue;
    EXPECT_EQ(boost::json::serialize(r.at("interaction")),
              R"([{"code":"read"},{"code":"search-type"}])");
    EXPECT_EQ(r.at("searchParam").as_array().size(), 6u);
  }
  EXPECT_THAT(text, HasSubstr("_sort (several keys"));  // issue 5: _sort, _has, :iterate work
  EXPECT_THAT(text, Not(HasSubstr("Not supported: _sort")));
  EXPECT_THAT(text, HasSubstr("Patient-everything"));
  EXPECT_THAT(text, HasSubstr("bulkdata/OperationDefinition/export"));
  EXPECT_THAT(text, HasSubstr("group-export"));
}

}  // namespace
}  // namespace mamori::fhir
