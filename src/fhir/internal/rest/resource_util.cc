// SPDX-License-Identifier: Apache-2.0
#include "fhir/internal/rest/resource_util.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <ctime>
#include <vector>

#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include "fhir/definitions.h"
#include "fhir/json_number.h"

namespace mamori::fhir::internal {
namespace {

// Splits "A.b.where(resolve() is Patient) | A.c" into paths of plain
// element names relative to the resource: {"b"}, {"c"}. Functions such as
// where()/resolve()/as() only narrow the result, and every candidate is
// checked to be a Patient reference anyway, so dropping them is safe.
std::vector<std::vector<std::string>> SimplePaths(std::string_view expression) {
  std::vector<std::vector<std::string>> paths;
  size_t start = 0;
  while (start < expression.size()) {
    size_t bar = expression.find('|', start);
    std::string_view one = expression.substr(
        start, bar == std::string_view::npos ? std::string_view::npos : bar - start);
    std::vector<std::string> segments;
    int depth = 0;
    std::string current;
    for (char c : one) {
      if (c == '(') ++depth;
      if (depth == 0 && (c == '.' || c == ' ')) {
        if (!current.empty()) segments.push_back(current);
        current.clear();
      } else if (depth == 0 && c != ')') {
        current += c;
      }
      if (c == ')') --depth;
    }
    if (!current.empty()) segments.push_back(current);
    // Drop the leading type name and any function-call leftovers.
    std::vector<std::string> names;
    for (size_t i = 1; i < segments.size(); ++i) {
      if (segments[i] == "where" || segments[i] == "as" || segments[i] == "ofType" ||
          segments[i] == "resolve" || segments[i] == "is") {
        continue;
      }
      names.push_back(segments[i]);
    }
    if (!names.empty()) paths.push_back(std::move(names));
    if (bar == std::string_view::npos) break;
    start = bar + 1;
  }
  return paths;
}

// "Patient/123", "Patient/123/_history/2" or "https://x/fhir/Patient/123" -> "123".
std::string PatientIdFromReference(std::string_view ref) {
  size_t at = ref.rfind("Patient/");
  if (at == std::string_view::npos || (at > 0 && ref[at - 1] != '/')) return "";
  std::string_view rest = ref.substr(at + 8);
  std::string_view id = rest.substr(0, rest.find('/'));
  return IsValidId(id) ? std::string(id) : "";
}

void Collect(const boost::json::value& node, const std::vector<std::string>& path, size_t i,
             std::string& found) {
  if (!found.empty()) return;
  if (node.is_array()) {
    for (const auto& item : node.get_array()) Collect(item, path, i, found);
    return;
  }
  if (!node.is_object()) return;
  const auto& obj = node.get_object();
  if (i == path.size()) {
    if (const auto* ref = obj.if_contains("reference"); ref && ref->is_string()) {
      found = PatientIdFromReference(ref->get_string());
    }
    return;
  }
  if (const auto* child = obj.if_contains(path[i])) Collect(*child, path, i + 1, found);
}

int Preference(std::string_view param) {
  if (param == "patient") return 0;
  if (param == "subject") return 1;
  if (param == "beneficiary") return 2;
  return 3;
}

}  // namespace

std::string NewResourceId(core::Env& env) {
  std::array<uint8_t, 16> b;
  env.random().Fill(b);
  uint64_t ms = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(env.clock().Now().time_since_epoch())
          .count());
  for (int i = 0; i < 6; ++i) b[i] = static_cast<uint8_t>(ms >> (40 - 8 * i));
  b[6] = (b[6] & 0x0f) | 0x70;  // version 7
  b[8] = (b[8] & 0x3f) | 0x80;  // RFC 4122 variant
  return fmt::format(
      "{:02x}{:02x}{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-"
      "{:02x}{:02x}{:02x}{:02x}{:02x}{:02x}",
      b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
      b[15]);
}

