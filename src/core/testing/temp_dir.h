// SPDX-License-Identifier: Apache-2.0
#pragma once

// Per-test temporary directories under testing::TempDir() (STYLE.md rule 17).
//
//   std::string dir = core::testing::MakeTempDir();   // fresh, mode 0700
//
// The directories are left behind for post-mortem; ctest's working tree or
// $TMPDIR is cleaned by the caller.

#include <string>

namespace mamori::core::testing {

// A new, empty directory whose name includes the current test's name.
std::string MakeTempDir();

// Runs `command` through /bin/sh and returns its exit status (-1 if it could
// not be run). Output goes to the test log.
int RunCommand(const std::string& command);

// Runs `command` and returns its standard output; sets *exit_status if given.
std::string RunCommandOutput(const std::string& command, int* exit_status = nullptr);

}  // namespace mamori::core::testing
