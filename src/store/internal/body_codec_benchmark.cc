// SPDX-License-Identifier: Apache-2.0
// Benchmarks for the body codec (STYLE.md rule 33): what compressing a body
// costs the store's committer thread (EncodeBody runs there, inside Put) and
// what decompressing costs a read, for a small Patient (~490 B as stored) and
// a Synthea-like Observation (~900 B). BM_EncodeWithoutDictionary is plain
// zstd level 1 (codec 0x01) for comparison. Release build:
//
//   cmake --build build-bench --target store_body_codec_benchmark
//   build-bench/src/store/store_body_codec_benchmark
//
// Figures: docs/PERFORMANCE.md "Database size with compressed bodies".

#include <zstd.h>

#include <string>

#include <benchmark/benchmark.h>

#include "store/internal/body_codec.h"

namespace mamori::store::internal {
namespace {

std::string Patient() {
  return R"({"resourceType":"Patient","id":"p0001234","meta":{"versionId":"1",)"
         R"("lastUpdated":"2026-11-25T10:00:00.123456Z"},"identifier":[{"system":)"
         R"("urn:oid:1.2.392.100495.20.3.51.11311234567","value":"run-1-1234"}],"active":true,)"
         R"("name":[{"use":"official","family":"Watanabe","given":["Hanako"]}],"telecom":[{)"
         R"("system":"phone","value":"090-1234-8638","use":"mobile"}],"gender":"female",)"
         R"("birthDate":"1954-07-15","address":[{"use":"home","postalCode":"100-0001",)"
         R"("city":"Chiyoda","state":"Tokyo","country":"JP"}]})";
}

std::string Observation() {
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

std::string Body(int64_t which) { return which == 0 ? Patient() : Observation(); }

void BM_EncodeBody(benchmark::State& state) {
  std::string body = Body(state.range(0));
  size_t encoded = 0;
  for (auto _ : state) {
    std::string out = EncodeBody(body);
    encoded = out.size();
    benchmark::DoNotOptimize(out);
  }
  state.counters["raw_bytes"] = static_cast<double>(body.size());
  state.counters["stored_bytes"] = static_cast<double>(encoded);
}
BENCHMARK(BM_EncodeBody)->Arg(0)->Arg(1);

void BM_EncodeWithoutDictionary(benchmark::State& state) {
  std::string body = Body(state.range(0));
  ZSTD_CCtx* ctx = ZSTD_createCCtx();
  std::string out(ZSTD_compressBound(body.size()), '\0');
  size_t n = 0;
  for (auto _ : state) {
    n = ZSTD_compressCCtx(ctx, out.data(), out.size(), body.data(), body.size(), 1);
    benchmark::DoNotOptimize(out);
  }
  ZSTD_freeCCtx(ctx);
  state.counters["stored_bytes"] = static_cast<double>(1 + n);
}
BENCHMARK(BM_EncodeWithoutDictionary)->Arg(0)->Arg(1);

void BM_DecodeBody(benchmark::State& state) {
  std::string encoded = EncodeBody(Body(state.range(0)));
  for (auto _ : state) {
    auto out = DecodeBody(encoded);
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_DecodeBody)->Arg(0)->Arg(1);

}  // namespace
}  // namespace mamori::store::internal
