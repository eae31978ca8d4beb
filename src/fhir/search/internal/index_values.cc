// SPDX-License-Identifier: Apache-2.0
#include "fhir/search/internal/index_values.h"

#include <cmath>
#include <limits>
#include <optional>

#include "fhir/json_number.h"
#include "fhir/search/internal/fhir_time.h"
#include "fhir/search/internal/reference_text.h"
#include "fhir/search/normalize.h"

namespace mamori::fhir::search::internal {
namespace {

constexpr size_t kMaxWords = 8;
constexpr double kInfinity = std::numeric_limits<double>::infinity();

// A child of a JSON object as a string view; empty when absent or not a string.
std::string_view Str(const boost::json::object* object, std::string_view key) {
  if (object == nullptr) return {};
  const boost::json::value* v = object->if_contains(key);
  return v != nullptr && v->is_string() ? std::string_view(v->get_string()) : std::string_view();
}

const boost::json::object* Obj(const boost::json::object* object, std::string_view key) {
  if (object == nullptr) return nullptr;
  const boost::json::value* v = object->if_contains(key);
  return v != nullptr ? v->if_object() : nullptr;
}

std::optional<double> Num(const boost::json::object* object, std::string_view key) {
  if (object == nullptr) return std::nullopt;
  const boost::json::value* v = object->if_contains(key);
  if (v == nullptr) return std::nullopt;
  return NumberAsDouble(*v);  // JSON integers and exact-text decimals (fhir/json_number.h)
}

// Calls f(string) for each string in an array or single string child.
template <typename F>
void ForEachStr(const boost::json::object* object, std::string_view key, F f) {
  if (object == nullptr) return;
  const boost::json::value* v = object->if_contains(key);
  if (v == nullptr) return;
  if (v->is_string()) f(std::string_view(v->get_string()));
  if (const boost::json::array* a = v->if_array()) {
    for (const boost::json::value& e : *a) {
      if (e.is_string()) f(std::string_view(e.get_string()));
    }
  }
}

template <typename F>
void ForEachObj(const boost::json::object* object, std::string_view key, F f) {
  if (object == nullptr) return;
  const boost::json::value* v = object->if_contains(key);
  if (v == nullptr) return;
  if (const boost::json::object* o = v->if_object()) f(o);
  if (const boost::json::array* a = v->if_array()) {
    for (const boost::json::value& e : *a) {
      if (const boost::json::object* o = e.if_object()) f(o);
    }
  }
}

class Emitter {
 public:
  Emitter(const ExtractOptions& options, Yield yield, std::vector<IndexEntry>& out)
      : options_(options), yield_(yield), out_(out) {}

  bool full() const { return yield_ == Yield::kFull; }

  void Add(IndexForm form, std::string value) {
    out_.push_back(IndexEntry{.param = {}, .form = form, .value = std::move(value)});
  }
  void AddTime(TimeRange range) {
    out_.push_back(IndexEntry{.param = {}, .form = IndexForm::kDate, .value = {}, .time = range});
  }
  void AddNumber(IndexForm form, std::string value, NumberRange range) {
    out_.push_back(
        IndexEntry{.param = {}, .form = form, .value = std::move(value), .number = range});
  }

  // [system]|[code] forms of a coded value.
  void Token(std::string_view system, std::string_view code) {
    if (!code.empty()) {
      Add(IndexForm::kTokenCode, std::string(code));
      // "|code" only says "no system", which a recheck can tell (systemless_codes).
      if (!system.empty() || !full() || options_.systemless_codes) {
        Add(IndexForm::kTokenSystemCode, std::string(system) + "|" + std::string(code));
      }
    }
    if (!system.empty() && full()) Add(IndexForm::kTokenSystem, std::string(system));
  }

  void TokenText(std::string_view text) {
    if (text.empty() || !full() || !options_.token_text) return;
    for (std::string& key : PrefixKeys(NormalizeString(text), options_.max_prefix)) {
      Add(IndexForm::kTokenTextPrefix, std::move(key));
    }
  }

  void String(std::string_view raw) {
    if (raw.empty()) return;
    std::string normalized = NormalizeString(raw);
    if (!full()) {
      Add(IndexForm::kStringNormalized, std::move(normalized));
      return;
    }
    Add(IndexForm::kStringExact, std::string(raw));
    for (std::string& key : PrefixKeys(normalized, options_.max_prefix)) {
      Add(IndexForm::kStringPrefix, std::move(key));
    }
    if (!options_.contains_grams) return;
    for (std::string& key : GramKeys(normalized, options_.max_gram)) {
      Add(IndexForm::kStringGram, std::move(key));
    }
  }

