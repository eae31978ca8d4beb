// SPDX-License-Identifier: Apache-2.0
#include "fhir/internal/rest/conditional.h"

#include <chrono>

#include "core/form_decode.h"
#include "fhir/internal/search/planner.h"
#include "fhir/search/query.h"

namespace mamori::fhir::internal {

QueryPairs SplitQuery(std::string_view query) { return core::SplitFormQuery(query); }

core::Result<Criteria> ParseCriteria(const QueryPairs& query, store::Store& store) {
  bool any = false;
  for (const auto& [name, value] : query) {
    any = any || (!value.empty() && name != "_format" && name != "_pretty" && name != "_summary" &&
                  name != "_elements");
  }
  if (!any) return core::InvalidArgumentError("conditional criteria are empty");
  return Criteria{.pairs = query, .store = &store};
}

core::Result<std::vector<std::string>> Match(store::Transaction& tx, const std::string& type,
                                             const Criteria& criteria) {
  core::Result<search::SearchQuery> query = search::ParseSearchQuery(type, criteria.pairs);
  if (!query.ok()) {
    return core::InvalidArgumentError("conditional criteria: " + query.status().message());
  }
  if (query->clauses.empty()) return core::InvalidArgumentError("conditional criteria are empty");
  int64_t now_us =
      std::chrono::duration_cast<std::chrono::microseconds>(tx.Now().time_since_epoch()).count();
  SearchContext ctx{.reader = tx, .store = *criteria.store, .now_us = now_us};
  core::Result<SearchPage> page = RunSearch(ctx, *query, {.count = 2});
  if (!page.ok()) {
    if (page.status().code() == core::StatusCode::kUnimplemented) {
      return core::InvalidArgumentError("conditional criteria: " + page.status().message());
    }
    return page.status();
  }
  std::vector<std::string> ids;
  for (const store::ResourceVersion& v : page->matches) ids.push_back(v.id);
  return ids;
}

}  // namespace mamori::fhir::internal
