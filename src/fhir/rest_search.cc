// SPDX-License-Identifier: Apache-2.0
// Search interactions (issue 5): GET [type]?params, POST [type]/_search and
// GET Patient/[id]/[type]. Parsing is fhir::search::ParseSearchQuery, running
// is internal/search/planner.h over one store snapshot; this file turns the
// request into a query and the page into a searchset Bundle. Paging links
// carry the last resource key (_page_after), which new writes never shift.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>

#include "core/form_decode.h"
#include "fhir/definitions.h"
#include "fhir/internal/rest/output.h"
#include "fhir/internal/rest/pretty.h"
#include "fhir/internal/rest/resource_util.h"
#include "fhir/internal/rest/write_plan.h"
#include "fhir/internal/search/planner.h"
#include "fhir/json_number.h"
#include "fhir/json_parser.h"
#include "fhir/rest_api.h"
#include "fhir/search/query.h"

namespace mamori::fhir {
namespace {

using internal::Outcome;

constexpr char kPageAfter[] = "_page_after";
// Most resources _include and _revinclude add to one page.
constexpr size_t kMaxIncluded = 1000;

std::string JsonString(std::string_view s) {
  std::string out;
  AppendJsonString(s, out);
  return out;
}

bool Lenient(const RestRequest& req) {
  return req.prefer.find("handling=lenient") != std::string::npos;
}

// What the request asks for: its pairs (query string, plus a form body on
// POST _search), the page cursor taken out.
struct SearchInput {
  std::vector<std::pair<std::string, std::string>> pairs;
  int64_t after_key = 0;
};

std::optional<RestResponse> ReadInput(const RestRequest& req, SearchInput& in) {
  std::vector<std::pair<std::string, std::string>> all = req.query;
  if (!req.body.empty()) {
    if (req.content_type.find("application/x-www-form-urlencoded") == std::string::npos) {
      return Outcome(415, "error", "not-supported",
                     "POST _search takes an application/x-www-form-urlencoded body");
    }
    for (auto& pair : core::SplitFormQuery(req.body)) all.push_back(std::move(pair));
  }
  for (auto& [name, value] : all) {
    if (name != kPageAfter) {
      in.pairs.emplace_back(std::move(name), std::move(value));
      continue;
    }
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), in.after_key);
    if (ec != std::errc() || end != value.data() + value.size() || in.after_key < 0) {
      return Outcome(400, "error", "invalid", "bad page cursor", kPageAfter);
    }
  }
  return std::nullopt;
}

// Patient/[id]/$everything takes _since, _type, _count and the output
// parameters; anything else is named in a 400.
std::optional<RestResponse> EverythingPairs(
    const std::vector<std::pair<std::string, std::string>>& pairs) {
  static constexpr std::string_view kAllowed[] = {"_since",  "_type",     "_count",   "_format",
                                                  "_pretty", "_elements", "_summary", "_total"};
  for (const auto& [name, value] : pairs) {
    if (std::find(std::begin(kAllowed), std::end(kAllowed), name) == std::end(kAllowed)) {
      std::string shown =
          name.size() <= 64 &&
                  std::all_of(name.begin(), name.end(), [](char c) { return c > 0x20 && c < 0x7f; })
              ? name
              : std::string("a parameter");
      return Outcome(400, "error", "not-supported",
                     "$everything takes _since, _type and _count, not " + shown, shown);
    }
  }
  return std::nullopt;
}

// The self link: the pairs the server used, without ignored ones.
std::string QueryString(const std::vector<std::pair<std::string, std::string>>& pairs,
                        const std::vector<std::string>& ignored) {
  std::string out;
  for (const auto& [name, value] : pairs) {
    bool dropped = value.empty();
    for (const std::string& i : ignored) {
      dropped = dropped || name == i || name.rfind(i + ":", 0) == 0 || name.rfind(i + ".", 0) == 0;
    }
    if (dropped) continue;
    out += out.empty() ? "" : "&";
    out += core::FormEncode(name) + "=" + core::FormEncode(value);
  }
  return out;
}

