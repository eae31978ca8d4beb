// SPDX-License-Identifier: Apache-2.0
#include "fhir/internal/search/planner.h"

#include <algorithm>
#include <iterator>
#include <set>
#include <unordered_map>
#include <variant>

#include "fhir/definitions.h"
#include "fhir/internal/search/indexer.h"
#include "fhir/json_parser.h"
#include "fhir/search/extract.h"
#include "fhir/search/index.h"
#include "fhir/search/match.h"
#include "fhir/search/normalize.h"

namespace mamori::fhir::internal {
namespace {

using Keys = std::vector<int64_t>;  // sorted, unique

// A chain joins through every target resource it finds; beyond this many the
// client must narrow the chained value (the answer would be slow, not wrong).
constexpr size_t kMaxChainTargets = 10000;
// An ordered clause (date, number, quantity) after others have narrowed the
// search to at most this many keys checks those keys' ranges one by one
// instead of reading every entry of the parameter.
constexpr size_t kPointLookups = 4096;
// With rechecks, the total needs every candidate decrypted; up to this many
// candidates that is cheap enough to do for every page.
constexpr size_t kCheapTotal = 256;
// _sort on a hashed parameter (string, token, reference, uri) decrypts every
// match to read its value; beyond this many matches the client must narrow.
constexpr size_t kMaxDecryptedSort = 10000;

// What the index says about one clause: a key set (or every resource of the
// type) and whether the decrypted candidates must be confirmed.
struct Candidates {
  bool all = false;
  Keys keys;
  bool recheck = false;
};

Keys Union(const Keys& a, const Keys& b) {
  Keys out;
  std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

Keys Intersect(const Keys& a, const Keys& b) {
  Keys out;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

Keys Difference(const Keys& a, const Keys& b) {
  Keys out;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

core::Result<Keys> HitKeys(SearchContext& ctx, const std::string& hash) {
  MAMORI_ASSIGN_OR_RETURN(std::vector<store::IndexHit> hits, ctx.reader.LookupIndex(hash, 0, 0));
  Keys keys;
  keys.reserve(hits.size());
  for (const store::IndexHit& h : hits) {
    if (keys.empty() || keys.back() != h.key) keys.push_back(h.key);
  }
  return keys;
}

core::Result<Keys> AllKeys(SearchContext& ctx, const std::string& type) {
  MAMORI_ASSIGN_OR_RETURN(std::string hash, TypeHash(ctx.store, type));
  return HitKeys(ctx, hash);
}

// Resources with an entry for `key` whose stored range satisfies the plan's
// date or number condition (the same EntryMatches a recheck uses). With
// `within` (the keys other clauses left, few), only those are looked at.
core::Result<Keys> KeyMatches(SearchContext& ctx, const std::string& type,
                              const search::LookupKey& key, const search::LookupPlan& plan,
                              const Keys* within) {
  MAMORI_ASSIGN_OR_RETURN(std::string hash,
                          IndexHash(ctx.store, type, key.param, key.form, key.value));
  if (!plan.date && !plan.number) return HitKeys(ctx, hash);
  std::vector<store::IndexHit> hits;
  if (within != nullptr) {
    for (int64_t k : *within) {
      MAMORI_ASSIGN_OR_RETURN(std::vector<store::IndexHit> found,
                              ctx.reader.LookupIndexFor(hash, k));
      hits.insert(hits.end(), found.begin(), found.end());
    }
  } else {
    MAMORI_ASSIGN_OR_RETURN(hits, ctx.reader.LookupIndex(hash, 0, 0));
  }
  Keys keys;
  for (const store::IndexHit& h : hits) {
    if (!keys.empty() && keys.back() == h.key) continue;
    search::IndexEntry entry{.param = key.param, .form = key.form, .value = key.value};
    if (plan.date) entry.time = search::TimeRange{h.time_low, h.time_high};
    if (plan.number) entry.number = search::NumberRange{h.number_low, h.number_high};
    if (search::EntryMatches(entry, key, plan, ctx.now_us)) keys.push_back(h.key);
  }
  return keys;
}

core::Result<Candidates> ValueCandidates(SearchContext& ctx, const std::string& type,
                                         const search::SearchClause& clause,
                                         const search::SearchValue& value, const Keys* within) {
  search::LookupPlan plan =
      search::PlanLookup(clause, value, search::LookupOptionsFor(IndexExtractOptions()));
  bool scan = plan.combine == search::LookupPlan::Combine::kScan || plan.keys.empty() ||
              (plan.negate && plan.recheck);  // the complement of a superset is no superset
  if (scan) return Candidates{.all = true, .recheck = true};
  Candidates out{.recheck = plan.recheck};
  bool first = true;
  for (const search::LookupKey& key : plan.keys) {
    // Narrowing to `within` is only sound when the result is not complemented.
    MAMORI_ASSIGN_OR_RETURN(Keys found,
                            KeyMatches(ctx, type, key, plan, plan.negate ? nullptr : within));
    if (plan.combine == search::LookupPlan::Combine::kAll) {
      out.keys = first ? std::move(found) : Intersect(out.keys, found);
    } else {
      out.keys = Union(out.keys, found);
    }
    first = false;
  }
  if (plan.negate) {
    MAMORI_ASSIGN_OR_RETURN(Keys all, AllKeys(ctx, type));
    out.keys = Difference(all, out.keys);
  }
  return out;
}

core::Result<Candidates> ClauseCandidates(SearchContext& ctx, const std::string& type,
                                          const search::SearchClause& clause,
                                          const Keys* within = nullptr);

core::Result<std::optional<boost::json::object>> ReadParsed(SearchContext& ctx, int64_t key,
                                                            store::ResourceVersion* out) {
  MAMORI_ASSIGN_OR_RETURN(std::optional<store::ResourceVersion> v, ctx.reader.ReadByKey(key));
  if (!v) return std::optional<boost::json::object>();
  MAMORI_ASSIGN_OR_RETURN(
      boost::json::object resource,
      ParseResourceJson(v->json, {.max_bytes = size_t{1} << 31, .max_depth = 128}));
  if (out != nullptr) *out = std::move(*v);
  return std::optional<boost::json::object>(std::move(resource));
}

bool MatchesAll(const boost::json::object& resource,
                const std::vector<const search::SearchClause*>& clauses, int64_t now_us) {
  search::MatchOptions options{.extract = IndexExtractOptions(), .now_us = now_us};
  return std::all_of(clauses.begin(), clauses.end(), [&](const search::SearchClause* c) {
    return search::ResourceMatchesClause(resource, *c, options);
  });
}

// The exact key set of one clause: candidates, confirmed where needed.
core::Result<Keys> ResolveClause(SearchContext& ctx, const std::string& type,
                                 const search::SearchClause& clause) {
  MAMORI_ASSIGN_OR_RETURN(Candidates c, ClauseCandidates(ctx, type, clause));
  Keys keys;
  if (c.all) {
    MAMORI_ASSIGN_OR_RETURN(keys, AllKeys(ctx, type));
  } else {
    keys = std::move(c.keys);
  }
  if (!c.recheck) return keys;
  Keys confirmed;
  for (int64_t key : keys) {
    MAMORI_ASSIGN_OR_RETURN(auto resource, ReadParsed(ctx, key, nullptr));
    if (resource && MatchesAll(*resource, {&clause}, ctx.now_us)) confirmed.push_back(key);
  }
  return confirmed;
}

// subject:Patient.name=x: the targets matching name=x, then the resources of
// `type` whose reference parameter names one of them.
core::Result<Candidates> ChainCandidates(SearchContext& ctx, const std::string& type,
                                         const search::SearchClause& clause) {
  Candidates out;
  for (const auto& [target_type, definition] : clause.chain->targets) {
    search::SearchClause sub = clause;
    sub.chain.reset();
    sub.definition = definition;
    MAMORI_ASSIGN_OR_RETURN(Keys targets, ResolveClause(ctx, target_type, sub));
    if (targets.size() > kMaxChainTargets) {
      return core::ResourceExhaustedError("the chained parameter " + clause.chain->reference->code +
                                          " matches too many resources; narrow its value");
    }
    for (int64_t target : targets) {
      MAMORI_ASSIGN_OR_RETURN(auto name, ctx.reader.KeyName(target));
      MAMORI_ASSIGN_OR_RETURN(
          std::string hash,
          IndexHash(ctx.store, type, clause.chain->reference->code, search::IndexForm::kReference,
                    name.first + "/" + name.second));
      MAMORI_ASSIGN_OR_RETURN(Keys found, HitKeys(ctx, hash));
      out.keys = Union(out.keys, found);
    }
  }
  return out;
}

// "Type/id" of a local relative reference value, or nothing.
std::optional<std::pair<std::string, std::string>> LocalReference(const std::string& value) {
  size_t slash = value.find('/');
  if (slash == std::string::npos || value.find('/', slash + 1) != std::string::npos ||
      value.find(':') != std::string::npos) {
    return std::nullopt;
  }
  return std::make_pair(value.substr(0, slash), value.substr(slash + 1));
}

// _has:Observation:patient:code=x: the Observations matching code=x, then
// the resources of `type` their `patient` references name (read from the
// decrypted Observations: the index holds only MACs of references).
core::Result<Candidates> HasCandidates(SearchContext& ctx, const std::string& type,
                                       const search::SearchClause& clause) {
  search::SearchClause sub = clause;
  sub.has.reset();
  MAMORI_ASSIGN_OR_RETURN(Keys referrers, ResolveClause(ctx, clause.has->type, sub));
  if (referrers.size() > kMaxChainTargets) {
    return core::ResourceExhaustedError("the _has parameter " + clause.has->type + ":" +
                                        clause.has->reference->code +
                                        " matches too many resources; narrow its value");
  }
  std::set<int64_t> found;
  for (int64_t key : referrers) {
    MAMORI_ASSIGN_OR_RETURN(auto resource, ReadParsed(ctx, key, nullptr));
    if (!resource) continue;
    for (const search::IndexEntry& e :
         search::ExtractParameter(*resource, *clause.has->reference, IndexExtractOptions())) {
      if (e.form != search::IndexForm::kReference) continue;
      auto ref = LocalReference(e.value);
      if (!ref || ref->first != type) continue;
      MAMORI_ASSIGN_OR_RETURN(std::optional<int64_t> target, ctx.reader.KeyOf(type, ref->second));
      if (target) found.insert(*target);
    }
  }
  return Candidates{.keys = Keys(found.begin(), found.end())};
}

core::Result<Candidates> ClauseCandidates(SearchContext& ctx, const std::string& type,
                                          const search::SearchClause& clause, const Keys* within) {
  if (clause.has) return HasCandidates(ctx, type, clause);
  if (clause.chain) return ChainCandidates(ctx, type, clause);
  Candidates out;
  for (const search::SearchValue& value : clause.values) {
    MAMORI_ASSIGN_OR_RETURN(Candidates c, ValueCandidates(ctx, type, clause, value, within));
    if (c.all) return c;  // one value matching anything makes the OR a scan
    out.keys = Union(out.keys, c.keys);
    out.recheck = out.recheck || c.recheck;
  }
  return out;
}

// Whether a clause compares plaintext ranges (one hash for every value of
// the parameter) rather than looking up hashed values.
bool Ordered(const search::SearchClause& clause) {
  if (clause.chain || clause.has || clause.modifier == search::Modifier::kMissing) return false;
  SearchParamType t = clause.definition->type;
  return t == SearchParamType::kDate || t == SearchParamType::kNumber ||
         t == SearchParamType::kQuantity;
}

// Reference parameters an include spec names.
std::vector<const SearchParameter*> IncludeParams(const search::IncludeSpec& spec) {
  if (!spec.wildcard) return {spec.param};
  std::vector<const SearchParameter*> out;
  for (const SearchParameter* p : Definitions::R4().SearchParameters(spec.source_type)) {
    if (p->type == SearchParamType::kReference) out.push_back(p);
  }
  return out;
}

// One sort key's value of a resource: missing, a time (µs), a decimal or a
// folded string. Within one column every present value has the same kind.
using SortValue = std::variant<std::monostate, int64_t, double, std::string>;
using SortColumn = std::unordered_map<int64_t, SortValue>;

// Keeps the value that sorts first in the key's direction.
void Keep(SortValue& slot, SortValue v, bool descending) {
  if (std::holds_alternative<std::monostate>(slot) || (descending ? slot < v : v < slot)) {
    slot = std::move(v);
  }
}

// The sort key's value for each of `keys`. Dates, numbers and quantities
// come from the index's plaintext ranges (ascending by the low end of the
// earliest value, descending by the high end of the latest, as search.html
// describes); _id from the key's name; the hashed types from the decrypted
// resource (at most kMaxDecryptedSort of them).
core::Result<SortColumn> SortValues(SearchContext& ctx, const std::string& type,
                                    const search::SortKey& sort, const Keys& keys) {
  const SearchParameter& p = *sort.definition;
  SortColumn out;
  if (p.code == "_id") {
    for (int64_t key : keys) {
      auto name = ctx.reader.KeyName(key);
      if (name.ok()) out[key] = name->second;
    }
    return out;
  }
  std::optional<search::IndexForm> range_form;
  if (p.type == SearchParamType::kDate) range_form = search::IndexForm::kDate;
  if (p.type == SearchParamType::kNumber) range_form = search::IndexForm::kNumber;
  if (p.type == SearchParamType::kQuantity) range_form = search::IndexForm::kQuantity;
  if (range_form) {
    MAMORI_ASSIGN_OR_RETURN(std::string hash, IndexHash(ctx.store, type, p.code, *range_form, ""));
    std::vector<store::IndexHit> hits;
    if (keys.size() <= kPointLookups) {
      for (int64_t k : keys) {
        MAMORI_ASSIGN_OR_RETURN(std::vector<store::IndexHit> found,
                                ctx.reader.LookupIndexFor(hash, k));
        hits.insert(hits.end(), found.begin(), found.end());
      }
    } else {
      MAMORI_ASSIGN_OR_RETURN(hits, ctx.reader.LookupIndex(hash, 0, 0));
    }
    for (const store::IndexHit& h : hits) {
      if (!std::binary_search(keys.begin(), keys.end(), h.key)) continue;
      SortValue v;
      if (*range_form == search::IndexForm::kDate) {
        v = sort.descending ? h.time_high : h.time_low;
      } else {
        v = sort.descending ? h.number_high : h.number_low;
      }
      Keep(out[h.key], std::move(v), sort.descending);
    }
    return out;
  }
  if (keys.size() > kMaxDecryptedSort) {
    return core::ResourceExhaustedError("_sort on " + p.code + " over more than " +
                                        std::to_string(kMaxDecryptedSort) +
                                        " matches; narrow the search");
  }
  search::IndexForm form = search::IndexForm::kTokenCode;
  if (p.type == SearchParamType::kString) form = search::IndexForm::kStringExact;
  if (p.type == SearchParamType::kReference) form = search::IndexForm::kReference;
  if (p.type == SearchParamType::kUri) form = search::IndexForm::kUri;
  for (int64_t key : keys) {
    auto resource = ReadParsed(ctx, key, nullptr);
    if (!resource.ok()) {
      if (resource.status().code() == core::StatusCode::kNotFound) continue;
      return resource.status();
    }
    if (!*resource) continue;
    for (const search::IndexEntry& e :
         search::ExtractParameter(**resource, p, IndexExtractOptions())) {
      if (e.form != form) continue;
      Keep(out[key],
           form == search::IndexForm::kStringExact ? search::NormalizeString(e.value) : e.value,
           sort.descending);
    }
  }
  return out;
}

// Sorts `keys` by the query's sort keys (missing values last in either
// direction), ties by resource key, so the order is total and a page cursor
// (the last key of a page) marks one place in it.
struct SortOrder {
  std::vector<SortColumn> columns;
  const std::vector<search::SortKey>* keys;
  const SortValue& Value(size_t column, int64_t key) const {
    static const SortValue kMissing;
    auto it = columns[column].find(key);
    return it == columns[column].end() ? kMissing : it->second;
  }
  bool operator()(int64_t a, int64_t b) const {
    for (size_t i = 0; i < columns.size(); ++i) {
      const SortValue& va = Value(i, a);
      const SortValue& vb = Value(i, b);
      bool ma = std::holds_alternative<std::monostate>(va);
      bool mb = std::holds_alternative<std::monostate>(vb);
      if (ma != mb) return mb;  // present before missing
      if (ma || va == vb) continue;
      return (*keys)[i].descending ? vb < va : va < vb;
    }
    return a < b;
  }
};

}  // namespace

core::Result<std::vector<int64_t>> MatchingKeys(SearchContext& ctx, const std::string& type,
                                                const search::SearchClause& clause) {
  return ResolveClause(ctx, type, clause);
}

core::Result<std::vector<int64_t>> CompartmentKeys(SearchContext& ctx,
                                                   const std::string& patient_id,
                                                   const std::string& type) {
  Keys out;
  std::string patient = "Patient/" + patient_id;
  for (const std::string& code : Definitions::R4().PatientCompartmentParams(type)) {
    MAMORI_ASSIGN_OR_RETURN(
        std::string hash, IndexHash(ctx.store, type, code, search::IndexForm::kReference, patient));
    MAMORI_ASSIGN_OR_RETURN(Keys found, HitKeys(ctx, hash));
    out = Union(out, found);
  }
  if (type == "Patient") {
    MAMORI_ASSIGN_OR_RETURN(std::optional<int64_t> self, ctx.reader.KeyOf("Patient", patient_id));
    if (self) out = Union(out, {*self});
  }
  return out;
}

namespace {

// A page in _sort order: every match is confirmed and given its sort values,
// then the page starts after the cursor's place in that order. The cursor
// resource's values are read again, so a resource that matched throughout
// and kept its values is neither repeated nor skipped; one whose sort values
// changed between pages moves with them.
core::Result<SearchPage> SortedPage(SearchContext& ctx, const search::SearchQuery& query,
                                    const PageRequest& page, const Keys& base,
                                    const std::vector<const search::SearchClause*>& rechecks) {
  Keys matches;
  if (rechecks.empty()) {
    matches = base;
  } else {
    for (int64_t key : base) {
      MAMORI_ASSIGN_OR_RETURN(auto resource, ReadParsed(ctx, key, nullptr));
      if (resource && MatchesAll(*resource, rechecks, ctx.now_us)) matches.push_back(key);
    }
  }
  Keys valued = matches;
  if (page.after_key > 0 && !std::binary_search(matches.begin(), matches.end(), page.after_key)) {
    valued.insert(std::upper_bound(valued.begin(), valued.end(), page.after_key), page.after_key);
  }
  SortOrder order{.keys = &query.sort};
  for (const search::SortKey& sort : query.sort) {
    MAMORI_ASSIGN_OR_RETURN(SortColumn column, SortValues(ctx, query.resource_type, sort, valued));
    order.columns.push_back(std::move(column));
  }
  std::sort(matches.begin(), matches.end(), order);
  auto it = page.after_key > 0
                ? std::upper_bound(matches.begin(), matches.end(), page.after_key, order)
                : matches.begin();
  SearchPage out;
  out.total = static_cast<int64_t>(matches.size());
  for (; it != matches.end() && out.matches.size() < page.count; ++it) {
    MAMORI_ASSIGN_OR_RETURN(std::optional<store::ResourceVersion> v, ctx.reader.ReadByKey(*it));
    if (v) out.matches.push_back(std::move(*v));
  }
  if (it != matches.end() && !out.matches.empty()) out.next_after = out.matches.back().key;
  return out;
}

}  // namespace

namespace {

// The keys the index gives for the query's clauses (within `within`), and
// the clauses their decrypted resources must still pass.
core::Result<Keys> BaseKeys(SearchContext& ctx, const search::SearchQuery& query,
                            const std::optional<Keys>& within,
                            std::vector<const search::SearchClause*>& rechecks) {
  const std::string& type = query.resource_type;
  std::optional<Keys> base = within;
  // Hashed clauses first: they narrow cheaply, so that ordered ones (whose
  // entries all share one hash per parameter) can check only what is left.
  for (bool ordered : {false, true}) {
    for (const search::SearchClause& clause : query.clauses) {
      if (Ordered(clause) != ordered) continue;
      const Keys* within = base && base->size() <= kPointLookups ? &*base : nullptr;
      MAMORI_ASSIGN_OR_RETURN(Candidates c, ClauseCandidates(ctx, type, clause, within));
      if (c.recheck) rechecks.push_back(&clause);
      if (c.all) continue;
      base = base ? Intersect(*base, c.keys) : std::move(c.keys);
    }
  }
  if (!base) {
    MAMORI_ASSIGN_OR_RETURN(base, AllKeys(ctx, type));
  }
  return std::move(*base);
}

}  // namespace

core::Result<std::vector<int64_t>> QueryKeys(SearchContext& ctx, const search::SearchQuery& query,
                                             const std::optional<std::vector<int64_t>>& within) {
  std::vector<const search::SearchClause*> rechecks;
  MAMORI_ASSIGN_OR_RETURN(Keys base, BaseKeys(ctx, query, within, rechecks));
  if (rechecks.empty()) return base;
  Keys confirmed;
  for (int64_t key : base) {
    MAMORI_ASSIGN_OR_RETURN(auto resource, ReadParsed(ctx, key, nullptr));
    if (resource && MatchesAll(*resource, rechecks, ctx.now_us)) confirmed.push_back(key);
  }
  return confirmed;
}

namespace {

// The index hash of a query that one MAC answers exactly: one clause with
// one value, looked up by one key, nothing ranged, negated or rechecked.
core::Result<std::optional<std::string>> SingleHash(SearchContext& ctx,
                                                    const search::SearchQuery& query) {
  if (query.clauses.size() != 1) return std::optional<std::string>();
  const search::SearchClause& clause = query.clauses.front();
  if (clause.chain || clause.has || clause.values.size() != 1 || Ordered(clause)) {
    return std::optional<std::string>();
  }
  search::LookupPlan plan = search::PlanLookup(clause, clause.values.front(),
                                               search::LookupOptionsFor(IndexExtractOptions()));
  if (plan.keys.size() != 1 || plan.combine == search::LookupPlan::Combine::kScan || plan.negate ||
      plan.recheck || plan.date || plan.number) {
    return std::optional<std::string>();
  }
  const search::LookupKey& key = plan.keys.front();
  MAMORI_ASSIGN_OR_RETURN(
      std::string hash, IndexHash(ctx.store, query.resource_type, key.param, key.form, key.value));
  return std::optional<std::string>(std::move(hash));
}

}  // namespace

core::Result<SearchPage> RunSearch(SearchContext& ctx, const search::SearchQuery& query,
                                   const PageRequest& page) {
  // One exact MAC (Observation?code=X, subject=Patient/Y, family=wat): read
  // only this page's keys and one more, instead of every match. The total is
  // then known only when the first page is the last (or with _total=accurate,
  // which takes the full path).
  if (!page.within && query.sort.empty() && !page.accurate_total && page.count > 0) {
    MAMORI_ASSIGN_OR_RETURN(std::optional<std::string> hash, SingleHash(ctx, query));
    if (hash) {
      MAMORI_ASSIGN_OR_RETURN(std::vector<store::IndexHit> hits,
                              ctx.reader.LookupIndex(*hash, page.after_key, page.count + 1));
      Keys keys;
      for (const store::IndexHit& h : hits) {
        if (keys.empty() || keys.back() != h.key) keys.push_back(h.key);
      }
      SearchPage out;
      bool more = keys.size() > page.count;
      if (more) keys.resize(page.count);
      for (int64_t key : keys) {
        MAMORI_ASSIGN_OR_RETURN(std::optional<store::ResourceVersion> v, ctx.reader.ReadByKey(key));
        if (v) out.matches.push_back(std::move(*v));
      }
      if (more && !keys.empty()) out.next_after = keys.back();
      if (!more && page.after_key == 0) out.total = static_cast<int64_t>(keys.size());
      return out;
    }
  }
  std::vector<const search::SearchClause*> rechecks;
  MAMORI_ASSIGN_OR_RETURN(Keys keys, BaseKeys(ctx, query, page.within, rechecks));
  std::optional<Keys> base(std::move(keys));
  SearchPage out;
  if (!query.sort.empty()) return SortedPage(ctx, query, page, *base, rechecks);
  auto start = std::upper_bound(base->begin(), base->end(), page.after_key);
  if (rechecks.empty()) {
    out.total = static_cast<int64_t>(base->size());
    for (auto it = start; it != base->end() && out.matches.size() < page.count; ++it) {
      MAMORI_ASSIGN_OR_RETURN(std::optional<store::ResourceVersion> v, ctx.reader.ReadByKey(*it));
      if (v) out.matches.push_back(std::move(*v));
      if (out.matches.size() == page.count && std::next(it) != base->end()) out.next_after = *it;
    }
    return out;
  }
  // Confirm candidates in key order until the page is full and one more
  // match shows there is a next page (or, for the total, to the end).
  int64_t matched = 0;
  bool more = false;
  bool need_all = page.accurate_total || page.count == 0 || base->size() <= kCheapTotal;
  for (auto it = need_all ? base->begin() : start; it != base->end(); ++it) {
    store::ResourceVersion v;
    MAMORI_ASSIGN_OR_RETURN(auto resource, ReadParsed(ctx, *it, &v));
    if (!resource || !MatchesAll(*resource, rechecks, ctx.now_us)) continue;
    ++matched;
    if (*it <= page.after_key) continue;
    if (out.matches.size() < page.count) {
      out.matches.push_back(std::move(v));
    } else {
      more = true;
      if (!need_all) break;
    }
  }
  if (more) out.next_after = out.matches.back().key;
  // Without a full pass the total is known only when the first page is all.
  if (need_all || (page.after_key == 0 && !more)) out.total = matched;
  return out;
}

core::Result<std::vector<store::ResourceVersion>> ResolveIncludes(
    SearchContext& ctx, const search::SearchQuery& query,
    const std::vector<store::ResourceVersion>& matches, size_t limit) {
  std::set<int64_t> seen;
  for (const store::ResourceVersion& m : matches) seen.insert(m.key);
  std::vector<store::ResourceVersion> out;
  auto add = [&](int64_t key) -> core::Status {
    if (out.size() >= limit || !seen.insert(key).second) return core::Status::Ok();
    MAMORI_ASSIGN_OR_RETURN(std::optional<store::ResourceVersion> v, ctx.reader.ReadByKey(key));
    if (v) out.push_back(std::move(*v));
    return core::Status::Ok();
  };
  // One round: the specs applied to `from` (the matches, then what the
  // first round included, for :iterate specs only).
  auto round = [&](const std::vector<store::ResourceVersion>& from, bool iterate_only,
                   size_t from_begin, size_t from_end) -> core::Status {
    for (const search::IncludeSpec& spec : query.includes) {
      if (iterate_only && !spec.iterate) continue;
      for (size_t i = from_begin; i < from_end; ++i) {
        const store::ResourceVersion& m = from[i];
        if (m.type != spec.source_type) continue;
        MAMORI_ASSIGN_OR_RETURN(
            boost::json::object resource,
            ParseResourceJson(m.json, {.max_bytes = size_t{1} << 31, .max_depth = 128}));
        for (const SearchParameter* p : IncludeParams(spec)) {
          for (const search::IndexEntry& e :
               search::ExtractParameter(resource, *p, IndexExtractOptions())) {
            if (e.form != search::IndexForm::kReference) continue;
            auto ref = LocalReference(e.value);
            if (!ref || (!spec.target_type.empty() && ref->first != spec.target_type)) continue;
            MAMORI_ASSIGN_OR_RETURN(std::optional<int64_t> key,
                                    ctx.reader.KeyOf(ref->first, ref->second));
            if (key) MAMORI_RETURN_IF_ERROR(add(*key));
          }
        }
      }
    }
    for (const search::IncludeSpec& spec : query.revincludes) {
      if (iterate_only && !spec.iterate) continue;
      for (size_t i = from_begin; i < from_end; ++i) {
        const store::ResourceVersion& m = from[i];
        if (!spec.target_type.empty() && m.type != spec.target_type) continue;
        for (const SearchParameter* p : IncludeParams(spec)) {
          MAMORI_ASSIGN_OR_RETURN(std::string hash,
                                  IndexHash(ctx.store, spec.source_type, p->code,
                                            search::IndexForm::kReference, m.type + "/" + m.id));
          MAMORI_ASSIGN_OR_RETURN(Keys keys, HitKeys(ctx, hash));
          for (int64_t key : keys) MAMORI_RETURN_IF_ERROR(add(key));
        }
      }
    }
    return core::Status::Ok();
  };
  MAMORI_RETURN_IF_ERROR(round(matches, false, 0, matches.size()));
  // :iterate, one level: the iterate specs once more over what was included.
  // `out` grows while the round reads it, so the round reads a copy.
  std::vector<store::ResourceVersion> first = out;
  MAMORI_RETURN_IF_ERROR(round(first, true, 0, first.size()));
  return out;
}

}  // namespace mamori::fhir::internal
