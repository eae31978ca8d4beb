// SPDX-License-Identifier: Apache-2.0
#pragma once

// For cli tests: InitOptions with a fixed passphrase and a cheap Argon2id
// (the production cost is tested in crypto's key_file_test).
//
//   ASSERT_THAT(InitDataDir(testing::QuickInitOptions(dir), env), IsOk());

#include <string>

#include "cli/init_command.h"

namespace mamori::cli::testing {

inline InitOptions QuickInitOptions(const std::string& dir) {
  InitOptions o;
  o.data_dir = dir;
  o.passphrase = crypto::SecureBytes(crypto::AsBytes("unit test passphrase"));
  o.key_file_params = {.memory_kib = 64, .iterations = 1, .parallelism = 1};
  return o;
}

}  // namespace mamori::cli::testing
