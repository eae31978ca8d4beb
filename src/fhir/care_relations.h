// SPDX-License-Identifier: Apache-2.0
#pragma once

// fhir::EncounterCareRelations: the care relation the policy asks about
// (GUIDELINE SYS-46), read from the records: a person is in a patient's care
// when one of the patient's Encounters names the person's department as its
// serviceProvider (Organization/<department id>) or names the person as a
// participant (Practitioner/<login id>).
//
//   fhir::EncounterCareRelations care(api);
//   policy::Decision d = policy.Decide(request, care, emergency);
//
// Borrows the RestApi. Thread-safety: HasRelation may run concurrently.

#include "fhir/rest_api.h"
#include "policy/policy.h"

namespace mamori::fhir {

class EncounterCareRelations final : public policy::CareRelations {
 public:
  explicit EncounterCareRelations(RestApi& api) : api_(api) {}
  bool HasRelation(const auth::Principal& principal, std::string_view patient_id) override;

 private:
  RestApi& api_;
};

// The patient whose compartment holds resource type/id (its current
// version), for the access gate's care-relation check on reads of resources
// other than Patient. Empty when the resource does not exist, is deleted, or
// belongs to no patient. Errors: the store's (kDataLoss for a bad body).
core::Result<std::vector<std::string>> PatientsOfResource(store::Store& store,
                                                          const std::string& type,
                                                          const std::string& id);

// The patient a submitted resource body of `type` names (its compartment),
// or none; a body that is not a JSON object names none (the handler refuses
// it). For the care-relation check of creates and updates.
std::vector<std::string> PatientsOfBody(const std::string& type, std::string_view body);

// Every Patient id a response body names in a reference or URL
// ("Patient/ID", "https://host/fhir/Patient/ID/_history/2") or as a stored
// Patient resource ({"resourceType":"Patient","id":"ID", ...), each once: for a search, history or
// AuditEvent page these are the patients it disclosed (issue 6: "for a search, every patient in the
// result"). A text scan, not a parse, so it costs little on every page; it errs towards naming too
// many (a Patient mentioned in a narrative), the safe side for leak scoping (GUIDELINE PLAN-05).
std::vector<std::string> PatientsNamedIn(std::string_view body);

}  // namespace mamori::fhir
