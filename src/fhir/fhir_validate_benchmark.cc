// SPDX-License-Identifier: Apache-2.0
// FHIR parse and validate throughput (STYLE rule 33). Run optimised on a
// quiet machine:
//   cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release
//         -DMAMORI_BUILD_BENCHMARKS=ON -DMAMORI_BUILD_TESTS=OFF
//   ninja -C build-bench fhir_validate_benchmark && build-bench/src/fhir/fhir_validate_benchmark
// The import target (issue 4) is >= 5,000 resources/s on 2 cores including
// validation, so validating a typical resource must cost well under 50 us.

#include <fstream>
#include <iterator>
#include <string>

#include <benchmark/benchmark.h>

#include "core/check.h"
#include "fhir/json_parser.h"
#include "fhir/validator.h"

namespace mamori::fhir {
namespace {

// A vital-signs Observation shaped like Synthea's (about 1 KB).
constexpr std::string_view kObservation =
    R"({"resourceType":"Observation","id":"f9b5a6c8-8a0e-4e7e-b0b1-0b6f0d4e1a11",
"meta":{"tag":[{"system":"https://smarthealthit.org/tags","code":"synthea-5-2019"}]},"status":"final",
"category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"vital-signs","display":"vital-signs"}]}],
"code":{"coding":[{"system":"http://loinc.org","code":"85354-9","display":"Blood Pressure"}],"text":"Blood Pressure"},
"subject":{"reference":"urn:uuid:9a628ccd-2a55-4331-8e68-bb58458fd674"},
"encounter":{"reference":"urn:uuid:0c7764a9-ede1-44de-9c32-8d41151a713e"},
"effectiveDateTime":"2019-02-24T10:41:12-05:00","issued":"2019-02-24T10:41:12.513-05:00",
"component":[{"code":{"coding":[{"system":"http://loinc.org","code":"8462-4","display":"Diastolic Blood Pressure"}],"text":"Diastolic Blood Pressure"},
"valueQuantity":{"value":82,"unit":"mm[Hg]","system":"http://unitsofmeasure.org","code":"mm[Hg]"}},
{"code":{"coding":[{"system":"http://loinc.org","code":"8480-6","display":"Systolic Blood Pressure"}],"text":"Systolic Blood Pressure"},
"valueQuantity":{"value":121.5,"unit":"mm[Hg]","system":"http://unitsofmeasure.org","code":"mm[Hg]"}}]})";

boost::json::object ParseOrDie(std::string_view text) {
  auto parsed = ParseResourceJson(text);
  MAMORI_CHECK(parsed.ok());
  return std::move(parsed).value();
}

void BM_ParseObservation(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(ParseResourceJson(kObservation));
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(kObservation.size()));
}
BENCHMARK(BM_ParseObservation);

void BM_ValidateObservation(benchmark::State& state) {
  boost::json::object resource = ParseOrDie(kObservation);
  MAMORI_CHECK(Validate(resource).empty());
  for (auto _ : state) benchmark::DoNotOptimize(Validate(resource));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ValidateObservation);

void BM_ParseAndValidateObservation(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(Validate(ParseOrDie(kObservation)));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseAndValidateObservation);

// A whole Synthea transaction Bundle (297 entries, 0.97 MB), parsed and
// validated; items are entries, so items/s compares with the import target.
void BM_ParseAndValidateSyntheaBundle(benchmark::State& state) {
  std::ifstream in(std::string(MAMORI_SHARED_DIR) +
                   "/data/fhir/synthea/Burton_Kozey_0c7764a9-ede1-44de-9c32-8d41151a713e.json");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t entries = ParseOrDie(text).at("entry").as_array().size();
  for (auto _ : state) benchmark::DoNotOptimize(Validate(ParseOrDie(text)));
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(entries));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(text.size()));
}
BENCHMARK(BM_ParseAndValidateSyntheaBundle)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace mamori::fhir
