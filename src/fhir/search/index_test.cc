// SPDX-License-Identifier: Apache-2.0
// index.h: forms, MAC input framing, lookup plans and range matching; and a
// round trip over the shared sample data (JP Core and one Synthea patient):
// parse a query, plan it, and answer it from the extracted entries alone (plus
// the documented rechecks), as the store will. Each row names the ids it must
// return, so a change in extraction, normalization or parsing that breaks a
// search breaks a row.

#include "fhir/search/index.h"

#include <algorithm>
#include <limits>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include <boost/json/parse.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/testing/status_matchers.h"
#include "fhir/internal/test_data.h"
#include "fhir/json_parser.h"
#include "fhir/search/extract.h"
#include "fhir/search/internal/fhir_time.h"
#include "fhir/search/match.h"
#include "fhir/search/normalize.h"
#include "fhir/search/query.h"

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
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::SizeIs;

constexpr int64_t kDay = 86'400'000'000;
int64_t Day(int y, unsigned m, unsigned d) { return internal::DaysFromCivil(y, m, d) * kDay; }

TEST(IndexFormTest, TagsAreStableAndDistinct) {
  std::vector<std::string_view> tags;
  for (int f = 0; f <= static_cast<int>(IndexForm::kComposite); ++f) {
    tags.push_back(FormTag(static_cast<IndexForm>(f)));
  }
  // Changing a tag changes every MAC: it needs a reindex, so this list is frozen.
  EXPECT_THAT(tags, ElementsAre("present", "tc", "tsc", "ts", "tot", "ttp", "sx", "sp", "sg", "sn",
                                "ref", "uri", "urib", "date", "num", "q", "qsc", "qc", "comp"));
}

TEST(IndexFormTest, HashInputSeparatesTypeParamFormAndValue) {
  IndexEntry e{.param = "identifier", .form = IndexForm::kTokenSystemCode, .value = "urn:x|1"};
  EXPECT_EQ(HashInput("Patient", e), std::string("Patient\0identifier\0tsc\0urn:x|1", 30));
  EXPECT_NE(HashInput("Patient", e), HashInput("Coverage", e));
}

TEST(IndexFormTest, CompositeKeysFrameEachPart) {
  std::vector<CompositePart> parts{{IndexForm::kTokenCode, "a$b"},
                                   {IndexForm::kQuantityCode, "mg"}};
  EXPECT_EQ(CompositeKey(parts), "6:tc=a$b5:qc=mg");
  std::vector<CompositePart> shifted{{IndexForm::kTokenCode, "a$b5:qc=mg"}};
  EXPECT_NE(CompositeKey(parts), CompositeKey(shifted));
}

SearchClause ClauseOf(std::string_view type, std::string name, std::string value) {
  std::vector<std::pair<std::string, std::string>> pairs{{std::move(name), std::move(value)}};
  core::Result<SearchQuery> q = ParseSearchQuery(type, pairs);
  EXPECT_THAT(q, IsOk());
  return q.ok() && !q->clauses.empty() ? q->clauses[0] : SearchClause{};
}

TEST(PlanLookupTest, TokenFormsPickTheirIndexForm) {
  SearchClause c = ClauseOf("Observation", "code", "http://loinc.org|1,2,|3,http://loinc.org|");
  std::vector<std::string> keys;
  for (const SearchValue& v : c.values) {
    LookupPlan plan = PlanLookup(c, v);
    ASSERT_THAT(plan.keys, SizeIs(1));
    keys.push_back(std::string(FormTag(plan.keys[0].form)) + ":" + plan.keys[0].value);
  }
  EXPECT_THAT(keys, ElementsAre("tsc:http://loinc.org|1", "tc:2", "tsc:|3", "ts:http://loinc.org"));
}

TEST(PlanLookupTest, LongPrefixesUseTheLongestIndexedPrefixAndARecheck) {
  SearchClause c = ClauseOf("Patient", "family", "Wolfeschlegelsteinhausen");
  LookupPlan plan = PlanLookup(c, c.values[0]);
  ASSERT_THAT(plan.keys, SizeIs(1));
  EXPECT_EQ(plan.keys[0].value, "wolfeschlege");
  EXPECT_TRUE(plan.recheck);
  c = ClauseOf("Patient", "family", "ﾔﾏﾀﾞ");
  plan = PlanLookup(c, c.values[0]);
  EXPECT_EQ(plan.keys[0].value, "やまだ");
  EXPECT_FALSE(plan.recheck);
}

TEST(PlanLookupTest, ContainsNeedsEveryGramAndARecheck) {
  SearchClause c = ClauseOf("Patient", "name:contains", "ｴﾁｶﾞ");
  LookupPlan plan = PlanLookup(c, c.values[0]);
  EXPECT_EQ(plan.combine, LookupPlan::Combine::kAll);
  ASSERT_THAT(plan.keys, SizeIs(2));  // えちが: えち, ちが
  EXPECT_EQ(plan.keys[0].value, "えち");
  EXPECT_EQ(plan.keys[1].value, "ちが");
  EXPECT_TRUE(plan.recheck);
  c = ClauseOf("Patient", "name:contains", "田");
  EXPECT_EQ(PlanLookup(c, c.values[0]).combine, LookupPlan::Combine::kScan);
}

