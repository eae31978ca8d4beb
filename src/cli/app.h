// SPDX-License-Identifier: Apache-2.0
#pragma once

// The `mamori` command line (CLI11). Only parses arguments and wires modules
// together (STYLE.md rule 3); every command's logic lives in a library
// function that tests call directly.
//
// Errors are one line on stderr: "mamori: <cause>; <what to do>". Exit codes:
// 0 success, 1 failure, 2 usage error.

#include "core/env.h"

namespace mamori::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

// Runs the command line with `env`. Never throws.
int RunMain(int argc, char** argv, core::Env& env);

}  // namespace mamori::cli
