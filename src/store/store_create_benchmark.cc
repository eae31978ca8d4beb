// SPDX-License-Identifier: Apache-2.0
// The store's share of a FHIR create (issue 4: create >= 2,000/s), without
// HTTP: 64 writer threads each Put a small Patient (its own data key, ~400
// bytes sealed) with 36 index entries at random MACs, as bench/fhir_load's
// create_patient.lua does through the server. Reported per create: bytes
// the process wrote (/proc/self/io wchar: WAL frames and checkpoints) and
// process CPU, which move little when other jobs share the machine, besides
// the rate, which does. Arg 0: StoreOptions::index_merge_rows (0 = one-level
// index, as before schema step 6); arg 1: creates.
//
//   ninja -C build-bench store_create_benchmark
//   build-bench/src/store/store_create_benchmark --benchmark_filter=Creates
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include "core/env.h"
#include "crypto/aead.h"
#include "store/store.h"

namespace mamori::store {
namespace {

// A field of /proc/self/io: "wchar:" bytes passed to write(2), "syscw:" write calls.
int64_t Io(std::string_view field) {
  std::ifstream io("/proc/self/io");
  std::string key;
  int64_t value = 0;
  while (io >> key >> value) {
    if (key == field) return value;
  }
  return 0;
}

double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

void BM_Creates(benchmark::State& state) {
  const auto merge_rows = static_cast<uint64_t>(state.range(0));
  const auto creates = static_cast<int64_t>(state.range(1));
  constexpr int kWriters = 64;
  const auto entries_per_create = static_cast<int>(state.range(2));
  core::Env env = core::Env::Real();
  crypto::AeadKey kek = crypto::AeadKey::Generate(core::Random::Secure());
  for (auto _ : state) {
    std::string dir = std::filesystem::temp_directory_path() /
                      ("mamori-create-bench-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    {
      auto opened = OpenStore({.path = dir + "/m.db",
                               .kek = &kek,
                               .index_merge_rows = merge_rows,
                               .tree_head_interval_ms = 0},
                              env);
      if (!opened.ok()) {
        state.SkipWithError(opened.status().message().c_str());
        return;
      }
      Store& store = **opened;
      const std::string body(400, 'x');
      std::atomic<int64_t> next{0};
      std::atomic<bool> failed{false};
      int64_t bytes0 = Io("wchar:"), calls0 = Io("syscw:");
      double cpu0 = CpuSeconds();
      auto t0 = env.clock().Monotonic();
      std::vector<std::thread> writers;
      for (int w = 0; w < kWriters; ++w) {
        writers.emplace_back([&] {
          for (int64_t i; (i = next.fetch_add(1)) < creates;) {
            std::string id = "p";
            id += std::to_string(i);
            std::vector<IndexEntry> entries;
            for (int e = 0; e < entries_per_create; ++e) {
              auto h = store.BlindIndex(id + "/" + std::to_string(e) + (e < 8 ? "" : "x"));
              entries.push_back({.hash = *h});
            }
            core::Status s = store.Write([&](Transaction& tx) {
              return tx
                  .Put({.type = "Patient",
                        .id = id,
                        .compartment = id,
                        .render = [&](int64_t, auto) { return body; },
                        .index = entries})
                  .status();
            });
            if (!s.ok()) failed = true;
          }
        });
      }
      for (auto& t : writers) t.join();
      double seconds = std::chrono::duration<double>(env.clock().Monotonic() - t0).count();
      if (failed) state.SkipWithError("a write failed");
      state.counters["creates_per_s"] = static_cast<double>(creates) / seconds;
      state.counters["bytes_written_per_create"] =
          static_cast<double>(Io("wchar:") - bytes0) / static_cast<double>(creates);
      state.counters["write_calls_per_create"] =
          static_cast<double>(Io("syscw:") - calls0) / static_cast<double>(creates);
      state.counters["cpu_us_per_create"] =
          (CpuSeconds() - cpu0) * 1e6 / static_cast<double>(creates);
    }
    std::filesystem::remove_all(dir);
  }
}
BENCHMARK(BM_Creates)
    ->ArgNames({"merge_rows", "creates", "entries"})
    ->Args({0, 20000, 36})
    ->Args({8192, 20000, 36})
    ->Args({32768, 20000, 36})
    ->Args({131072, 20000, 36})
    ->Args({0, 20000, 0})
    ->Iterations(1)
    ->Unit(benchmark::kSecond)
    ->UseRealTime();

}  // namespace
}  // namespace mamori::store
