// SPDX-License-Identifier: Apache-2.0
// History interactions: instance, type and system, newest first, paged by
// the store's commit sequence so a page does not shift under new writes.
#include <charconv>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "core/clock.h"
#include "fhir/internal/rest/output.h"
#include "fhir/internal/rest/pretty.h"
#include "fhir/internal/rest/resource_util.h"
#include "fhir/internal/rest/write_plan.h"
#include "fhir/json_number.h"
#include "fhir/json_parser.h"
#include "fhir/rest_api.h"

namespace mamori::fhir {
namespace {

using internal::Outcome;

std::string JsonString(std::string_view s) {
  std::string out;
  AppendJsonString(s, out);
  return out;
}

// One history entry, spliced as text: the stored JSON is already valid and
// re-parsing every resource would dominate the cost of a page.
std::string HistoryEntry(const store::ResourceVersion& v, const std::string& base_url,
                         const internal::Format& format) {
  std::string url = v.type + "/" + v.id;
  std::string method = v.deleted ? "DELETE" : (v.version == 1 ? "POST" : "PUT");
  std::string status = v.deleted ? "204" : (v.version == 1 ? "201" : "200");
  std::string out = "{\"fullUrl\":" + JsonString(base_url + "/" + url);
  if (!v.deleted) out += ",\"resource\":" + internal::RenderResource(v.json, format);
  out += ",\"request\":{\"method\":\"" + method +
         "\",\"url\":" + JsonString(v.version == 1 && !v.deleted ? v.type : url) + "}";
  out += ",\"response\":{\"status\":\"" + status + "\",\"etag\":\"W/\\\"" +
         std::to_string(v.version) + "\\\"\",\"lastModified\":\"" +
         core::FormatRfc3339(v.last_updated) + "\"}}";
  return out;
}

std::string SelfPath(const std::string& type, const std::string& id) {
  if (type.empty()) return "/_history";
  if (id.empty()) return "/" + type + "/_history";
  return "/" + type + "/" + id + "/_history";
}

}  // namespace

RestResponse RestApi::History(const std::string& type, const std::string& id,
                              const RestRequest& req) {
  internal::Format format;
  if (auto bad = internal::ParseFormat(req, format)) return *bad;
  if (!type.empty()) {
    if (auto bad = internal::CheckReadableType(type)) return *bad;
  }
  store::HistoryQuery query{.type = type, .id = id, .limit = options_.default_page_size};
  for (const auto& [name, value] : req.query) {
    if (name == "_count") {
      size_t n = 0;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (ec != std::errc() || end != value.data() + value.size() || n < 1) {
        return Outcome(400, "error", "invalid", "_count must be a positive integer", "_count");
      }
      query.limit = std::min(n, options_.max_page_size);
    } else if (name == "_since") {
      query.since = internal::ParseInstant(value);
      if (!query.since)
        return Outcome(400, "error", "invalid", "_since must be an instant", "_since");
    } else if (name == "_page_before") {
      auto [end, ec] =
          std::from_chars(value.data(), value.data() + value.size(), query.before_sequence);
      if (ec != std::errc() || query.before_sequence < 1) {
        return Outcome(400, "error", "invalid", "bad page cursor", "_page_before");
      }
    }
  }
  core::Result<store::HistoryPage> page = store_.History(query);
  if (!page.ok()) return internal::ErrorOutcome(page.status());

  std::string self = req.base_url + SelfPath(type, id) + "?_count=" + std::to_string(query.limit);
  std::string body =
      "{\"resourceType\":\"Bundle\",\"type\":\"history\",\"total\":" + std::to_string(page->total) +
      ",\"link\":[{\"relation\":\"self\",\"url\":" + JsonString(self) + "}";
  if (page->next_before_sequence > 0) {
    body += ",{\"relation\":\"next\",\"url\":" +
            JsonString(self + "&_page_before=" + std::to_string(page->next_before_sequence)) + "}";
  }
  body += "],\"entry\":[";
  internal::Format entry_format = format;
  entry_format.pretty = false;  // pretty-printing applies to the whole Bundle below
  for (size_t i = 0; i < page->versions.size(); ++i) {
    if (i > 0) body += ",";
    body += HistoryEntry(page->versions[i], req.base_url, entry_format);
  }
  body += "]}";
  if (format.pretty) {
    // Re-parse with our parser so decimals keep their text.
    auto parsed = ParseResourceJson(body, {.max_bytes = size_t{1} << 31, .max_depth = 128});
    if (parsed.ok()) body = internal::PrettyJson(*parsed);
  }
  return RestResponse{.status = 200, .body = std::move(body), .content_type = internal::kFhirJson};
}

}  // namespace mamori::fhir