TEST(PlanLookupTest, ContainsWithoutGramEntriesIsAScanWithARecheck) {
  SearchClause c = ClauseOf("Patient", "name:contains", "ｴﾁｶﾞ");
  LookupPlan plan = PlanLookup(c, c.values[0], {.contains_grams = false});
  EXPECT_EQ(plan.combine, LookupPlan::Combine::kScan);
  EXPECT_TRUE(plan.keys.empty());
  EXPECT_TRUE(plan.recheck);
  EXPECT_FALSE(LookupOptionsFor({.contains_grams = false}).contains_grams);
}

TEST(PlanLookupTest, SeveralWordsLookUpTheFirstAndRecheck) {
  SearchClause c = ClauseOf("Patient", "name", "山田　太");
  LookupPlan plan = PlanLookup(c, c.values[0]);
  ASSERT_THAT(plan.keys, SizeIs(1));
  EXPECT_EQ(plan.keys[0].value, "山田");
  EXPECT_TRUE(plan.recheck);
}

TEST(PlanLookupTest, TokenTextScansUnlessItsEntriesAreWritten) {
  SearchClause c = ClauseOf("Observation", "code:text", "Heart rate");
  LookupPlan plan = PlanLookup(c, c.values[0]);
  EXPECT_EQ(plan.combine, LookupPlan::Combine::kScan);
  EXPECT_TRUE(plan.recheck);
  plan = PlanLookup(c, c.values[0], {.token_text = true});
  EXPECT_EQ(plan.combine, LookupPlan::Combine::kAny);
  ASSERT_THAT(plan.keys, SizeIs(1));
  EXPECT_EQ(plan.keys[0].form, IndexForm::kTokenTextPrefix);
  EXPECT_EQ(plan.keys[0].value, "hear");  // 5 is no stored prefix length: 4, then recheck
  EXPECT_TRUE(plan.recheck);
}

TEST(PlanLookupTest, PrefixesLookUpTheLongestStoredLengthAndRecheckTheRest) {
  struct Case {
    const char* query;
    const char* key;
    bool recheck;
  };
  for (const Case& c :
       {Case{"w", "w", false}, Case{"wata", "wata", false}, Case{"watan", "wata", true},
        Case{"watana", "watana", false}, Case{"watanab", "watana", true},
        Case{"watanabe", "watanabe", false}, Case{"watanabetaro", "watanabetaro", false},
        Case{"watanabetarou", "watanabetaro", true}}) {
    SearchClause clause = ClauseOf("Patient", "family", c.query);
    LookupPlan plan = PlanLookup(clause, clause.values[0]);
    ASSERT_THAT(plan.keys, SizeIs(1)) << c.query;
    EXPECT_EQ(plan.keys[0].value, c.key) << c.query;
    EXPECT_EQ(plan.recheck, c.recheck) << c.query;
  }
  EXPECT_EQ(StoredPrefixLength(11, 12), 8u);
  EXPECT_EQ(StoredPrefixLength(5, 5), 5u);  // max itself is always stored
  EXPECT_FALSE(IsStoredPrefixLength(13, 12));
}

TEST(PlanLookupTest, MissingOnAnOrderedParameterAlsoLooksUpItsRangeEntries) {
  SearchClause c = ClauseOf("Patient", "birthdate:missing", "true");
  LookupPlan plan = PlanLookup(c, c.values[0]);
  ASSERT_THAT(plan.keys, SizeIs(2));
  EXPECT_EQ(plan.keys[0].form, IndexForm::kPresent);
  EXPECT_EQ(plan.keys[1].form, IndexForm::kDate);
  EXPECT_EQ(plan.keys[1].value, "");
  EXPECT_TRUE(plan.negate);
  c = ClauseOf("Patient", "family:missing", "false");
  plan = PlanLookup(c, c.values[0]);
  ASSERT_THAT(plan.keys, SizeIs(1));  // strings have no shared-hash form
  EXPECT_FALSE(plan.negate);
}

TEST(IndexFormTest, IdenticalParametersShareTheirHashes) {
  IndexEntry entry{.param = "phonetic", .form = IndexForm::kStringPrefix, .value = "ya"};
  EXPECT_EQ(IndexedParam("Patient", "phonetic"), "name");
  EXPECT_EQ(HashInput("Patient", entry), HashInput("Patient", "name", entry.form, entry.value));
  EXPECT_EQ(IndexedParam("Patient", "family"), "family");
  EXPECT_NE(HashInput("Patient", "family", entry.form, entry.value),
            HashInput("Patient", "name", entry.form, entry.value));
  // Composites with one expression differ in their components: never aliased.
  EXPECT_EQ(IndexedParam("Observation", "code-value-quantity"), "code-value-quantity");
}