// The types a search runs on: the URL's, or for a system search those
// named by _type (taken out of the pairs), else every stored type.
std::optional<RestResponse> SearchTypes(const std::string& type,
                                        const std::vector<std::pair<std::string, std::string>>& in,
                                        std::vector<std::string>& types,
                                        std::vector<std::pair<std::string, std::string>>& pairs) {
  for (const auto& pair : in) {
    if (!type.empty() || pair.first != "_type") {
      pairs.push_back(pair);
      continue;
    }
    for (size_t start = 0; start <= pair.second.size();) {
      size_t comma = std::min(pair.second.find(',', start), pair.second.size());
      std::string t = pair.second.substr(start, comma - start);
      if (!Definitions::R4().IsSupportedResourceType(t)) {
        return Outcome(400, "error", "not-supported",
                       "_type names a resource type this server does not store", "_type");
      }
      types.push_back(std::move(t));
      start = comma + 1;
    }
  }
  if (!type.empty()) {
    types = {type};
  } else if (types.empty()) {
    for (const std::string& t : Definitions::R4().SupportedResourceTypes()) {
      if (t != "Bundle" && t != "OperationOutcome" && t != "CapabilityStatement" &&
          t != "Parameters") {
        types.push_back(t);
      }
    }
  }
  std::sort(types.begin(), types.end());
  types.erase(std::unique(types.begin(), types.end()), types.end());
  return std::nullopt;
}

// Merges per-type pages (each in key order; keys are unique across types)
// into one page of `count`.
internal::SearchPage MergePages(std::vector<internal::SearchPage> pages, size_t count) {
  if (pages.size() == 1) return std::move(pages.front());
  internal::SearchPage out;
  bool more = false;
  int64_t total = 0;
  bool total_known = true;
  for (internal::SearchPage& p : pages) {
    more = more || p.next_after > 0;
    total_known = total_known && p.total.has_value();
    total += p.total.value_or(0);
    for (auto& v : p.matches) out.matches.push_back(std::move(v));
  }
  std::sort(out.matches.begin(), out.matches.end(),
            [](const auto& a, const auto& b) { return a.key < b.key; });
  if (out.matches.size() > count) {
    out.matches.resize(count);
    more = true;
  }
  if (more && !out.matches.empty()) out.next_after = out.matches.back().key;
  if (total_known) out.total = total;
  return out;
}

std::string Entry(const store::ResourceVersion& v, const std::string& base_url, const char* mode,
                  const internal::Format& format) {
  return "{\"fullUrl\":" + JsonString(base_url + "/" + v.type + "/" + v.id) +
         ",\"resource\":" + internal::RenderResource(v.json, format) + ",\"search\":{\"mode\":\"" +
         mode + "\"}}";
}

}  // namespace

RestResponse RestApi::Search(const std::string& type, const RestRequest& req) {
  return RunSearchRequest({.type = type, .path = "/" + type}, req);
}

RestResponse RestApi::SearchCompartment(const std::string& patient_id, const std::string& type,
                                        const RestRequest& req) {
  if (!internal::IsValidId(patient_id)) {
    return Outcome(404, "error", "not-found", "no such patient");
  }
  return RunSearchRequest(
      {.type = type, .path = "/Patient/" + patient_id + "/" + type, .patient_id = patient_id}, req);
}

RestResponse RestApi::Everything(const std::string& patient_id, const RestRequest& req) {
  if (!internal::IsValidId(patient_id)) {
    return Outcome(404, "error", "not-found", "no such patient");
  }
  return RunSearchRequest({.type = "",
                           .path = "/Patient/" + patient_id + "/$everything",
                           .patient_id = patient_id,
                           .everything = true},
                          req);
}

RestResponse RestApi::SearchSystem(const RestRequest& req) {
  return RunSearchRequest({.type = "", .path = ""}, req);
}

