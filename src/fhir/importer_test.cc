// SPDX-License-Identifier: Apache-2.0
// fhir::Importer: Bundles larger than max_bundle_bytes are streamed entry by
// entry (a 1 GB batch Bundle needs no 1 GB of memory); transactions that
// large are refused; the scanner copes with any bytes inside strings.
#include "fhir/importer.h"

#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/testing/status_matchers.h"
#include "core/testing/temp_dir.h"
#include "fhir/internal/entry_scanner.h"

namespace mamori::fhir {
namespace {

using core::StatusCode;
using core::testing::IsOk;
using core::testing::StatusIs;
using ::testing::HasSubstr;

std::string WriteFile(const std::string& dir, const std::string& name, const std::string& text) {
  std::string path = dir + "/" + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

// A batch Bundle of `n` Patients with ids p0..p(n-1); "type" comes last in
// the file, after the entries, and names contain JSON punctuation.
std::string BatchBundle(int n, const std::string& type = "batch") {
  std::string out = R"({"resourceType":"Bundle","entry":[)";
  for (int i = 0; i < n; ++i) {
    if (i > 0) out += ",";
    out += R"({"resource":{"resourceType":"Patient","id":"p)" + std::to_string(i) +
           R"(","name":[{"text":"a } ] \" { [ \\ )" + std::to_string(i) +
           R"("}]},"request":{"method":"PUT","url":"Patient/p)" + std::to_string(i) + R"("}})";
  }
  return out + R"(],"type":")" + type + R"("})";
}

class ImporterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = store::OpenStore({.path = dir_ + "/m.db", .kek = &kek_}, env_);
    ASSERT_THAT(store, IsOk());
    store_ = std::move(*store);
    api_ = std::make_unique<RestApi>(*store_, env_);
  }
  core::Result<ImportSummary> Import(const std::string& path, ImportOptions options) {
    Importer importer(*api_, *store_, env_, options);
    return importer.ImportFile(path, nullptr);
  }

  core::Env env_ = core::Env::Real();
  std::string dir_ = core::testing::MakeTempDir();
  crypto::AeadKey kek_ = crypto::AeadKey::Generate(core::Random::Secure());
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<RestApi> api_;
};

TEST_F(ImporterTest, ALargeBatchBundleIsStreamedEntryByEntry) {
  std::string path = WriteFile(dir_, "batch.json", BatchBundle(600));
  auto summary = Import(path, {.chunk_size = 64, .max_bundle_bytes = 4096});
  ASSERT_THAT(summary, IsOk());
  EXPECT_EQ(summary->imported, 600u);
  auto read = store_->Read("Patient", "p599");
  ASSERT_THAT(read, IsOk());
  EXPECT_THAT(read->json, HasSubstr(R"(a } ] \" { [ \\ 599)"));
}

TEST_F(ImporterTest, StreamedAndWholeImportsStoreTheSame) {
  std::string path = WriteFile(dir_, "batch.json", BatchBundle(50));
  ASSERT_THAT(Import(path, {.max_bundle_bytes = 1024}), IsOk());
  std::string streamed = store_->Read("Patient", "p7")->json;
  ASSERT_THAT(Import(path, {}), IsOk());  // read whole: version 2 of each
  auto whole = store_->Read("Patient", "p7");
  ASSERT_THAT(whole, IsOk());
  EXPECT_EQ(whole->version, 2);
  auto strip = [](std::string s) { return s.substr(s.find("\"name\"")); };
  EXPECT_EQ(strip(streamed), strip(whole->json));
}

TEST_F(ImporterTest, ATransactionTooLargeToHoldIsRefusedAndStoresNothing) {
  std::string path = WriteFile(dir_, "tx.json", BatchBundle(100, "transaction"));
  auto summary = Import(path, {.max_bundle_bytes = 1024});
  EXPECT_THAT(summary, StatusIs(StatusCode::kResourceExhausted));
  EXPECT_THAT(summary.status().message(), HasSubstr("NDJSON"));
  EXPECT_THAT(store_->Read("Patient", "p0"), StatusIs(StatusCode::kNotFound));
}

TEST_F(ImporterTest, ABadEntryInAStreamedBundleIsNamedByItsIndex) {
  std::string bundle = BatchBundle(10);
  bundle.replace(bundle.find(R"("id":"p3")"), 9, R"("id":"p3","gender":"CANARY-x")");
  std::string path = WriteFile(dir_, "bad.json", bundle);
  auto failed = Import(path, {.max_bundle_bytes = 256});
  ASSERT_THAT(failed, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(failed.status().message(), HasSubstr("Bundle.entry[3]"));
  EXPECT_THAT(failed.status().message(), ::testing::Not(HasSubstr("CANARY")));
  auto skipped = Import(path, {.max_bundle_bytes = 256, .continue_on_error = true});
  ASSERT_THAT(skipped, IsOk());
  EXPECT_EQ(skipped->imported, 9u);
  EXPECT_EQ(skipped->rejected, 1u);
}

TEST_F(ImporterTest, ATruncatedBundleIsAnErrorWithTheOffset) {
  std::string bundle = BatchBundle(5);
  std::string path = WriteFile(dir_, "cut.json", bundle.substr(0, bundle.size() / 2));
  auto r = internal::ScanBundleEntries(path, [](std::string) { return core::Status::Ok(); });
  EXPECT_THAT(r, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(r.message(), HasSubstr("invalid Bundle at byte"));
}

TEST_F(ImporterTest, TheScannerFindsTypeAfterTheEntries) {
  std::string path = WriteFile(dir_, "b.json", BatchBundle(3, "collection"));
  EXPECT_THAT(internal::ScanBundleType(path),
              core::testing::IsOkAndHolds(std::string("collection")));
  int entries = 0;
  ASSERT_THAT(internal::ScanBundleEntries(path,
                                          [&](std::string text) {
                                            ++entries;
                                            EXPECT_EQ(text.front(), '{');
                                            EXPECT_EQ(text.back(), '}');
                                            return core::Status::Ok();
                                          }),
              IsOk());
  EXPECT_EQ(entries, 3);
}

}  // namespace
}  // namespace mamori::fhir