TEST(PlanLookupTest, ReferencesWithoutTypeTryEveryTargetType) {
  SearchClause c = ClauseOf("Observation", "subject", "p1");
  LookupPlan plan = PlanLookup(c, c.values[0]);
  std::vector<std::string> keys;
  for (const LookupKey& k : plan.keys) keys.push_back(k.value);
  EXPECT_THAT(keys, ElementsAre("Device/p1", "Group/p1", "Location/p1", "Patient/p1"));
}

TEST(PlanLookupTest, MissingAndNotNegateThePlan) {
  SearchClause c = ClauseOf("Patient", "email:missing", "true");
  LookupPlan plan = PlanLookup(c, c.values[0]);
  EXPECT_EQ(plan.keys[0].form, IndexForm::kPresent);
  EXPECT_TRUE(plan.negate);
  c = ClauseOf("Patient", "gender:not", "male");
  EXPECT_TRUE(PlanLookup(c, c.values[0]).negate);
}

struct DateMatchCase {
  const char* name;
  const char* query;  // a date parameter value with prefix
  TimeRange target;
  bool matches;
};

void PrintTo(const DateMatchCase& c, std::ostream* os) { *os << c.name; }

class DateMatchTableTest : public ::testing::TestWithParam<DateMatchCase> {};

TEST_P(DateMatchTableTest, FollowsTheSpecRangeRules) {
  SearchClause c = ClauseOf("Encounter", "date", GetParam().query);
  ASSERT_THAT(c.values, SizeIs(1));
  EXPECT_EQ(DateMatches(std::get<DateValue>(c.values[0]), GetParam().target, Day(2024, 1, 1)),
            GetParam().matches);
}

constexpr int64_t kHour = 3'600'000'000;
// The examples of search.html "date".
INSTANTIATE_TEST_SUITE_P(
    Table, DateMatchTableTest,
    ::testing::Values(
        DateMatchCase{
            "EqMidnight", "eq2013-01-14", {Day(2013, 1, 14), Day(2013, 1, 14) + 60'000'000}, true},
        DateMatchCase{"EqTenAm",
                      "eq2013-01-14",
                      {Day(2013, 1, 14) + 10 * kHour, Day(2013, 1, 14) + 10 * kHour + 60'000'000},
                      true},
        DateMatchCase{
            "EqNextDay", "eq2013-01-14", {Day(2013, 1, 15), Day(2013, 1, 15) + 60'000'000}, false},
        DateMatchCase{
            "NeNextDay", "ne2013-01-14", {Day(2013, 1, 15), Day(2013, 1, 15) + 60'000'000}, true},
        DateMatchCase{
            "NeSameDay", "ne2013-01-14", {Day(2013, 1, 14), Day(2013, 1, 14) + 60'000'000}, false},
        DateMatchCase{
            "LtDayBeforeTen", "lt2013-01-14T10:00", {Day(2013, 1, 14), Day(2013, 1, 15)}, true},
        DateMatchCase{
            "GtDayAfterTen", "gt2013-01-14T10:00", {Day(2013, 1, 14), Day(2013, 1, 15)}, true},
        DateMatchCase{"GeOpenPeriod", "ge2013-03-14", {Day(2013, 1, 21), kMaxTime}, true},
        DateMatchCase{"LeOpenPeriod", "le2013-03-14", {Day(2013, 1, 21), kMaxTime}, true},
        DateMatchCase{"SaLaterStart", "sa2013-03-14", {Day(2013, 3, 15), kMaxTime}, true},
        DateMatchCase{"SaEarlierStart", "sa2013-03-14", {Day(2013, 1, 21), kMaxTime}, false},
        DateMatchCase{"SaEndsBefore", "sa2013-03-14", {kMinTime, Day(2013, 1, 22)}, false},
        DateMatchCase{"EbLaterStart", "eb2013-03-14", {Day(2013, 3, 15), kMaxTime}, false},
        DateMatchCase{"EbOpenEnd", "eb2013-03-14", {Day(2013, 1, 21), kMaxTime}, false},
        DateMatchCase{"EbEndsBefore", "eb2013-03-14", {kMinTime, Day(2013, 1, 22)}, true},
        DateMatchCase{"ApExact", "ap2013-03-14", {Day(2013, 3, 14), Day(2013, 3, 15)}, true},
        DateMatchCase{"ApNear", "ap2013-03-14", {Day(2013, 1, 21), Day(2013, 1, 22)}, true},
        DateMatchCase{"ApFar", "ap2013-03-14", {Day(2015, 6, 15), Day(2015, 6, 16)}, false}),
    [](const ::testing::TestParamInfo<DateMatchCase>& info) { return info.param.name; });

