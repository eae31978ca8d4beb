// SPDX-License-Identifier: Apache-2.0
#pragma once

// core::Config: the server's configuration, read from `config.toml` in the
// data directory. Parsing is strict: an unknown key, a wrong type or a value
// out of range is an error whose message names the key and says why, e.g.
//   config.toml: limits.max_body_bytes: must be between 1024 and 1073741824, got 12
// Config holds no secrets and no patient data, so its messages may quote values.
//
//   MAMORI_ASSIGN_OR_RETURN(core::Config config, core::ParseConfig(text, "config.toml"));
//   MAMORI_ASSIGN_OR_RETURN(core::Config config, core::LoadConfig(env.fs(), path));
//
// Relative paths in the file are relative to the data directory; the caller
// resolves them. Thread-safety: Config is a value.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/file_system.h"
#include "core/status.h"

namespace mamori::core {

struct ServerConfig {
  // host:port to listen on. IPv6 as [::1]:8443. Default: loopback only, so a
  // fresh install is not reachable from the network until an operator says so.
  std::string listen = "127.0.0.1:8443";
  // I/O threads; 0 means one per core.
  uint32_t threads = 0;

  friend bool operator==(const ServerConfig&, const ServerConfig&) = default;
};

struct TlsConfig {
  std::string cert = "tls/server.pem";  // certificate chain, PEM
  std::string key = "tls/server.key";   // private key, PEM (mode 0600)
  // CA bundle (PEM) for client certificates; empty disables mutual TLS.
  std::string client_ca;
  // With client_ca set: refuse a handshake without a client certificate.
  bool require_client_cert = false;

  friend bool operator==(const TlsConfig&, const TlsConfig&) = default;
};

struct LimitsConfig {
  uint32_t max_header_bytes = 16 * 1024;       // 431 above
  uint64_t max_body_bytes = 16 * 1024 * 1024;  // 413 above
  uint32_t handshake_timeout_ms = 10'000;      // TLS handshake; close on expiry
  uint32_t header_timeout_ms = 10'000;         // 408 above
  uint32_t body_timeout_ms = 60'000;           // 408 above
  uint32_t idle_timeout_ms = 60'000;           // keep-alive idle; close silently
  uint32_t max_connections = 4096;             // 503 above

  friend bool operator==(const LimitsConfig&, const LimitsConfig&) = default;
};

struct LogConfig {
  std::string level = "info";  // debug, info, warn, error
  // Write one line per request (method, path without query, status, time).
  bool access_log = true;

  friend bool operator==(const LogConfig&, const LogConfig&) = default;
};

// The audit ledger's signed tree heads (issue 6; GUIDELINE SYS-54).
struct AuditConfig {
  // Every head is appended here (171 bytes each) as it is issued, so a copy
  // exists outside the database. Relative to the data directory.
  std::string sth_export = "audit/sth.bin";
  // A head every this many ms, or after this many new events, whichever first.
  uint32_t sth_interval_ms = 5000;
  uint32_t sth_every_events = 1000;

  friend bool operator==(const AuditConfig&, const AuditConfig&) = default;
};

// Where the records live (issue 10). Empty: SQLite in the data directory
// (mamori.db). A postgres:// URL: that PostgreSQL database (keys and this
// config stay in the data directory). Written by `mamori init --store`.
struct StoreConfig {
  std::string url;

  friend bool operator==(const StoreConfig&, const StoreConfig&) = default;
};

// Backups taken by `serve` on a schedule (issue 8; docs/BACKUP.md). Off
// while `schedule` is empty. The schedule's syntax is checked by `serve`
// (backup/schedule.h).
struct BackupConfig {
  // "daily 02:30" or five cron fields ("30 2 * * *").
  std::string schedule;
  // Directories or "archive:FILE"; every run goes into each.
  std::vector<std::string> destinations;
  // The schedule's time zone as a fixed offset; Japan Standard Time by default.
  int32_t utc_offset_minutes = 9 * 60;

  friend bool operator==(const BackupConfig&, const BackupConfig&) = default;
};

struct Config {
  StoreConfig store;
  ServerConfig server;
  TlsConfig tls;
  LimitsConfig limits;
  LogConfig log;
  AuditConfig audit;
  BackupConfig backup;

  friend bool operator==(const Config&, const Config&) = default;
};

// Parses and validates TOML text. `source_name` prefixes error messages.
// Errors: kInvalidArgument naming the key (or line for a syntax error).
Result<Config> ParseConfig(std::string_view text, std::string_view source_name = "config");

// Reads and parses a file. Errors: those of FileSystem::ReadFile, or ParseConfig's.
Result<Config> LoadConfig(FileSystem& fs, const std::string& path);

// Renders a config as TOML with a comment on each key; ParseConfig(Render(c)) == c.
std::string RenderConfig(const Config& config);

// Splits "host:port" / "[v6]:port". Errors: kInvalidArgument.
struct HostPort {
  std::string host;
  uint16_t port = 0;
};
Result<HostPort> ParseHostPort(std::string_view text);

}  // namespace mamori::core
