// SPDX-License-Identifier: Apache-2.0
// Fuzz target for Bundle processing (STYLE rule 32, issue 4): arbitrary bytes
// are POSTed to the base as a Bundle through RestApi::ProcessBundle, over one
// encrypted store opened once in a temporary directory. Whatever the input,
// the answer must be 200 with a transaction-response or batch-response
// Bundle holding one entry per request entry, or a 4xx/5xx with an
// OperationOutcome; the body is always JSON. A crash, a hang or any other
// answer is a finding.

#include <memory>
#include <string>
#include <string_view>

#include "core/check.h"
#include "core/env.h"
#include "core/testing/fuzz.h"
#include "core/testing/temp_dir.h"
#include "fhir/json_parser.h"
#include "fhir/rest_api.h"
#include "store/store.h"

namespace {

using mamori::fhir::RestApi;
using mamori::fhir::RestRequest;
using mamori::fhir::RestResponse;

// The store and API live for the whole run: opening a store per input would
// measure SQLite setup, not Bundle processing.
struct Harness {
  Harness() {
    auto opened = mamori::store::OpenStore(
        {.path = mamori::core::testing::MakeTempDir() + "/bundle_fuzz.db", .kek = &kek}, env);
    MAMORI_CHECK(opened.ok());
    store = std::move(*opened);
    api = std::make_unique<RestApi>(*store, env);
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

std::string_view StringAt(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string_view(v->get_string()) : std::string_view();
}

// How many entries the request Bundle holds, if it is a JSON object with an
// entry array (the response must then have as many).
long RequestEntries(std::string_view bytes) {
  auto parsed = mamori::fhir::ParseResourceJson(bytes);
  if (!parsed.ok()) return -1;
  const boost::json::value* entries = parsed->if_contains("entry");
  return entries != nullptr && entries->is_array() ? static_cast<long>(entries->get_array().size())
                                                   : 0;
}

}  // namespace

MAMORI_FUZZ_TARGET(data, size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  RestRequest req;
  req.base_url = "https://fuzz.example/fhir";
  req.content_type = "application/fhir+json";
  req.body = std::string(bytes);
  RestResponse r = GetHarness().api->ProcessBundle(req);

  MAMORI_CHECK(r.status == 200 || (r.status >= 400 && r.status <= 599));
  auto body = mamori::fhir::ParseResourceJson(r.body);
  MAMORI_CHECK(body.ok());  // every answer has a JSON object body
  std::string_view type = StringAt(*body, "resourceType");
  if (r.status != 200) {
    MAMORI_CHECK(type == "OperationOutcome");
    const boost::json::value* issues = body->if_contains("issue");
    MAMORI_CHECK(issues != nullptr && issues->is_array() && !issues->get_array().empty());
    return;
  }
  MAMORI_CHECK(type == "Bundle");
  std::string_view bundle_type = StringAt(*body, "type");
  MAMORI_CHECK(bundle_type == "transaction-response" || bundle_type == "batch-response");
  const boost::json::value* entries = body->if_contains("entry");
  MAMORI_CHECK(entries != nullptr && entries->is_array());
  MAMORI_CHECK(static_cast<long>(entries->get_array().size()) == RequestEntries(bytes));
  for (const boost::json::value& entry : entries->get_array()) {
    MAMORI_CHECK(entry.is_object());
    const boost::json::value* response = entry.get_object().if_contains("response");
    MAMORI_CHECK(response != nullptr && response->is_object());
    MAMORI_CHECK(!StringAt(response->get_object(), "status").empty());
  }
}
