// SPDX-License-Identifier: Apache-2.0
// Issue 4, "What must be true": every Synthea bundle in shared/data/fhir/synthea
// imports and reads back equal to the input, compared element by element,
// modulo meta.versionId/meta.lastUpdated and the server-assigned ids (each
// urn:uuid reference of the input is replaced by the new Type/id before the
// comparison). The 36 JP Core examples are stored under their own ids
// (update-as-create) and compared the same way.
//
// The comparison keeps the lexeme of every JSON number: FHIR decimals have
// implicit precision ("Do not use an IEEE type floating point type" says the
// R4 definition of decimal), so 0.0 read back as 0 or 0E0, or 1.50 as 1.5,
// is a difference. Two numbers are equal when they have the same value and
// the same precision (1.50 == 15.0E-1, 1.50 != 1.5, 0.0 != 0).

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>
#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/value_stack.hpp>
#include <gtest/gtest.h>

#include "core/testing/status_matchers.h"
#include "core/testing/temp_dir.h"
#include "fhir/internal/test_data.h"
#include "fhir/rest_api.h"
#include "store/store.h"

namespace mamori::fhir {
namespace {

namespace json = boost::json;

// Numbers are kept as strings starting with this byte (FHIR strings cannot
// hold control characters, so no real string looks like one).
constexpr char kNumberMark = '\x01';

// A basic_parser handler that builds a json::value like boost::json::parser,
// except that every number becomes the string kNumberMark + its lexeme.
struct LexemeHandler {
  static constexpr size_t max_object_size = json::object::max_size();
  static constexpr size_t max_array_size = json::array::max_size();
  static constexpr size_t max_key_size = json::string::max_size();
  static constexpr size_t max_string_size = json::string::max_size();

  LexemeHandler() { st.reset(); }

  bool on_document_begin(boost::system::error_code&) { return true; }
  bool on_document_end(boost::system::error_code&) { return true; }
  bool on_object_begin(boost::system::error_code&) { return true; }
  bool on_object_end(size_t n, boost::system::error_code&) {
    st.push_object(n);
    return true;
  }
  bool on_array_begin(boost::system::error_code&) { return true; }
  bool on_array_end(size_t n, boost::system::error_code&) {
    st.push_array(n);
    return true;
  }
  bool on_key_part(json::string_view s, size_t, boost::system::error_code&) {
    st.push_chars(s);
    return true;
  }
  bool on_key(json::string_view s, size_t, boost::system::error_code&) {
    st.push_key(s);
    return true;
  }
  bool on_string_part(json::string_view s, size_t, boost::system::error_code&) {
    st.push_chars(s);
    return true;
  }
  bool on_string(json::string_view s, size_t, boost::system::error_code&) {
    st.push_string(s);
    return true;
  }
  bool on_number_part(json::string_view s, boost::system::error_code&) {
    number.append(s.data(), s.size());
    return true;
  }
  bool PushNumber(json::string_view last) {
    number.append(last.data(), last.size());
    st.push_string(std::string(1, kNumberMark) + number);
    number.clear();
    return true;
  }
  bool on_int64(int64_t, json::string_view s, boost::system::error_code&) { return PushNumber(s); }
  bool on_uint64(uint64_t, json::string_view s, boost::system::error_code&) {
    return PushNumber(s);
  }
  bool on_double(double, json::string_view s, boost::system::error_code&) { return PushNumber(s); }
  bool on_bool(bool b, boost::system::error_code&) {
    st.push_bool(b);
    return true;
  }
  bool on_null(boost::system::error_code&) {
    st.push_null();
    return true;
  }
  bool on_comment_part(json::string_view, boost::system::error_code&) { return true; }
  bool on_comment(json::string_view, boost::system::error_code&) { return true; }

