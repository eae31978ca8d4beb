// SPDX-License-Identifier: Apache-2.0
#include "core/logging.h"

#include <atomic>

#include <spdlog/sinks/dist_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "core/internal/log_sinks.h"

namespace mamori::core {
namespace {

std::atomic<int> g_min_level{static_cast<int>(LogLevel::kInfo)};

spdlog::level::level_enum ToSpd(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return spdlog::level::debug;
    case LogLevel::kInfo:
      return spdlog::level::info;
    case LogLevel::kWarn:
      return spdlog::level::warn;
    case LogLevel::kError:
      return spdlog::level::err;
  }
  return spdlog::level::info;
}

struct Logging {
  // Every line goes through one dist_sink, whose sink list is guarded by its
  // own mutex, so a test can attach a capture sink while server threads log.
  std::shared_ptr<spdlog::sinks::dist_sink_mt> fanout =
      std::make_shared<spdlog::sinks::dist_sink_mt>();
  std::shared_ptr<spdlog::sinks::sink> stderr_sink =
      std::make_shared<spdlog::sinks::stderr_sink_mt>();
  std::shared_ptr<spdlog::logger> logger;

  Logging() {
    fanout->add_sink(stderr_sink);
    logger = std::make_shared<spdlog::logger>("mamori", fanout);
    // Operator logs go to stderr (the journal picks them up); stdout stays
    // free for command output such as --json.
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc);
    logger->set_level(spdlog::level::trace);  // filtering happens in Enabled()
  }
};

Logging& GetLogging() {
  static Logging* logging = new Logging();  // never destroyed: logs from static dtors
  return *logging;
}

}  // namespace

namespace internal {

bool Enabled(LogLevel level) { return static_cast<int>(level) >= g_min_level.load(); }

void Emit(LogLevel level, std::string line) { GetLogging().logger->log(ToSpd(level), line); }

void AddSink(std::shared_ptr<spdlog::sinks::sink> sink) { GetLogging().fanout->add_sink(sink); }

void RemoveSink(std::shared_ptr<spdlog::sinks::sink> sink) {
  GetLogging().fanout->remove_sink(sink);
}

void SetStderrEnabled(bool enabled) {
  GetLogging().stderr_sink->set_level(enabled ? spdlog::level::trace : spdlog::level::off);
}

}  // namespace internal

void SetLogLevel(LogLevel level) { g_min_level.store(static_cast<int>(level)); }

Result<LogLevel> ParseLogLevel(std::string_view name) {
  if (name == "debug") return LogLevel::kDebug;
  if (name == "info") return LogLevel::kInfo;
  if (name == "warn") return LogLevel::kWarn;
  if (name == "error") return LogLevel::kError;
  return InvalidArgumentError("unknown log level; use debug, info, warn or error");
}

}  // namespace mamori::core
