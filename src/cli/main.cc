// SPDX-License-Identifier: Apache-2.0
// The `mamori` binary: builds the real Env and hands over to cli::RunMain.
#include "cli/app.h"

int main(int argc, char** argv) {
  mamori::core::Env env = mamori::core::Env::Real();
  return mamori::cli::RunMain(argc, argv, env);
}
