// SPDX-License-Identifier: Apache-2.0
#include "store/testing/pg_server.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <mutex>

#include "store/postgres/pg_conn.h"

namespace mamori::store_testing {
namespace {

struct Started {
  core::Status status;
  std::string url;
  std::string dir;
};

std::string& DirToStop() {
  static std::string* dir = new std::string();
  return *dir;
}

void StopAtExit() {
  if (DirToStop().empty()) return;
  std::string cmd = std::string("python3 ") + MAMORI_PG_FIXTURE + " stop '" + DirToStop() + "'";
  if (std::system(cmd.c_str()) != 0) std::fprintf(stderr, "pg_fixture stop failed\n");
}

Started Start() {
  Started s;
  std::string cmd = std::string("python3 ") + MAMORI_PG_FIXTURE + " start 2>&1";
  FILE* out = popen(cmd.c_str(), "r");
  if (out == nullptr) {
    s.status = core::UnavailableError("cannot run " MAMORI_PG_FIXTURE);
    return s;
  }
  std::string text;
  char buf[512];
  while (std::fgets(buf, sizeof buf, out) != nullptr) text += buf;
  int rc = pclose(out);
  size_t nl = text.find('\n');
  if (rc != 0 || nl == std::string::npos || !text.starts_with("postgresql://")) {
    s.status = core::UnavailableError("PostgreSQL could not be started: " + text);
    return s;
  }
  s.url = text.substr(0, nl);
  s.dir = text.substr(nl + 1);
  while (!s.dir.empty() && (s.dir.back() == '\n' || s.dir.back() == '\r')) s.dir.pop_back();
  DirToStop() = s.dir;
  std::atexit(StopAtExit);
  return s;
}

const Started& Server() {
  static const Started* started = new Started(Start());
  return *started;
}

}  // namespace

core::Result<std::string> PgTestServer::BaseUrl() {
  const Started& s = Server();
  if (!s.status.ok()) return s.status;
  return s.url;
}

core::Result<std::string> PgTestServer::NewDatabase() {
  static std::atomic<int> next{0};
  MAMORI_ASSIGN_OR_RETURN(std::string base, BaseUrl());
  std::string name = "t" + std::to_string(next++);
  MAMORI_RETURN_IF_ERROR(Exec(base + "/postgres", "CREATE DATABASE " + name));
  return base + "/" + name;
}

core::Status PgTestServer::Exec(const std::string& url, const std::string& sql) {
  MAMORI_ASSIGN_OR_RETURN(auto conn, store::internal::PgConn::Connect(url));
  return conn->Exec(sql);
}

bool PgTestServer::MustRun() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string(ci) == "true";
}

}  // namespace mamori::store_testing
