// SPDX-License-Identifier: Apache-2.0
// The audit ledger read as FHIR AuditEvent (issue 6; GUIDELINE SYS-52, SYS-54):
// valid R4 resources carrying every recorded field, search by patient, agent,
// date, action and outcome over a real encrypted store, paging to the oldest
// event, and clear 400s for what it does not support.
#include "fhir/audit_event_view.h"

#include <chrono>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/clock.h"
#include "core/testing/status_matchers.h"
#include "core/testing/temp_dir.h"
#include "crypto/aead.h"
#include "fhir/validator.h"

namespace mamori::fhir {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
namespace json = boost::json;

constexpr uint64_t kDay = 86'400'000;
constexpr uint64_t k20261125 = 1'795'564'800'000;  // 2026-11-25T00:00:00Z

// Midnight UTC two days ago: events are stamped before the real commit time
// of their leaves, as they are in a running server.
uint64_t RecentMidnight() {
  uint64_t now = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                           core::Clock::Real().Now().time_since_epoch())
                                           .count());
  return now / kDay * kDay - 2 * kDay;
}
std::string Day(uint64_t ms) {
  return core::FormatRfc3339(core::Clock::WallTime(std::chrono::milliseconds(ms))).substr(0, 10);
}

ledger::AuditEvent Event(uint64_t t, std::string user, std::string action,
                         std::vector<std::string> patients, int status = 200) {
  return {.time_ms = t,
          .user = std::move(user),
          .role = "physician",
          .client_subject = "",
          .source_address = "192.0.2.7",
          .action = std::move(action),
          .method = "GET",
          .route = "/fhir/{type}/{id}",
          .resource_type = "Observation",
          .resource_id = "o1",
          .patients = std::move(patients),
          .outcome = status < 400 ? "success" : "failure",
          .http_status = status,
          .reason = status < 400 ? "" : "forbidden: no care relation",
          .request_id = "req-" + std::to_string(t)};
}

class AuditEventViewTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store =
        store::OpenStore({.path = core::testing::MakeTempDir() + "/m.db", .kek = &kek_}, env_);
    ASSERT_THAT(store, core::testing::IsOk());
    store_ = std::move(*store);
    view_ = std::make_unique<AuditEventView>(*store_);
  }

  void Append(const ledger::AuditEvent& e) {
    ASSERT_THAT(store_->Write([&](store::Transaction& tx) {
      return tx.AppendAudit(ledger::ToJson(e)).status();
    }),
                core::testing::IsOk());
  }

  RestResponse Search(std::vector<std::pair<std::string, std::string>> query,
                      std::string prefer = "") {
    RestRequest r;
    r.base_url = "https://h/fhir";
    r.query = std::move(query);
    r.prefer = std::move(prefer);
    return view_->Search(r);
  }

  // The ids of a searchset page, newest first.
  static std::vector<std::string> Ids(const RestResponse& r) {
    std::vector<std::string> ids;
    json::value bundle = json::parse(r.body);
    for (const auto& e : bundle.at("entry").as_array()) {
      ids.emplace_back(e.at("resource").at("id").as_string());
    }
    return ids;
  }
  static std::string NextLink(const RestResponse& r) {
    json::value bundle = json::parse(r.body);
    for (const auto& l : bundle.at("link").as_array()) {
      if (l.at("relation") == "next") return std::string(l.at("url").as_string());
    }
    return "";
  }

  core::Env env_ = core::Env::Real();
  crypto::AeadKey kek_ = crypto::AeadKey::Generate(core::Random::Secure());
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<AuditEventView> view_;
};

