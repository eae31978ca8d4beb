// SPDX-License-Identifier: Apache-2.0
#pragma once

// Operator logging over spdlog, built so that a log line cannot carry a request
// body, a query value or any other patient data (DESIGN invariant 5, STYLE.md
// rule 10, GUIDELINE SYS-52 for the separate audit trail).
//
// The rule is enforced by the type system: the format arguments of LogInfo()
// and friends must be numbers, string literals, core::Status, or core::LogSafe.
// std::string, std::string_view and const char* are rejected at compile time,
// so a body or a query string cannot be passed by accident. To log a runtime
// string (a file path, a resource type, an opaque id), wrap it in
// LogSafe::Vouch(text, "reason"), which makes the decision visible in review.
// Status messages follow rule 10 (no field values) and may be logged as-is.
//
//   core::LogInfo("listening on {} with {} threads", core::LogSafe::Vouch(addr, "config"), n);
//   core::LogWarn("request {} failed: {}", request_id, status);
//   core::LogInfo("body {}", body);   // does not compile
//
// Tests capture lines with core::testing::LogCapture (core/testing/log_capture.h).
// Thread-safety: all functions may be called from any thread.

#include <concepts>
#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include <fmt/format.h>

#include "core/status.h"

namespace mamori::core {

// Text known to carry no patient data.
class LogSafe {
 public:
  // A string literal is safe: it was written by us.
  template <size_t N>
  LogSafe(const char (&literal)[N]) : text_(literal, N - 1) {}  // NOLINT: implicit on purpose

  // Runtime text the caller vouches for. `why` says why it cannot hold patient
  // data (e.g. "config value", "opaque id"); it is not logged.
  static LogSafe Vouch(std::string_view text, const char* why) {
    (void)why;
    return LogSafe(std::string(text), 0);
  }

  std::string_view text() const { return text_; }

 private:
  LogSafe(std::string text, int) : text_(std::move(text)) {}
  std::string text_;
};

// The argument types a log line may carry.
template <typename T>
concept Loggable = std::is_arithmetic_v<std::remove_cvref_t<T>> ||
    std::same_as<std::remove_cvref_t<T>, LogSafe> || std::same_as<std::remove_cvref_t<T>, Status> ||
    std::same_as<std::remove_cvref_t<T>, StatusCode> ||
    (std::is_array_v<std::remove_reference_t<T>>&&
         std::same_as<std::remove_cv_t<std::remove_extent_t<std::remove_reference_t<T>>>, char>);

enum class LogLevel { kDebug, kInfo, kWarn, kError };

namespace internal {
void Emit(LogLevel level, std::string line);
bool Enabled(LogLevel level);
}  // namespace internal

// Sets the minimum level written (default kInfo). "debug", "info", "warn",
// "error" are accepted by ParseLogLevel.
void SetLogLevel(LogLevel level);
Result<LogLevel> ParseLogLevel(std::string_view name);

template <Loggable... Args>
void Log(LogLevel level, fmt::format_string<Args...> format, Args&&... args) {
  if (!internal::Enabled(level)) return;
  internal::Emit(level, fmt::format(format, std::forward<Args>(args)...));
}
template <Loggable... Args>
void LogDebug(fmt::format_string<Args...> format, Args&&... args) {
  Log(LogLevel::kDebug, format, std::forward<Args>(args)...);
}
template <Loggable... Args>
void LogInfo(fmt::format_string<Args...> format, Args&&... args) {
  Log(LogLevel::kInfo, format, std::forward<Args>(args)...);
}
template <Loggable... Args>
void LogWarn(fmt::format_string<Args...> format, Args&&... args) {
  Log(LogLevel::kWarn, format, std::forward<Args>(args)...);
}
template <Loggable... Args>
void LogError(fmt::format_string<Args...> format, Args&&... args) {
  Log(LogLevel::kError, format, std::forward<Args>(args)...);
}

}  // namespace mamori::core

template <>
struct fmt::formatter<mamori::core::LogSafe> : fmt::formatter<std::string_view> {
  auto format(const mamori::core::LogSafe& s, fmt::format_context& ctx) const {
    return fmt::formatter<std::string_view>::format(s.text(), ctx);
  }
};
template <>
struct fmt::formatter<mamori::core::Status> : fmt::formatter<std::string_view> {
  auto format(const mamori::core::Status& s, fmt::format_context& ctx) const {
    return fmt::formatter<std::string_view>::format(s.ToString(), ctx);
  }
};
template <>
struct fmt::formatter<mamori::core::StatusCode> : fmt::formatter<std::string_view> {
  auto format(mamori::core::StatusCode c, fmt::format_context& ctx) const {
    return fmt::formatter<std::string_view>::format(mamori::core::StatusCodeName(c), ctx);
  }
};
