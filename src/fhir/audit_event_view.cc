// SPDX-License-Identifier: Apache-2.0
#include "fhir/audit_event_view.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <optional>
#include <set>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "core/clock.h"
#include "core/form_decode.h"
#include "crypto/secure_bytes.h"
#include "fhir/internal/rest/output.h"
#include "fhir/internal/rest/resource_util.h"
#include "ledger/leaf.h"

namespace mamori::fhir {
namespace {

namespace json = boost::json;
using internal::Outcome;

constexpr char kAuditEventType[] = "http://terminology.hl7.org/CodeSystem/audit-event-type";
constexpr char kActionSystem[] = "urn:mamori:audit-action";
constexpr char kEntityType[] = "http://terminology.hl7.org/CodeSystem/audit-entity-type";
constexpr char kObjectRole[] = "http://terminology.hl7.org/CodeSystem/object-role";
constexpr char kSourceType[] = "http://terminology.hl7.org/CodeSystem/security-source-type";
constexpr char kActReason[] = "http://terminology.hl7.org/CodeSystem/v3-ActReason";
constexpr char kLoginSystem[] = "urn:mamori:login";
constexpr size_t kDefaultCount = 50;
constexpr size_t kMaxCount = 1000;
constexpr uint64_t kLeavesPerRead = 256;

std::string Instant(uint64_t ms) {
  return core::FormatRfc3339(core::Clock::WallTime(std::chrono::milliseconds(ms)));
}

json::object Coding(std::string_view system, std::string_view code, std::string_view display) {
  json::object c{{"system", system}, {"code", code}};
  if (!display.empty()) c["display"] = display;
  return c;
}

json::object Detail(std::string_view type, std::string_view value) {
  return {{"type", type}, {"valueString", value}};
}

json::array Agents(const ledger::AuditEvent& e) {
  json::object person{{"who", {{"identifier", {{"system", kLoginSystem}, {"value", e.user}}}}},
                      {"name", e.user},
                      {"requestor", true}};
  if (!e.role.empty()) person["role"] = json::array{json::object{{"text", e.role}}};
  if (!e.source_address.empty()) {
    person["network"] = {{"address", e.source_address}, {"type", "2"}};  // 2 = IP address
  }
  json::array agents{person};
  if (!e.client_subject.empty()) {
    agents.push_back(json::object{{"type", {{"text", "client certificate"}}},
                                  {"name", e.client_subject},
                                  {"requestor", false}});
  }
  return agents;
}

json::array Entities(const ledger::AuditEvent& e) {
  json::array entities;
  for (const std::string& patient : e.patients) {
    entities.push_back(json::object{{"what", {{"reference", "Patient/" + patient}}},
                                    {"type", Coding(kEntityType, "1", "Person")},
                                    {"role", Coding(kObjectRole, "1", "Patient")}});
  }
  bool resource_is_a_listed_patient =
      e.resource_type == "Patient" &&
      std::find(e.patients.begin(), e.patients.end(), e.resource_id) != e.patients.end();
  if (!e.resource_type.empty() && !e.resource_id.empty() && !resource_is_a_listed_patient) {
    entities.push_back(
        json::object{{"what", {{"reference", e.resource_type + "/" + e.resource_id}}},
                     {"type", Coding(kEntityType, "2", "System Object")},
                     {"role", Coding(kObjectRole, "4", "Domain Resource")}});
  }
  json::array details{Detail("http-status", std::to_string(e.http_status))};
  if (!e.request_id.empty()) details.push_back(Detail("request-id", e.request_id));
  if (!e.detail.empty()) details.push_back(Detail("detail", e.detail));
  if (!e.resource_type.empty() && e.resource_id.empty()) {
    details.push_back(Detail("resource-type", e.resource_type));
  }
  entities.push_back(json::object{{"type", Coding(kEntityType, "2", "System Object")},
                                  {"name", e.method + " " + e.route},
                                  {"detail", std::move(details)}});
  return entities;
}

// A decimal number, nullopt unless the whole text is one.
std::optional<uint64_t> Number(std::string_view text) {
  uint64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return {};
  return n;
}

std::set<std::string, std::less<>> CommaList(std::string_view value) {
  std::set<std::string, std::less<>> out;
  size_t at = 0;
  while (at <= value.size()) {
    size_t end = std::min(value.find(',', at), value.size());
    if (end > at) out.emplace(value.substr(at, end - at));
    at = end + 1;
  }
  return out;
}

struct AuditSearch {
  ledger::AuditFilter filter;
  std::set<std::string, std::less<>> actions;   // FHIR C R U D E
  std::set<std::string, std::less<>> subtypes;  // mamori action codes
  std::set<std::string, std::less<>> outcomes;  // FHIR 0 4 8
  size_t count = kDefaultCount;
  std::optional<uint64_t> before;  // page cursor: leaves below this index
  // The parameters the self link repeats (the cursor excluded).
  std::vector<std::pair<std::string, std::string>> echoed;
};

// date=[prefix]value narrows [from_ms, to_ms]. The value's precision sets
// the range it stands for: a day, a second, or a millisecond.
bool NarrowByDate(std::string_view value, ledger::AuditFilter& f) {
  std::string_view prefix = "eq";
  if (value.size() > 2 && std::isalpha(static_cast<unsigned char>(value[0]))) {
    prefix = value.substr(0, 2);
    value.remove_prefix(2);
  }
  std::optional<core::Clock::WallTime> t = internal::ParseInstant(value);
  if (!t) return false;
  int64_t at = std::chrono::duration_cast<std::chrono::milliseconds>(t->time_since_epoch()).count();
  if (at < 0) return false;
  uint64_t lo = static_cast<uint64_t>(at);
  uint64_t width = value.size() == 10                          ? 86'400'000
                   : value.find('.') == std::string_view::npos ? 1'000
                                                               : 1;
  uint64_t hi = lo + width - 1;
  if (prefix == "eq") {
    f.from_ms = std::max(f.from_ms, lo);
    f.to_ms = std::min(f.to_ms, hi);
  } else if (prefix == "ge") {
    f.from_ms = std::max(f.from_ms, lo);
  } else if (prefix == "gt") {
    f.from_ms = std::max(f.from_ms, hi + 1);
  } else if (prefix == "le") {
    f.to_ms = std::min(f.to_ms, hi);
  } else if (prefix == "lt") {
    if (lo == 0) return false;
    f.to_ms = std::min(f.to_ms, lo - 1);
  } else {
    return false;
  }
  return true;
}

bool Lenient(const RestRequest& req) {
  return req.prefer.find("handling=lenient") != std::string::npos;
}

// Parses the search; on a bad or unknown parameter returns its 400 response.
std::optional<RestResponse> ParseSearch(const RestRequest& req, AuditSearch& s) {
  for (const auto& [name, value] : req.query) {
    bool echo = true;
    if (name == "patient") {
      std::string_view v = value;
      if (v.starts_with("Patient/")) v.remove_prefix(8);
      s.filter.patient = std::string(v);
    } else if (name == "agent") {
      s.filter.principal = value;
    } else if (name == "date") {
      if (!NarrowByDate(value, s.filter)) {
        return Outcome(400, "error", "invalid",
                       "date must be [eq|ge|gt|le|lt]YYYY-MM-DD or an instant", "date");
      }
    } else if (name == "action") {
      s.actions = CommaList(value);
    } else if (name == "subtype") {
      s.subtypes = CommaList(value);
    } else if (name == "outcome") {
      s.outcomes = CommaList(value);
    } else if (name == "_count") {
      std::optional<uint64_t> n = Number(value);
      if (!n || *n < 1) {
        return Outcome(400, "error", "invalid", "_count must be a positive integer", "_count");
      }
      s.count = std::min<uint64_t>(*n, kMaxCount);
    } else if (name == "_page_before") {
      s.before = Number(value);
      if (!s.before) return Outcome(400, "error", "invalid", "bad page cursor", "_page_before");
      echo = false;
    } else if (name == "_format" || name == "_pretty") {
      // handled by ParseFormat
    } else if (Lenient(req)) {
      echo = false;
    } else {
      return Outcome(400, "error", "not-supported",
                     "AuditEvent search does not support the parameter " + name, name);
    }
    if (echo) s.echoed.emplace_back(name, value);
  }
  return std::nullopt;
}

bool Wanted(const ledger::AuditEvent& e, const AuditSearch& s) {
  if (!ledger::Matches(e, s.filter)) return false;
  if (!s.actions.empty() && !s.actions.contains(FhirAuditAction(e))) return false;
  if (!s.subtypes.empty() && !s.subtypes.contains(e.action)) return false;
  return s.outcomes.empty() || s.outcomes.contains(FhirAuditOutcome(e));
}

// Leaf bytes -> event. Errors: kDataLoss naming the index (the ledger is
// damaged: `mamori audit verify` locates it).
core::Result<ledger::AuditEvent> OpenEvent(store::Store& store, uint64_t index,
                                           std::string_view leaf) {
  core::Result<std::string> json = store.OpenAuditLeaf(leaf);
  core::Result<ledger::AuditEvent> event =
      json.ok() ? ledger::ParseAuditEvent(*json) : core::Result<ledger::AuditEvent>(json.status());
  if (!event.ok()) {
    return core::DataLossError("audit event " + std::to_string(index) +
                               " does not open; run `mamori audit verify`");
  }
  return event;
}

std::string SelfLink(const RestRequest& req, const AuditSearch& s) {
  std::string url = req.base_url + "/AuditEvent";
  char sep = '?';
  for (const auto& [name, value] : s.echoed) {
    url += sep + core::FormEncode(name) + "=" + core::FormEncode(value);
    sep = '&';
  }
  return url;
}

}  // namespace

std::string_view FhirAuditAction(const ledger::AuditEvent& e) {
  if (e.action == "create") return "C";
  if (e.action == "update") return "U";
  if (e.action == "delete") return "D";
  if (e.action == "read" || e.action == "vread" || e.action.starts_with("history") ||
      e.action == "capabilities" || e.action.starts_with("audit-")) {
    return "R";
  }
  return "E";  // searches, transactions, log-on and the other functions
}

std::string_view FhirAuditOutcome(const ledger::AuditEvent& e) {
  if (e.outcome == "success") return "0";
  return e.http_status >= 500 ? "8" : "4";
}

std::string ToFhirAuditEvent(uint64_t index, const ledger::AuditEvent& e) {
  std::string recorded = Instant(e.time_ms);
  json::object r{
      {"resourceType", "AuditEvent"},
      {"id", std::to_string(index)},
      {"meta", {{"versionId", "1"}, {"lastUpdated", recorded}}},
      {"type", Coding(kAuditEventType, "rest", "RESTful Operation")},
      {"subtype", json::array{Coding(kActionSystem, e.action, "")}},
      {"action", FhirAuditAction(e)},
      {"recorded", recorded},
      {"outcome", FhirAuditOutcome(e)},
  };
  if (!e.reason.empty()) r["outcomeDesc"] = e.reason;
  if (e.emergency) {
    r["purposeOfEvent"] = json::array{
        json::object{{"coding", json::array{Coding(kActReason, "ETREAT", "Emergency Treatment")}},
                     {"text", "break-glass"}}};
  }
  r["agent"] = Agents(e);
  r["source"] = {{"site", "mamori"},
                 {"observer", {{"display", "mamori"}}},
                 {"type", json::array{Coding(kSourceType, "4", "Application Server")}}};
  r["entity"] = Entities(e);
  return json::serialize(r);
}

RestResponse AuditEventView::Read(const std::string& id, const RestRequest& req) {
  internal::Format format;
  if (auto bad = internal::ParseFormat(req, format)) return *bad;
  std::optional<uint64_t> index = Number(id);
  if (!index || *index >= store_.AuditTreeSize()) {
    return Outcome(404, "error", "not-found", "no AuditEvent with this id");
  }
  core::Result<std::vector<std::string>> leaves = store_.AuditLeaves(*index, *index + 1);
  if (!leaves.ok()) return internal::ErrorOutcome(leaves.status());
  core::Result<ledger::AuditEvent> event = OpenEvent(store_, *index, leaves->front());
  if (!event.ok()) return internal::ErrorOutcome(event.status());
  RestResponse response;
  response.body = internal::RenderResource(ToFhirAuditEvent(*index, *event), format);
  response.content_type = internal::kFhirJson;
  response.headers.emplace_back("ETag", "W/\"1\"");
  return response;
}

RestResponse AuditEventView::Search(const RestRequest& req) {
  internal::Format format;
  if (auto bad = internal::ParseFormat(req, format)) return *bad;
  AuditSearch s;
  if (auto bad = ParseSearch(req, s)) return *bad;
  uint64_t size = store_.AuditTreeSize();
  uint64_t hi = std::min(s.before.value_or(size), size);
  uint64_t scanned = 0;
  json::array entries;
  while (hi > 0 && entries.size() < s.count && scanned < kMaxScannedPerPage) {
    uint64_t lo = hi > kLeavesPerRead ? hi - kLeavesPerRead : 0;
    core::Result<std::vector<std::string>> leaves = store_.AuditLeaves(lo, hi);
    if (!leaves.ok()) return internal::ErrorOutcome(leaves.status());
    for (uint64_t i = hi; i > lo && entries.size() < s.count && scanned < kMaxScannedPerPage;) {
      --i;
      ++scanned;
      hi = i;
      const std::string& leaf = (*leaves)[i - lo];
      // An event's time is never after its leaf's commit time, so a leaf
      // committed before the window holds no event in it: skip the decryption.
      core::Result<ledger::Leaf> header = ledger::DecodeLeaf(crypto::AsBytes(leaf));
      if (header.ok() && header->timestamp_ms < s.filter.from_ms) continue;
      core::Result<ledger::AuditEvent> event = OpenEvent(store_, i, leaf);
      if (!event.ok()) return internal::ErrorOutcome(event.status());
      if (!Wanted(*event, s)) continue;
      entries.push_back(json::object{{"fullUrl", req.base_url + "/AuditEvent/" + std::to_string(i)},
                                     {"resource", json::parse(ToFhirAuditEvent(i, *event))},
                                     {"search", {{"mode", "match"}}}});
    }
  }
  std::string self = SelfLink(req, s);
  json::array links{json::object{{"relation", "self"}, {"url", self}}};
  if (hi > 0) {
    std::string next = self + (s.echoed.empty() ? "?" : "&") + "_page_before=" + std::to_string(hi);
    links.push_back(json::object{{"relation", "next"}, {"url", next}});
  }
  json::object bundle{{"resourceType", "Bundle"},
                      {"type", "searchset"},
                      {"link", std::move(links)},
                      {"entry", std::move(entries)}};
  RestResponse response;
  response.body = internal::RenderObject(bundle, format);
  response.content_type = internal::kFhirJson;
  return response;
}

}  // namespace mamori::fhir