TEST_F(AuditEventViewTest, EachEventIsAValidR4AuditEventWithEveryRecordedField) {
  ledger::AuditEvent e = Event(k20261125 + 1234, "dr.sato", "read", {"p1", "p2"}, 403);
  e.client_subject = "CN=emr.example";
  e.emergency = true;
  json::object r = json::parse(ToFhirAuditEvent(7, e)).as_object();
  EXPECT_THAT(Validate(r), IsEmpty()) << json::serialize(r);
  EXPECT_EQ(r.at("id"), "7");
  EXPECT_EQ(r.at("recorded"), "2026-11-25T00:00:01.234Z");
  EXPECT_EQ(r.at("action"), "R");
  EXPECT_EQ(r.at("outcome"), "4");
  EXPECT_EQ(r.at("outcomeDesc"), "forbidden: no care relation");
  EXPECT_EQ(r.at("subtype").at(0).at("code"), "read");
  EXPECT_EQ(r.at("purposeOfEvent").at(0).at("coding").at(0).at("code"), "ETREAT");
  const json::array& agents = r.at("agent").as_array();
  EXPECT_EQ(agents.at(0).at("who").at("identifier").at("value"), "dr.sato");
  EXPECT_EQ(agents.at(0).at("role").at(0).at("text"), "physician");
  EXPECT_EQ(agents.at(0).at("network").at("address"), "192.0.2.7");
  EXPECT_EQ(agents.at(1).at("name"), "CN=emr.example");
  const json::array& entities = r.at("entity").as_array();
  EXPECT_EQ(entities.at(0).at("what").at("reference"), "Patient/p1");
  EXPECT_EQ(entities.at(1).at("what").at("reference"), "Patient/p2");
  EXPECT_EQ(entities.at(2).at("what").at("reference"), "Observation/o1");
  EXPECT_EQ(entities.at(3).at("name"), "GET /fhir/{type}/{id}");
  EXPECT_EQ(entities.at(3).at("detail").at(1).at("valueString"), "req-1795564801234");
}

TEST_F(AuditEventViewTest, ActionsAndOutcomesMapToFhirCodes) {
  EXPECT_EQ(FhirAuditAction(Event(0, "u", "create", {})), "C");
  EXPECT_EQ(FhirAuditAction(Event(0, "u", "update", {})), "U");
  EXPECT_EQ(FhirAuditAction(Event(0, "u", "delete", {})), "D");
  EXPECT_EQ(FhirAuditAction(Event(0, "u", "history-type", {})), "R");
  EXPECT_EQ(FhirAuditAction(Event(0, "u", "search-type", {})), "E");
  EXPECT_EQ(FhirAuditAction(Event(0, "u", "login", {})), "E");
  EXPECT_EQ(FhirAuditOutcome(Event(0, "u", "read", {}, 200)), "0");
  EXPECT_EQ(FhirAuditOutcome(Event(0, "u", "read", {}, 404)), "4");
  EXPECT_EQ(FhirAuditOutcome(Event(0, "u", "read", {}, 503)), "8");
}

TEST_F(AuditEventViewTest, SearchFiltersByPatientAgentDateActionAndOutcome) {
  const uint64_t d = RecentMidnight();
  Append(Event(d - kDay, "dr.sato", "read", {"p1"}));             // 0
  Append(Event(d + 10, "dr.sato", "search-type", {"p1", "p2"}));  // 1
  Append(Event(d + 20, "ns.ito", "read", {"p2"}, 403));           // 2
  Append(Event(d + kDay, "ns.ito", "create", {"p3"}, 201));       // 3
  EXPECT_THAT(Ids(Search({})), ElementsAre("3", "2", "1", "0"));
  EXPECT_THAT(Ids(Search({{"patient", "Patient/p2"}})), ElementsAre("2", "1"));
  EXPECT_THAT(Ids(Search({{"patient", "p1"}})), ElementsAre("1", "0"));
  EXPECT_THAT(Ids(Search({{"agent", "ns.ito"}})), ElementsAre("3", "2"));
  EXPECT_THAT(Ids(Search({{"date", Day(d)}})), ElementsAre("2", "1"));
  EXPECT_THAT(Ids(Search({{"date", "ge" + Day(d)}})), ElementsAre("3", "2", "1"));
  EXPECT_THAT(Ids(Search({{"date", "lt" + Day(d)}})), ElementsAre("0"));
  EXPECT_THAT(Ids(Search({{"date", "gt" + Day(d)}, {"date", "le" + Day(d + kDay)}})),
              ElementsAre("3"));
  EXPECT_THAT(Ids(Search({{"date", Day(d) + "T00:00:00.020Z"}})), ElementsAre("2"));
  EXPECT_THAT(Ids(Search({{"date", Day(d) + "T00:00:00Z"}})), ElementsAre("2", "1"));
  EXPECT_THAT(Ids(Search({{"action", "C"}})), ElementsAre("3"));
  EXPECT_THAT(Ids(Search({{"action", "R,E"}})), ElementsAre("2", "1", "0"));
  EXPECT_THAT(Ids(Search({{"subtype", "search-type"}})), ElementsAre("1"));
  EXPECT_THAT(Ids(Search({{"outcome", "4"}})), ElementsAre("2"));
  EXPECT_THAT(Ids(Search({{"agent", "dr.sato"}, {"patient", "p2"}})), ElementsAre("1"));
}

