// SPDX-License-Identifier: Apache-2.0
#include "core/testing/temp_dir.h"

#include <stdlib.h>

#include <cstdio>

#include <gtest/gtest.h>
#include <sys/wait.h>

#include "core/check.h"

namespace mamori::core::testing {

std::string MakeTempDir() {
  std::string name = "mamori";
  if (const auto* info = ::testing::UnitTest::GetInstance()->current_test_info()) {
    name = std::string(info->test_suite_name()) + "." + info->name();
    for (char& c : name) {
      if (c == '/') c = '_';
    }
  }
  std::string base = ::testing::TempDir();
  if (base.empty() || base.back() != '/') base += '/';
  std::string pattern = base + name + ".XXXXXX";
  MAMORI_CHECK(mkdtemp(pattern.data()) != nullptr);
  return pattern;
}

int RunCommand(const std::string& command) {
  int rc = std::system(command.c_str());
  if (rc == -1) return -1;
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : 128 + WTERMSIG(rc);
}

std::string RunCommandOutput(const std::string& command, int* exit_status) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) {
    if (exit_status) *exit_status = -1;
    return out;
  }
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
  int rc = pclose(pipe);
  if (exit_status) *exit_status = WIFEXITED(rc) ? WEXITSTATUS(rc) : 128 + WTERMSIG(rc);
  return out;
}

}  // namespace mamori::core::testing
