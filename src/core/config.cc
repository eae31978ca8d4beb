// SPDX-License-Identifier: Apache-2.0
#include "core/config.h"

#include <charconv>
#include <functional>
#include <map>

#include <fmt/format.h>
#include <toml++/toml.h>

namespace mamori::core {
namespace {

// One validator per key: reads the node into the config or explains why not.
using KeyReader = std::function<Status(const toml::node&, Config&)>;

KeyReader ReadUint(uint64_t lo, uint64_t hi, std::function<void(Config&, uint64_t)> set) {
  return [lo, hi, set](const toml::node& node, Config& config) -> Status {
    auto v = node.value<int64_t>();
    if (!node.is_integer() || !v) return InvalidArgumentError("must be an integer");
    if (*v < 0 || static_cast<uint64_t>(*v) < lo || static_cast<uint64_t>(*v) > hi) {
      return InvalidArgumentError(fmt::format("must be between {} and {}, got {}", lo, hi, *v));
    }
    set(config, static_cast<uint64_t>(*v));
    return Status::Ok();
  };
}

KeyReader ReadString(std::function<Status(Config&, std::string)> set) {
  return [set](const toml::node& node, Config& config) -> Status {
    if (!node.is_string()) return InvalidArgumentError("must be a string");
    return set(config, *node.value<std::string>());
  };
}

KeyReader ReadBool(std::function<void(Config&, bool)> set) {
  return [set](const toml::node& node, Config& config) -> Status {
    if (!node.is_boolean()) return InvalidArgumentError("must be true or false");
    set(config, *node.value<bool>());
    return Status::Ok();
  };
}

KeyReader ReadStringList(std::function<Status(Config&, std::vector<std::string>)> set) {
  return [set](const toml::node& node, Config& config) -> Status {
    const toml::array* array = node.as_array();
    if (array == nullptr) return InvalidArgumentError("must be an array of strings");
    std::vector<std::string> out;
    for (const toml::node& item : *array) {
      if (!item.is_string() || item.value<std::string>()->empty()) {
        return InvalidArgumentError("must be an array of non-empty strings");
      }
      out.push_back(*item.value<std::string>());
    }
    return set(config, std::move(out));
  };
}

Status SetListen(Config& c, std::string v) {
  MAMORI_RETURN_IF_ERROR(ParseHostPort(v).status());
  c.server.listen = std::move(v);
  return Status::Ok();
}

Status SetLogLevel(Config& c, std::string v) {
  if (v != "debug" && v != "info" && v != "warn" && v != "error") {
    return InvalidArgumentError("must be one of debug, info, warn, error");
  }
  c.log.level = std::move(v);
  return Status::Ok();
}

Status SetNonEmptyPath(std::string& field, std::string v) {
  if (v.empty()) return InvalidArgumentError("must not be empty");
  field = std::move(v);
  return Status::Ok();
}

using Schema = std::map<std::string, std::map<std::string, KeyReader>>;

const Schema& GetSchema() {
  static const Schema* schema = new Schema{
      {"server",
       {{"listen", ReadString(SetListen)},
        {"threads", ReadUint(0, 256, [](Config& c, uint64_t v) { c.server.threads = v; })}}},
      {"tls",
       {{"cert",
         ReadString([](Config& c, std::string v) { return SetNonEmptyPath(c.tls.cert, v); })},
        {"key", ReadString([](Config& c, std::string v) { return SetNonEmptyPath(c.tls.key, v); })},
        {"client_ca", ReadString([](Config& c, std::string v) {
           c.tls.client_ca = std::move(v);
           return Status::Ok();
         })},
        {"require_client_cert",
         ReadBool([](Config& c, bool v) { c.tls.require_client_cert = v; })}}},
      {"limits",
       {{"max_header_bytes",
         ReadUint(1024, 1 << 20, [](Config& c, uint64_t v) { c.limits.max_header_bytes = v; })},
        {"max_body_bytes", ReadUint(1024, uint64_t{1} << 30,
                                    [](Config& c, uint64_t v) { c.limits.max_body_bytes = v; })},
        {"handshake_timeout_ms",
         ReadUint(100, 600'000, [](Config& c, uint64_t v) { c.limits.handshake_timeout_ms = v; })},
        {"header_timeout_ms",
         ReadUint(100, 600'000, [](Config& c, uint64_t v) { c.limits.header_timeout_ms = v; })},
        {"body_timeout_ms",
         ReadUint(100, 3'600'000, [](Config& c, uint64_t v) { c.limits.body_timeout_ms = v; })},
        {"idle_timeout_ms",
         ReadUint(100, 3'600'000, [](Config& c, uint64_t v) { c.limits.idle_timeout_ms = v; })},
        {"max_connections",
         ReadUint(1, 1'000'000, [](Config& c, uint64_t v) { c.limits.max_connections = v; })}}},
      {"audit",
       {{"sth_export", ReadString([](Config& c, std::string v) {
           return SetNonEmptyPath(c.audit.sth_export, v);
         })},
        {"sth_interval_ms",
         ReadUint(100, 3'600'000, [](Config& c, uint64_t v) { c.audit.sth_interval_ms = v; })},
        {"sth_every_events",
         ReadUint(1, 1'000'000, [](Config& c, uint64_t v) { c.audit.sth_every_events = v; })}}},
      {"store",
       {{"url", ReadString([](Config& c, std::string v) {
           if (v.compare(0, 11, "postgres://") != 0 && v.compare(0, 13, "postgresql://") != 0) {
             return InvalidArgumentError("url must be a postgres:// URL (omit [store] for SQLite)");
           }
           c.store.url = std::move(v);
           return Status::Ok();
         })}}},
      {"backup",
       {{"schedule", ReadString([](Config& c, std::string v) {
           c.backup.schedule = std::move(v);
           return Status::Ok();
         })},
        {"destinations", ReadStringList([](Config& c, std::vector<std::string> v) {
           c.backup.destinations = std::move(v);
           return Status::Ok();
         })},
        {"utc_offset_minutes",
         [](const toml::node& node, Config& c) -> Status {
           auto v = node.value<int64_t>();
           if (!node.is_integer() || !v || *v < -12 * 60 || *v > 14 * 60) {
             return InvalidArgumentError("must be an integer from -720 to 840");
           }
           c.backup.utc_offset_minutes = static_cast<int32_t>(*v);
           return Status::Ok();
         }}}},
      {"log", {{"level", ReadString(SetLogLevel)}, {"access_log", ReadBool([](Config& c, bool v) {
                                                      c.log.access_log = v;
                                                    })}}},
  };
  return *schema;
}

std::string KnownKeys(const std::map<std::string, KeyReader>& keys) {
  std::string out;
  for (const auto& [name, reader] : keys) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

Status ReadSection(const std::string& section, const toml::node& node,
                   const std::map<std::string, KeyReader>& keys, Config& config) {
  const toml::table* table = node.as_table();
  if (table == nullptr) return InvalidArgumentError("must be a table [" + section + "]");
  for (const auto& [key, value] : *table) {
    std::string name(key.str());
    auto it = keys.find(name);
    if (it == keys.end()) {
      return InvalidArgumentError(fmt::format("{}.{}: unknown key; known keys in [{}]: {}", section,
                                              name, section, KnownKeys(keys)));
    }
    MAMORI_RETURN_IF_ERROR(it->second(value, config).With(section, ".", name));
  }
  return Status::Ok();
}

// A TOML basic string with quotes, backslashes and control characters escaped.
std::string TomlString(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      out += fmt::format("\\u{:04X}", static_cast<unsigned char>(c));
    } else {
      out += c;
    }
  }
  return out + "\"";
}

}  // namespace

Result<HostPort> ParseHostPort(std::string_view text) {
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return InvalidArgumentError("must be host:port, e.g. 127.0.0.1:8443");
  }
  std::string_view host = text.substr(0, colon);
  std::string_view port_text = text.substr(colon + 1);
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') return InvalidArgumentError("bad IPv6 address");
    host = host.substr(1, host.size() - 2);
  }
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port > 65535) {
    return InvalidArgumentError("port must be a number from 0 to 65535");
  }
  return HostPort{std::string(host), static_cast<uint16_t>(port)};
}

Result<Config> ParseConfig(std::string_view text, std::string_view source_name) {
  toml::parse_result parsed = toml::parse(text);
  if (!parsed) {
    const auto& err = parsed.error();
    return InvalidArgumentError(
        fmt::format("{}: line {}: {}", source_name, err.source().begin.line, err.description()));
  }
  Config config;
  const Schema& schema = GetSchema();
  for (const auto& [key, node] : parsed.table()) {
    std::string section(key.str());
    auto it = schema.find(section);
    if (it == schema.end()) {
      return InvalidArgumentError(
          fmt::format("{}: [{}]: unknown section; known sections: audit, backup, log, limits, "
                      "server, store, tls",
                      source_name, section));
    }
    MAMORI_RETURN_IF_ERROR(ReadSection(section, node, it->second, config).With(source_name));
  }
  return config;
}

Result<Config> LoadConfig(FileSystem& fs, const std::string& path) {
  MAMORI_ASSIGN_OR_RETURN(std::string text, fs.ReadFile(path));
  return ParseConfig(text, path);
}

static std::string RenderBaseConfig(const Config& c);

static std::string RenderBackup(const BackupConfig& b) {
  if (b == BackupConfig{}) {
    return "\n# Backups taken by `mamori serve` (docs/BACKUP.md), off until configured:\n"
           "# [backup]\n"
           "# schedule = \"daily 02:30\"          # or cron \"30 2 * * *\"\n"
           "# destinations = [\"/mnt/nas/mamori\", \"archive:/media/usb/mamori.mamori\"]\n"
           "# utc_offset_minutes = 540            # Japan Standard Time\n";
  }
  std::string destinations;
  for (const std::string& d : b.destinations) {
    destinations += (destinations.empty() ? "" : ", ") + TomlString(d);
  }
  return fmt::format(
      "\n[backup]\n"
      "# Backups taken by `mamori serve`: \"daily 02:30\" or cron \"30 2 * * *\"; empty = off.\n"
      "# Destinations: directories (local disk, NAS) or \"archive:/media/usb/mamori.mamori\".\n"
      "schedule = {}\n"
      "destinations = [{}]\n"
      "# The schedule's time zone, minutes east of UTC (540 = Japan Standard Time).\n"
      "utc_offset_minutes = {}\n",
      TomlString(b.schedule), destinations, b.utc_offset_minutes);
}

std::string RenderConfig(const Config& c) {
  std::string store;
  if (!c.store.url.empty()) {
    store = fmt::format(
        "\n[store]\n"
        "# The PostgreSQL database of this installation (libpq URL; TLS with\n"
        "# sslmode=verify-full&sslrootcert=FILE; passwords in ~/.pgpass, not here).\n"
        "url = {}\n",
        TomlString(c.store.url));
  }
  return store.empty() ? RenderBaseConfig(c) : RenderBaseConfig(c) + store;
}

static std::string RenderBaseConfig(const Config& c) {
  return fmt::format(
             "# mamori configuration. Relative paths are relative to the data directory.\n"
             "# Every key is optional; `mamori serve` refuses unknown keys and bad values.\n\n"
             "[server]\n"
             "# Address to listen on. Loopback by default: open it to the network deliberately.\n"
             "listen = {}\n"
             "# I/O threads; 0 = one per CPU core.\n"
             "threads = {}\n\n"
             "[tls]\n"
             "cert = {}\n"
             "key = {}\n"
             "# CA bundle for client certificates (mutual TLS); empty = off.\n"
             "client_ca = {}\n"
             "require_client_cert = {}\n\n"
             "[limits]\n"
             "max_header_bytes = {}\n"
             "max_body_bytes = {}\n"
             "handshake_timeout_ms = {}\n"
             "header_timeout_ms = {}\n"
             "body_timeout_ms = {}\n"
             "idle_timeout_ms = {}\n"
             "max_connections = {}\n\n"
             "[log]\n"
             "# debug, info, warn or error. Logs never contain patient data.\n"
             "level = {}\n"
             "access_log = {}\n\n"
             "[audit]\n"
             "# Signed tree heads of the audit log are appended here as they are issued;\n"
             "# keep a copy of this file elsewhere (it proves the log was not rewritten).\n"
             "sth_export = {}\n"
             "sth_interval_ms = {}\n"
             "sth_every_events = {}\n",
             TomlString(c.server.listen), c.server.threads, TomlString(c.tls.cert),
             TomlString(c.tls.key), TomlString(c.tls.client_ca), c.tls.require_client_cert,
             c.limits.max_header_bytes, c.limits.max_body_bytes, c.limits.handshake_timeout_ms,
             c.limits.header_timeout_ms, c.limits.body_timeout_ms, c.limits.idle_timeout_ms,
             c.limits.max_connections, TomlString(c.log.level), c.log.access_log,
             TomlString(c.audit.sth_export), c.audit.sth_interval_ms, c.audit.sth_every_events) +
         RenderBackup(c.backup);
}

}  // namespace mamori::core
