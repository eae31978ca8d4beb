// SPDX-License-Identifier: Apache-2.0
#pragma once

// The store conformance suite (STYLE.md rule 31): every backend must pass it.
// A backend's test instantiates it with a StoreFactory:
//
//   INSTANTIATE_TEST_SUITE_P(Sqlite, StoreConformanceTest,
//                            ::testing::Values(&MakeSqliteStoreFactory));
//
// DESIGN invariants covered: 4 (bodies sealed; wrong key -> kDataLoss),
// 6 (every version kept), group commit (a failing body rolls back alone).

#include <atomic>
#include <chrono>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/env.h"
#include "core/testing/status_matchers.h"
#include "crypto/aead.h"
#include "store/store.h"

namespace mamori::store::testing {

// Creates stores over one backend location; Open() may be called again after
// the previous store was destroyed to test persistence.
class StoreFactory {
 public:
  virtual ~StoreFactory() = default;
  virtual core::Result<std::unique_ptr<Store>> Open(const crypto::AeadKey& kek) = 0;
};
using StoreFactoryMaker = std::unique_ptr<StoreFactory> (*)(core::Env& env);

class StoreConformanceTest : public ::testing::TestWithParam<StoreFactoryMaker> {
 protected:
  void SetUp() override {
    factory_ = GetParam()(env_);
    if (factory_ == nullptr) {
      // The backend's server could not be started; its maker said why and
      // failed the test when it must run (CI=true).
      GTEST_SKIP() << "backend unavailable";
    }
    auto store = factory_->Open(kek_);
    ASSERT_THAT(store, core::testing::IsOk());
    store_ = std::move(*store);
  }

  void Reopen(const crypto::AeadKey& kek) {
    store_.reset();
    auto store = factory_->Open(kek);
    ASSERT_THAT(store, core::testing::IsOk());
    store_ = std::move(*store);
  }

  // Writes type/id with `json` (its "v" member gets the version) in the
  // compartment of patient `compartment`.
  core::Result<ResourceVersion> PutJson(const std::string& type, const std::string& id,
                                        const std::string& payload,
                                        const std::string& compartment = "") {
    ResourceVersion out;
    core::Status s = store_->Write([&](Transaction& tx) -> core::Status {
      NewVersion v{.type = type,
                   .id = id,
                   .compartment = compartment,
                   .render = [&](int64_t version, core::Clock::WallTime) {
                     return "{\"v\":" + std::to_string(version) + ",\"p\":\"" + payload + "\"}";
                   }};
      MAMORI_ASSIGN_OR_RETURN(out, tx.Put(v));
      return core::Status::Ok();
    });
    if (!s.ok()) return s;
    return out;
  }

  core::Env env_ = core::Env::Real();
  crypto::AeadKey kek_ = crypto::AeadKey::Generate(core::Random::Secure());
  std::unique_ptr<StoreFactory> factory_;
  std::unique_ptr<Store> store_;
};

}  // namespace mamori::store::testing
