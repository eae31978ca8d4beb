// SPDX-License-Identifier: Apache-2.0
// `mamori reindex` (issue 5): Store::RebuildSearchIndex with the fhir
// indexer rebuilds the rows of resources whose entries are missing (stored
// before their search parameters existed, or under an older index form), so
// searches find them again; rows of resources that had them are rebuilt the
// same; progress is reported.
#include <boost/json/parse.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/testing/status_matchers.h"
#include "core/testing/temp_dir.h"
#include "fhir/rest_api.h"
#include "fhir/search_index.h"

namespace mamori::fhir {
namespace {

using core::testing::IsOk;

std::vector<std::string> Ids(const RestResponse& r) {
  std::vector<std::string> out;
  auto bundle = boost::json::parse(r.body).as_object();
  for (const auto& e : bundle.at("entry").as_array()) {
    out.emplace_back(e.at("resource").at("id").as_string());
  }
  return out;
}

TEST(ReindexTest, RebuildingTheIndexMakesUnindexedResourcesSearchable) {
  core::Env env = core::Env::Real();
  crypto::AeadKey kek = crypto::AeadKey::Generate(env.random());
  auto store = store::OpenStore(
      {.path = core::testing::MakeTempDir() + "/m.db", .kek = &kek, .indexer = IndexStoredResource},
      env);
  ASSERT_THAT(store, IsOk());
  RestApi api(**store, env);
  RestRequest put{.body =
                      R"({"resourceType":"Patient","id":"indexed","name":[{"family":"やまだ"}]})"};
  ASSERT_EQ(api.Update("Patient", "indexed", put).status, 201);
  // Two patients stored without entries, as by a version whose parameters
  // did not index them.
  for (const char* id : {"old-1", "old-2"}) {
    std::string json = std::string(R"({"resourceType":"Patient","id":")") + id +
                       R"(","name":[{"family":"ﾔﾏﾀﾞ"}]})";
    ASSERT_THAT((*store)->Write([&](store::Transaction& tx) {
      return tx
          .Put({.type = "Patient",
                .id = id,
                .compartment = id,
                .render = [&](int64_t, core::Clock::WallTime) { return json; }})
          .status();
    }),
                IsOk());
  }
  RestRequest search;
  search.query = {{"family", "ヤマダ"}};
  EXPECT_THAT(Ids(api.Search("Patient", search)), ::testing::ElementsAre("indexed"));

  std::vector<std::pair<int64_t, int64_t>> progress;
  ASSERT_THAT((*store)->RebuildSearchIndex(
                  [&](int64_t done, int64_t total) { progress.emplace_back(done, total); }),
              IsOk());
  EXPECT_THAT(Ids(api.Search("Patient", search)),
              ::testing::UnorderedElementsAre("indexed", "old-1", "old-2"));
  ASSERT_FALSE(progress.empty());
  EXPECT_EQ(progress.back(), std::make_pair(int64_t{3}, int64_t{3}));
  // Writes after the rebuild index as before.
  RestRequest more{.body = R"({"resourceType":"Patient","id":"new","name":[{"family":"やまだ"}]})"};
  ASSERT_EQ(api.Update("Patient", "new", more).status, 201);
  EXPECT_EQ(Ids(api.Search("Patient", search)).size(), 4u);
}

TEST(ReindexTest, AStoreWithoutAnIndexerRefuses) {
  core::Env env = core::Env::Real();
  crypto::AeadKey kek = crypto::AeadKey::Generate(env.random());
  auto store = store::OpenStore({.path = core::testing::MakeTempDir() + "/m.db", .kek = &kek}, env);
  ASSERT_THAT(store, IsOk());
  EXPECT_THAT((*store)->RebuildSearchIndex(nullptr),
              core::testing::StatusIs(core::StatusCode::kFailedPrecondition));
}

}  // namespace
}  // namespace mamori::fhir
