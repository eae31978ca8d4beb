// SPDX-License-Identifier: Apache-2.0
#pragma once

// fhir::search::ParseSearchQuery: FHIR R4 search parameters, already split
// and percent-decoded into (name, value) pairs, turned into a typed
// SearchQuery for one resource type. Pure: no I/O, no store, no clock; the
// planner that runs the query (issue 5) reads only this structure.
//
// Understood: every search parameter fhir::Definitions::R4() defines for the
// type, with its value grammar (token, string, date, number, quantity,
// reference, uri, composite); modifiers :missing, :not, :exact, :contains,
// :text, :identifier, :[type], :above/:below on uri; comma-separated OR values
// and repeated-parameter AND; chained parameters one level deep
// (subject:Patient.name=x); _has one level (_has:Observation:patient:code=x);
// and the result parameters _count, _sort, _include, _revinclude (with
// :iterate), _summary, _total, _elements, _format, _pretty. FHIR escaping
// (\, \| \$ \\) is undone per value.
//
// Unknown or unsupported parameters and modifiers fail with kInvalidArgument
// naming the parameter, or, with ParseOptions::lenient (Prefer:
// handling=lenient), are listed in SearchQuery::ignored and left out. A
// malformed value is an error in both modes. No message ever contains a
// value (DESIGN invariant 5); parameter names are truncated and stripped of
// non-printable bytes before they are named.
//
// Ownership: the SearchQuery holds pointers into fhir::Definitions::R4(),
// which lives until exit; everything else it owns. Thread-safety: a pure
// function; call it from any thread.
//
// Example:
//   std::vector<std::pair<std::string, std::string>> pairs = {
//       {"name", "ﾔﾏﾀﾞ"}, {"birthdate", "ge1970"}, {"_sort", "-birthdate"}};
//   MAMORI_ASSIGN_OR_RETURN(search::SearchQuery q,
//                           search::ParseSearchQuery("Patient", pairs, {.lenient = lenient}));
//   // q.clauses[0].values[0] holds StringValue{.raw = "ﾔﾏﾀﾞ", .normalized = "やまだ"}
//   // q.clauses[1].values[0] holds DateValue{kGe, [1970-01-01, 1971-01-01)}
// Tests: EXPECT_THAT(ParseSearchQuery("Patient", {{"nope", "x"}}),
//                    StatusIs(core::StatusCode::kInvalidArgument));

#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "core/status.h"
#include "fhir/definitions.h"

