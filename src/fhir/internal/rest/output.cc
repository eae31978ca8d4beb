// SPDX-License-Identifier: Apache-2.0
#include "fhir/internal/rest/output.h"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "core/clock.h"
#include "fhir/definitions.h"
#include "fhir/internal/rest/pretty.h"
#include "fhir/json_number.h"
#include "fhir/json_parser.h"

namespace mamori::fhir::internal {
namespace {

bool Contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

bool IsJsonFormat(std::string_view f) {
  return f == "json" || f == "application/json" || f == "application/fhir+json" ||
         Contains(f, "application/fhir+json") || Contains(f, "application/json");
}

// Elements every _summary/_elements view keeps (FHIR 3.1.1.5.x).
bool IsMandatoryTopLevel(std::string_view key) {
  return key == "resourceType" || key == "id" || key == "meta";
}

// Marks a reduced view as SUBSETTED (FHIR requires the tag).
void TagSubsetted(boost::json::object& resource) {
  boost::json::object& meta = resource["meta"].emplace_object();
  boost::json::array& tags =
      meta["tag"].is_array() ? meta["tag"].as_array() : meta["tag"].emplace_array();
  tags.push_back(
      boost::json::object{{"system", "http://terminology.hl7.org/CodeSystem/v3-ObservationValue"},
                          {"code", "SUBSETTED"}});
}

// Whether a top-level property of a `type` resource is in its summary
// (isSummary in R4). "valueQuantity" is looked up as "value[x]", and a
// primitive's "_gender" extension follows "gender".
bool IsSummaryProperty(std::string_view type, std::string_view key) {
  if (key.starts_with("_")) key.remove_prefix(1);
  const Definitions& defs = Definitions::R4();
  std::string path = std::string(type) + "." + std::string(key);
  if (const ElementDefinition* e = defs.FindElement(path)) return e->is_summary;
  for (const ElementDefinition* e : defs.ChildElements(type)) {
    if (e->is_choice() && e->name.ends_with("[x]") &&
        key.starts_with(std::string_view(e->name).substr(0, e->name.size() - 3))) {
      return e->is_summary;
    }
  }
  return false;
}

void ApplySubset(boost::json::object& resource, const Format& format) {
  if (!format.elements.empty()) {
    boost::json::object kept;
    for (auto& [key, value] : resource) {
      bool wanted = IsMandatoryTopLevel(key);
      for (const std::string& e : format.elements) wanted = wanted || key == e;
      if (wanted) kept[key] = std::move(value);
    }
    resource = std::move(kept);
    TagSubsetted(resource);
  } else if (format.summary == "text") {
    boost::json::object kept;
    for (auto& [key, value] : resource) {
      if (IsMandatoryTopLevel(key) || key == "text") kept[key] = std::move(value);
    }
    resource = std::move(kept);
    TagSubsetted(resource);
  } else if (format.summary == "data") {
    resource.erase("text");
    TagSubsetted(resource);
  } else if (format.summary == "true") {
    // Top-level elements marked isSummary; datatypes and backbone elements
    // inside them are kept whole (a simplification, README).
    std::string type;
    if (const auto* rt = resource.if_contains("resourceType"); rt && rt->is_string()) {
      type = std::string(rt->get_string());
    }
    boost::json::object kept;
    for (auto& [key, value] : resource) {
      if (IsMandatoryTopLevel(key) || IsSummaryProperty(type, key)) kept[key] = std::move(value);
    }
    resource = std::move(kept);
    TagSubsetted(resource);
  }
}

}  // namespace

RestResponse Outcome(int status, std::string_view severity, std::string_view code,
                     std::string_view diagnostics, std::string_view expression) {
  boost::json::object issue{{"severity", severity}, {"code", code}, {"diagnostics", diagnostics}};
  if (!expression.empty()) issue["expression"] = boost::json::array{expression};
  boost::json::object outcome{{"resourceType", "OperationOutcome"},
                              {"issue", boost::json::array{issue}}};
  return RestResponse{
      .status = status, .body = boost::json::serialize(outcome), .content_type = kFhirJson};
}

RestResponse IssuesOutcome(std::span<const ValidationIssue> issues) {
  boost::json::array list;
  int status = 422;  // valid JSON that breaks FHIR rules
  for (const ValidationIssue& i : issues) {
    boost::json::object issue{{"severity", IssueSeverityName(i.severity)},
                              {"code", IssueCodeName(i.code)},
                              {"diagnostics", i.diagnostics}};
    if (!i.expression.empty()) issue["expression"] = boost::json::array{i.expression};
    if (i.code == IssueCode::kNotSupported) status = 404;
    list.push_back(std::move(issue));
  }
  boost::json::object outcome{{"resourceType", "OperationOutcome"}, {"issue", std::move(list)}};
  return RestResponse{
      .status = status, .body = boost::json::serialize(outcome), .content_type = kFhirJson};
}

RestResponse ErrorOutcome(const core::Status& status) {
  using core::StatusCode;
  switch (status.code()) {
    case StatusCode::kInvalidArgument:
      return Outcome(400, "error", "invalid", status.message());
    case StatusCode::kNotFound:
      return Outcome(404, "error", "not-found", status.message());
    case StatusCode::kAlreadyExists:
      return Outcome(409, "error", "duplicate", status.message());
    case StatusCode::kAborted:
      return Outcome(412, "error", "conflict", status.message());
    case StatusCode::kFailedPrecondition:
      return Outcome(412, "error", "conflict", status.message());
    case StatusCode::kResourceExhausted:
      return Outcome(413, "error", "too-costly", status.message());
    case StatusCode::kUnavailable: {
      RestResponse r = Outcome(503, "error", "transient", status.message());
      r.headers.emplace_back("Retry-After", "5");
      return r;
    }
    case StatusCode::kDataLoss:
      return Outcome(500, "fatal", "exception",
                     "a stored record failed its integrity check; the operator has been alerted");
    default:
      return Outcome(500, "fatal", "exception", "internal error");
  }
}

std::optional<RestResponse> ParseFormat(const RestRequest& req, Format& format) {
  for (const auto& [name, value] : req.query) {
    if (name == "_format") {
      if (!IsJsonFormat(value)) {
        return Outcome(406, "error", "not-supported", "mamori serves FHIR JSON only", "_format");
      }
    } else if (name == "_pretty") {
      if (value != "true" && value != "false") {
        return Outcome(400, "error", "invalid", "_pretty must be true or false", "_pretty");
      }
      format.pretty = value == "true";
    } else if (name == "_summary") {
      if (value != "true" && value != "text" && value != "data" && value != "false" &&
          value != "count") {
        return Outcome(400, "error", "invalid", "_summary must be true, text, data, count or false",
                       "_summary");
      }
      format.summary = value;
    } else if (name == "_elements") {
      size_t start = 0;
      while (start <= value.size()) {
        size_t comma = value.find(',', start);
        std::string e =
            value.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        if (!e.empty()) format.elements.push_back(e);
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
    }
  }
  if (!req.accept.empty() && !Contains(req.accept, "json") && !Contains(req.accept, "*/*")) {
    return Outcome(406, "error", "not-supported", "mamori serves FHIR JSON only");
  }
  return std::nullopt;
}

std::string RenderResource(const std::string& stored_json, const Format& format) {
  bool subset = !format.elements.empty() || format.summary == "text" || format.summary == "data" ||
                format.summary == "true";
  if (!subset && !format.pretty) return stored_json;
  core::Result<boost::json::object> parsed = ParseResourceJson(stored_json);
  if (!parsed.ok()) return stored_json;  // stored JSON was validated on the way in
  if (subset) ApplySubset(*parsed, format);
  return RenderObject(*parsed, format);
}

std::string RenderObject(const boost::json::object& object, const Format& format) {
  return format.pretty ? PrettyJson(object) : SerializeJson(object);
}

void AddVersionHeaders(const store::ResourceVersion& v, const std::string& base_url,
                       bool with_location, RestResponse& response) {
  response.headers.emplace_back("ETag", "W/\"" + std::to_string(v.version) + "\"");
  response.headers.emplace_back("Last-Modified", core::FormatHttpDate(v.last_updated));
  if (with_location) {
    std::string location =
        base_url + "/" + v.type + "/" + v.id + "/_history/" + std::to_string(v.version);
    response.headers.emplace_back("Location", location);
    response.headers.emplace_back("Content-Location", location);
  }
}

void ApplyPreferReturn(const RestRequest& req, const store::ResourceVersion& v,
                       const Format& format, RestResponse& response) {
  if (Contains(req.prefer, "return=minimal")) {
    response.body.clear();
    response.content_type.clear();
    return;
  }
  if (Contains(req.prefer, "return=OperationOutcome")) {
    RestResponse oo =
        Outcome(response.status, "information", "informational",
                v.type + "/" + v.id + " version " + std::to_string(v.version) + " stored");
    response.body = std::move(oo.body);
    response.content_type = kFhirJson;
    return;
  }
  response.body = RenderResource(v.json, format);
  response.content_type = kFhirJson;
}

}  // namespace mamori::fhir::internal