struct NumberMatchCase {
  const char* name;
  const char* query;
  double target;
  bool matches;
};

void PrintTo(const NumberMatchCase& c, std::ostream* os) { *os << c.name; }

class NumberMatchTableTest : public ::testing::TestWithParam<NumberMatchCase> {};

TEST_P(NumberMatchTableTest, FollowsTheSpecNumberRules) {
  SearchClause c = ClauseOf("RiskAssessment", "probability", GetParam().query);
  ASSERT_THAT(c.values, SizeIs(1));
  EXPECT_EQ(
      NumberMatches(std::get<NumberValue>(c.values[0]), {GetParam().target, GetParam().target}),
      GetParam().matches);
}

// The examples of search.html "number".
INSTANTIATE_TEST_SUITE_P(
    Table, NumberMatchTableTest,
    ::testing::Values(NumberMatchCase{"EqWithinPrecision", "100", 100.4, true},
                      NumberMatchCase{"EqAtUpperBound", "100", 100.5, false},
                      NumberMatchCase{"EqFinerPrecision", "100.00", 100.004, true},
                      NumberMatchCase{"EqFinerPrecisionOutside", "100.00", 100.01, false},
                      NumberMatchCase{"LtIsExact", "lt100", 99.99, true},
                      NumberMatchCase{"LtExcludesValue", "lt100", 100, false},
                      NumberMatchCase{"LeIncludesValue", "le100", 100, true},
                      NumberMatchCase{"GtIsExact", "gt100", 100.01, true},
                      NumberMatchCase{"GeIncludesValue", "ge100", 100, true},
                      NumberMatchCase{"NeOutsideRange", "ne100", 101, true},
                      NumberMatchCase{"NeInsideRange", "ne100", 100.2, false},
                      NumberMatchCase{"ApWithinTenPercent", "ap100", 109, true},
                      NumberMatchCase{"ApOutside", "ap100", 111, false},
                      NumberMatchCase{"SaAfter", "sa0.8", 0.9, true},
                      NumberMatchCase{"EbBefore", "eb0.8", 0.9, false}),
    [](const ::testing::TestParamInfo<NumberMatchCase>& info) { return info.param.name; });

TEST(StringMatchTest, PrefixOfTheValueOrOfALaterWord) {
  EXPECT_TRUE(StringMatchesPrefix("mary ann smith", "mary a"));
  EXPECT_TRUE(StringMatchesPrefix("mary ann smith", "smi"));
  EXPECT_FALSE(StringMatchesPrefix("mary ann smith", "nn"));
}

TEST(ResourceMatchesClauseTest, AUnitSystemWithoutCodeIsRechecked) {
  boost::json::object obs = boost::json::parse(R"({"resourceType":"Observation","status":"final",
      "code":{"text":"x"},"valueQuantity":{"value":5,"system":"http://unitsofmeasure.org",
      "code":"mg"}})")
                                .as_object();
  SearchClause ucum = ClauseOf("Observation", "value-quantity", "5|http://unitsofmeasure.org|");
  EXPECT_TRUE(PlanLookup(ucum, ucum.values[0]).recheck);
  EXPECT_TRUE(ResourceMatchesClause(obs, ucum, {}));
  SearchClause other = ClauseOf("Observation", "value-quantity", "5|http://other.org|");
  EXPECT_FALSE(ResourceMatchesClause(obs, other, {}));
}

// mamori's index keeps a composite's broadest part forms (tc x q): one entry
// where the full product had six; a system or unit in the query is rechecked.
TEST(ResourceMatchesClauseTest, BroadCompositesLookUpCodeAndValueAndRecheckSystemAndUnit) {
  boost::json::object obs = boost::json::parse(R"({"resourceType":"Observation","status":"final",
      "code":{"coding":[{"system":"http://loinc.org","code":"8302-2"}]},
      "valueQuantity":{"value":170,"system":"http://unitsofmeasure.org","code":"cm"}})")
                                .as_object();
  ExtractOptions broad{.full_composites = false};
  const SearchParameter* param =
      Definitions::R4().FindSearchParameter("Observation", "code-value-quantity");
  std::vector<IndexEntry> entries = ExtractParameter(obs, *param, broad);
  std::vector<CompositePart> parts{{IndexForm::kTokenCode, "8302-2"}, {IndexForm::kQuantity, ""}};
  EXPECT_THAT(entries, Contains(Field(&IndexEntry::value, CompositeKey(parts))));
  EXPECT_EQ(std::count_if(entries.begin(), entries.end(),
                          [](const IndexEntry& e) { return e.form == IndexForm::kComposite; }),
            1);
  EXPECT_EQ(ExtractParameter(obs, *param).size(), 7u);  // full: 2 x 3 forms, and present

  SearchClause full = ClauseOf("Observation", "code-value-quantity",
                               "http://loinc.org|8302-2$gt160|http://unitsofmeasure.org|cm");
  LookupPlan plan = PlanLookup(full, full.values[0], LookupOptionsFor(broad));
  ASSERT_THAT(plan.keys, SizeIs(1));
  EXPECT_EQ(plan.keys[0].value, CompositeKey(parts));
  EXPECT_TRUE(plan.recheck);
  MatchOptions options{.extract = broad, .now_us = 0};
  EXPECT_TRUE(ResourceMatchesClause(obs, full, options));
  for (const char* rejected :
       {"http://other.org|8302-2$gt160", "|8302-2$gt160",
        "8302-2$gt160|http://unitsofmeasure.org|m", "8302-2$lt100", "8302-2$gt160||kg"}) {
    SearchClause c = ClauseOf("Observation", "code-value-quantity", rejected);
    EXPECT_FALSE(ResourceMatchesClause(obs, c, options)) << rejected;
  }
  SearchClause bare = ClauseOf("Observation", "code-value-quantity", "8302-2$gt160");
  EXPECT_FALSE(PlanLookup(bare, bare.values[0], LookupOptionsFor(broad)).recheck);
  EXPECT_TRUE(ResourceMatchesClause(obs, bare, options));
}

