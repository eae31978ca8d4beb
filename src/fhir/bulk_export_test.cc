// SPDX-License-Identifier: Apache-2.0
// Bulk Data export (issue 5): what a system, Patient and Group export selects
// with _type, _since and _typeFilter, the NDJSON read back from the store,
// and the asynchronous jobs (progress, owner, cancel, the planned hook that
// records the export before anything is served).
#include "fhir/bulk_export.h"

#include <chrono>
#include <set>
#include <thread>

#include <boost/json/parse.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/testing/status_matchers.h"
#include "core/testing/temp_dir.h"
#include "fhir/rest_api.h"

namespace mamori::fhir {
namespace {

using core::testing::IsOk;
using core::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::UnorderedElementsAre;

class BulkExportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = store::OpenStore({.path = core::testing::MakeTempDir() + "/m.db", .kek = &kek_}, env_);
    ASSERT_THAT(s, IsOk());
    store_ = std::move(*s);
    api_ = std::make_unique<RestApi>(*store_, env_);
    Put("Patient", "p1", R"({"resourceType":"Patient","id":"p1","name":[{"family":"やまだ"}]})");
    Put("Patient", "p2", R"({"resourceType":"Patient","id":"p2","gender":"female"})");
    Put("Patient", "p3", R"({"resourceType":"Patient","id":"p3"})");
    for (const char* id : {"o1", "o2", "o3"}) {
      std::string patient = std::string(id) == "o3" ? "p2" : "p1";
      std::string code = std::string(id) == "o2" ? "8302-2" : "29463-7";
      Put("Observation", id,
          R"({"resourceType":"Observation","id":")" + std::string(id) +
              R"(","status":"final","code":{"coding":[{"system":"http://loinc.org","code":")" +
              code + R"("}]},"subject":{"reference":"Patient/)" + patient + R"("}})");
    }
    Put("Organization", "org1", R"({"resourceType":"Organization","id":"org1","name":"Clinic"})");
    Put("Group", "g1",
        R"({"resourceType":"Group","id":"g1","type":"person","actual":true,)"
        R"("member":[{"entity":{"reference":"Patient/p2"}},{"entity":{"reference":"Patient/p3"}}]})");
  }

  void Put(const std::string& type, const std::string& id, const std::string& json) {
    RestRequest req{.base_url = "https://h/fhir", .body = json};
    RestResponse r = api_->Update(type, id, req);
    ASSERT_LT(r.status, 300) << r.body;
  }

  // type/id of every resource the plan's files hold, read back as NDJSON lines.
  std::vector<std::string> Exported(const ExportPlan& plan) {
    std::vector<std::string> out;
    for (const ExportFile& f : plan.files) {
      auto n = ReadExportFile(*store_, f, [&](std::string_view json) {
        EXPECT_EQ(json.find('\n'), std::string_view::npos);
        auto r = boost::json::parse(json).as_object();
        EXPECT_EQ(r.at("resourceType").as_string(), f.type);
        out.push_back(f.type + "/" + std::string(r.at("id").as_string()));
        return core::Status::Ok();
      });
      EXPECT_THAT(n, IsOk());
    }
    return out;
  }

  std::vector<std::string> Run(ExportLevel level, const QueryPairs& pairs,
                               const std::string& group = "") {
    auto request = ParseExportRequest(level, group, pairs);
    EXPECT_THAT(request, IsOk());
    if (!request.ok()) return {};
    auto plan = PlanExport(*store_, env_, *request);
    EXPECT_THAT(plan, IsOk());
    return plan.ok() ? Exported(*plan) : std::vector<std::string>{};
  }

  core::Env env_ = core::Env::Real();
  crypto::AeadKey kek_ = crypto::AeadKey::Generate(env_.random());
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<RestApi> api_;
};

