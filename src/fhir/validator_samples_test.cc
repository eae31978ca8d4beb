// SPDX-License-Identifier: Apache-2.0
// The published sample data must validate cleanly (GUIDELINE SYS-07): the 36
// JP Core examples and the 11 Synthea transaction Bundles in shared/data/fhir,
// each Bundle as a whole and each of its entries on its own.

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/testing/status_matchers.h"
#include "fhir/internal/test_data.h"
#include "fhir/validator.h"

namespace mamori::fhir {

namespace {

using core::testing::IsOk;
using ::testing::IsEmpty;

boost::json::object Load(const std::string& path) {
  auto parsed = ParseResourceJson(test_data::ReadFile(path));
  EXPECT_THAT(parsed, IsOk()) << path;
  return parsed.ok() ? *parsed : boost::json::object();
}

TEST(SampleDataTest, EveryJpCoreExampleValidatesWithoutIssues) {
  std::vector<std::string> files = test_data::JsonFiles("jp-core");
  ASSERT_EQ(files.size(), 36u);
  for (const std::string& path : files) {
    EXPECT_THAT(Validate(Load(path)), IsEmpty()) << path;
  }
}

TEST(SampleDataTest, EverySyntheaBundleValidatesWithoutIssues) {
  std::vector<std::string> files = test_data::JsonFiles("synthea");
  ASSERT_EQ(files.size(), 11u);
  for (const std::string& path : files) {
    EXPECT_THAT(Validate(Load(path)), IsEmpty()) << path;
  }
}

TEST(SampleDataTest, EverySyntheaEntryValidatesOnItsOwn) {
  size_t entries = 0;
  for (const std::string& path : test_data::JsonFiles("synthea")) {
    boost::json::object bundle = Load(path);
    for (const boost::json::value& entry : bundle["entry"].as_array()) {
      const boost::json::object& resource = entry.as_object().at("resource").as_object();
      EXPECT_THAT(Validate(resource), IsEmpty()) << path << " entry " << entries;
      ++entries;
    }
  }
  EXPECT_EQ(entries, 3086u);
}

}  // namespace
}  // namespace mamori::fhir
