// SPDX-License-Identifier: Apache-2.0
#include "fhir/care_relations.h"

#include <algorithm>
#include <cctype>

#include <boost/json.hpp>

#include "fhir/internal/rest/resource_util.h"

namespace mamori::fhir {
namespace {

namespace json = boost::json;

std::string_view ReferenceOf(const json::value* v) {
  if (v == nullptr || !v->is_object()) return "";
  const json::value* ref = v->as_object().if_contains("reference");
  return ref != nullptr && ref->is_string() ? std::string_view(ref->as_string()) : "";
}

bool EncounterRelates(const json::object& encounter, const auth::Principal& who) {
  std::string_view provider = ReferenceOf(encounter.if_contains("serviceProvider"));
  for (const std::string& department : who.departments) {
    if (provider == "Organization/" + department) return true;
  }
  const json::value* participants = encounter.if_contains("participant");
  if (participants == nullptr || !participants->is_array()) return false;
  std::string me = "Practitioner/" + who.login_id;
  return std::any_of(
      participants->as_array().begin(), participants->as_array().end(), [&](const json::value& p) {
        return p.is_object() && ReferenceOf(p.as_object().if_contains("individual")) == me;
      });
}

}  // namespace

bool EncounterCareRelations::HasRelation(const auth::Principal& principal,
                                         std::string_view patient_id) {
  RestRequest request{.base_url = "https://localhost/fhir",
                      .query = {{"patient", std::string(patient_id)}, {"_count", "1000"}}};
  RestResponse response = api_.Search("Encounter", request);
  if (response.status != 200) return false;  // deny when the records cannot say
  boost::system::error_code ec;
  json::value bundle = json::parse(response.body, ec);
  if (ec || !bundle.is_object()) return false;
  const json::value* entries = bundle.as_object().if_contains("entry");
  if (entries == nullptr || !entries->is_array()) return false;
  for (const json::value& entry : entries->as_array()) {
    const json::value* resource =
        entry.is_object() ? entry.as_object().if_contains("resource") : nullptr;
    if (resource != nullptr && resource->is_object() &&
        EncounterRelates(resource->as_object(), principal)) {
      return true;
    }
  }
  return false;
}

core::Result<std::vector<std::string>> PatientsOfResource(store::Store& store,
                                                          const std::string& type,
                                                          const std::string& id) {
  auto current = store.Read(type, id);
  if (current.status().code() == core::StatusCode::kNotFound) return std::vector<std::string>();
  MAMORI_RETURN_IF_ERROR(current.status());
  if (current->deleted) return std::vector<std::string>();
  boost::system::error_code ec;
  json::value resource = json::parse(current->json, ec);
  if (ec || !resource.is_object()) return core::DataLossError("stored resource is not JSON");
  std::string patient = internal::PatientCompartmentOf(type, id, resource.as_object());
  if (patient.empty()) return std::vector<std::string>();
  return std::vector<std::string>{patient};
}

std::vector<std::string> PatientsOfBody(const std::string& type, std::string_view body) {
  if (type == "Patient") return {};  // a new or replaced Patient is its own compartment
  boost::system::error_code ec;
  json::value resource = json::parse(body, ec);
  if (ec || !resource.is_object()) return {};
  std::string patient = internal::PatientCompartmentOf(type, "", resource.as_object());
  if (patient.empty()) return {};
  return {patient};
}

std::vector<std::string> PatientsNamedIn(std::string_view body) {
  constexpr std::string_view kPrefix = "Patient/";
  std::vector<std::string> ids;
  // A Patient resource as mamori renders it (StampVersion writes resourceType
  // then id): the lines of a Bulk Data Patient file name no "Patient/ID".
  constexpr std::string_view kPatientId = R"("resourceType":"Patient","id":")";
  for (size_t at = body.find(kPatientId); at != std::string_view::npos;
       at = body.find(kPatientId, at + 1)) {
    size_t begin = at + kPatientId.size();
    size_t end = body.find('"', begin);
    if (end == std::string_view::npos || end == begin || end - begin > 64) continue;
    std::string_view id = body.substr(begin, end - begin);
    if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.emplace_back(id);
  }
  for (size_t at = body.find(kPrefix); at != std::string_view::npos;
       at = body.find(kPrefix, at + kPrefix.size())) {
    // Only a reference or URL path segment: '"Patient/' or '/Patient/'.
    if (at == 0 || (body[at - 1] != '"' && body[at - 1] != '/')) continue;
    size_t begin = at + kPrefix.size();
    size_t end = begin;
    while (end < body.size() && end - begin < 64 &&
           (std::isalnum(static_cast<unsigned char>(body[end])) || body[end] == '-' ||
            body[end] == '.')) {
      ++end;
    }
    bool ends_the_id = end < body.size() && (body[end] == '"' || body[end] == '/' ||
                                             body[end] == '?' || body[end] == '&');
    if (end == begin || !ends_the_id) continue;
    std::string_view id = body.substr(begin, end - begin);
    if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.emplace_back(id);
  }
  return ids;
}

}  // namespace mamori::fhir