TEST_F(AuditEventViewTest, PagesRunFromTheNewestToTheOldestEventWithoutGapsOrRepeats) {
  for (uint64_t i = 0; i < 600; ++i) {
    Append(Event(RecentMidnight() + i, i % 3 == 0 ? "dr.sato" : "ns.ito", "read", {"p1"}));
  }
  std::vector<std::string> seen;
  RestResponse page = Search({{"agent", "dr.sato"}, {"_count", "70"}});
  int pages = 1;
  for (;;) {
    ASSERT_EQ(page.status, 200) << page.body;
    for (std::string& id : Ids(page)) seen.push_back(std::move(id));
    std::string next = NextLink(page);
    if (next.empty()) break;
    ASSERT_TRUE(next.starts_with("https://h/fhir/AuditEvent?agent=dr.sato&_count=70&_page_before="))
        << next;
    page = Search({{"agent", "dr.sato"},
                   {"_count", "70"},
                   {"_page_before", next.substr(next.rfind('=') + 1)}});
    ++pages;
  }
  ASSERT_EQ(seen.size(), 200u);
  for (size_t k = 0; k < seen.size(); ++k) EXPECT_EQ(seen[k], std::to_string(597 - 3 * k));
  EXPECT_EQ(pages, 3);
}

TEST_F(AuditEventViewTest, ReadByIdAndUnknownIdsAre404) {
  Append(Event(RecentMidnight(), "dr.sato", "read", {"p1"}));
  RestRequest req;
  RestResponse one = view_->Read("0", req);
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(json::parse(one.body).at("entity").at(0).at("what").at("reference"), "Patient/p1");
  EXPECT_EQ(view_->Read("1", req).status, 404);
  EXPECT_EQ(view_->Read("x", req).status, 404);
  EXPECT_EQ(view_->Read("18446744073709551615", req).status, 404);
}

TEST_F(AuditEventViewTest, BadOrUnsupportedParametersAre400NamingThemUnlessLenient) {
  Append(Event(RecentMidnight(), "dr.sato", "read", {"p1"}));
  RestResponse unknown = Search({{"entity-name", "x"}});
  EXPECT_EQ(unknown.status, 400);
  EXPECT_THAT(unknown.body, ::testing::HasSubstr("entity-name"));
  EXPECT_EQ(Search({{"date", "yesterday"}}).status, 400);
  EXPECT_EQ(Search({{"date", "xx2026-11-25"}}).status, 400);
  EXPECT_EQ(Search({{"_count", "0"}}).status, 400);
  EXPECT_EQ(Search({{"_page_before", "-1"}}).status, 400);
  RestResponse lenient = Search({{"entity-name", "x"}}, "handling=lenient");
  EXPECT_EQ(lenient.status, 200);
  EXPECT_THAT(Ids(lenient), ElementsAre("0"));
}

}  // namespace
}  // namespace mamori::fhir
