// SPDX-License-Identifier: Apache-2.0
#pragma once
// Private to fhir: include "fhir/rest_api.h" instead.
//
// Building RestResponses: OperationOutcomes (diagnostics never echo input),
// resource bodies with _format/_pretty/_summary/_elements applied, and the
// headers FHIR clients expect (ETag, Last-Modified, Location).

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "core/status.h"
#include "fhir/rest_api.h"
#include "fhir/validator.h"
#include "store/store.h"

namespace mamori::fhir::internal {

inline constexpr char kFhirJson[] = "application/fhir+json; charset=utf-8";

// An OperationOutcome with one issue.
RestResponse Outcome(int status, std::string_view severity, std::string_view code,
                     std::string_view diagnostics, std::string_view expression = "");
// An OperationOutcome listing validation issues (422 unless a structure issue: 400).
RestResponse IssuesOutcome(std::span<const ValidationIssue> issues);
// The FHIR answer for a store or parse error: 400, 404, 409, 412, 500, 503.
RestResponse ErrorOutcome(const core::Status& status);

// How the client wants bodies rendered.
struct Format {
  bool pretty = false;
  // "", "true", "text", "data", "false" ("count" is for searches).
  std::string summary;
  // Top-level element names from _elements; empty = all.
  std::vector<std::string> elements;
};

// Reads _format, _pretty, _summary and _elements (and Accept). Errors: 406
// for a format other than JSON, 400 for bad values; returned as a response.
std::optional<RestResponse> ParseFormat(const RestRequest& req, Format& format);

// Renders stored resource JSON for the client. The stored bytes go out as
// they are unless a Format option asks for a change.
std::string RenderResource(const std::string& stored_json, const Format& format);
// Serialises a Bundle or other generated object with _pretty applied.
std::string RenderObject(const boost::json::object& object, const Format& format);

// ETag (W/"n"), Last-Modified and, when with_location, Location and
// Content-Location ([base]/type/id/_history/n).
void AddVersionHeaders(const store::ResourceVersion& v, const std::string& base_url,
                       bool with_location, RestResponse& response);

// Applies Prefer: return=minimal|representation|OperationOutcome to a
// successful write's response.
void ApplyPreferReturn(const RestRequest& req, const store::ResourceVersion& v,
                       const Format& format, RestResponse& response);

}  // namespace mamori::fhir::internal
