// SPDX-License-Identifier: Apache-2.0
#pragma once
// Test-only: sample bodies as the store renders them (meta included), shared by
// body_codec_test.cc and body_codec_benchmark.cc. Synthetic, like all data here.

#include <string>

namespace mamori::store::internal::testing {

// A small JP Core-like Patient (~490 B).
inline std::string Patient() {
  return R"({"resourceType":"Patient","id":"p0001234","meta":{"versionId":"1",)"
         R"("lastUpdated":"2026-11-25T10:00:00.123456Z"},"identifier":[{"system":)"
         R"("urn:oid:1.2.392.100495.20.3.51.11311234567","value":"run-1-1234"}],"active":true,)"
         R"("name":[{"use":"official","family":"Watanabe","given":["Hanako"]}],"telecom":[{)"
         R"("system":"phone","value":"090-1234-8638","use":"mobile"}],"gender":"female",)"
         R"("birthDate":"1954-07-15","address":[{"use":"home","postalCode":"100-0001",)"
         R"("city":"Chiyoda","state":"Tokyo","country":"JP"}]})";
}

// A Synthea-like Observation (~900 B): repetitive, as FHIR JSON is.
inline std::string Observation() {
  return R"({"resourceType":"Observation","id":"0c7764a9-ede1-44de-9c32-8d41151a713e",)"
         R"("meta":{"versionId":"1","lastUpdated":"2026-11-25T10:00:00.123456Z"},)"
         R"("status":"final","category":[{"coding":[{"system":)"
         R"("http://terminology.hl7.org/CodeSystem/observation-category","code":"vital-signs",)"
         R"("display":"vital-signs"}]}],"code":{"coding":[{"system":"http://loinc.org",)"
         R"("code":"8302-2","display":"Body Height"}],"text":"Body Height"},)"
         R"("subject":{"reference":"Patient/9a628ccd-2a55-4331-8e68-bb58458fd674"},)"
         R"("encounter":{"reference":"Encounter/9a628ccd-2a55-4331-8e68-bb58458fd675"},)"
         R"("effectiveDateTime":"2015-06-01T10:00:00+09:00","issued":"2015-06-01T10:00:00.000+09:00",)"
         R"("valueQuantity":{"value":172.5,"unit":"cm","system":"http://unitsofmeasure.org",)"
         R"("code":"cm"}})";
}

}  // namespace mamori::store::internal::testing
