// SPDX-License-Identifier: Apache-2.0
#include "fhir/search/query.h"

#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/testing/status_matchers.h"

namespace mamori::fhir::search {
namespace {

using ::mamori::core::StatusCode;
using ::mamori::core::testing::IsOk;
using ::mamori::core::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;

using Pairs = std::vector<std::pair<std::string, std::string>>;

class QueryTest : public ::testing::Test {
 protected:
  core::Result<SearchQuery> Parse(std::string_view type, Pairs pairs, ParseOptions options = {}) {
    pairs_ = std::move(pairs);
    return ParseSearchQuery(type, pairs_, options);
  }
  // Parses and expects success.
  SearchQuery Ok(std::string_view type, Pairs pairs, ParseOptions options = {}) {
    core::Result<SearchQuery> q = Parse(type, std::move(pairs), options);
    EXPECT_THAT(q, IsOk());
    return q.ok() ? *q : SearchQuery{};
  }

  Pairs pairs_;
};

TEST_F(QueryTest, ParsesATokenParameterWithSystemAndCode) {
  SearchQuery q = Ok("Observation", {{"code", "http://loinc.org|8867-4"}});
  ASSERT_THAT(q.clauses, SizeIs(1));
  EXPECT_EQ(q.resource_type, "Observation");
  EXPECT_EQ(q.clauses[0].name, "code");
  EXPECT_EQ(q.clauses[0].definition->code, "code");
  EXPECT_EQ(q.clauses[0].modifier, Modifier::kNone);
  EXPECT_THAT(q.clauses[0].values,
              ElementsAre(SearchValue(TokenValue{.form = TokenValue::Form::kSystemAndCode,
                                                 .system = "http://loinc.org",
                                                 .code = "8867-4"})));
}

TEST_F(QueryTest, CommasAreOrAndRepeatedParametersAreAnd) {
  SearchQuery q = Ok("Observation", {{"code", "a,b"}, {"code", "c"}});
  ASSERT_THAT(q.clauses, SizeIs(2));
  EXPECT_THAT(q.clauses[0].values, SizeIs(2));
  EXPECT_THAT(q.clauses[1].values, SizeIs(1));
}

TEST_F(QueryTest, AnEscapedCommaStaysInTheValue) {
  SearchQuery q = Ok("Observation", {{"code", "a\\,b"}});
  ASSERT_THAT(q.clauses, SizeIs(1));
  EXPECT_THAT(q.clauses[0].values, ElementsAre(SearchValue(TokenValue{.code = "a,b"})));
}

TEST_F(QueryTest, AnUnknownParameterIsAnErrorNamingItButNotTheValue) {
  core::Result<SearchQuery> q = Parse("Patient", {{"favourite-colour", "CANARY-VALUE"}});
  ASSERT_THAT(q, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(q.status().message(), HasSubstr("favourite-colour"));
  EXPECT_THAT(q.status().message(), Not(HasSubstr("CANARY")));
}

TEST_F(QueryTest, LenientHandlingListsIgnoredParametersAndKeepsTheRest) {
  SearchQuery q =
      Ok("Patient",
         {{"favourite-colour", "blue"}, {"name:in", "x"}, {"_sort", "nope"}, {"family", "yamada"}},
         {.lenient = true});
  EXPECT_THAT(q.ignored, ElementsAre("favourite-colour", "name:in", "_sort"));
  ASSERT_THAT(q.clauses, SizeIs(1));
  EXPECT_EQ(q.clauses[0].definition->code, "family");
}

TEST_F(QueryTest, AMalformedValueIsAnErrorEvenWhenLenient) {
  core::Result<SearchQuery> q = Parse("Patient", {{"birthdate", "CANARY-1970"}}, {.lenient = true});
  ASSERT_THAT(q, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(q.status().message(), HasSubstr("birthdate"));
  EXPECT_THAT(q.status().message(), Not(HasSubstr("CANARY")));
}

TEST_F(QueryTest, AnEmptyValueIsIgnored) {
  SearchQuery q = Ok("Patient", {{"name", ""}, {"", ""}});
  EXPECT_THAT(q.clauses, IsEmpty());
  EXPECT_THAT(q.ignored, ElementsAre("name"));
}

TEST_F(QueryTest, ANamelessValueIsAnError) {
  EXPECT_THAT(Parse("Patient", {{"", "x"}}), StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(QueryTest, AnEmptyItemInAnOrListIsAnError) {
  EXPECT_THAT(Parse("Patient", {{"gender", "male,,female"}}),
              StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(QueryTest, AnUnsupportedResourceTypeIsNotFound) {
  EXPECT_THAT(Parse("Questionnaire", {}), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(Parse("NoSuchType", {}), StatusIs(StatusCode::kNotFound));
}

struct ModifierCase {
  const char* name;
  const char* type;
  const char* param;
  const char* value;
  Modifier modifier;
  SearchValue expected;
};

void PrintTo(const ModifierCase& c, std::ostream* os) { *os << c.name; }

class ModifierTableTest : public ::testing::TestWithParam<ModifierCase> {};

TEST_P(ModifierTableTest, ParsesTheModifierAndItsValueGrammar) {
  const ModifierCase& c = GetParam();
  Pairs pairs = {{c.param, c.value}};
  core::Result<SearchQuery> q = ParseSearchQuery(c.type, pairs);
  ASSERT_THAT(q, IsOk());
  ASSERT_THAT(q->clauses, SizeIs(1));
  EXPECT_EQ(q->clauses[0].modifier, c.modifier);
  EXPECT_THAT(q->clauses[0].values, ElementsAre(c.expected));
}

INSTANTIATE_TEST_SUITE_P(
    Table, ModifierTableTest,
    ::testing::Values(
        ModifierCase{"Exact", "Patient", "family:exact", "Yamada", Modifier::kExact,
                     StringValue{"Yamada", "yamada"}},
        ModifierCase{"Contains", "Patient", "name:contains", "ﾏﾀﾞ", Modifier::kContains,
                     StringValue{"ﾏﾀﾞ", "まだ"}},
        ModifierCase{"Not", "Patient", "gender:not", "male", Modifier::kNot,
                     TokenValue{.code = "male"}},
        ModifierCase{"Text", "Observation", "code:text", "Heart Rate", Modifier::kText,
                     StringValue{"Heart Rate", "heart rate"}},
        ModifierCase{"Identifier", "Observation", "subject:identifier", "urn:oid:1.2|00000010",
                     Modifier::kIdentifier,
                     TokenValue{.form = TokenValue::Form::kSystemAndCode,
                                .system = "urn:oid:1.2",
                                .code = "00000010"}},
        ModifierCase{"Type", "Observation", "subject:Patient", "123", Modifier::kType,
                     ReferenceValue{.type = "Patient", .id = "123"}},
        ModifierCase{"MissingTrue", "Patient", "birthdate:missing", "true", Modifier::kMissing,
                     MissingValue{true}},
        ModifierCase{"MissingFalse", "Observation", "subject:missing", "false", Modifier::kMissing,
                     MissingValue{false}},
        ModifierCase{"Below", "CapabilityStatement", "url:below", "http://acme.org/fhir/",
                     Modifier::kBelow, UriValue{"http://acme.org/fhir/"}},
        ModifierCase{"Above", "CapabilityStatement", "url:above", "http://acme.org/fhir/a/1",
                     Modifier::kAbove, UriValue{"http://acme.org/fhir/a/1"}},
        ModifierCase{"OfType", "Patient", "identifier:of-type",
                     "http://terminology.hl7.org/CodeSystem/v2-0203|MR|446053", Modifier::kOfType,
                     TokenValue{.form = TokenValue::Form::kSystemAndCode,
                                .system = "http://terminology.hl7.org/CodeSystem/v2-0203",
                                .code = "MR",
                                .value = "446053"}}),
    [](const ::testing::TestParamInfo<ModifierCase>& info) { return info.param.name; });

TEST_F(QueryTest, AModifierOfTheWrongTypeIsUnsupported) {
  for (auto [name, value] : Pairs{{"birthdate:exact", "1970"},
                                  {"name:not", "x"},
                                  {"gender:contains", "m"},
                                  {"code:below", "x"},
                                  {"subject:Practitioner", "1"},
                                  {"code:in", "http://vs"},
                                  {"name:exact:x", "y"}}) {
    std::string type =
        name.starts_with("code") || name.starts_with("subject") ? "Observation" : "Patient";
    EXPECT_THAT(Parse(type, {{name, value}}), StatusIs(StatusCode::kInvalidArgument)) << name;
    SearchQuery lenient = Ok(type, {{name, value}}, {.lenient = true});
    EXPECT_THAT(lenient.ignored, ElementsAre(name));
  }
}

TEST_F(QueryTest, AChainedParameterSearchesTheTargetType) {
  SearchQuery q = Ok("Observation", {{"subject:Patient.name", "ﾔﾏﾀﾞ"}});
  ASSERT_THAT(q.clauses, SizeIs(1));
  const SearchClause& c = q.clauses[0];
  ASSERT_TRUE(c.chain.has_value());
  EXPECT_EQ(c.chain->reference->code, "subject");
  ASSERT_THAT(c.chain->targets, SizeIs(1));
  EXPECT_EQ(c.chain->targets[0].first, "Patient");
  EXPECT_EQ(c.definition->code, "name");
  EXPECT_EQ(c.definition->type, SearchParamType::kString);
  EXPECT_THAT(c.values, ElementsAre(SearchValue(StringValue{"ﾔﾏﾀﾞ", "やまだ"})));
}

TEST_F(QueryTest, AChainWithoutTypeSearchesEverySupportedTargetDefiningTheParameter) {
  SearchQuery q = Ok("Observation", {{"subject.name", "x"}});
  ASSERT_THAT(q.clauses, SizeIs(1));
  std::vector<std::string> types;
  for (const auto& [type, param] : q.clauses[0].chain->targets) types.push_back(type);
  EXPECT_THAT(types, ElementsAre("Location", "Patient"));
}

TEST_F(QueryTest, AChainedParameterMayCarryAModifier) {
  SearchQuery q = Ok("Observation", {{"patient.name:exact", "Yamada"}});
  ASSERT_THAT(q.clauses, SizeIs(1));
  EXPECT_EQ(q.clauses[0].modifier, Modifier::kExact);
  EXPECT_EQ(q.clauses[0].chain->targets[0].first, "Patient");
}

TEST_F(QueryTest, ChainsDeeperThanOneLevelAreUnsupported) {
  EXPECT_THAT(Parse("Observation", {{"subject.organization.name", "x"}}),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(Parse("Observation", {{"code.name", "x"}}), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(Parse("Observation", {{"subject.nope", "x"}}),
              StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(QueryTest, HasFindsResourcesPointedAtByAnotherType) {
  SearchQuery q = Ok("Patient", {{"_has:Observation:patient:code", "http://loinc.org|8867-4"}});
  ASSERT_THAT(q.clauses, SizeIs(1));
  const SearchClause& c = q.clauses[0];
  ASSERT_TRUE(c.has.has_value());
  EXPECT_EQ(c.has->type, "Observation");
  EXPECT_EQ(c.has->reference->code, "patient");
  EXPECT_EQ(c.definition->code, "code");
  EXPECT_EQ(c.definition->base, "Observation");
}

TEST_F(QueryTest, HasTakesAModifierOnItsParameter) {
  SearchQuery q = Ok("Patient", {{"_has:Observation:patient:code:not", "x"}});
  ASSERT_THAT(q.clauses, SizeIs(1));
  EXPECT_EQ(q.clauses[0].modifier, Modifier::kNot);
}

TEST_F(QueryTest, HasMustPointAtTheSearchedTypeAndGoOneLevelOnly) {
  for (std::string name :
       {"_has:Observation:encounter:code", "_has:Observation:patient",
        "_has:Observation:patient:_has:Encounter:patient:status",
        "_has:Questionnaire:subject-type:code", "_has:Observation:patient:nope"}) {
    EXPECT_THAT(Parse("Patient", {{name, "x"}}), StatusIs(StatusCode::kInvalidArgument)) << name;
  }
}

TEST_F(QueryTest, ParsesEveryResultParameter) {
  SearchQuery q = Ok("Patient", {{"_count", "10"},
                                 {"_sort", "-birthdate,family"},
                                 {"_include", "Patient:organization"},
                                 {"_include:iterate", "Observation:performer:Practitioner"},
                                 {"_revinclude", "Observation:subject"},
                                 {"_summary", "count"},
                                 {"_total", "accurate"},
                                 {"_elements", "name,Patient.birthDate"},
                                 {"_format", "json"},
                                 {"_pretty", "true"}});
  EXPECT_THAT(q.clauses, IsEmpty());
  EXPECT_EQ(q.count, 10u);
  ASSERT_THAT(q.sort, SizeIs(2));
  EXPECT_EQ(q.sort[0].definition->code, "birthdate");
  EXPECT_TRUE(q.sort[0].descending);
  EXPECT_EQ(q.sort[1].definition->code, "family");
  EXPECT_FALSE(q.sort[1].descending);
  ASSERT_THAT(q.includes, SizeIs(2));
  EXPECT_EQ(q.includes[0].source_type, "Patient");
  EXPECT_EQ(q.includes[0].param->code, "organization");
  EXPECT_FALSE(q.includes[0].iterate);
  EXPECT_TRUE(q.includes[1].iterate);
  EXPECT_EQ(q.includes[1].target_type, "Practitioner");
  ASSERT_THAT(q.revincludes, SizeIs(1));
  EXPECT_EQ(q.revincludes[0].source_type, "Observation");
  EXPECT_EQ(q.summary, SummaryMode::kCount);
  EXPECT_EQ(q.total, TotalMode::kAccurate);
  EXPECT_THAT(q.elements, ElementsAre("name", "birthDate"));
  EXPECT_EQ(q.format, "json");
  EXPECT_EQ(q.pretty, "true");
}

TEST_F(QueryTest, CountIsClampedToTheMaximumAndMustBeANumber) {
  EXPECT_EQ(Ok("Patient", {{"_count", "99999"}}).count, 1000u);
  EXPECT_EQ(Ok("Patient", {{"_count", "99999999999999999999999"}}).count, 1000u);
  EXPECT_EQ(Ok("Patient", {{"_count", "0"}}).count, 0u);
  EXPECT_EQ(Ok("Patient", {{"_count", "50"}}, {.max_count = 20}).count, 20u);
  for (std::string bad : {"-1", "abc", "1.5", " 1"}) {
    EXPECT_THAT(Parse("Patient", {{"_count", bad}}), StatusIs(StatusCode::kInvalidArgument)) << bad;
  }
}

TEST_F(QueryTest, SortingNeedsASortableParameterOfTheType) {
  for (std::string bad : {"nope", "-", "birthdate,,family", "near"}) {
    EXPECT_THAT(Parse("Patient", {{"_sort", bad}}), StatusIs(StatusCode::kInvalidArgument)) << bad;
  }
  EXPECT_THAT(Parse("Observation", {{"_sort", "code-value-quantity"}}),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(Ok("Observation", {{"_sort", "_lastUpdated,-_id"}}).sort, SizeIs(2));
}

TEST_F(QueryTest, IncludesFollowTheSpecRulesWithoutIterate) {
  // _include starts at the searched type; _revinclude must point at it.
  EXPECT_THAT(Parse("Patient", {{"_include", "Observation:subject"}}),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(Ok("Patient", {{"_include:iterate", "Observation:subject"}}).includes, SizeIs(1));
  EXPECT_THAT(Parse("Patient", {{"_revinclude", "Observation:encounter"}}),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(Parse("Patient", {{"_include", "Patient:name"}}),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(Parse("Patient", {{"_include", "Patient:organization:Patient"}}),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(Parse("Patient", {{"_include", "Patient"}}), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(Parse("Patient", {{"_include:weird", "Patient:organization"}}),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_TRUE(Ok("Patient", {{"_include:recurse", "Patient:link"}}).includes[0].iterate);
}

TEST_F(QueryTest, IncludeWildcardsNameEveryReferenceParameter) {
  SearchQuery q = Ok("Observation", {{"_include", "*"}, {"_revinclude", "Provenance:*"}});
  ASSERT_THAT(q.includes, SizeIs(1));
  EXPECT_TRUE(q.includes[0].wildcard);
  EXPECT_EQ(q.includes[0].source_type, "Observation");
  ASSERT_THAT(q.revincludes, SizeIs(1));
  EXPECT_TRUE(q.revincludes[0].wildcard);
}

TEST_F(QueryTest, SummaryTotalAndElementsTakeTheirFixedGrammar) {
  for (auto [name, value] : Pairs{{"_summary", "maybe"},
                                  {"_total", "some"},
                                  {"_elements", "name,1bad"},
                                  {"_elements", "a.b"},
                                  {"_count:x", "1"}}) {
    EXPECT_THAT(Parse("Patient", {{name, value}}), StatusIs(StatusCode::kInvalidArgument)) << name;
  }
}

TEST_F(QueryTest, AResultParameterGivenTwiceIsAnError) {
  for (std::string name : {"_count", "_summary", "_total", "_elements", "_format", "_pretty"}) {
    std::string value = name == "_summary" ? "true" : name == "_total" ? "none" : "1";
    if (name == "_elements") value = "name";
    EXPECT_THAT(Parse("Patient", {{name, value}, {name, value}}),
                StatusIs(StatusCode::kInvalidArgument))
        << name;
  }
}

TEST_F(QueryTest, HostileSizesAreBounded) {
  Pairs many(101, {"gender", "male"});
  EXPECT_THAT(Parse("Patient", many), StatusIs(StatusCode::kInvalidArgument));
  std::string values = "a";
  for (int i = 0; i < 100; ++i) values += ",a";
  EXPECT_THAT(Parse("Patient", {{"gender", values}}), StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(QueryTest, IdAndLastUpdatedAreOrdinaryParameters) {
  SearchQuery q = Ok("Patient", {{"_id", "abc"}, {"_lastUpdated", "gt2024-01-01"}});
  ASSERT_THAT(q.clauses, SizeIs(2));
  EXPECT_THAT(q.clauses[0].values, ElementsAre(SearchValue(TokenValue{.code = "abc"})));
  EXPECT_EQ(q.clauses[1].definition->type, SearchParamType::kDate);
  EXPECT_EQ(std::get<DateValue>(q.clauses[1].values[0]).prefix, Prefix::kGt);
}

TEST_F(QueryTest, SpecialAndTextParametersAreUnsupported) {
  for (std::string name : {"_text", "_content", "_query", "_filter", "_list", "_type", "_has"}) {
    EXPECT_THAT(Parse("Patient", {{name, "x"}}), StatusIs(StatusCode::kInvalidArgument)) << name;
  }
  EXPECT_THAT(Parse("Location", {{"near", "1|2|3|km"}}), StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(QueryTest, CompositeValuesSplitOnDollar) {
  SearchQuery q = Ok(
      "Observation",
      {{"code-value-quantity", "http://loinc.org|8480-6$gt100|http://unitsofmeasure.org|mm[Hg]"}});
  ASSERT_THAT(q.clauses, SizeIs(1));
  const auto& composite = std::get<CompositeValue>(q.clauses[0].values[0]);
  ASSERT_THAT(composite.components, SizeIs(2));
  EXPECT_EQ(std::get<TokenValue>(composite.components[0]).code, "8480-6");
  const auto& quantity = std::get<QuantityValue>(composite.components[1]);
  EXPECT_EQ(quantity.number.prefix, Prefix::kGt);
  EXPECT_EQ(quantity.code, "mm[Hg]");
}

TEST_F(QueryTest, CompositeValuesNeedEveryPartAndNoOrList) {
  EXPECT_THAT(Parse("Observation", {{"code-value-quantity", "8480-6"}}),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(Parse("Observation", {{"code-value-quantity", "a$1$2"}}),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(Parse("Observation", {{"code-value-quantity", "a$1,b$2"}}),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(Parse("Observation", {{"code-value-quantity:missing", "true"}}),
              StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(QueryTest, ReferencesOnThisServerAreReadAsRelative) {
  SearchQuery q = Ok("Observation", {{"subject", "https://clinic.example/fhir/Patient/p1"}},
                     {.base_url = "https://clinic.example/fhir/"});
  EXPECT_THAT(q.clauses[0].values,
              ElementsAre(SearchValue(ReferenceValue{.type = "Patient", .id = "p1"})));
}

TEST_F(QueryTest, NamesInMessagesAreBoundedAndPrintable) {
  std::string name = "bad\x01\xff" + std::string(200, 'x');
  core::Result<SearchQuery> q = Parse("Patient", {{name, "v"}});
  ASSERT_THAT(q, StatusIs(StatusCode::kInvalidArgument));
  for (char c : q.status().message()) {
    EXPECT_TRUE(c >= 0x20 && c < 0x7F) << static_cast<int>(c);
  }
  EXPECT_LT(q.status().message().size(), 200u);
}

// DESIGN invariant 5: no error message contains the value, whatever is wrong.
TEST_F(QueryTest, ErrorsNeverEchoTheValue) {
  const std::string canary = "CANARY山田";
  Pairs bad = {{"birthdate", "ge" + canary},
               {"gender", "a|b|" + canary},
               {"subject", "Nope/" + canary},
               {"probability", canary},
               {"value-quantity", "1|" + canary},
               {"family", canary + "\\x"},
               {"code-value-quantity", canary},
               {"birthdate:missing", canary},
               {"_count", canary},
               {"_summary", canary},
               {"_sort", canary},
               {"_include", canary},
               {"_elements", canary + "!"}};
  for (const auto& [name, value] : bad) {
    std::string type = name == "probability" ? "RiskAssessment"
                       : name == "subject" || name.starts_with("value") || name.starts_with("code")
                           ? "Observation"
                           : "Patient";
    core::Result<SearchQuery> q = Parse(type, {{name, value}});
    ASSERT_THAT(q, StatusIs(StatusCode::kInvalidArgument)) << name;
    EXPECT_THAT(q.status().message(), Not(HasSubstr("CANARY"))) << name;
  }
}

TEST_F(QueryTest, NumberAndQuantityParametersTakePrefixes) {
  SearchQuery q = Ok("RiskAssessment", {{"probability", "gt0.8"}});
  const auto& n = std::get<NumberValue>(q.clauses[0].values[0]);
  EXPECT_EQ(n.prefix, Prefix::kGt);
  EXPECT_DOUBLE_EQ(n.value, 0.8);
}

}  // namespace
}  // namespace mamori::fhir::search
