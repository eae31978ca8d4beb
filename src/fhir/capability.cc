// SPDX-License-Identifier: Apache-2.0
// GET [base]/metadata: a CapabilityStatement that lists only what works
// (RestApiTest.CapabilityStatementListsOnlyWorkingInteractions).
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "fhir/definitions.h"
#include "fhir/internal/rest/output.h"
#include "fhir/rest_api.h"

#ifndef MAMORI_VERSION
#define MAMORI_VERSION "0.0.0"
#endif

namespace mamori::fhir {
namespace {

boost::json::array Interactions(std::initializer_list<const char*> codes) {
  boost::json::array out;
  for (const char* c : codes) out.push_back(boost::json::object{{"code", c}});
  return out;
}

// The parameters the index answers: every R4 parameter of the type with an
// expression, except Location.near (a special type the index does not hold).
boost::json::array SearchParams(const std::string& type) {
  boost::json::array out;
  for (const SearchParameter* p : Definitions::R4().SearchParameters(type)) {
    if (p->expression.empty() || p->type == SearchParamType::kSpecial) continue;
    out.push_back(boost::json::object{{"name", p->code},
                                      {"type", std::string(SearchParamTypeName(p->type))}});
  }
  return out;
}

// The audit ledger read as AuditEvent (audit_event_view.h): read and search
// only, with the parameters the view supports, for auditors.
boost::json::object AuditEventEntry() {
  boost::json::array params;
  for (const char* name : {"patient", "agent", "date", "action", "subtype", "outcome"}) {
    const SearchParameter* p = Definitions::R4().FindSearchParameter("AuditEvent", name);
    params.push_back(
        boost::json::object{{"name", name}, {"type", std::string(SearchParamTypeName(p->type))}});
  }
  return {{"type", "AuditEvent"},
          {"interaction", Interactions({"read", "search-type"})},
          {"searchParam", std::move(params)},
          {"versioning", "no-version"},
          {"readHistory", false},
          {"updateCreate", false},
          {"conditionalCreate", false},
          {"conditionalUpdate", false},
          {"conditionalDelete", "not-supported"}};
}

boost::json::object ResourceEntry(const std::string& type) {
  if (type == "AuditEvent") return AuditEventEntry();
  boost::json::object r{{"type", type}};
  r["interaction"] = Interactions({"read", "vread", "update", "delete", "create", "search-type",
                                   "history-instance", "history-type"});
  r["searchParam"] = SearchParams(type);
  r["searchInclude"] = boost::json::array{"*"};
  r["searchRevInclude"] = boost::json::array{"*"};
  r["versioning"] = "versioned-update";
  r["readHistory"] = true;
  r["updateCreate"] = true;
  r["conditionalCreate"] = true;
  r["conditionalUpdate"] = true;
  r["conditionalDelete"] = "not-supported";
  r["referencePolicy"] = boost::json::array{"literal", "logical"};
  if (type == "Patient") {
    r["operation"] = boost::json::array{
        boost::json::object{
            {"name", "everything"},
            {"definition", "http://hl7.org/fhir/OperationDefinition/Patient-everything"}},
        boost::json::object{
            {"name", "export"},
            {"definition", "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/patient-export"}}};
  }
  if (type == "Group") {
    r["operation"] = boost::json::array{boost::json::object{
        {"name", "export"},
        {"definition", "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/group-export"}}};
  }
  return r;
}

}  // namespace

RestResponse RestApi::Capabilities(const RestRequest& req) {
  internal::Format format;
  if (auto bad = internal::ParseFormat(req, format)) return *bad;
  boost::json::array resources;
  for (const std::string& type : Definitions::R4().SupportedResourceTypes()) {
    if (type == "Bundle" || type == "OperationOutcome" || type == "CapabilityStatement" ||
        type == "Parameters") {
      continue;  // exchanged, not stored
    }
    resources.push_back(ResourceEntry(type));
  }
  boost::json::object rest{
      {"mode", "server"},
      {"resource", std::move(resources)},
      {"interaction", Interactions({"transaction", "batch", "search-system", "history-system"})},
      {"operation",
       boost::json::array{boost::json::object{
           {"name", "export"},
           {"definition", "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export"}}}},
      {"documentation",
       "Search by GET [type]?params, POST [type]/_search and GET Patient/[id]/[type]: "
       "token, string (prefix, :exact, :contains; case, accent, width and kana folded), date, "
       "number, quantity, reference (:type, :identifier, chains one level), uri (:above, "
       ":below), composite, :missing, :not, _id, _lastUpdated, _count, _summary=count, _total, "
       "_elements, _include and _revinclude (with :iterate one level), _has (one level), _sort "
       "(several keys, - for descending; one resource type per search; on string, token, "
       "reference and uri parameters at most 10,000 matches). Not supported: nested _has, "
       ":in, :not-in, :text on strings. System search (GET [base]?_type=...) takes the parameters "
       "common to the types searched. Paging links carry a resource-key cursor. "
       "Conditional create and update accept any of these search criteria. Bulk Data export "
       "(async, system clients only): $export at system, Patient and Group level with _type, "
       "_since and _typeFilter."}};
  boost::json::object statement{
      {"resourceType", "CapabilityStatement"},
      {"status", "active"},
      {"date", "2026-11-25"},
      {"kind", "instance"},
      {"software", boost::json::object{{"name", "mamori"}, {"version", MAMORI_VERSION}}},
      {"implementation",
       boost::json::object{{"description", "mamori FHIR R4 server"}, {"url", req.base_url}}},
      {"fhirVersion", "4.0.1"},
      {"format", boost::json::array{"application/fhir+json", "json"}},
      {"rest", boost::json::array{std::move(rest)}}};
  return RestResponse{.status = 200,
                      .body = internal::RenderObject(statement, format),
                      .content_type = internal::kFhirJson};
}

}  // namespace mamori::fhir
