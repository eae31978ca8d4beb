// SPDX-License-Identifier: Apache-2.0
#pragma once
// Test-only: a throwaway PostgreSQL server for the store tests (issue 10).
//
// The first call starts one server for the test process through
// tests/pg_fixture.py (initdb into a temporary directory as an unprivileged
// user, a free loopback port); it is stopped and removed at process exit.
// Each NewDatabase() is a fresh, empty database on it.
//
//   auto url = store_testing::PgTestServer::NewDatabase();
//   if (!url.ok()) { /* PgTestServer::MustRun() ? FAIL : GTEST_SKIP */ }

#include <string>

#include "core/status.h"

namespace mamori::store_testing {

class PgTestServer {
 public:
  // "postgresql://mamori@127.0.0.1:PORT" (no database), starting the server
  // on first use. Errors: kUnavailable with the reason it could not start.
  static core::Result<std::string> BaseUrl();
  // A new empty database's URL.
  static core::Result<std::string> NewDatabase();
  // Runs SQL on the database at `url` with its own connection (test setup
  // and inspection).
  static core::Status Exec(const std::string& url, const std::string& sql);
  // True when CI=true: a server that cannot start is a failure, not a skip.
  static bool MustRun();
};

}  // namespace mamori::store_testing
