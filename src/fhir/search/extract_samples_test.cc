// SPDX-License-Identifier: Apache-2.0
// Extraction over every resource in shared/data/fhir (11 Synthea bundles, 36
// JP Core examples): it succeeds, every value an expression selects turns
// into entries (or is on the short documented list of values that have no
// index form), and the entries keep the invariants index.h promises.

#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <boost/json/parse.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/testing/status_matchers.h"
#include "fhir/internal/test_data.h"
#include "fhir/json_parser.h"
#include "fhir/search/extract.h"
#include "fhir/search/internal/compiled_params.h"
#include "fhir/search/internal/fhirpath.h"
#include "fhir/search/internal/index_values.h"
#include "fhir/search/normalize.h"

namespace mamori::fhir::search {
namespace {

// The production parser: decimals arrive as exact-text decimals
// (fhir/json_number.h), as they do from the REST API and import.
boost::json::object Parsed(std::string_view text) {
  auto parsed = ::mamori::fhir::ParseResourceJson(text, {.max_bytes = size_t{1} << 30});
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
  return parsed.ok() ? std::move(*parsed) : boost::json::object();
}

using ::mamori::core::testing::IsOk;
using ::testing::IsEmpty;

std::vector<boost::json::object> LoadSamples() {
  std::vector<boost::json::object> out;
  for (const std::string& path : test_data::JsonFiles("synthea")) {
    boost::json::value bundle = Parsed(test_data::ReadFile(path));
    for (const boost::json::value& entry : bundle.at("entry").as_array()) {
      out.push_back(entry.at("resource").as_object());
    }
  }
  for (const std::string& path : test_data::JsonFiles("jp-core")) {
    out.push_back(Parsed(test_data::ReadFile(path)));
  }
  return out;
}

class SamplesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { samples_ = new std::vector<boost::json::object>(LoadSamples()); }
  static void TearDownTestSuite() { delete samples_; }
  static std::vector<boost::json::object>* samples_;
};
std::vector<boost::json::object>* SamplesTest::samples_ = nullptr;

TEST_F(SamplesTest, EverySampleResourceExtracts) {
  ASSERT_GT(samples_->size(), 2000u);
  std::map<std::string, std::pair<size_t, size_t>> per_type;  // resources, entries
  for (const boost::json::object& r : *samples_) {
    core::Result<std::vector<IndexEntry>> entries = ExtractIndexEntries(r);
    ASSERT_THAT(entries, IsOk());
    auto& [resources, count] = per_type[std::string(r.at("resourceType").as_string())];
    ++resources;
    count += entries->size();
  }
  for (const auto& [type, counts] : per_type) {
    std::cout << type << ": " << counts.first << " resources, " << counts.second / counts.first
              << " entries each on average\n";
  }
}

// A reference with nothing to look up: to a contained resource ("#id"; the
// contained resources themselves are not searchable) or with a display only.
bool IsUnresolvableReference(const internal::Item& item) {
  if (item.type != "Reference" || item.object == nullptr) return false;
  if (item.object->contains("identifier")) return false;
  const boost::json::value* ref = item.object->if_contains("reference");
  return ref == nullptr || (ref->is_string() && ref->get_string().starts_with("#"));
}

// The values an expression selects but the conversion for the parameter type
// does not index (with every optional form on), as "Base.code <- FHIR type".
// Expected: none, apart from
// contained and display-only references (Synthea's ExplanationOfBenefit and
// JP Core's DiagnosticReport, MedicationRequest and Observation have them).
TEST_F(SamplesTest, EverySelectedValueTurnsIntoEntries) {
  std::set<std::string> unindexed;
  for (const boost::json::object& r : *samples_) {
    internal::Item root = internal::RootItem(r);
    for (const internal::CompiledParam& p : internal::CompiledParams(root.type)) {
      if (!p.expression || p.param->type == SearchParamType::kComposite) continue;
      for (const internal::Item& item : internal::Evaluate(*p.expression, root)) {
        std::vector<IndexEntry> out;
        internal::AppendItemEntries(p.param->type, item, {.token_text = true},
                                    internal::Yield::kFull, out);
        if (out.empty() && !IsUnresolvableReference(item))
          unindexed.insert(p.param->base + "." + p.param->code + " <- " + std::string(item.type));
      }
    }
  }
  for (const std::string& u : unindexed) std::cout << "not indexed: " << u << "\n";
  EXPECT_THAT(unindexed, IsEmpty());
}

TEST_F(SamplesTest, PrefixAndGramEntriesAreNormalizedSlices) {
  for (const boost::json::object& r : *samples_) {
    core::Result<std::vector<IndexEntry>> entries = ExtractIndexEntries(r);
    ASSERT_THAT(entries, IsOk());
    for (const IndexEntry& e : *entries) {
      if (e.form != IndexForm::kStringPrefix && e.form != IndexForm::kStringGram &&
          e.form != IndexForm::kTokenTextPrefix) {
        continue;
      }
      size_t length = Utf8Length(e.value);
      if (e.form == IndexForm::kStringGram) {
        EXPECT_EQ(length, kGramLength) << e.param;  // may span a space: "a b" has "a " and " b"
        EXPECT_NE(e.value.find_first_not_of(' '), std::string::npos) << e.param;
      } else {
        // A prefix is itself a normalized string: folding a query gives the same bytes.
        EXPECT_EQ(NormalizeString(e.value), e.value) << e.param;
        EXPECT_GE(length, 1u) << e.param;
        EXPECT_LE(length, kDefaultMaxPrefix) << e.param;
      }
    }
  }
}

// Exactly one way to answer :missing per parameter with entries: a kPresent
// entry, or, for ordered parameters, their shared-hash range entries instead;
// none for required parameters, which index only an absent value.
TEST_F(SamplesTest, EveryParameterWithEntriesHasOnePresenceSignal) {
  for (const boost::json::object& r : *samples_) {
    core::Result<std::vector<IndexEntry>> entries = ExtractIndexEntries(r);
    ASSERT_THAT(entries, IsOk());
    std::string type(r.at("resourceType").as_string());
    std::map<std::string, int> present;
    std::map<std::string, bool> implied;
    for (const IndexEntry& e : *entries) {
      present[e.param] += e.form == IndexForm::kPresent && e.value.empty() ? 1 : 0;
      const SearchParameter* p = Definitions::R4().FindSearchParameter(type, e.param);
      ASSERT_NE(p, nullptr) << e.param;
      std::optional<IndexForm> form = PresenceForm(p->type);
      implied[e.param] = implied[e.param] || (form && e.form == *form && e.value.empty());
    }
    for (const auto& [param, count] : present) {
      const SearchParameter* p = Definitions::R4().FindSearchParameter(type, param);
      if (ValueIsRequired(*p)) {
        EXPECT_EQ(count, 0) << param;
      } else {
        EXPECT_EQ(count + (implied[param] ? 1 : 0), 1) << param;
      }
    }
  }
}

TEST_F(SamplesTest, RangesAreOrdered) {
  for (const boost::json::object& r : *samples_) {
    core::Result<std::vector<IndexEntry>> entries = ExtractIndexEntries(r);
    ASSERT_THAT(entries, IsOk());
    for (const IndexEntry& e : *entries) {
      if (e.time) {
        EXPECT_LT(e.time->low, e.time->high) << e.param;
      }
      if (e.number) {
        EXPECT_LE(e.number->low, e.number->high) << e.param;
      }
    }
  }
}

}  // namespace
}  // namespace mamori::fhir::search