  json::value_stack st;
  std::string number;
};

// Parses `text` keeping number lexemes; nullopt if it is not JSON.
std::optional<json::value> ParseKeepingNumbers(std::string_view text) {
  json::basic_parser<LexemeHandler> parser(json::parse_options{});
  boost::system::error_code ec;
  size_t used = parser.write_some(false, text.data(), text.size(), ec);
  if (ec || used != text.size()) return std::nullopt;
  return parser.handler().st.release();
}

bool IsNumber(const json::value& v) {
  return v.is_string() && !v.get_string().empty() && v.get_string()[0] == kNumberMark;
}

// A decimal as (negative, significant digits, exponent of the last digit):
// "1.50" -> (false, "150", -2), "15.0E-1" -> (false, "150", -2), "0.0" -> (false, "", -1).
struct Decimal {
  bool negative = false;
  std::string digits;
  long exponent = 0;
  bool operator==(const Decimal&) const = default;
};

Decimal ToDecimal(std::string_view lexeme) {
  Decimal d;
  size_t i = 0;
  if (i < lexeme.size() && lexeme[i] == '-') {
    d.negative = true;
    ++i;
  }
  std::string digits;
  long fraction_digits = 0;
  bool in_fraction = false;
  for (; i < lexeme.size() && lexeme[i] != 'e' && lexeme[i] != 'E'; ++i) {
    if (lexeme[i] == '.') {
      in_fraction = true;
    } else {
      digits += lexeme[i];
      if (in_fraction) ++fraction_digits;
    }
  }
  long exponent = 0;
  if (i < lexeme.size()) exponent = std::stol(std::string(lexeme.substr(i + 1)));
  size_t first = digits.find_first_not_of('0');
  d.digits = first == std::string::npos ? "" : digits.substr(first);
  d.exponent = exponent - fraction_digits;
  if (d.digits.empty()) d.negative = false;  // -0.0 == 0.0
  return d;
}

std::string Show(const json::value& v) {
  if (IsNumber(v)) return std::string(v.get_string().subview(1));
  std::string s = json::serialize(v);
  return s.size() > 120 ? s.substr(0, 117) + "..." : s;
}

// The first path where `actual` differs from `expected`, or nullopt.
std::optional<std::string> FirstDifference(const json::value& expected, const json::value& actual,
                                           const std::string& path) {
  if (IsNumber(expected) || IsNumber(actual)) {
    if (IsNumber(expected) && IsNumber(actual) &&
        ToDecimal(expected.get_string().subview(1)) == ToDecimal(actual.get_string().subview(1))) {
      return std::nullopt;
    }
    return path + ": expected " + Show(expected) + ", read back " + Show(actual);
  }
  if (expected.kind() != actual.kind()) {
    return path + ": expected " + Show(expected) + ", read back " + Show(actual);
  }
  if (expected.is_object()) {
    const json::object& e = expected.get_object();
    const json::object& a = actual.get_object();
    for (const auto& [key, value] : e) {
      const json::value* other = a.if_contains(key);
      if (other == nullptr) return path + "." + std::string(key) + ": missing when read back";
      if (auto d = FirstDifference(value, *other, path + "." + std::string(key))) return d;
    }
    for (const auto& [key, value] : a) {
      if (!e.contains(key)) return path + "." + std::string(key) + ": added, " + Show(value);
    }
    return std::nullopt;
  }
  if (expected.is_array()) {
    const json::array& e = expected.get_array();
    const json::array& a = actual.get_array();
    for (size_t i = 0; i < std::min(e.size(), a.size()); ++i) {
      if (auto d = FirstDifference(e[i], a[i], path + "[" + std::to_string(i) + "]")) return d;
    }
    if (e.size() != a.size()) {
      return path + ": " + std::to_string(e.size()) + " items expected, " +
             std::to_string(a.size()) + " read back";
    }
    return std::nullopt;
  }
  if (expected != actual)
    return path + ": expected " + Show(expected) + ", read back " + Show(actual);
  return std::nullopt;
}

// Drops what the server owns: the top-level id, meta.versionId and
// meta.lastUpdated, and meta itself when nothing else is left in it.
void DropServerElements(json::object& resource) {
  resource.erase("id");
  if (json::value* meta = resource.if_contains("meta"); meta != nullptr && meta->is_object()) {
    meta->get_object().erase("versionId");
    meta->get_object().erase("lastUpdated");
    if (meta->get_object().empty()) resource.erase("meta");
  }
}

// Replaces every Reference.reference found in `map`.
void ReplaceReferences(json::value& node, const std::map<std::string, std::string>& map) {
  if (node.is_array()) {
    for (json::value& item : node.get_array()) ReplaceReferences(item, map);
  } else if (node.is_object()) {
    for (auto& [key, value] : node.get_object()) {
      if (key == "reference" && value.is_string()) {
        auto it = map.find(std::string(value.get_string()));
        if (it != map.end()) value = it->second;
      } else {
        ReplaceReferences(value, map);
      }
    }
  }
}

// Compares a stored resource with what was sent; the failure message names
// the first differing path.
::testing::AssertionResult ReadsBackEqual(json::value expected, std::string_view stored_json) {
  std::optional<json::value> actual = ParseKeepingNumbers(stored_json);
  if (!actual || !actual->is_object()) {
    return ::testing::AssertionFailure() << "the stored body is not a JSON object";
  }
  DropServerElements(expected.as_object());
  DropServerElements(actual->as_object());
  if (auto d = FirstDifference(expected, *actual, "")) {
    const json::value* type = expected.as_object().if_contains("resourceType");
    return ::testing::AssertionFailure()
           << (type != nullptr && type->is_string() ? std::string(type->get_string()) : "?")
           << d->substr(0, 400);
  }
  return ::testing::AssertionSuccess();
}

class SyntheaRoundTripTest : public ::testing::Test {
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