// Without systemless_codes a code without a system has no "|code" entry: the
// query looks up tc and the recheck tells "no system" from "some system".
TEST(ResourceMatchesClauseTest, NoSystemQueriesLookUpTheCodeAndRecheck) {
  boost::json::object obs = boost::json::parse(R"({"resourceType":"Observation","status":"final",
      "code":{"coding":[{"system":"http://loinc.org","code":"8302-2"},{"code":"local"}]}})")
                                .as_object();
  ExtractOptions lean{.systemless_codes = false};
  const SearchParameter* status = Definitions::R4().FindSearchParameter("Observation", "status");
  EXPECT_THAT(ExtractParameter(obs, *status, lean),
              ElementsAre(Field(&IndexEntry::form, IndexForm::kTokenCode)));
  SearchClause no_system = ClauseOf("Observation", "status", "|final");
  LookupPlan plan = PlanLookup(no_system, no_system.values[0], LookupOptionsFor(lean));
  ASSERT_THAT(plan.keys, SizeIs(1));
  EXPECT_EQ(plan.keys[0].form, IndexForm::kTokenCode);
  EXPECT_TRUE(plan.recheck);
  MatchOptions options{.extract = lean, .now_us = 0};
  EXPECT_TRUE(ResourceMatchesClause(obs, no_system, options));
  EXPECT_TRUE(ResourceMatchesClause(obs, ClauseOf("Observation", "code", "|local"), options));
  EXPECT_FALSE(ResourceMatchesClause(obs, ClauseOf("Observation", "code", "|8302-2"), options));
  EXPECT_TRUE(ResourceMatchesClause(obs, ClauseOf("Observation", "code:not", "|8302-2"), options));
}

TEST(ResourceMatchesClauseTest, TextScansAndRechecksTheDisplay) {
  boost::json::object obs = boost::json::parse(R"({"resourceType":"Observation","status":"final",
      "code":{"coding":[{"code":"1","display":"Heart rate"}]}})")
                                .as_object();
  EXPECT_TRUE(ResourceMatchesClause(obs, ClauseOf("Observation", "code:text", "HEART"), {}));
  EXPECT_TRUE(ResourceMatchesClause(obs, ClauseOf("Observation", "code:text", "rate"), {}));
  EXPECT_FALSE(ResourceMatchesClause(obs, ClauseOf("Observation", "code:text", "art"), {}));
  MatchOptions with_text{.extract = {.token_text = true}, .now_us = 0};
  EXPECT_TRUE(
      ResourceMatchesClause(obs, ClauseOf("Observation", "code:text", "heart r"), with_text));
}

TEST(CompositeQueryTest, ASystemOnlyPartIsUnsupported) {
  std::vector<std::pair<std::string, std::string>> pairs{
      {"code-value-quantity", "http://loinc.org|$5"}};
  EXPECT_THAT(ParseSearchQuery("Observation", pairs),
              ::mamori::core::testing::StatusIs(core::StatusCode::kInvalidArgument));
  core::Result<SearchQuery> lenient = ParseSearchQuery("Observation", pairs, {.lenient = true});
  ASSERT_THAT(lenient, IsOk());
  EXPECT_THAT(lenient->ignored, ElementsAre("code-value-quantity"));
}

// ---------------------------------------------------------------------------
// Round trip over the sample data.

struct Doc {
  std::string type;
  std::string id;
  boost::json::object json;
  std::vector<IndexEntry> entries;
};

// Rewrites urn:uuid references to Type/id, as a transaction stores them.
void ResolveUrns(boost::json::value& v, const std::map<std::string, std::string>& urls) {
  if (boost::json::object* o = v.if_object()) {
    for (auto& [key, child] : *o) {
      if (key == "reference" && child.is_string()) {
        auto it = urls.find(std::string(child.get_string()));
        if (it != urls.end()) child = it->second;
      } else {
        ResolveUrns(child, urls);
      }
    }
  } else if (boost::json::array* a = v.if_array()) {
    for (boost::json::value& e : *a) ResolveUrns(e, urls);
  }
}

