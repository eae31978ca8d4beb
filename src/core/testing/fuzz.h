// SPDX-License-Identifier: Apache-2.0
#pragma once

// MAMORI_FUZZ_TARGET: one fuzz entry point per parser of untrusted bytes
// (STYLE.md rule 32).
//
//   MAMORI_FUZZ_TARGET(data, size) {
//     auto parsed = config::Parse(std::string_view(reinterpret_cast<const char*>(data), size));
//     (void)parsed;  // must not crash, hang or leak; asserts use MAMORI_CHECK
//   }
//
// Under g++ the target links fuzz_replay_driver, which replays every file of
// the corpus directory given on the command line (ctest does this). With
// MAMORI_BUILD_FUZZERS=ON and clang-14, libFuzzer provides main() instead.

#include <cstddef>
#include <cstdint>

#define MAMORI_FUZZ_TARGET(data, size)                                      \
  static void MamoriFuzzTarget(const uint8_t* data, size_t size);           \
  extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) { \
    MamoriFuzzTarget(data, size);                                           \
    return 0;                                                               \
  }                                                                         \
  static void MamoriFuzzTarget(const uint8_t* data, size_t size)