  core::Env env_ = core::Env::Real();
  crypto::AeadKey kek_ = crypto::AeadKey::Generate(core::Random::Secure());
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<RestApi> api_;
};

// "Type/id/_history/1" -> "Type/id".
std::string TypeAndId(std::string_view location) {
  size_t history = location.find("/_history/");
  return std::string(location.substr(0, history));
}

TEST_F(SyntheaRoundTripTest, EveryBundleReadsBackEqualToTheInput) {
  std::vector<std::string> files = test_data::JsonFiles("synthea");
  ASSERT_EQ(files.size(), 11u) << "shared/data/fhir/synthea should hold 11 bundles";
  size_t compared = 0;
  std::vector<std::string> differences;  // one line per resource that does not read back equal
  for (const std::string& path : files) {
    SCOPED_TRACE(path);
    std::string text = test_data::ReadFile(path);
    std::optional<json::value> input = ParseKeepingNumbers(text);
    ASSERT_TRUE(input.has_value() && input->is_object());
    const json::array& entries = input->as_object().at("entry").as_array();

    RestResponse r = api_->ProcessBundle(Body(text));
    ASSERT_EQ(r.status, 200) << r.body.substr(0, 500);
    json::value response = json::parse(r.body);
    EXPECT_EQ(response.at("type").as_string(), "transaction-response");
    const json::array& results = response.at("entry").as_array();
    ASSERT_EQ(results.size(), entries.size()) << "one response entry per request entry, in order";

    // fullUrl (urn:uuid:...) -> Type/id, from the response in entry order.
    std::map<std::string, std::string> new_ids;
    for (size_t i = 0; i < entries.size(); ++i) {
      const json::object& response_entry = results[i].at("response").as_object();
      ASSERT_EQ(response_entry.at("status").as_string(), "201 Created") << "entry " << i;
      std::string target = TypeAndId(response_entry.at("location").as_string());
      std::string type(entries[i].at("resource").at("resourceType").as_string());
      ASSERT_EQ(target.substr(0, type.size() + 1), type + "/") << "entry " << i;
      new_ids[std::string(entries[i].at("fullUrl").as_string())] = target;
    }
    ASSERT_EQ(new_ids.size(), entries.size()) << "fullUrls are unique within a bundle";

    for (size_t i = 0; i < entries.size(); ++i) {
      const std::string& target = new_ids[std::string(entries[i].at("fullUrl").as_string())];
      size_t slash = target.find('/');
      RestResponse read = api_->Read(target.substr(0, slash), target.substr(slash + 1), Body(""));
      ASSERT_EQ(read.status, 200) << target << ": " << read.body.substr(0, 300);
      json::value expected = entries[i].at("resource");
      ReplaceReferences(expected, new_ids);
      if (auto same = ReadsBackEqual(std::move(expected), read.body); !same) {
        differences.push_back(path.substr(path.rfind('/') + 1) + " entry[" + std::to_string(i) +
                              "] " + target + ": " + same.message());
      }
      ++compared;
    }
  }
  EXPECT_EQ(compared, 3086u) << "shared/data/README.md counts 3,086 entries";
  std::string first;
  for (size_t i = 0; i < std::min<size_t>(differences.size(), 12); ++i) {
    first += "\n  " + differences[i];
  }
  EXPECT_TRUE(differences.empty()) << differences.size() << " of " << compared
                                   << " resources do not read back equal; the first:" << first;
}

TEST_F(SyntheaRoundTripTest, EveryJpCoreExampleStoredUnderItsOwnIdReadsBackEqual) {
  std::vector<std::string> files = test_data::JsonFiles("jp-core");
  ASSERT_EQ(files.size(), 36u) << "shared/data/fhir/jp-core should hold 36 examples";
  for (const std::string& path : files) {
    SCOPED_TRACE(path);
    std::string text = test_data::ReadFile(path);
    std::optional<json::value> input = ParseKeepingNumbers(text);
    ASSERT_TRUE(input.has_value() && input->is_object());
    std::string type(input->at("resourceType").as_string());
    std::string id(input->at("id").as_string());
    RestResponse put = api_->Update(type, id, Body(text));
    ASSERT_EQ(put.status, 201) << put.body.substr(0, 500);
    RestResponse read = api_->Read(type, id, Body(""));
    ASSERT_EQ(read.status, 200) << read.body.substr(0, 300);
    EXPECT_TRUE(ReadsBackEqual(std::move(*input), read.body));
  }
}

// Positive controls for the comparison itself, so a comparison that accepts
// everything cannot make the two tests above pass.
TEST(ReadsBackEqualTest, FindsEachKindOfDifferenceAndNamesItsPath) {
  auto compare = [](std::string_view sent, std::string_view stored) {
    return ReadsBackEqual(*ParseKeepingNumbers(sent), stored);
  };
  const char* sent = R"({"resourceType":"Observation","id":"x","meta":{"tag":[{"code":"t"}]},)"
                     R"("valueQuantity":{"value":1.50},"note":[{"text":"a"},{"text":"b"}]})";
  EXPECT_TRUE(
      compare(sent, R"({"resourceType":"Observation","id":"other","note":[{"text":"a"},)"
                    R"({"text":"b"}],"meta":{"versionId":"3","lastUpdated":"2024-01-01T00:00:00Z",)"
                    R"("tag":[{"code":"t"}]},"valueQuantity":{"value":15.0E-1}})"));
  auto lost_precision =
      compare(sent, R"({"resourceType":"Observation","meta":{"tag":[{"code":"t"}]},)"
                    R"("valueQuantity":{"value":1.5E0},"note":[{"text":"a"},{"text":"b"}]})");
  EXPECT_FALSE(lost_precision);
  EXPECT_NE(std::string(lost_precision.message()).find(".valueQuantity.value"), std::string::npos)
      << lost_precision.message();
  EXPECT_FALSE(compare(R"({"resourceType":"Observation","valueInteger":0.0})",
                       R"({"resourceType":"Observation","valueInteger":0})"));
  EXPECT_FALSE(compare(sent,
                       R"({"resourceType":"Observation","meta":{"tag":[{"code":"t"}]},)"
                       R"("valueQuantity":{"value":1.50},"note":[{"text":"b"},{"text":"a"}]})"));
  auto missing = compare(sent, R"({"resourceType":"Observation","meta":{"tag":[{"code":"t"}]},)"
                               R"("valueQuantity":{"value":1.50},"note":[{"text":"a"},{}]})");
  EXPECT_FALSE(missing);
  EXPECT_NE(std::string(missing.message()).find(".note[1].text"), std::string::npos)
      << missing.message();
  EXPECT_FALSE(
      compare(sent, R"({"resourceType":"Observation","meta":{"tag":[{"code":"t"}]},)"
                    R"("valueQuantity":{"value":1.50},"note":[{"text":"a"},{"text":"b"}],"x":1})"));
  EXPECT_FALSE(compare(sent, R"({"resourceType":"Observation","valueQuantity":{"value":1.50},)"
                             R"("note":[{"text":"a"},{"text":"b"}]})"));
}

TEST(ReadsBackEqualTest, ReferencesAreComparedAfterReplacingUrnUuids) {
  json::value sent = *ParseKeepingNumbers(
      R"({"resourceType":"Observation","subject":{"reference":"urn:uuid:1"},"focus":[{"reference":"#c"}]})");
  ReplaceReferences(sent, {{"urn:uuid:1", "Patient/p1"}});
  EXPECT_TRUE(
      ReadsBackEqual(sent, R"({"resourceType":"Observation","subject":{"reference":"Patient/p1"},)"
                           R"("focus":[{"reference":"#c"}]})"));
  EXPECT_FALSE(
      ReadsBackEqual(sent, R"({"resourceType":"Observation","subject":{"reference":"urn:uuid:1"},)"
                           R"("focus":[{"reference":"#c"}]})"));
}

}  // namespace
}  // namespace mamori::fhir