RestResponse RestApi::RunSearchRequest(const SearchScope& scope, const RestRequest& req) {
  if (!scope.type.empty()) {
    if (auto bad = internal::CheckReadableType(scope.type)) return *bad;
  }
  SearchInput in;
  if (auto bad = ReadInput(req, in)) return *bad;
  RestRequest merged = req;
  merged.query = in.pairs;
  internal::Format format;
  if (auto bad = internal::ParseFormat(merged, format)) return *bad;
  bool lenient = Lenient(req);
  std::vector<std::string> types;
  std::vector<std::pair<std::string, std::string>> pairs;
  if (scope.everything) {
    if (auto bad = EverythingPairs(in.pairs)) return *bad;
  }
  if (auto bad = SearchTypes(scope.type, in.pairs, types, pairs)) return *bad;
  if (scope.everything) {
    // The compartment's types (and Patient); _since is _lastUpdated=ge.
    std::erase_if(types, [](const std::string& t) {
      return t != "Patient" && Definitions::R4().PatientCompartmentParams(t).empty();
    });
    for (auto& [name, value] : pairs) {
      if (name == "_since") {
        name = "_lastUpdated";
        value = "ge" + value;
      }
    }
  }
  // One query per type (a system search runs the same parameters on each).
  std::vector<search::SearchQuery> queries;
  for (const std::string& type : types) {
    core::Result<search::SearchQuery> query = search::ParseSearchQuery(
        type, pairs,
        {.lenient = lenient, .max_count = static_cast<uint32_t>(options_.max_page_size)});
    if (!query.ok()) {
      if (query.status().code() == core::StatusCode::kNotFound) {
        return Outcome(404, "error", "not-supported", query.status().message());
      }
      return Outcome(400, "error", "invalid", query.status().message());
    }
    queries.push_back(std::move(*query));
  }
  // Pages of several types merge in key order; a sorted merge would need a
  // cursor per type.
  if (queries.size() > 1 && !queries.front().sort.empty()) {
    return Outcome(400, "error", "not-supported",
                   "_sort is supported in a search of one resource type", "_sort");
  }
  const search::SearchQuery* query = &queries.front();

  bool count_only = query->summary == search::SummaryMode::kCount;
  internal::PageRequest page{
      .after_key = in.after_key,
      .count = count_only ? 0 : query->count.value_or(options_.default_page_size),
      .accurate_total = query->total == search::TotalMode::kAccurate};
  int64_t now_us =
      std::chrono::duration_cast<std::chrono::microseconds>(env_.clock().Now().time_since_epoch())
          .count();
  internal::SearchPage result;
  std::vector<store::ResourceVersion> included;
  core::Status s = store_.ReadSnapshot([&](store::IndexReader& reader) -> core::Status {
    internal::SearchContext ctx{.reader = reader, .store = store_, .now_us = now_us};
    if (scope.everything) {
      MAMORI_ASSIGN_OR_RETURN(std::optional<int64_t> self,
                              reader.KeyOf("Patient", scope.patient_id));
      if (!self) return core::NotFoundError("no such patient");
    }
    std::vector<internal::SearchPage> pages;
    for (const search::SearchQuery& q : queries) {
      internal::PageRequest one_page = page;
      if (!scope.patient_id.empty()) {
        MAMORI_ASSIGN_OR_RETURN(one_page.within,
                                internal::CompartmentKeys(ctx, scope.patient_id, q.resource_type));
        if (one_page.within->empty()) continue;
      }
      MAMORI_ASSIGN_OR_RETURN(internal::SearchPage one, internal::RunSearch(ctx, q, one_page));
      pages.push_back(std::move(one));
    }
    if (pages.empty()) pages.push_back(internal::SearchPage{.total = 0});
    result = MergePages(std::move(pages), page.count);
    // The include specs are the same in every type's query.
    MAMORI_ASSIGN_OR_RETURN(included,
                            internal::ResolveIncludes(ctx, *query, result.matches, kMaxIncluded));
    return core::Status::Ok();
  });
  if (!s.ok()) {
    if (s.code() == core::StatusCode::kUnimplemented) {
      return Outcome(400, "error", "not-supported", s.message());
    }
    return internal::ErrorOutcome(s);
  }

  std::string query_string = QueryString(in.pairs, query->ignored);
  std::string base = req.base_url + scope.path + (query_string.empty() ? "" : "?" + query_string);
  auto page_link = [&](int64_t after) {
    if (after == 0) return base;
    return base + (query_string.empty() ? "?" : "&") + kPageAfter + "=" + std::to_string(after);
  };
  std::string self = page_link(in.after_key);  // names this page, cursor included
  std::string body = "{\"resourceType\":\"Bundle\",\"type\":\"searchset\"";
  if (result.total && query->total != search::TotalMode::kNone) {
    body += ",\"total\":" + std::to_string(*result.total);
  }
  body += ",\"link\":[{\"relation\":\"self\",\"url\":" + JsonString(self) + "}";
  if (result.next_after > 0) {
    body += ",{\"relation\":\"next\",\"url\":" + JsonString(page_link(result.next_after)) + "}";
  }
  body += "],\"entry\":[";
  internal::Format entry_format = format;
  entry_format.pretty = false;  // pretty-printing applies to the whole Bundle below
  bool first = true;
  for (const auto* list : {&result.matches, &included}) {
    for (const store::ResourceVersion& v : *list) {
      if (!first) body += ",";
      first = false;
      body += Entry(v, req.base_url, list == &included ? "include" : "match", entry_format);
    }
  }
  body += "]}";
  if (format.pretty) {
    auto parsed = ParseResourceJson(body, {.max_bytes = size_t{1} << 31, .max_depth = 128});
    if (parsed.ok()) body = internal::PrettyJson(*parsed);
  }
  return RestResponse{.status = 200, .body = std::move(body), .content_type = internal::kFhirJson};
}

}  // namespace mamori::fhir