  void Quantity(double low, double high, std::string_view system, std::string_view code,
                std::string_view unit) {
    NumberRange range{low, high};
    AddNumber(IndexForm::kQuantity, {}, range);
    if (!system.empty() && !code.empty()) {
      AddNumber(IndexForm::kQuantitySystemCode, std::string(system) + "|" + std::string(code),
                range);
    }
    if (!code.empty()) AddNumber(IndexForm::kQuantityCode, std::string(code), range);
    if (!unit.empty() && unit != code)
      AddNumber(IndexForm::kQuantityCode, std::string(unit), range);
  }

  const ExtractOptions& options() const { return options_; }

 private:
  const ExtractOptions& options_;
  Yield yield_;
  std::vector<IndexEntry>& out_;
};

bool IsQuantityType(std::string_view type) {
  return type == "Quantity" || type == "Age" || type == "Distance" || type == "Duration" ||
         type == "Count" || type == "SimpleQuantity" || type == "MoneyQuantity";
}

void CodingToken(const boost::json::object* coding, Emitter& e) {
  e.Token(Str(coding, "system"), Str(coding, "code"));
  e.TokenText(Str(coding, "display"));
}

void TokenEntries(const Item& item, Emitter& e) {
  const boost::json::object* o = item.object;
  std::string_view type = item.type;
  if (type == "Coding") {
    CodingToken(o, e);
  } else if (type == "CodeableConcept") {
    ForEachObj(o, "coding", [&](const boost::json::object* c) { CodingToken(c, e); });
    e.TokenText(Str(o, "text"));
  } else if (type == "Identifier") {
    e.Token(Str(o, "system"), Str(o, "value"));
    const boost::json::object* id_type = Obj(o, "type");
    e.TokenText(Str(id_type, "text"));
    std::string_view value = Str(o, "value");
    if (!value.empty() && e.full()) {
      ForEachObj(id_type, "coding", [&](const boost::json::object* c) {
        if (Str(c, "system").empty() || Str(c, "code").empty()) return;
        e.Add(IndexForm::kTokenOfType, std::string(Str(c, "system")) + "|" +
                                           std::string(Str(c, "code")) + "|" + std::string(value));
      });
    }
  } else if (type == "ContactPoint") {
    e.Token({}, Str(o, "value"));
  } else if (o == nullptr) {
    e.Token({}, PrimitiveText(item));  // code, string, uri, id, boolean, computed booleans
  }
}

void HumanNameStrings(const boost::json::object* o, std::vector<std::string>& out) {
  auto add = [&](std::string_view s) { out.emplace_back(s); };
  ForEachStr(o, "family", add);
  ForEachStr(o, "given", add);
  ForEachStr(o, "prefix", add);
  ForEachStr(o, "suffix", add);
  ForEachStr(o, "text", add);
}

void AddressStrings(const boost::json::object* o, std::vector<std::string>& out) {
  auto add = [&](std::string_view s) { out.emplace_back(s); };
  for (std::string_view key :
       {"line", "city", "district", "state", "postalCode", "country", "text"}) {
    ForEachStr(o, key, add);
  }
}

// Dates: the interval of a date/dateTime/instant, of a Period, or the hull of
// a Timing's events and bounds.
std::optional<TimeRange> TimeOf(std::string_view text, const ExtractOptions& options) {
  std::optional<ParsedTime> parsed =
      ParseFhirTime(text, {.default_offset_minutes = options.default_offset_minutes});
  if (!parsed) return std::nullopt;
  return TimeRange{parsed->low_us, parsed->high_us};
}

std::optional<TimeRange> PeriodRange(const boost::json::object* period,
                                     const ExtractOptions& options) {
  std::optional<TimeRange> start = TimeOf(Str(period, "start"), options);
  std::optional<TimeRange> end = TimeOf(Str(period, "end"), options);
  if (!start && !end) return std::nullopt;
  return TimeRange{start ? start->low : kMinTime, end ? end->high : kMaxTime};
}

std::optional<TimeRange> TimingRange(const boost::json::object* timing,
                                     const ExtractOptions& options) {
  std::optional<TimeRange> hull;
  auto widen = [&](std::optional<TimeRange> r) {
    if (!r) return;
    hull = hull ? TimeRange{std::min(hull->low, r->low), std::max(hull->high, r->high)} : *r;
  };
  ForEachStr(timing, "event", [&](std::string_view s) { widen(TimeOf(s, options)); });
  widen(PeriodRange(Obj(Obj(timing, "repeat"), "boundsPeriod"), options));
  return hull;
}

void DateEntries(const Item& item, Emitter& e) {
  std::optional<TimeRange> range;
  if (item.type == "Period") {
    range = PeriodRange(item.object, e.options());
  } else if (item.type == "Timing") {
    range = TimingRange(item.object, e.options());
  } else if (item.object == nullptr && item.value != nullptr && item.value->is_string()) {
    range = TimeOf(item.value->get_string(), e.options());
  }
  if (range) e.AddTime(*range);
}

void NumberEntries(const Item& item, Emitter& e) {
  std::optional<double> plain =
      item.object == nullptr && item.value != nullptr ? NumberAsDouble(*item.value) : std::nullopt;
  if (plain) {
    double v = *plain;
    e.AddNumber(IndexForm::kNumber, {}, {v, v});
  } else if (item.type == "Range") {
    std::optional<double> low = Num(Obj(item.object, "low"), "value");
    std::optional<double> high = Num(Obj(item.object, "high"), "value");
    if (low || high)
      e.AddNumber(IndexForm::kNumber, {}, {low.value_or(-kInfinity), high.value_or(kInfinity)});
  } else if (IsQuantityType(item.type)) {
    if (std::optional<double> v = Num(item.object, "value"))
      e.AddNumber(IndexForm::kNumber, {}, {*v, *v});
  }
}

void QuantityEntries(const Item& item, Emitter& e) {
  const boost::json::object* o = item.object;
  if (IsQuantityType(item.type)) {
    if (std::optional<double> v = Num(o, "value")) {
      e.Quantity(*v, *v, Str(o, "system"), Str(o, "code"), Str(o, "unit"));
    }
  } else if (item.type == "Money") {
    if (std::optional<double> v = Num(o, "value")) {
      e.Quantity(*v, *v, Str(o, "currency").empty() ? "" : "urn:iso:std:iso:4217",
                 Str(o, "currency"), {});
    }
  } else if (item.type == "Range") {
    const boost::json::object* low = Obj(o, "low");
    const boost::json::object* high = Obj(o, "high");
    std::optional<double> lo = Num(low, "value");
    std::optional<double> hi = Num(high, "value");
    if (!lo && !hi) return;
    const boost::json::object* unit = lo ? low : high;
    e.Quantity(lo.value_or(-kInfinity), hi.value_or(kInfinity), Str(unit, "system"),
               Str(unit, "code"), Str(unit, "unit"));
  }
}

void ReferenceEntries(const Item& item, Emitter& e) {
  const boost::json::object* o = item.object;
  std::vector<std::string> keys;
  if (o != nullptr && Definitions::R4().IsKnownResourceType(item.type)) {
    std::string_view id = Str(o, "id");  // an inline resource, e.g. Bundle.entry[0].resource
    if (!id.empty()) keys.push_back(std::string(item.type) + "/" + std::string(id));
  } else if (o != nullptr) {
    keys = ReferenceKeys(Str(o, "reference"), e.options().base_url);
    if (const boost::json::object* identifier = Obj(o, "identifier"); identifier && e.full()) {
      e.Token(Str(identifier, "system"), Str(identifier, "value"));
    }
  } else if (item.value != nullptr && item.value->is_string()) {
    keys = ReferenceKeys(item.value->get_string(), e.options().base_url);  // canonical, uri
  }
  for (std::string& key : keys) e.Add(IndexForm::kReference, std::move(key));
}

void UriEntries(const Item& item, Emitter& e) {
  if (item.object != nullptr || item.value == nullptr || !item.value->is_string()) return;
  std::string_view uri = item.value->get_string();
  if (uri.empty()) return;
  e.Add(IndexForm::kUri, std::string(uri));
  if (!e.full()) return;
  for (std::string& prefix : UriPrefixes(uri)) e.Add(IndexForm::kUriBelow, std::move(prefix));
}

}  // namespace

void AppendItemStrings(SearchParamType type, const Item& item, std::vector<std::string>& out) {
  const boost::json::object* o = item.object;
  if (type == SearchParamType::kToken) {
    if (item.type == "Coding")
      ForEachStr(o, "display", [&](std::string_view s) { out.emplace_back(s); });
    if (item.type == "CodeableConcept") {
      ForEachObj(o, "coding", [&](const boost::json::object* c) {
        ForEachStr(c, "display", [&](std::string_view s) { out.emplace_back(s); });
      });
      ForEachStr(o, "text", [&](std::string_view s) { out.emplace_back(s); });
    }
    if (item.type == "Identifier") {
      ForEachStr(Obj(o, "type"), "text", [&](std::string_view s) { out.emplace_back(s); });
    }
    return;
  }
  if (type != SearchParamType::kString) return;
  if (o == nullptr) {
    if (item.value != nullptr && item.value->is_string())
      out.emplace_back(item.value->get_string());
  } else if (item.type == "HumanName") {
    HumanNameStrings(o, out);
  } else if (item.type == "Address") {
    AddressStrings(o, out);
  } else if (item.type == "CodeableConcept" || item.type == "Coding") {
    AppendItemStrings(SearchParamType::kToken, item, out);
  } else if (item.type == "Annotation") {
    ForEachStr(o, "text", [&](std::string_view s) { out.emplace_back(s); });
  }
}

void AppendItemEntries(SearchParamType type, const Item& item, const ExtractOptions& options,
                       Yield yield, std::vector<IndexEntry>& out) {
  Emitter e(options, yield, out);
  switch (type) {
    case SearchParamType::kToken:
      TokenEntries(item, e);
      break;
    case SearchParamType::kString: {
      std::vector<std::string> strings;
      AppendItemStrings(type, item, strings);
      for (const std::string& s : strings) e.String(s);
      break;
    }
    case SearchParamType::kDate:
      DateEntries(item, e);
      break;
    case SearchParamType::kNumber:
      NumberEntries(item, e);
      break;
    case SearchParamType::kQuantity:
      QuantityEntries(item, e);
      break;
    case SearchParamType::kReference:
      ReferenceEntries(item, e);
      break;
    case SearchParamType::kUri:
      UriEntries(item, e);
      break;
    case SearchParamType::kComposite:
    case SearchParamType::kSpecial:
      break;  // composites: extract.cc; special: not indexed
  }
}

std::vector<std::string> PrefixKeys(std::string_view normalized, size_t max) {
  std::vector<std::string> keys;
  size_t words = 0;
  for (size_t start = 0; start < normalized.size() && words < kMaxWords; ++words) {
    size_t space = normalized.find(' ', start);
    std::string_view word = normalized.substr(start, space - start);
    for (size_t n = 1; n <= max; ++n) {
      std::string_view prefix = Utf8Prefix(word, n);
      if (IsStoredPrefixLength(n, max)) keys.emplace_back(prefix);
      if (prefix.size() == word.size()) break;  // the word is n code points long
    }
    if (space == std::string_view::npos) break;
    start = space + 1;
  }
  return keys;
}

std::vector<std::string> GramKeys(std::string_view normalized, size_t max) {
  std::vector<std::string> keys;
  std::string_view window = Utf8Prefix(normalized, max);
  for (size_t start = 0; start < window.size();) {
    size_t space = window.find(' ', start);
    std::string_view word = window.substr(start, space - start);
    for (size_t i = 0; i < word.size();) {
      std::string_view gram = Utf8Prefix(word.substr(i), kGramLength);
      if (Utf8Length(gram) < kGramLength) break;
      keys.emplace_back(gram);
      i += Utf8Prefix(word.substr(i), 1).size();
    }
    if (space == std::string_view::npos) break;
    start = space + 1;
  }
  return keys;
}

std::vector<std::string> UriPrefixes(std::string_view uri) {
  while (uri.size() > 1 && uri.ends_with('/')) uri.remove_suffix(1);
  std::vector<std::string> out;
  size_t scheme = uri.find("://");
  if (scheme != std::string_view::npos) {
    size_t slash = uri.find('/', scheme + 3);
    while (slash != std::string_view::npos) {
      out.emplace_back(uri.substr(0, slash));
      slash = uri.find('/', slash + 1);
    }
  }
  out.emplace_back(uri);
  return out;
}

}  // namespace mamori::fhir::search::internal
