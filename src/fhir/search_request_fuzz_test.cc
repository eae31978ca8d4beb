// SPDX-License-Identifier: Apache-2.0
// Fuzz target for search requests (STYLE rule 32, issue 5): the bytes the
// search interaction takes from a client (the query string, a POST _search
// form body, the _page_after cursor, Prefer) reach RestApi::Search and
// RestApi::SearchCompartment over one encrypted store holding a few indexed
// resources. Input layout: byte 0 picks the route (bit 0: compartment
// search, bit 1: POST form body instead of a query string, bit 2: lenient,
// bits 3-7: the resource type, modulo the list below); the rest is the raw,
// still percent-encoded query. Whatever the input, the answer is 200 with a
// searchset Bundle or a 4xx with an OperationOutcome, never a 5xx, a crash or
// a hang; a 4xx body is printable ASCII, so no non-ASCII query byte (a
// Japanese name, say) is echoed in it (DESIGN invariant 5).

#include <memory>
#include <string>
#include <string_view>

#include "core/check.h"
#include "core/env.h"
#include "core/form_decode.h"
#include "core/testing/fuzz.h"
#include "core/testing/temp_dir.h"
#include "fhir/json_parser.h"
#include "fhir/rest_api.h"
#include "store/store.h"

namespace {

using mamori::fhir::RestApi;
using mamori::fhir::RestRequest;
using mamori::fhir::RestResponse;

constexpr const char* kTypes[] = {"Patient",   "Observation",  "Encounter",
                                  "Condition", "Practitioner", "NotAType"};

// Resources so that the index has entries of every kind to walk.
constexpr const char* kSeed[][3] = {
    {"Patient", "p1",
     R"({"resourceType":"Patient","id":"p1","name":[{"family":"やまだ","given":["太郎"]}],
         "identifier":[{"system":"urn:oid:1.2","value":"00000010"}],"birthDate":"1970-01-01"})"},
    {"Observation", "o1",
     R"({"resourceType":"Observation","id":"o1","status":"final",
         "code":{"coding":[{"system":"http://loinc.org","code":"8302-2"}]},
         "subject":{"reference":"Patient/p1"},"effectiveDateTime":"2020-01-01T10:00:00Z",
         "valueQuantity":{"value":185.2,"system":"http://unitsofmeasure.org","code":"cm"}})"},
    {"Encounter", "e1",
     R"({"resourceType":"Encounter","id":"e1","status":"finished",
         "class":{"code":"AMB"},"subject":{"reference":"Patient/p1"}})"},
};

// Opening a store per input would measure SQLite setup, not search.
struct Harness {
  Harness() {
    auto opened = mamori::store::OpenStore(
        {.path = mamori::core::testing::MakeTempDir() + "/search_fuzz.db", .kek = &kek}, env);
    MAMORI_CHECK(opened.ok());
    store = std::move(*opened);
    api = std::make_unique<RestApi>(*store, env);
    for (const auto& [type, id, json] : kSeed) {
      RestRequest req;
      req.base_url = "https://fuzz.example/fhir";
      req.body = json;
      MAMORI_CHECK(api->Update(type, id, req).status == 201);
    }
  }
  mamori::core::Env env = mamori::core::Env::Real();
  mamori::crypto::AeadKey kek = mamori::crypto::AeadKey::Generate(mamori::core::Random::Secure());
  std::unique_ptr<mamori::store::Store> store;
  std::unique_ptr<RestApi> api;
};

Harness& GetHarness() {
  static Harness* harness = new Harness();  // never destroyed: the fuzzer may exit anywhere
  return *harness;
}

}  // namespace

MAMORI_FUZZ_TARGET(data, size) {
  if (size == 0) return;
  uint8_t route = data[0];
  std::string query(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::string type = kTypes[(route >> 3) % std::size(kTypes)];
  RestRequest req;
  req.base_url = "https://fuzz.example/fhir";
  if (route & 2) {
    req.body = query;
    req.content_type = "application/x-www-form-urlencoded";
  } else {
    req.query = mamori::core::SplitFormQuery(query);
  }
  if (route & 4) req.prefer = "handling=lenient";
  RestResponse r = (route & 1) ? GetHarness().api->SearchCompartment("p1", type, req)
                               : GetHarness().api->Search(type, req);

  MAMORI_CHECK(r.status == 200 || (r.status >= 400 && r.status <= 499));
  auto body =
      mamori::fhir::ParseResourceJson(r.body, {.max_bytes = size_t{1} << 30, .max_depth = 128});
  MAMORI_CHECK(body.ok());
  const boost::json::value* rt = body->if_contains("resourceType");
  MAMORI_CHECK(rt != nullptr && rt->is_string());
  if (r.status == 200) {
    MAMORI_CHECK(rt->get_string() == "Bundle");
  } else {
    MAMORI_CHECK(rt->get_string() == "OperationOutcome");
    for (char c : r.body) MAMORI_CHECK(static_cast<unsigned char>(c) < 0x80);
  }
}
