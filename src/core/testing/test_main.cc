// SPDX-License-Identifier: Apache-2.0
// main() for every mamori test binary. Like gtest_main, plus one rule: with
// CI=true a skipped test fails the binary. GTEST_SKIP() exits 0, so without
// this a PostgreSQL test that skips for want of a server would look green.

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <gtest/gtest.h>

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  int rc = RUN_ALL_TESTS();
  const char* ci = std::getenv("CI");
  int skipped = ::testing::UnitTest::GetInstance()->skipped_test_count();
  if (rc == 0 && ci != nullptr && std::strcmp(ci, "true") == 0 && skipped > 0) {
    std::fprintf(stderr, "CI=true: %d test(s) skipped; a skip counts as a failure in CI\n",
                 skipped);
    return 1;
  }
  return rc;
}