namespace mamori::fhir::search {

// Search prefixes for ordered types (date, number, quantity). kEq when absent.
enum class Prefix { kEq, kNe, kGt, kLt, kGe, kLe, kSa, kEb, kAp };
// "eq", "ne", ...
std::string_view PrefixName(Prefix prefix);

// Modifiers after the parameter name (name:modifier).
enum class Modifier {
  kNone,
  kMissing,   // any type but composite: value true or false
  kNot,       // token
  kExact,     // string: whole value, case and accents significant
  kContains,  // string: anywhere in the value
  kText,  // token: string search on Coding.display / CodeableConcept.text / Identifier.type.text
  kIdentifier,  // reference: token search on Reference.identifier
  kType,        // reference: name:[type], the type is in SearchClause::type_modifier
  kAbove,       // uri: the stored uri is a prefix of the value
  kBelow,       // uri: the value is a prefix of the stored uri
  kOfType,      // token on Identifier: value is type-system|type-code|value
};
std::string_view ModifierName(Modifier modifier);

// Microseconds since 1970-01-01T00:00:00Z; kMinTime / kMaxTime stand for an
// open end ("missing lower boundary is less than any date").
inline constexpr int64_t kMinTime = std::numeric_limits<int64_t>::min();
inline constexpr int64_t kMaxTime = std::numeric_limits<int64_t>::max();

// The half-open interval [low, high) a date value covers at its precision.
struct TimeRange {
  int64_t low = kMinTime;
  int64_t high = kMaxTime;
  friend bool operator==(const TimeRange&, const TimeRange&) = default;
};

// [system]|[code] and its variants. For :of-type, system|code is the
// identifier type and `value` the identifier value.
struct TokenValue {
  enum class Form {
    kCode,           // "code": any system
    kSystemAndCode,  // "system|code"
    kNoSystem,       // "|code": only values without a system
    kSystemOnly,     // "system|": any code in the system
  };
  Form form = Form::kCode;
  std::string system;
  std::string code;
  std::string value;  // :of-type only
  friend bool operator==(const TokenValue&, const TokenValue&) = default;
};

// A string as given and as NormalizeString() folds it.
struct StringValue {
  std::string raw;         // for :exact
  std::string normalized;  // for the default (prefix) match and :contains
  friend bool operator==(const StringValue&, const StringValue&) = default;
};

struct DateValue {
  Prefix prefix = Prefix::kEq;
  TimeRange range;
  friend bool operator==(const DateValue&, const DateValue&) = default;
};

// A decimal with the implicit range of its significant digits: "100" is
// [99.5, 100.5), "100.00" [99.995, 100.005), "1e2" [50, 150).
struct NumberValue {
  Prefix prefix = Prefix::kEq;
  double value = 0;
  double low = 0;
  double high = 0;
  friend bool operator==(const NumberValue&, const NumberValue&) = default;
};

// [prefix]number[|system|code]. An empty system with a code matches the
// stored code or unit ("5.4||mg"); no code matches any unit.
struct QuantityValue {
  NumberValue number;
  std::string system;
  std::string code;
  friend bool operator==(const QuantityValue&, const QuantityValue&) = default;
};

// A reference value: "Patient/123", "123" (type empty: any target type),
// "Patient/123/_history/2", an absolute URL outside ParseOptions::base_url
// (kept whole in `url`), or a canonical "url|version".
struct ReferenceValue {
  std::string type;
  std::string id;
  std::string version;  // _history/[version] or canonical |version
  std::string url;      // absolute or canonical URL that is not on this server
  friend bool operator==(const ReferenceValue&, const ReferenceValue&) = default;
};

struct UriValue {
  std::string uri;
  friend bool operator==(const UriValue&, const UriValue&) = default;
};

// :missing=true / :missing=false.
struct MissingValue {
  bool missing = true;
  friend bool operator==(const MissingValue&, const MissingValue&) = default;
};

// The parts of a composite value a$b, one per component, in definition order.
using ComponentValue = std::variant<TokenValue, StringValue, DateValue, NumberValue, QuantityValue,
                                    ReferenceValue, UriValue>;
struct CompositeValue {
  std::vector<ComponentValue> components;
  friend bool operator==(const CompositeValue&, const CompositeValue&) = default;
};

using SearchValue = std::variant<TokenValue, StringValue, DateValue, NumberValue, QuantityValue,
                                 ReferenceValue, UriValue, CompositeValue, MissingValue>;

// subject:Patient.name=x: `reference` is Observation's "subject", and the
// clause's own definition is the parameter on the target type(s).
struct ChainLink {
  const SearchParameter* reference = nullptr;
  // The target types searched, each with its definition of the chained
  // parameter (same code and type). One type when :[type] was given.
  std::vector<std::pair<std::string, const SearchParameter*>> targets;
};

// _has:Observation:patient:code=x: resources of `type` whose `reference`
// parameter points at the searched resource and whose clause definition
// (Observation "code") matches.
struct HasLink {
  std::string type;
  const SearchParameter* reference = nullptr;
};

// One parameter occurrence: its values are ORed; clauses are ANDed.
struct SearchClause {
  std::string name;  // as sent, e.g. "subject:Patient.name:exact"
  // The parameter the values are matched against (the chained or _has
  // parameter when `chain` or `has` is set).
  const SearchParameter* definition = nullptr;
  Modifier modifier = Modifier::kNone;
  std::string type_modifier;  // kType: the resource type, e.g. "Patient"
  std::optional<ChainLink> chain;
  std::optional<HasLink> has;
  std::vector<SearchValue> values;
};

struct SortKey {
  const SearchParameter* definition = nullptr;
  bool descending = false;
};

// _include=Observation:subject[:Patient] or _revinclude=Observation:subject.
struct IncludeSpec {
  std::string source_type;                 // the type holding the reference
  const SearchParameter* param = nullptr;  // nullptr with wildcard
  std::string target_type;                 // empty: every target type
  bool wildcard = false;                   // "*" or "Type:*": every reference parameter
  bool iterate = false;                    // :iterate (or R3's :recurse)
};

enum class SummaryMode { kTrue, kText, kData, kCount, kFalse };
enum class TotalMode { kNone, kEstimate, kAccurate };

struct SearchQuery {
  std::string resource_type;
  std::vector<SearchClause> clauses;
  std::optional<uint32_t> count;  // _count, clamped to ParseOptions::max_count
  std::vector<SortKey> sort;
  std::vector<IncludeSpec> includes;
  std::vector<IncludeSpec> revincludes;
  std::optional<SummaryMode> summary;
  std::optional<TotalMode> total;
  std::vector<std::string> elements;
  std::optional<std::string> format;  // _format, passed through unchecked
  std::optional<std::string> pretty;  // _pretty, passed through unchecked
  // Names of the parameters left out: unknown or unsupported ones when
  // lenient, and parameters sent with an empty value (always ignored).
  std::vector<std::string> ignored;
};

struct ParseOptions {
  // Prefer: handling=lenient. Default false: strict, as the spec recommends
  // for servers that cannot tell which parameters a client relies on.
  bool lenient = false;
  // This server's FHIR base ("https://clinic.example/fhir"): absolute
  // references under it are read as local "Type/id". Empty: none are.
  std::string base_url;
  // Offset from UTC, in minutes, for date values without a zone. Must equal
  // ExtractOptions::default_offset_minutes. Default 0 (UTC).
  int32_t default_offset_minutes = 0;
  // Largest _count honoured; larger requests are clamped (the spec lets a
  // server return fewer). Default 1000: a page the planner can still bound.
  uint32_t max_count = 1000;
  // Bounds on hostile input: at most this many parameters (default 100) and
  // values per parameter (default 100); beyond, kInvalidArgument.
  size_t max_parameters = 100;
  size_t max_values = 100;
};

using QueryPairs = std::span<const std::pair<std::string, std::string>>;

// Parses decoded (name, value) pairs for a search on `resource_type`.
// Returns kNotFound when the type is not a supported resource type, and
// kInvalidArgument naming the parameter (never its value) for an unknown or
// unsupported parameter or modifier (strict only), a malformed value, a
// result parameter given twice, or more parameters or values than the
// options allow.
core::Result<SearchQuery> ParseSearchQuery(std::string_view resource_type, QueryPairs params,
                                           const ParseOptions& options = {});

}  // namespace mamori::fhir::search
