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
#include "store/internal/body_samples.h"

namespace mamori::store::internal {
namespace {

using testing::Observation;
using testing::Patient;

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
