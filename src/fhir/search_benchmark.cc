// SPDX-License-Identifier: Apache-2.0
// Search latency inside the process (issue 5, STYLE rule 33): RestApi::Search
// over an encrypted store filled by `fhir::Importer` from the NDJSON files
// named by MAMORI_SEARCH_BENCH_FILES (colon-separated; bench/search/run.sh
// writes them: the Synthea bundles COPIES times and small Patients). A page
// of 50, Bundle rendered, no HTTP or TLS (bench/search/latency.py measures
// those too). Run optimised on a quiet machine:
//   bench/search/run.sh [BUILD_DIR]

#include <stdlib.h>

#include <cstdlib>
#include <memory>
#include <string>

#include <benchmark/benchmark.h>

#include "core/check.h"
#include "fhir/importer.h"
#include "fhir/rest_api.h"
#include "fhir/search_index.h"

namespace mamori::fhir {
namespace {

struct Fixture {
  Fixture() {
    char dir[] = "/tmp/mamori-search-bench.XXXXXX";
    MAMORI_CHECK(mkdtemp(dir) != nullptr);
    auto opened = store::OpenStore(
        {.path = std::string(dir) + "/bench.db", .kek = &kek, .indexer = IndexStoredResource}, env);
    MAMORI_CHECK(opened.ok());
    store = std::move(*opened);
    api = std::make_unique<RestApi>(*store, env);
    const char* files = std::getenv("MAMORI_SEARCH_BENCH_FILES");
    MAMORI_CHECK(files != nullptr);
    Importer importer(*api, *store, env);
    std::string list(files);
    for (size_t start = 0; start < list.size();) {
      size_t colon = std::min(list.find(':', start), list.size());
      auto summary = importer.ImportFile(list.substr(start, colon - start), {});
      MAMORI_CHECK(summary.ok());
      start = colon + 1;
    }
  }
  core::Env env = core::Env::Real();
  crypto::AeadKey kek = crypto::AeadKey::Generate(core::Random::Secure());
  std::unique_ptr<store::Store> store;
  std::unique_ptr<RestApi> api;
};

Fixture& Get() {
  static Fixture* fixture = new Fixture();
  return *fixture;
}

void RunQuery(benchmark::State& state, const std::string& type, const std::string& query) {
  RestRequest req;
  req.base_url = "https://bench/fhir";
  for (size_t start = 0; start < query.size();) {
    size_t amp = std::min(query.find('&', start), query.size());
    std::string pair = query.substr(start, amp - start);
    size_t eq = pair.find('=');
    req.query.emplace_back(pair.substr(0, eq), pair.substr(eq + 1));
    start = amp + 1;
  }
  Fixture& f = Get();
  for (auto _ : state) {
    RestResponse r = f.api->Search(type, req);
    MAMORI_CHECK(r.status == 200);
    benchmark::DoNotOptimize(r.body);
  }
}

// Rudolf Weber, copy 0 of bench/fhir_load/synthea_ndjson.py.
constexpr char kRudolf[] = "Patient/806be451-d26f-436c-829c-9da9-0000";

void BM_TokenSearch(benchmark::State& s) {
  RunQuery(s, "Observation", "code=http://loinc.org|8302-2&_count=50");
}
void BM_PatientScopedSearch(benchmark::State& s) {
  RunQuery(s, "Observation", std::string("subject=") + kRudolf + "&_count=50");
}
void BM_NamePrefixSearch(benchmark::State& s) { RunQuery(s, "Patient", "family=wat&_count=50"); }
void BM_TokenAndDateSearch(benchmark::State& s) {
  RunQuery(s, "Observation", "code=29463-7&date=ge2015&_count=50");
}
BENCHMARK(BM_TokenSearch)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PatientScopedSearch)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_NamePrefixSearch)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_TokenAndDateSearch)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace mamori::fhir
