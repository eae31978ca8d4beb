// SPDX-License-Identifier: Apache-2.0
// Fuzz target for the TOML config parser (STYLE.md rule 32): arbitrary bytes
// must give either a valid Config or kInvalidArgument, never a crash, and a
// valid Config must survive a render/parse round trip unchanged.
#include <string_view>

#include "core/check.h"
#include "core/config.h"
#include "core/testing/fuzz.h"

MAMORI_FUZZ_TARGET(data, size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  mamori::core::Result<mamori::core::Config> config = mamori::core::ParseConfig(text);
  if (!config.ok()) {
    MAMORI_CHECK(config.status().code() == mamori::core::StatusCode::kInvalidArgument);
    return;
  }
  auto again = mamori::core::ParseConfig(mamori::core::RenderConfig(*config));
  MAMORI_CHECK(again.ok() && *again == *config);
}
