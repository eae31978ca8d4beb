// SPDX-License-Identifier: Apache-2.0
#include "fhir/search/index.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <set>
#include <tuple>

#include "fhir/definitions.h"
#include "fhir/search/internal/index_values.h"
#include "fhir/search/normalize.h"

namespace mamori::fhir::search {
namespace {

constexpr std::array<std::string_view, 19> kTags = {
    "present", "tc",  "tsc",  "ts",   "tot", "ttp", "sx",  "sp", "sg",  "sn",
    "ref",     "uri", "urib", "date", "num", "q",   "qsc", "qc", "comp"};

LookupKey Key(const SearchClause& clause, IndexForm form, std::string value) {
  return LookupKey{.param = clause.definition->code, .form = form, .value = std::move(value)};
}

// The exact (form, value) a token value is stored under.
std::optional<CompositePart> TokenPart(const TokenValue& v) {
  switch (v.form) {
    case TokenValue::Form::kCode:
      return CompositePart{IndexForm::kTokenCode, v.code};
    case TokenValue::Form::kSystemAndCode:
      return CompositePart{IndexForm::kTokenSystemCode, v.system + "|" + v.code};
    case TokenValue::Form::kNoSystem:
      return CompositePart{IndexForm::kTokenSystemCode, "|" + v.code};
    case TokenValue::Form::kSystemOnly:
      return CompositePart{IndexForm::kTokenSystem, v.system};
  }
  return std::nullopt;
}

CompositePart QuantityPart(const QuantityValue& v, bool& recheck) {
  if (v.code.empty()) {
    recheck = recheck || !v.system.empty();  // system without code: any unit of that system
    return {IndexForm::kQuantity, {}};
  }
  if (v.system.empty()) return {IndexForm::kQuantityCode, v.code};
  return {IndexForm::kQuantitySystemCode, v.system + "|" + v.code};
}

// "Type/id" for each type a reference value may name.
std::vector<std::string> ReferenceParts(const ReferenceValue& v, const SearchParameter& param) {
  if (!v.url.empty()) {
    std::vector<std::string> out{v.url};
    if (!v.version.empty()) out = {v.url + "|" + v.version};
    return out;
  }
  std::string suffix = "/" + v.id + (v.version.empty() ? "" : "/_history/" + v.version);
  if (!v.type.empty()) return {v.type + suffix};
  std::vector<std::string> out;
  if (param.target_types.empty()) {
    for (const std::string& type : Definitions::R4().SupportedResourceTypes())
      out.push_back(type + suffix);
  } else {
    for (const std::string& type : param.target_types) out.push_back(type + suffix);
  }
  return out;
}

void PlanString(const SearchClause& clause, const StringValue& v, IndexForm prefix_form,
                const LookupOptions& options, LookupPlan& plan) {
  if (clause.modifier == Modifier::kExact) {
    plan.keys.push_back(Key(clause, IndexForm::kStringExact, v.raw));
    return;
  }
  if (clause.modifier == Modifier::kContains) {
    std::vector<std::string> grams = internal::GramKeys(v.normalized, options.max_gram);
    plan.recheck = true;  // grams do not prove the gram sequence is contiguous
    if (grams.empty() || !options.contains_grams) {  // no grams: every resource is a candidate
      plan.combine = LookupPlan::Combine::kScan;
      return;
    }
    plan.combine = LookupPlan::Combine::kAll;
    for (std::string& gram : grams) plan.keys.push_back(Key(clause, IndexForm::kStringGram, gram));
    return;
  }
  if (v.normalized.empty() || (prefix_form == IndexForm::kTokenTextPrefix && !options.token_text)) {
    // Nothing searchable is left ("" starts everything), or :text entries
    // are not written: every resource is a candidate.
    plan.combine = LookupPlan::Combine::kScan;
    plan.recheck = true;
    return;
  }
  // Prefix entries are per word and at stored lengths only: look up the
  // longest stored prefix of the query's first word and let the recheck
  // confirm the rest (other words, code points beyond that length).
  std::string_view first_word = std::string_view(v.normalized).substr(0, v.normalized.find(' '));
  size_t length = Utf8Length(first_word);
  size_t stored = StoredPrefixLength(std::min(length, options.max_prefix), options.max_prefix);
  plan.keys.push_back(Key(clause, prefix_form, std::string(Utf8Prefix(first_word, stored))));
  plan.recheck = first_word.size() != v.normalized.size() || length != stored;
}

void PlanToken(const SearchClause& clause, const TokenValue& v, const LookupOptions& options,
               LookupPlan& plan) {
  if (clause.modifier == Modifier::kOfType) {
    plan.keys.push_back(
        Key(clause, IndexForm::kTokenOfType, v.system + "|" + v.code + "|" + v.value));
    return;
  }
  std::optional<CompositePart> part = TokenPart(v);
  if (v.form == TokenValue::Form::kNoSystem && !options.systemless_codes) {
    part = CompositePart{IndexForm::kTokenCode, v.code};  // any system; the recheck says none
    plan.recheck = true;
  }
  plan.keys.push_back(Key(clause, part->form, std::move(part->value)));
  plan.negate = clause.modifier == Modifier::kNot;
}

void PlanUri(const SearchClause& clause, const UriValue& v, LookupPlan& plan) {
  if (clause.modifier == Modifier::kBelow) {
    std::string uri = v.uri;
    while (uri.size() > 1 && uri.ends_with('/')) uri.pop_back();
    plan.keys.push_back(Key(clause, IndexForm::kUriBelow, uri));
  } else if (clause.modifier == Modifier::kAbove) {
    for (std::string& prefix : internal::UriPrefixes(v.uri)) {
      plan.keys.push_back(Key(clause, IndexForm::kUri, prefix));
    }
  } else {
    plan.keys.push_back(Key(clause, IndexForm::kUri, v.uri));
  }
}

// The parts one composite component value may be stored under.
std::vector<CompositePart> ComponentParts(const ComponentValue& v, const SearchParameter& param,
                                          LookupPlan& plan) {
  if (const auto* t = std::get_if<TokenValue>(&v)) {
    if (t->form == TokenValue::Form::kSystemOnly) {
      plan.recheck = true;  // composites keep no system-only form: match on the rest
      return {};
    }
    return {*TokenPart(*t)};
  }
  if (const auto* s = std::get_if<StringValue>(&v))
    return {{IndexForm::kStringNormalized, s->normalized}};
  if (const auto* r = std::get_if<ReferenceValue>(&v)) {
    std::vector<CompositePart> out;
    for (std::string& key : ReferenceParts(*r, param)) out.push_back({IndexForm::kReference, key});
    return out;
  }
  if (const auto* u = std::get_if<UriValue>(&v)) return {{IndexForm::kUri, u->uri}};
  if (const auto* d = std::get_if<DateValue>(&v)) {
    plan.date = *d;
    return {{IndexForm::kDate, {}}};
  }
  if (const auto* n = std::get_if<NumberValue>(&v)) {
    plan.number = *n;
    return {{IndexForm::kNumber, {}}};
  }
  const auto& q = std::get<QuantityValue>(v);
  plan.number = q.number;
  return {QuantityPart(q, plan.recheck)};
}

// The broadest form of a part, as extraction keeps it without
// full_composites; narrowing it loses the system or unit, so recheck.
CompositePart Broadest(const CompositePart& part, const ComponentValue& v, LookupPlan& plan) {
  if (part.form == IndexForm::kTokenSystemCode) {
    plan.recheck = true;
    return {IndexForm::kTokenCode, std::get<TokenValue>(v).code};
  }
  if (part.form == IndexForm::kQuantitySystemCode || part.form == IndexForm::kQuantityCode) {
    plan.recheck = true;
    return {IndexForm::kQuantity, {}};
  }
  return part;
}

void PlanComposite(const SearchClause& clause, const CompositeValue& v, const LookupOptions& lookup,
                   LookupPlan& plan) {
  const SearchParameter& param = *clause.definition;
  std::vector<std::vector<CompositePart>> options;
  for (size_t i = 0; i < v.components.size() && i < param.components.size(); ++i) {
    const SearchParameter* part =
        Definitions::R4().FindSearchParameter(param.base, param.components[i].code);
    std::vector<CompositePart> parts = ComponentParts(v.components[i], *part, plan);
    if (!lookup.full_composites) {
      for (CompositePart& p : parts) p = Broadest(p, v.components[i], plan);
    }
    if (parts.empty()) {
      plan.combine = LookupPlan::Combine::kScan;
      plan.keys.clear();
      return;
    }
    options.push_back(std::move(parts));
  }
  std::vector<size_t> pick(options.size(), 0);
  for (;;) {
    std::vector<CompositePart> key;
    for (size_t i = 0; i < options.size(); ++i) key.push_back(options[i][pick[i]]);
    plan.keys.push_back(Key(clause, IndexForm::kComposite, CompositeKey(key)));
    size_t i = 0;
    for (; i < options.size() && ++pick[i] == options[i].size(); ++i) pick[i] = 0;
    if (i == options.size()) return;
  }
}

// A parameter of `type` indexed under another one's code (IndexedParam).
struct Alias {
  std::string type;
  std::string param;
  std::string indexed;
};

void AddAliases(const std::string& type, std::vector<Alias>& out) {
  std::vector<const SearchParameter*> seen;
  for (const SearchParameter* p : Definitions::R4().SearchParameters(type)) {
    if (p->expression.empty() || p->type == SearchParamType::kComposite) continue;
    auto same = std::find_if(seen.begin(), seen.end(), [p](const SearchParameter* q) {
      return q->expression == p->expression && q->type == p->type;
    });
    if (same == seen.end()) {
      seen.push_back(p);
    } else {
      out.push_back({type, p->code, (*same)->code});
    }
  }
}

}  // namespace

std::string_view FormTag(IndexForm form) { return kTags[static_cast<size_t>(form)]; }

namespace {

// "Type.element" for an element of min >= 1.
bool RequiredPath(const std::string& type, std::string_view path) {
  bool plain = path.starts_with(type + ".") && path.find('.', type.size() + 1) == path.npos &&
               std::all_of(path.begin(), path.end(), [](char c) {
                 return c == '.' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
               });
  const ElementDefinition* element = plain ? Definitions::R4().FindElement(path) : nullptr;
  return element != nullptr && element->min >= 1;
}

}  // namespace

bool ValueIsRequired(const SearchParameter& param) {
  static const auto* required = [] {
    auto* out = new std::set<const SearchParameter*>();
    const Definitions& defs = Definitions::R4();
    for (const std::string& type : defs.SupportedResourceTypes()) {
      for (const SearchParameter* p : defs.SearchParameters(type)) {
        if (p->base != type || p->type == SearchParamType::kComposite) continue;
        // A union has a value when any branch has: combo-code is
        // "Observation.code | Observation.component.code".
        std::string_view rest = p->expression;
        for (size_t bar = 0; bar != std::string_view::npos;) {
          bar = rest.find(" | ");
          if (RequiredPath(type, rest.substr(0, bar))) {
            out->insert(p);
            break;
          }
          if (bar != std::string_view::npos) rest.remove_prefix(bar + 3);
        }
      }
    }
    return out;
  }();
  return required->contains(&param);
}

std::optional<IndexForm> PresenceForm(SearchParamType type) {
  switch (type) {
    case SearchParamType::kDate:
      return IndexForm::kDate;
    case SearchParamType::kNumber:
      return IndexForm::kNumber;
    case SearchParamType::kQuantity:
      return IndexForm::kQuantity;
    default:
      return std::nullopt;
  }
}

bool IsStoredPrefixLength(size_t n, size_t max) {
  return n >= 1 && n <= max && (n <= 4 || n == 6 || n == 8 || n == 12 || n == max);
}

size_t StoredPrefixLength(size_t n, size_t max) {
  while (n > 1 && !IsStoredPrefixLength(n, max)) --n;
  return n;
}

bool operator<(const IndexEntry& a, const IndexEntry& b) {
  auto time = [](const IndexEntry& e) {
    return e.time ? std::make_tuple(true, e.time->low, e.time->high)
                  : std::make_tuple(false, int64_t{0}, int64_t{0});
  };
  auto number = [](const IndexEntry& e) {
    return e.number ? std::make_tuple(true, e.number->low, e.number->high)
                    : std::make_tuple(false, 0.0, 0.0);
  };
  return std::tie(a.param, a.form, a.value) < std::tie(b.param, b.form, b.value) ||
         (std::tie(a.param, a.form, a.value) == std::tie(b.param, b.form, b.value) &&
          (time(a) < time(b) || (time(a) == time(b) && number(a) < number(b))));
}

std::string_view IndexedParam(std::string_view type, std::string_view param) {
  static const auto* aliases = [] {
    auto* out = new std::vector<Alias>();
    for (const std::string& t : Definitions::R4().SupportedResourceTypes()) AddAliases(t, *out);
    return out;
  }();
  for (const Alias& a : *aliases) {
    if (a.type == type && a.param == param) return a.indexed;
  }
  return param;
}

std::string HashInput(std::string_view type, std::string_view param, IndexForm form,
                      std::string_view value) {
  param = IndexedParam(type, param);
  std::string out;
  out.reserve(type.size() + param.size() + value.size() + 12);
  out.append(type).push_back('\0');
  out.append(param).push_back('\0');
  out.append(FormTag(form)).push_back('\0');
  out.append(value);
  return out;
}

std::string HashInput(std::string_view type, const IndexEntry& entry) {
  return HashInput(type, entry.param, entry.form, entry.value);
}

std::string CompositeKey(std::span<const CompositePart> parts) {
  std::string out;
  for (const CompositePart& part : parts) {
    std::string framed = std::string(FormTag(part.form)) + "=" + part.value;
    out += std::to_string(framed.size());
    out += ':';
    out += framed;
  }
  return out;
}

LookupPlan PlanLookup(const SearchClause& clause, const SearchValue& value,
                      const LookupOptions& options) {
  LookupPlan plan;
  if (const auto* missing = std::get_if<MissingValue>(&value)) {
    if (ValueIsRequired(*clause.definition)) {  // only the rare absent value is indexed
      plan.keys.push_back(Key(clause, IndexForm::kPresent, std::string(kAbsentValue)));
      plan.negate = !missing->missing;
      return plan;
    }
    plan.keys.push_back(Key(clause, IndexForm::kPresent, {}));
    if (std::optional<IndexForm> form = PresenceForm(clause.definition->type)) {
      plan.keys.push_back(Key(clause, *form, {}));  // the range entries imply presence
    }
    plan.negate = missing->missing;
  } else if (const auto* token = std::get_if<TokenValue>(&value)) {
    PlanToken(clause, *token, options, plan);
  } else if (const auto* text = std::get_if<StringValue>(&value)) {
    bool token_text = clause.definition->type == SearchParamType::kToken;
    PlanString(clause, *text, token_text ? IndexForm::kTokenTextPrefix : IndexForm::kStringPrefix,
               options, plan);
  } else if (const auto* date = std::get_if<DateValue>(&value)) {
    plan.keys.push_back(Key(clause, IndexForm::kDate, {}));
    plan.date = *date;
  } else if (const auto* number = std::get_if<NumberValue>(&value)) {
    plan.keys.push_back(Key(clause, IndexForm::kNumber, {}));
    plan.number = *number;
  } else if (const auto* quantity = std::get_if<QuantityValue>(&value)) {
    CompositePart part = QuantityPart(*quantity, plan.recheck);
    plan.keys.push_back(Key(clause, part.form, std::move(part.value)));
    plan.number = quantity->number;
  } else if (const auto* reference = std::get_if<ReferenceValue>(&value)) {
    for (std::string& key : ReferenceParts(*reference, *clause.definition)) {
      plan.keys.push_back(Key(clause, IndexForm::kReference, std::move(key)));
    }
  } else if (const auto* uri = std::get_if<UriValue>(&value)) {
    PlanUri(clause, *uri, plan);
  } else {
    PlanComposite(clause, std::get<CompositeValue>(value), options, plan);
  }
  return plan;
}

bool StringMatchesPrefix(std::string_view normalized_value, std::string_view normalized_query) {
  if (normalized_value.starts_with(normalized_query)) return true;
  for (size_t space = normalized_value.find(' '); space != std::string_view::npos;
       space = normalized_value.find(' ', space + 1)) {
    if (normalized_value.substr(space + 1).starts_with(normalized_query)) return true;
  }
  return false;
}

bool DateMatches(const DateValue& search, const TimeRange& target, int64_t now_us) {
  const TimeRange& s = search.range;
  bool contains = s.low <= target.low && target.high <= s.high;
  switch (search.prefix) {
    case Prefix::kEq:
      return contains;
    case Prefix::kNe:
      return !contains;
    case Prefix::kGt:
      return target.high > s.high;
    case Prefix::kLt:
      return target.low < s.low;
    case Prefix::kGe:
      return target.high > s.high || contains;
    case Prefix::kLe:
      return target.low < s.low || contains;
    case Prefix::kSa:
      return target.low >= s.high;
    case Prefix::kEb:
      return target.high <= s.low;
    case Prefix::kAp: {
      // 10% of the gap between now and the searched date, on both sides.
      long double gap =
          std::fabs(static_cast<long double>(now_us) - static_cast<long double>(s.low)) / 10;
      long double low = static_cast<long double>(s.low) - gap;
      long double high = static_cast<long double>(s.high) + gap;
      return static_cast<long double>(target.low)<high&& static_cast<long double>(target.high)> low;
    }
  }
  return false;
}

bool NumberMatches(const NumberValue& search, const NumberRange& target) {
  double v = search.value;
  bool contains = search.low <= target.low && target.high < search.high;
  switch (search.prefix) {
    case Prefix::kEq:
      return contains;
    case Prefix::kNe:
      return !contains;
    case Prefix::kGt:
      return target.high > v;
    case Prefix::kLt:
      return target.low < v;
    case Prefix::kGe:
      return target.high >= v;
    case Prefix::kLe:
      return target.low <= v;
    case Prefix::kSa:
      return target.low > v;
    case Prefix::kEb:
      return target.high < v;
    case Prefix::kAp: {
      double d = std::fabs(v) / 10;
      if (d == 0) d = (search.high - search.low) / 2;
      return target.low <= v + d && target.high >= v - d;
    }
  }
  return false;
}

}  // namespace mamori::fhir::search
