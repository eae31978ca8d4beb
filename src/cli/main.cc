// SPDX-License-Identifier: Apache-2.0
// The `mamori` binary: builds the real Env and hands over to cli::RunMain.
#include <sys/stat.h>

#include "cli/app.h"

int main(int argc, char** argv) {
  // Everything mamori creates (database, WAL, key and config files, exports)
  // is for its own user only; SQLite would otherwise create 0644 files.
  umask(077);
  mamori::core::Env env = mamori::core::Env::Real();
  return mamori::cli::RunMain(argc, argv, env);
}
