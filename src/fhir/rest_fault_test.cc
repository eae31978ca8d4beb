// SPDX-License-Identifier: Apache-2.0
// Fail closed over the FHIR API (DESIGN invariant 2): a failed fsync or a
// full disk during a commit answers 503 with Retry-After to every request of
// that group, stores nothing of it, and keeps answering 503 to writes while
// committed records stay readable.
#include <thread>

#include <boost/json/parse.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/testing/log_capture.h"
#include "core/testing/status_matchers.h"
#include "core/testing/temp_dir.h"
#include "fhir/rest_api.h"
#include "store/testing/fault_vfs.h"

namespace mamori::fhir {
namespace {

class RestFaultTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    vfs_.Reset();
    Open();
  }
  void TearDown() override { vfs_.Reset(); }
  void Open() {
    api_.reset();
    store_.reset();
    auto s = store::OpenStore({.path = path_,
                               .kek = &kek_,
                               .checkpoint_interval_ms = 0,
                               .vfs_name_for_test = vfs_.name()},
                              env_);
    ASSERT_THAT(s, core::testing::IsOk());
    store_ = std::move(*s);
    api_ = std::make_unique<RestApi>(*store_, env_);
  }
  RestResponse Create() {
    RestRequest r;
    r.body = R"({"resourceType":"Patient","gender":"other"})";
    return api_->Create("Patient", r);
  }
  static std::string IdOf(const RestResponse& r) {
    return std::string(boost::json::parse(r.body).at("id").as_string());
  }
  void InjectFault() {
    if (GetParam()) {
      vfs_.FailNextSyncs(1);
    } else {
      vfs_.SetDiskFull(true);
    }
  }

  store::testing::FaultVfs& vfs_ = store::testing::FaultVfs::Get();
  core::Env env_ = core::Env::Real();
  crypto::AeadKey kek_ = crypto::AeadKey::Generate(core::Random::Secure());
  std::string path_ = core::testing::MakeTempDir() + "/m.db";
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<RestApi> api_;
};

TEST_P(RestFaultTest, EveryRequestOfTheFailedGroupGets503AndNothingIsStored) {
  core::testing::LogCapture quiet(/*quiet=*/true);
  RestResponse committed = Create();
  ASSERT_EQ(committed.status, 201);
  InjectFault();
  std::vector<RestResponse> results(8);
  std::vector<std::thread> threads;
  for (auto& r : results) threads.emplace_back([&] { r = Create(); });
  for (auto& t : threads) t.join();
  vfs_.Reset();
  int failed = 0;
  for (const RestResponse& r : results) {
    if (r.status == 201) continue;  // committed in a group before the fault
    ++failed;
    EXPECT_EQ(r.status, 503) << r.body;
    EXPECT_THAT(r.body, ::testing::HasSubstr("\"transient\""));
    bool retry_after = false;
    for (const auto& [k, v] : r.headers) retry_after = retry_after || k == "Retry-After";
    EXPECT_TRUE(retry_after);
  }
  EXPECT_GE(failed, 1);
  // Latched: writes keep failing, reads of committed data work.
  EXPECT_EQ(Create().status, 503);
  EXPECT_EQ(api_->Read("Patient", IdOf(committed), {}).status, 200);
  // After a restart, exactly the acknowledged creates exist.
  Open();
  int64_t acknowledged = 1;
  for (const RestResponse& r : results) acknowledged += r.status == 201 ? 1 : 0;
  auto history = boost::json::parse(api_->History("Patient", "", {}).body);
  EXPECT_EQ(history.at("total").as_int64(), acknowledged);
}

INSTANTIATE_TEST_SUITE_P(FsyncAndFullDisk, RestFaultTest, ::testing::Values(true, false));

}  // namespace
}  // namespace mamori::fhir
