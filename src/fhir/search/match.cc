// SPDX-License-Identifier: Apache-2.0
#include "fhir/search/match.h"

#include <algorithm>
#include <string>
#include <vector>

#include "core/check.h"
#include "fhir/search/normalize.h"

namespace mamori::fhir::search {
namespace {

bool StringRecheck(const boost::json::object& resource, const SearchClause& clause,
                   const StringValue& value) {
  for (const std::string& stored : ExtractStrings(resource, *clause.definition)) {
    if (clause.modifier == Modifier::kExact) {
      if (stored == value.raw) return true;
      continue;
    }
    std::string normalized = NormalizeString(stored);
    bool hit = clause.modifier == Modifier::kContains
                   ? normalized.find(value.normalized) != std::string::npos
                   : StringMatchesPrefix(normalized, value.normalized);
    if (hit) return true;
  }
  return false;
}

// value|system| (any unit of a system): the entries hold "system|code".
bool UnitSystemRecheck(const std::vector<IndexEntry>& entries, const QuantityValue& value) {
  std::string prefix = value.system + "|";
  return std::any_of(entries.begin(), entries.end(), [&](const IndexEntry& e) {
    return e.form == IndexForm::kQuantitySystemCode && e.value.starts_with(prefix) && e.number &&
           NumberMatches(value.number, *e.number);
  });
}

// A value looked up by a broader form than it names (a composite without
// full_composites, "|code" without systemless_codes): the entries of this
// parameter with every form written, against the plan for them.
bool FullFormsRecheck(const boost::json::object& resource, const SearchClause& clause,
                      const SearchValue& value, const MatchOptions& options) {
  ExtractOptions full = options.extract;
  full.full_composites = true;
  full.systemless_codes = true;
  LookupPlan plan = PlanLookup(clause, value, LookupOptionsFor(full));
  // A full plan still rechecking has a [system]| part, which the parser refuses.
  if (plan.recheck) return false;
  std::vector<IndexEntry> entries = ExtractParameter(resource, *clause.definition, full);
  return std::any_of(plan.keys.begin(), plan.keys.end(), [&](const LookupKey& key) {
    return std::any_of(entries.begin(), entries.end(), [&](const IndexEntry& e) {
      return EntryMatches(e, key, plan, options.now_us);
    });
  });
}

bool Recheck(const boost::json::object& resource, const std::vector<IndexEntry>& entries,
             const SearchClause& clause, const SearchValue& value, const MatchOptions& options) {
  if (const auto* s = std::get_if<StringValue>(&value)) return StringRecheck(resource, clause, *s);
  if (const auto* q = std::get_if<QuantityValue>(&value)) return UnitSystemRecheck(entries, *q);
  if (std::holds_alternative<CompositeValue>(value) && !options.extract.full_composites) {
    return FullFormsRecheck(resource, clause, value, options);
  }
  if (std::holds_alternative<TokenValue>(value) && !options.extract.systemless_codes) {
    return FullFormsRecheck(resource, clause, value, options);
  }
  // Full composite plans recheck only for [system]| parts, which the parser refuses.
  return !std::holds_alternative<CompositeValue>(value);
}

bool ValueMatches(const boost::json::object& resource, const std::vector<IndexEntry>& entries,
                  const SearchClause& clause, const SearchValue& value,
                  const MatchOptions& options) {
  LookupPlan plan = PlanLookup(clause, value, LookupOptionsFor(options.extract));
  auto found = [&](const LookupKey& key) {
    return std::any_of(entries.begin(), entries.end(), [&](const IndexEntry& e) {
      return EntryMatches(e, key, plan, options.now_us);
    });
  };
  bool hit = true;  // Combine::kScan: every resource is a candidate
  if (plan.combine == LookupPlan::Combine::kAny) {
    hit = std::any_of(plan.keys.begin(), plan.keys.end(), found);
  } else if (plan.combine == LookupPlan::Combine::kAll) {
    hit = std::all_of(plan.keys.begin(), plan.keys.end(), found);
  }
  return hit && (!plan.recheck || Recheck(resource, entries, clause, value, options));
}

}  // namespace

LookupOptions LookupOptionsFor(const ExtractOptions& options) {
  return LookupOptions{.max_prefix = options.max_prefix,
                       .max_gram = options.max_gram,
                       .token_text = options.token_text,
                       .contains_grams = options.contains_grams,
                       .full_composites = options.full_composites,
                       .systemless_codes = options.systemless_codes};
}

bool EntryMatches(const IndexEntry& entry, const LookupKey& key, const LookupPlan& plan,
                  int64_t now_us) {
  if (entry.param != key.param || entry.form != key.form || entry.value != key.value) return false;
  if (plan.date && !(entry.time && DateMatches(*plan.date, *entry.time, now_us))) return false;
  if (plan.number && !(entry.number && NumberMatches(*plan.number, *entry.number))) return false;
  return true;
}

bool ResourceMatchesClause(const boost::json::object& resource, const SearchClause& clause,
                           const MatchOptions& options) {
  MAMORI_CHECK(!clause.chain && !clause.has && clause.definition != nullptr);
  if (clause.values.empty()) return true;
  std::vector<IndexEntry> entries = ExtractParameter(resource, *clause.definition, options.extract);
  bool negate = PlanLookup(clause, clause.values.front()).negate;
  bool positive = std::any_of(
      clause.values.begin(), clause.values.end(),
      [&](const SearchValue& v) { return ValueMatches(resource, entries, clause, v, options); });
  return positive != negate;
}

}  // namespace mamori::fhir::search