class Corpus {
 public:
  Corpus() {
    for (const std::string& path : test_data::JsonFiles("jp-core")) {
      Add(Parsed(test_data::ReadFile(path)));
    }
    std::string synthea =
        std::string(MAMORI_SHARED_DIR) +
        "/data/fhir/synthea/Carla_Echevarría_9a628ccd-2a55-4331-8e68-bb58458fd674.json";
    boost::json::value bundle = Parsed(test_data::ReadFile(synthea));
    std::map<std::string, std::string> urls;
    for (const boost::json::value& e : bundle.at("entry").as_array()) {
      const boost::json::object& r = e.at("resource").as_object();
      urls[std::string(e.at("fullUrl").as_string())] =
          std::string(r.at("resourceType").as_string()) + "/" + std::string(r.at("id").as_string());
    }
    for (boost::json::value& e : bundle.at("entry").as_array()) {
      ResolveUrns(e.at("resource"), urls);
      Add(e.at("resource").as_object());
    }
  }

  // The ids of `type` matching `query` ("a=b&c=d", values unencoded).
  std::vector<std::string> Search(std::string_view type, std::string_view query) {
    std::vector<std::pair<std::string, std::string>> pairs;
    for (size_t start = 0; start <= query.size();) {
      size_t amp = std::min(query.find('&', start), query.size());
      std::string_view pair = query.substr(start, amp - start);
      size_t eq = pair.find('=');
      pairs.emplace_back(pair.substr(0, eq), pair.substr(eq + 1));
      start = amp + 1;
    }
    core::Result<SearchQuery> q = ParseSearchQuery(type, pairs);
    EXPECT_THAT(q, IsOk()) << query;
    if (!q.ok()) return {"<error>"};
    std::vector<std::string> ids;
    for (const Doc& doc : docs_) {
      if (doc.type != type) continue;
      bool all = std::all_of(q->clauses.begin(), q->clauses.end(),
                             [&](const SearchClause& c) { return Matches(doc, c); });
      if (all) ids.push_back(doc.id);
    }
    std::sort(ids.begin(), ids.end());
    return ids;
  }

 private:
  void Add(boost::json::object json) {
    Doc doc;
    doc.type = std::string(json.at("resourceType").as_string());
    doc.id = std::string(json.at("id").as_string());
    core::Result<std::vector<IndexEntry>> entries = ExtractIndexEntries(json);
    EXPECT_THAT(entries, IsOk());
    doc.entries = entries.ok() ? *entries : std::vector<IndexEntry>{};
    doc.json = std::move(json);
    docs_.push_back(std::move(doc));
  }

  static bool HasKey(const Doc& doc, const LookupKey& key) {
    return std::any_of(doc.entries.begin(), doc.entries.end(),
                       [&](const IndexEntry& e) { return EntryMatches(e, key, {}, 0); });
  }

  bool Matches(const Doc& doc, const SearchClause& clause) {
    if (clause.chain) return MatchesChain(doc, clause);
    if (clause.has) return MatchesHas(doc, clause);
    return ResourceMatchesClause(doc.json, clause, {.extract = {}, .now_us = Day(2024, 1, 1)});
  }

  bool MatchesChain(const Doc& doc, const SearchClause& clause) {
    for (const auto& [type, param] : clause.chain->targets) {
      SearchClause inner = clause;
      inner.chain.reset();
      inner.definition = param;
      for (const Doc& target : docs_) {
        if (target.type != type || !Matches(target, inner)) continue;
        LookupKey key{clause.chain->reference->code, IndexForm::kReference, type + "/" + target.id};
        if (HasKey(doc, key)) return true;
      }
    }
    return false;
  }

  bool MatchesHas(const Doc& doc, const SearchClause& clause) {
    SearchClause inner = clause;
    inner.has.reset();
    for (const Doc& other : docs_) {
      if (other.type != clause.has->type || !Matches(other, inner)) continue;
      LookupKey key{clause.has->reference->code, IndexForm::kReference, doc.type + "/" + doc.id};
      if (HasKey(other, key)) return true;
    }
    return false;
  }

  std::vector<Doc> docs_;
};

struct RoundTripCase {
  const char* name;
  const char* type;
  const char* query;
  std::vector<std::string> ids;  // expected, sorted; {"#N"} means N results
};

void PrintTo(const RoundTripCase& c, std::ostream* os) { *os << c.name; }

class RoundTripTableTest : public ::testing::TestWithParam<RoundTripCase> {
 protected:
  static void SetUpTestSuite() { corpus_ = new Corpus(); }
  static void TearDownTestSuite() { delete corpus_; }
  static Corpus* corpus_;
};
Corpus* RoundTripTableTest::corpus_ = nullptr;