TEST_F(BulkExportTest, SystemExportHasEveryStoredResourceOfTheTypes) {
  EXPECT_THAT(
      Run(ExportLevel::kSystem, {}),
      UnorderedElementsAre("Patient/p1", "Patient/p2", "Patient/p3", "Observation/o1",
                           "Observation/o2", "Observation/o3", "Organization/org1", "Group/g1"));
  EXPECT_THAT(Run(ExportLevel::kSystem, {{"_type", "Observation,Organization"}}),
              UnorderedElementsAre("Observation/o1", "Observation/o2", "Observation/o3",
                                   "Organization/org1"));
}

TEST_F(BulkExportTest, PatientAndGroupExportsCoverTheCompartments) {
  // Organization is outside every patient compartment; the Group is in its
  // members' (Group.member is a compartment parameter in R4).
  EXPECT_THAT(Run(ExportLevel::kPatient, {}),
              UnorderedElementsAre("Patient/p1", "Patient/p2", "Patient/p3", "Observation/o1",
                                   "Observation/o2", "Observation/o3", "Group/g1"));
  EXPECT_THAT(Run(ExportLevel::kGroup, {}, "g1"),
              UnorderedElementsAre("Patient/p2", "Patient/p3", "Observation/o3", "Group/g1"));
  EXPECT_THAT(Run(ExportLevel::kGroup, {{"_type", "Observation"}}, "g1"),
              ElementsAre("Observation/o3"));
  auto request = ParseExportRequest(ExportLevel::kGroup, "nope", {});
  ASSERT_THAT(request, IsOk());
  EXPECT_THAT(PlanExport(*store_, env_, *request), StatusIs(core::StatusCode::kNotFound));
}

TEST_F(BulkExportTest, TypeFilterAndSinceNarrowTheExport) {
  EXPECT_THAT(Run(ExportLevel::kSystem,
                  {{"_type", "Observation,Patient"}, {"_typeFilter", "Observation?code=8302-2"}}),
              UnorderedElementsAre("Observation/o2", "Patient/p1", "Patient/p2", "Patient/p3"));
  // Two filters of one type are ORed.
  EXPECT_THAT(Run(ExportLevel::kSystem,
                  {{"_type", "Observation"},
                   {"_typeFilter", "Observation?code=8302-2,Observation?subject=Patient/p2"}}),
              UnorderedElementsAre("Observation/o2", "Observation/o3"));
  EXPECT_THAT(Run(ExportLevel::kSystem, {{"_since", "2999-01-01T00:00:00Z"}}),
              ::testing::IsEmpty());
  EXPECT_EQ(Run(ExportLevel::kSystem, {{"_since", "2000-01-01T00:00:00Z"}}).size(), 8u);
}

TEST_F(BulkExportTest, FilesAreSplitAndReadTheCurrentVersionWithoutDeletedOnes) {
  auto request = ParseExportRequest(ExportLevel::kSystem, "", {{"_type", "Observation"}});
  ASSERT_THAT(request, IsOk());
  auto plan = PlanExport(*store_, env_, *request, {.max_per_file = 2});
  ASSERT_THAT(plan, IsOk());
  ASSERT_EQ(plan->files.size(), 2u);
  EXPECT_EQ(plan->total, 3);
  EXPECT_THAT(plan->counts, ElementsAre(std::make_pair(std::string("Observation"), int64_t{3})));
  RestRequest del;
  EXPECT_EQ(api_->Delete("Observation", "o1", del).status, 204);
  EXPECT_THAT(Exported(*plan), UnorderedElementsAre("Observation/o2", "Observation/o3"));
}

