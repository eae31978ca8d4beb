// SPDX-License-Identifier: Apache-2.0
#include "fhir/internal/search/planner.h"

#include <algorithm>
#include <iterator>
#include <set>

#include "fhir/definitions.h"
#include "fhir/internal/search/indexer.h"
#include "fhir/json_parser.h"
#include "fhir/search/extract.h"
#include "fhir/search/index.h"
#include "fhir/search/match.h"

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

core::Result<Candidates> ClauseCandidates(SearchContext& ctx, const std::string& type,
                                          const search::SearchClause& clause, const Keys* within) {
  if (clause.has) return core::UnimplementedError("_has is not supported");
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

// "Type/id" of a local relative reference value, or nothing.
std::optional<std::pair<std::string, std::string>> LocalReference(const std::string& value) {
  size_t slash = value.find('/');
  if (slash == std::string::npos || value.find('/', slash + 1) != std::string::npos ||
      value.find(':') != std::string::npos) {
    return std::nullopt;
  }
  return std::make_pair(value.substr(0, slash), value.substr(slash + 1));
}

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

core::Result<SearchPage> RunSearch(SearchContext& ctx, const search::SearchQuery& query,
                                   const PageRequest& page) {
  if (!query.sort.empty()) return core::UnimplementedError("_sort is not supported");
  const std::string& type = query.resource_type;
  std::optional<Keys> base = page.within;
  std::vector<const search::SearchClause*> rechecks;
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
  SearchPage out;
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
  for (const search::IncludeSpec& spec : query.includes) {
    if (spec.iterate) return core::UnimplementedError("_include:iterate is not supported");
    for (const store::ResourceVersion& m : matches) {
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
    if (spec.iterate) return core::UnimplementedError("_revinclude:iterate is not supported");
    for (const store::ResourceVersion& m : matches) {
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
  return out;
}

}  // namespace mamori::fhir::internal