std::string PatientCompartmentOf(const std::string& type, const std::string& id,
                                 const boost::json::object& resource) {
  if (type == "Patient") return id;
  const Definitions& defs = Definitions::R4();
  std::vector<std::string_view> params(defs.PatientCompartmentParams(type).begin(),
                                       defs.PatientCompartmentParams(type).end());
  std::stable_sort(params.begin(), params.end(), [](std::string_view a, std::string_view b) {
    return Preference(a) < Preference(b);
  });
  boost::json::value root(resource);
  for (std::string_view param : params) {
    const SearchParameter* p = defs.FindSearchParameter(type, param);
    if (p == nullptr) continue;
    for (const auto& path : SimplePaths(p->expression)) {
      std::string found;
      Collect(root, path, 0, found);
      if (!found.empty()) return found;
    }
  }
  return "";
}

std::string StampVersion(const boost::json::object& resource, const std::string& type,
                         const std::string& id, int64_t version, core::Clock::WallTime updated) {
  // Serialised straight from the validated object, without copying it: this
  // runs on the store's commit thread, once per version written.
  // resourceType, id and meta go first (some clients sniff resourceType).
  std::string out = "{\"resourceType\":";
  AppendJsonString(type, out);
  out += ",\"id\":";
  AppendJsonString(id, out);
  out += ",\"meta\":{";
  if (const auto* meta = resource.if_contains("meta"); meta != nullptr && meta->is_object()) {
    for (const auto& [key, value] : meta->get_object()) {
      if (key == "versionId" || key == "lastUpdated") continue;
      AppendJsonString(key, out);
      out += ':';
      SerializeJsonTo(value, out);
      out += ',';
    }
  }
  out += "\"versionId\":";
  AppendJsonString(std::to_string(version), out);
  out += ",\"lastUpdated\":";
  AppendJsonString(core::FormatRfc3339(updated), out);
  out += '}';
  for (const auto& [key, value] : resource) {
    if (key == "resourceType" || key == "id" || key == "meta") continue;
    out += ',';
    AppendJsonString(key, out);
    out += ':';
    SerializeJsonTo(value, out);
  }
  out += '}';
  return out;
}

namespace {
bool Digits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}
}  // namespace

std::optional<core::Clock::WallTime> ParseInstant(std::string_view t) {
  int y, mo, d, h = 0, mi = 0, sec = 0;
  if (!Digits(t, 0, 4, y) || t.size() < 10 || t[4] != '-' || !Digits(t, 5, 2, mo) || t[7] != '-' ||
      !Digits(t, 8, 2, d) || mo < 1 || mo > 12 || d < 1 || d > 31) {
    return std::nullopt;
  }
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  int64_t micros = 0, offset_minutes = 0;
  if (t.size() > 10) {
    if (t[10] != 'T' || !Digits(t, 11, 2, h) || t.size() < 19 || t[13] != ':' ||
        !Digits(t, 14, 2, mi) || t[16] != ':' || !Digits(t, 17, 2, sec) || h > 23 || mi > 59 ||
        sec > 60) {
      return std::nullopt;
    }
    size_t pos = 19;
    if (pos < t.size() && t[pos] == '.') {
      int64_t scale = 100000;
      for (++pos; pos < t.size() && t[pos] >= '0' && t[pos] <= '9'; ++pos) {
        micros += (t[pos] - '0') * scale;
        scale /= 10;
      }
    }
    std::string_view zone = t.substr(pos);
    int zh = 0, zm = 0;
    if (zone == "Z") {
      offset_minutes = 0;
    } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && Digits(zone, 1, 2, zh) &&
               zone[3] == ':' && Digits(zone, 4, 2, zm)) {
      offset_minutes = (zone[0] == '+' ? 1 : -1) * (zh * 60 + zm);
    } else {
      return std::nullopt;
    }
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
  }
  int64_t seconds = timegm(&tm) - offset_minutes * 60;
  return core::Clock::WallTime(std::chrono::seconds(seconds)) + std::chrono::microseconds(micros);
}

int64_t ParseVersionTag(std::string_view etag) {
  if (etag.starts_with("W/")) etag.remove_prefix(2);
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') {
    etag = etag.substr(1, etag.size() - 2);
  }
  int64_t v = 0;
  auto [end, ec] = std::from_chars(etag.data(), etag.data() + etag.size(), v);
  if (ec != std::errc() || end != etag.data() + etag.size() || v < 1) return 0;
  return v;
}

}  // namespace mamori::fhir::internal
