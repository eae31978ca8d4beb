// SPDX-License-Identifier: Apache-2.0
// Benchmarks for crypto (STYLE.md rule 33): AEAD seal and open at record
// sizes, HMAC-SHA-256, Ed25519 sign and verify, and Argon2id at the two
// parameter sets mamori ships (the key file's start-up cost and the login
// latency budget). Figures are meaningless unless optimised and on a quiet
// machine:
//
//   cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release
//         -DMAMORI_BUILD_BENCHMARKS=ON -DMAMORI_BUILD_TESTS=OFF
//   ninja -C build-bench crypto_benchmark && build-bench/src/crypto/crypto_benchmark
//
// The latest figures are in README.md ("Testing").

#include <cstdint>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "core/random.h"
#include "crypto/aead.h"
#include "crypto/argon2.h"
#include "crypto/hash.h"
#include "crypto/signature.h"

namespace mamori::crypto {
namespace {

constexpr std::string_view kAad = "Patient/123/_history/2";

std::vector<uint8_t> Message(size_t size) {
  std::vector<uint8_t> message(size);
  core::Random::Secure().Fill(message);
  return message;
}

void BM_AeadSeal(benchmark::State& state) {
  AeadKey key = AeadKey::Generate(core::Random::Secure());
  std::vector<uint8_t> plaintext = Message(static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    auto envelope = Aead::Seal(key, plaintext, AsBytes(kAad), core::Random::Secure());
    if (!envelope.ok()) state.SkipWithError("Seal failed");
    benchmark::DoNotOptimize(envelope);
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_AeadSeal)->Arg(256)->Arg(1024)->Arg(16 * 1024);

void BM_AeadOpen(benchmark::State& state) {
  AeadKey key = AeadKey::Generate(core::Random::Secure());
  std::vector<uint8_t> plaintext = Message(static_cast<size_t>(state.range(0)));
  std::string envelope = Aead::Seal(key, plaintext, AsBytes(kAad), core::Random::Secure()).value();
  for (auto _ : state) {
    auto opened = Aead::Open(key, AsBytes(envelope), AsBytes(kAad));
    if (!opened.ok()) state.SkipWithError("Open failed");
    benchmark::DoNotOptimize(opened);
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_AeadOpen)->Arg(256)->Arg(1024)->Arg(16 * 1024);

void BM_HmacSha256(benchmark::State& state) {
  HmacKey key = HmacKey::Generate(core::Random::Secure());
  std::vector<uint8_t> message = Message(static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    HmacSha256Tag tag = HmacSha256(key, message);
    benchmark::DoNotOptimize(tag);
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_HmacSha256)->Arg(32)->Arg(256)->Arg(1024)->Arg(16 * 1024);

// A signed tree head is about a hundred bytes.
constexpr size_t kTreeHeadSize = 128;

void BM_Ed25519Sign(benchmark::State& state) {
  SigningKey key = SigningKey::Generate(core::Random::Secure());
  std::vector<uint8_t> message = Message(kTreeHeadSize);
  for (auto _ : state) {
    Ed25519Signature signature = key.Sign(message);
    benchmark::DoNotOptimize(signature);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Ed25519Sign);

void BM_Ed25519Verify(benchmark::State& state) {
  SigningKey key = SigningKey::Generate(core::Random::Secure());
  VerifyingKey public_key = key.PublicKey();
  std::vector<uint8_t> message = Message(kTreeHeadSize);
  Ed25519Signature signature = key.Sign(message);
  for (auto _ : state) {
    bool ok = public_key.Verify(message, signature);
    if (!ok) state.SkipWithError("Verify failed");
    benchmark::DoNotOptimize(ok);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Ed25519Verify);

// Argon2id runs `parallelism` threads, so wall time is what a caller waits.
void RunArgon2id(benchmark::State& state, const Argon2Params& params) {
  std::vector<uint8_t> salt = Message(16);
  for (auto _ : state) {
    auto key = Argon2id(AsBytes("correct horse battery staple"), salt, params, 32);
    if (!key.ok()) state.SkipWithError("Argon2id failed");
    benchmark::DoNotOptimize(key);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_Argon2idKeyFileParams(benchmark::State& state) { RunArgon2id(state, kArgon2KeyFileParams); }
BENCHMARK(BM_Argon2idKeyFileParams)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(8);

void BM_Argon2idPasswordParams(benchmark::State& state) {
  RunArgon2id(state, kArgon2PasswordParams);
}
BENCHMARK(BM_Argon2idPasswordParams)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(30);

// What a login costs end to end: parse the stored PHC string, Argon2id,
// compare.
void BM_VerifyPassword(benchmark::State& state) {
  std::string phc =
      HashPassword("Kango-Shi#2026-Sakura", kArgon2PasswordParams, core::Random::Secure()).value();
  for (auto _ : state) {
    auto ok = VerifyPassword("Kango-Shi#2026-Sakura", phc);
    if (!ok.ok() || !*ok) state.SkipWithError("VerifyPassword failed");
    benchmark::DoNotOptimize(ok);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_VerifyPassword)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(30);

}  // namespace
}  // namespace mamori::crypto