TEST_F(BulkExportTest, BadParametersAreNamedWithoutTheirValues) {
  EXPECT_THAT(ParseExportRequest(ExportLevel::kSystem, "", {{"_type", "Nope"}}),
              StatusIs(core::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseExportRequest(ExportLevel::kPatient, "", {{"_type", "Organization"}}),
              StatusIs(core::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseExportRequest(ExportLevel::kSystem, "", {{"_since", "やまだ"}}),
              StatusIs(core::StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseExportRequest(ExportLevel::kSystem, "", {{"_outputFormat", "text/csv"}}),
              StatusIs(core::StatusCode::kInvalidArgument));
  auto bad = ParseExportRequest(ExportLevel::kSystem, "",
                                {{"_type", "Patient"}, {"_typeFilter", "Patient?nope=やまだ"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("nope"));
  EXPECT_THAT(bad.status().message(), Not(HasSubstr("やまだ")));
  // A filter for a type that is not exported.
  EXPECT_THAT(ParseExportRequest(ExportLevel::kSystem, "",
                                 {{"_type", "Patient"}, {"_typeFilter", "Observation?code=x"}}),
              StatusIs(core::StatusCode::kInvalidArgument));
  auto unknown = ParseExportRequest(ExportLevel::kSystem, "", {{"patient", "p1"}});
  ASSERT_FALSE(unknown.ok());
  EXPECT_THAT(unknown.status().message(), HasSubstr("patient"));
}

ExportJobs::Status WaitFor(ExportJobs& jobs, const std::string& id, const std::string& owner) {
  for (int i = 0; i < 500; ++i) {
    auto s = jobs.Get(id, owner);
    if (!s.ok()) return {};
    if (s->state == ExportJobs::State::kComplete || s->state == ExportJobs::State::kFailed) {
      return *s;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ADD_FAILURE() << "the job did not finish";
  return {};
}

TEST_F(BulkExportTest, JobsRunInTheBackgroundForTheirOwnerOnly) {
  ExportJobs jobs(*store_, env_, {.max_jobs = 2});
  auto request = ParseExportRequest(ExportLevel::kSystem, "", {{"_type", "Patient"}});
  ASSERT_THAT(request, IsOk());
  std::string recorded;
  auto id = jobs.Start(*request, "lab", "https://h/fhir/$export",
                       [&](const std::string& job, const ExportPlan& plan) {
                         recorded = job + ":" + std::to_string(plan.total);
                         return core::Status::Ok();
                       });
  ASSERT_THAT(id, IsOk());
  EXPECT_EQ(id->size(), 32u);
  ExportJobs::Status done = WaitFor(jobs, *id, "lab");
  ASSERT_EQ(done.state, ExportJobs::State::kComplete);
  EXPECT_EQ(recorded, *id + ":3");  // recorded before it was complete
  EXPECT_EQ(done.plan->total, 3);
  EXPECT_EQ(done.request_url, "https://h/fhir/$export");
  EXPECT_THAT(jobs.Get(*id, "someone-else"), StatusIs(core::StatusCode::kNotFound));
  EXPECT_THAT(jobs.Cancel(*id, "someone-else"), StatusIs(core::StatusCode::kNotFound));
  // A failed record fails the job: nothing is served without it.
  auto failing = jobs.Start(*request, "lab", "u", [](const std::string&, const ExportPlan&) {
    return core::UnavailableError("ledger down");
  });
  ASSERT_THAT(failing, IsOk());
  ExportJobs::Status failed = WaitFor(jobs, *failing, "lab");
  EXPECT_EQ(failed.state, ExportJobs::State::kFailed);
  EXPECT_EQ(failed.plan, nullptr);
  // At most max_jobs; deleting one makes room.
  EXPECT_THAT(jobs.Start(*request, "lab", "u", nullptr),
              StatusIs(core::StatusCode::kResourceExhausted));
  EXPECT_THAT(jobs.Cancel(*id, "lab"), IsOk());
  EXPECT_THAT(jobs.Get(*id, "lab"), StatusIs(core::StatusCode::kNotFound));
  auto again = jobs.Start(*request, "lab", "u",
                          [](const std::string&, const ExportPlan&) { return core::Status::Ok(); });
  EXPECT_THAT(again, IsOk());
}

}  // namespace
}  // namespace mamori::fhir
