// SPDX-License-Identifier: Apache-2.0
#include "http/fhir_routes.h"

#include <algorithm>
#include <cctype>

#include "core/form_decode.h"
#include "http/audit.h"

namespace mamori::http {
namespace {

// The base URL for Location headers. The Host header is used only when it is
// a plain host[:port], so a crafted header cannot inject into responses.
std::string BaseUrl(const Request& request) {
  std::string host(request.headers.Get("Host").value_or(""));
  bool plain =
      !host.empty() && host.size() <= 255 && std::all_of(host.begin(), host.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' ||
               c == '[' || c == ']';
      });
  return "https://" + (plain ? host : std::string("localhost")) + "/fhir";
}

using Call = std::function<fhir::RestResponse(const fhir::RestRequest&, const PathParams&)>;

RouteHandler Adapt(Call call) {
  return [call = std::move(call)](const Request& request, const PathParams& params) {
    fhir::RestRequest rest = ToRestRequest(request);
    rest.audit = params.audit();  // writes record their event in their transaction
    return ToResponse(call(rest, params));
  };
}

std::string P(const PathParams& p, std::string_view name) { return std::string(p.Get(name)); }

}  // namespace

fhir::RestRequest ToRestRequest(const Request& request) {
  fhir::RestRequest r;
  r.base_url = BaseUrl(request);
  r.query = core::SplitFormQuery(request.query);
  r.if_match = std::string(request.headers.Get("If-Match").value_or(""));
  r.if_none_exist = std::string(request.headers.Get("If-None-Exist").value_or(""));
  r.if_none_match = std::string(request.headers.Get("If-None-Match").value_or(""));
  r.prefer = std::string(request.headers.Get("Prefer").value_or(""));
  r.accept = std::string(request.headers.Get("Accept").value_or(""));
  r.content_type = std::string(request.headers.Get("Content-Type").value_or(""));
  r.body = request.body;
  return r;
}

Response ToResponse(fhir::RestResponse response) {
  Response out;
  out.status = response.status;
  out.content_type = std::move(response.content_type);
  out.body = std::move(response.body);
  for (auto& [name, value] : response.headers) out.headers.Add(name, value);
  return out;
}

core::Status RegisterFhirRoutes(Router& router, fhir::RestApi& api) {
  fhir::RestApi* a = &api;
  struct Route {
    const char* method;
    const char* pattern;
    Call call;
    // Read and vread by id: one indexed row and one decryption, no commit
    // to wait for (with RequestAuditor::WrapAsync), so the server may run
    // them on its network thread and save two thread hand-offs (issue 6).
    bool short_read = false;
  };
  std::vector<Route> routes = {
      {"GET", "/fhir/metadata", [a](auto& r, auto&) { return a->Capabilities(r); }},
      {"POST", "/fhir", [a](auto& r, auto&) { return a->ProcessBundle(r); }},
      {"GET", "/fhir", [a](auto& r, auto&) { return a->SearchSystem(r); }},
      {"GET", "/fhir/_history", [a](auto& r, auto&) { return a->History("", "", r); }},
      {"POST", "/fhir/{type}", [a](auto& r, auto& p) { return a->Create(P(p, "type"), r); }},
      {"PUT", "/fhir/{type}", [a](auto& r, auto& p) { return a->Update(P(p, "type"), "", r); }},
      {"GET", "/fhir/{type}", [a](auto& r, auto& p) { return a->Search(P(p, "type"), r); }},
      {"POST", "/fhir/{type}/_search",
       [a](auto& r, auto& p) { return a->Search(P(p, "type"), r); }},
      // Patient compartment search; its own _history route keeps winning
      // over the compartment pattern (a literal "Patient" beats {type}).
      {"GET", "/fhir/Patient/{id}/{compartment_type}",
       [a](auto& r, auto& p) {
         return a->SearchCompartment(P(p, "id"), P(p, "compartment_type"), r);
       }},
      {"GET", "/fhir/Patient/{id}/$everything",
       [a](auto& r, auto& p) { return a->Everything(P(p, "id"), r); }},
      {"GET", "/fhir/Patient/{id}/_history",
       [a](auto& r, auto& p) { return a->History("Patient", P(p, "id"), r); }},
      {"GET", "/fhir/{type}/_history",
       [a](auto& r, auto& p) { return a->History(P(p, "type"), "", r); }},
      {"GET", "/fhir/{type}/{id}",
       [a](auto& r, auto& p) { return a->Read(P(p, "type"), P(p, "id"), r); }, true},
      {"PUT", "/fhir/{type}/{id}",
       [a](auto& r, auto& p) { return a->Update(P(p, "type"), P(p, "id"), r); }},
      {"DELETE", "/fhir/{type}/{id}",
       [a](auto& r, auto& p) { return a->Delete(P(p, "type"), P(p, "id"), r); }},
      {"GET", "/fhir/{type}/{id}/_history",
       [a](auto& r, auto& p) { return a->History(P(p, "type"), P(p, "id"), r); }},
      {"GET", "/fhir/{type}/{id}/_history/{vid}",
       [a](auto& r, auto& p) { return a->VRead(P(p, "type"), P(p, "id"), P(p, "vid"), r); }, true},
  };
  for (Route& route : routes) {
    MAMORI_RETURN_IF_ERROR(
        route.short_read
            ? router.AddNonBlocking(route.method, route.pattern, Adapt(std::move(route.call)))
            : router.Add(route.method, route.pattern, Adapt(std::move(route.call))));
  }
  return core::Status::Ok();
}

}  // namespace mamori::http