TEST_P(RoundTripTableTest, TheIndexAnswersTheQuery) {
  const RoundTripCase& c = GetParam();
  std::vector<std::string> ids = corpus_->Search(c.type, c.query);
  if (c.ids.size() == 1 && c.ids[0].starts_with('#')) {
    EXPECT_EQ(ids.size(), std::stoul(c.ids[0].substr(1))) << c.query;
  } else {
    EXPECT_EQ(ids, c.ids) << c.query;
  }
}

const std::string kP = "jp-patient-example-1";
const std::string kCarla = "d8e20eac-1721-4a71-ba98-c23d32e75105";
const std::vector<std::string> kNone;

INSTANTIATE_TEST_SUITE_P(
    Table, RoundTripTableTest,
    ::testing::Values(
        // Strings: Japanese folding, prefixes, :exact, :contains.
        RoundTripCase{"FamilyKatakana", "Patient", "family=ヤマダ", {kP}},
        RoundTripCase{"FamilyHalfwidth", "Patient", "family=ﾔﾏﾀﾞ", {kP}},
        RoundTripCase{"FamilyHiragana", "Patient", "family=やまだ", {kP}},
        RoundTripCase{"FamilyPrefix", "Patient", "family=やま", {kP}},
        RoundTripCase{"FamilyKanji", "Patient", "family=山田", {kP}},
        RoundTripCase{"GivenThroughName", "Patient", "name=たろう", {kP}},
        RoundTripCase{"LaterWordOfNameText", "Patient", "name=太郎", {kP}},
        RoundTripCase{"ExactMatchesAsStored", "Patient", "family:exact=ヤマダ", {kP}},
        RoundTripCase{"ExactIsCaseAndKanaSensitive", "Patient", "family:exact=やまだ", kNone},
        RoundTripCase{"ContainsInside", "Patient", "name:contains=マダ", {kP}},
        RoundTripCase{"AccentInsensitive", "Patient", "family=echevarria", {kCarla}},
        RoundTripCase{"FullwidthQuery", "Patient", "given=ＣＡＲＬＡ", {kCarla}},
        RoundTripCase{"ExactKeepsAccents", "Patient", "family:exact=Echevarria", kNone},
        RoundTripCase{"ExactWithAccents", "Patient", "family:exact=Echevarría", {kCarla}},
        RoundTripCase{
            "LongPrefixRechecked", "Patient", "address=1077 Jenkins Esplanade Suite", {kCarla}},
        RoundTripCase{"LongPrefixRecheckRejects", "Patient", "address=1077 Jenkins Esplanade Suitx",
                      kNone},
        RoundTripCase{"PractitionerKana",
                      "Practitioner",
                      "name=はるこ",
                      {"jp-practitioner-example-female-1"}},
        RoundTripCase{"LocationWord", "Location", "name=神経", {"jp-location-example-ope"}},
        RoundTripCase{
            "LocationSmallKana", "Location", "name=南ウィング", {"jp-location-example-ope"}},
        RoundTripCase{"OrganizationContains",
                      "Organization",
                      "name:contains=健康",
                      {"jp-organization-example-hospital", "jp-organization-example-payer"}},
        // Dates at every precision and prefix.
        RoundTripCase{"BirthYear", "Patient", "birthdate=1970", {kP}},
        RoundTripCase{"BirthDay", "Patient", "birthdate=1970-01-01", {kP}},
        RoundTripCase{"BirthGeAfter", "Patient", "birthdate=ge1970-01-02", {kCarla}},
        RoundTripCase{"BirthLt", "Patient", "birthdate=lt1971&birthdate=gt1969", {kP}},
        RoundTripCase{"BirthSa", "Patient", "birthdate=sa1969", {kCarla, kP}},
        RoundTripCase{"BirthEb", "Patient", "birthdate=eb1970", kNone},
        RoundTripCase{"BirthNe", "Patient", "birthdate=ne1970-01-01", {kCarla}},
        RoundTripCase{"BirthMonth", "Patient", "birthdate=2005-05", {kCarla}},
        RoundTripCase{
            "ObservationDayInJst",
            "Observation",
            "date=2021-10-19T10:00+09:00",
            {"jp-observation-bodyMeasurement-example-1", "jp-observation-socialhistory-example-1",
             "jp-observation-vitalsigns-example-1"}},
        RoundTripCase{
            "ObservationSinceYear",
            "Observation",
            "code=http://loinc.org|8302-2&date=ge2019",
            {"0f64ea85-e5a2-443b-8e94-46f051529787", "a9a647fd-0876-4436-8b46-6fc95ed36026"}},
        // Tokens.
        RoundTripCase{"Gender", "Patient", "gender=male", {kP}},
        RoundTripCase{"GenderNot", "Patient", "gender:not=male", {kCarla}},
        RoundTripCase{"IdentifierSystemAndValue",
                      "Patient",
                      "identifier=urn:oid:1.2.392.100495.20.3.51.11311234567|00000010",
                      {kP}},
        RoundTripCase{"IdentifierValue", "Patient", "identifier=00000010", {kP}},
        RoundTripCase{"IdentifierWithoutSystem", "Patient", "identifier=|00000010", kNone},
        RoundTripCase{"IdentifierSystemOnly",
                      "Patient",
                      "identifier=http://hl7.org/fhir/sid/us-ssn|",
                      {kCarla}},
        RoundTripCase{
            "IdentifierOfType",
            "Patient",
            "identifier:of-type=http://terminology.hl7.org/CodeSystem/v2-0203|SS|999-39-6702",
            {kCarla}},
        RoundTripCase{"IdentifierText", "Patient", "identifier:text=social", {kCarla}},
        RoundTripCase{"Phone", "Patient", "phone=0312345678", {kP}},
        RoundTripCase{"Id", "Patient", "_id=jp-patient-example-1,nope", {kP}},
        RoundTripCase{"Deceased", "Patient", "deceased=false", {kCarla, kP}},
        RoundTripCase{
            "CodeText", "Observation", "code:text=呼吸", {"jp-observation-vitalsigns-example-1"}},
        RoundTripCase{
            "CodeOr",
            "Observation",
            "code=31001369,31000296",
            {"jp-observation-bodyMeasurement-example-1", "jp-observation-vitalsigns-example-1"}},
        // :missing.
        RoundTripCase{"MissingTrue", "Patient", "email:missing=true", {kCarla, kP}},
        RoundTripCase{"MissingFalse", "Patient", "address-postalcode:missing=false", {kCarla, kP}},
        // Quantities and composites.
        RoundTripCase{"QuantityUnitCode",
                      "Observation",
                      "value-quantity=400||回",
                      {"jp-observation-vitalsigns-example-1"}},
        RoundTripCase{
            "QuantityAnyUnit",
            "Observation",
            "value-quantity=400&subject=Patient/jp-patient-example-1",
            {"jp-observation-socialhistory-example-1", "jp-observation-vitalsigns-example-1"}},
        RoundTripCase{"QuantityUcum",
                      "Observation",
                      "value-quantity=gt160|http://unitsofmeasure.org|cm",
                      {"0f64ea85-e5a2-443b-8e94-46f051529787"}},
        RoundTripCase{"QuantityImplicitRange",
                      "Observation",
                      "value-quantity=113.9|http://unitsofmeasure.org|cm",
                      {"6a90acbc-fd39-4292-9748-9a5e84d43135"}},
        RoundTripCase{
            "CompositeCodeValue",
            "Observation",
            "code-value-quantity=http://loinc.org|8302-2$lt115|http://unitsofmeasure.org|cm",
            {"6a90acbc-fd39-4292-9748-9a5e84d43135"}},
        RoundTripCase{"CompositeComponent",
                      "Observation",
                      "component-code-value-quantity=http://loinc.org|8480-6$gt0|http://"
                      "unitsofmeasure.org|mm[Hg]",
                      {"#10"}},
        // References, chains, _has.
        RoundTripCase{
            "ReferenceTypeAndId", "Observation", "subject=Patient/jp-patient-example-1", {"#4"}},
        RoundTripCase{"ReferenceIdOnly", "Observation", "patient=jp-patient-example-1", {"#4"}},
        RoundTripCase{
            "ReferenceTypeModifier", "Observation", "subject:Patient=jp-patient-example-1", {"#4"}},
        RoundTripCase{"ChainTyped", "Observation", "subject:Patient.name=ﾔﾏﾀﾞ", {"#4"}},
        RoundTripCase{
            "ChainUntyped", "Observation", "patient.family=echevarria&code=8302-2", {"#10"}},
        RoundTripCase{"ChainNoMatch", "Observation", "subject:Patient.family=nobody", kNone},
        RoundTripCase{"Has",
                      "Patient",
                      "_has:Observation:patient:code=urn:oid:1.2.392.200119.4.804|31001369",
                      {kP}},
        RoundTripCase{"HasNoMatch", "Patient", "_has:Observation:patient:code=nope", kNone},
        RoundTripCase{"Uri",
                      "Patient",
                      "_profile=http://jpfhir.jp/fhir/core/StructureDefinition/JP_Patient",
                      {kP}},
        RoundTripCase{"UriBelow", "Patient", "_profile:below=http://jpfhir.jp/fhir/core/", {kP}},
        RoundTripCase{
            "UriAbove",
            "Patient",
            "_profile:above=http://jpfhir.jp/fhir/core/StructureDefinition/JP_Patient/extra",
            {kP}}),
    [](const ::testing::TestParamInfo<RoundTripCase>& info) { return info.param.name; });

}  // namespace
}  // namespace mamori::fhir::search
