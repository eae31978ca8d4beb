// SPDX-License-Identifier: Apache-2.0
#pragma once

// core::Status and core::Result<T>: how every fallible mamori function reports
// failure (STYLE.md rules 6-10). No exception crosses a module boundary.
//
// A Status is a code from a small closed set plus an operator-facing message.
// Messages may name a resource type, an opaque id, a file or a key id; they must
// never carry a field value or any patient data (DESIGN invariant 5). Program
// logic branches on code(), never on message().
//
// Thread-safety: Status and Result are values; distinct objects may be used
// from different threads, one object needs external synchronisation.
//
// Example:
//   core::Result<Config> LoadConfig(const std::string& path) {
//     MAMORI_ASSIGN_OR_RETURN(std::string text, fs.ReadFile(path));
//     MAMORI_RETURN_IF_ERROR(Validate(text).With("reading ", path));
//     return Config{...};
//   }
//   // Tests: EXPECT_THAT(LoadConfig("x"), StatusIs(StatusCode::kNotFound));

#include <optional>
#include <source_location>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

#include "core/check.h"

namespace mamori::core {

// The closed set of codes. http/status_mapping maps each to one HTTP status.
enum class StatusCode : int {
  kOk = 0,
  // The caller sent something malformed or out of range (HTTP 400).
  kInvalidArgument = 3,
  // The named entity does not exist (404).
  kNotFound = 5,
  // The entity the caller tried to create already exists (409).
  kAlreadyExists = 6,
  // The caller is known but not allowed to do this (403).
  kPermissionDenied = 7,
  // A quota, size or rate limit was exceeded (413/429 depending on context).
  kResourceExhausted = 8,
  // The system is not in a state that allows the operation, e.g. a directory
  // that must be empty is not (409 over HTTP, exit 1 on the CLI).
  kFailedPrecondition = 9,
  // A concurrency conflict, e.g. an If-Match version mismatch (409/412).
  kAborted = 10,
  // A deadline passed before the operation finished (408 for reads).
  kDeadlineExceeded = 4,
  // The operation is not implemented or not enabled (501).
  kUnimplemented = 12,
  // A bug or an unexpected library failure (500, alert).
  kInternal = 13,
  // Transient: retry later. Also the latched read-only store state (503).
  kUnavailable = 14,
  // Stored data failed an integrity check: wrong tag, bad signature (500, alert).
  kDataLoss = 15,
  // The caller is not authenticated (401).
  kUnauthenticated = 16,
};

// Returns the enumerator's name without the k, e.g. "InvalidArgument".
std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  // An OK status.
  Status() = default;
  Status(StatusCode code, std::string message,
         std::source_location where = std::source_location::current());

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  // For operators. Never branch on it.
  const std::string& message() const { return message_; }
  // Where the status was created; logged by operators, never shown to clients.
  const std::source_location& where() const { return where_; }

  // Prepends context on the way up: s.With("opening ", path) gives
  // "opening /x: <old message>". A no-op on an OK status.
  template <typename... Parts>
  Status With(const Parts&... parts) && {
    if (ok()) return std::move(*this);
    std::string prefix;
    (AppendPart(prefix, parts), ...);
    message_ = prefix + ": " + message_;
    return std::move(*this);
  }
  template <typename... Parts>
  Status With(const Parts&... parts) const& {
    Status copy = *this;
    return std::move(copy).With(parts...);
  }

  // "InvalidArgument: <message>", or "OK".
  std::string ToString() const;

  // Explicitly discards a status where ignoring it is correct; say why in a
  // comment at the call site.
  void IgnoreError() const {}

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_;
  }

 private:
  static void AppendPart(std::string& out, std::string_view s) { out += s; }
  static void AppendPart(std::string& out, const char* s) { out += s; }
  static void AppendPart(std::string& out, const std::string& s) { out += s; }
  template <typename N>
  requires std::is_arithmetic_v<N>
  static void AppendPart(std::string& out, N n) { out += std::to_string(n); }

  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  std::source_location where_;
};

// Shorthands, named for the code they build.
Status InvalidArgumentError(std::string message,
                            std::source_location w = std::source_location::current());
Status NotFoundError(std::string message, std::source_location w = std::source_location::current());
Status AlreadyExistsError(std::string message,
                          std::source_location w = std::source_location::current());
Status PermissionDeniedError(std::string message,
                             std::source_location w = std::source_location::current());
Status ResourceExhaustedError(std::string message,
                              std::source_location w = std::source_location::current());
Status FailedPreconditionError(std::string message,
                               std::source_location w = std::source_location::current());
Status AbortedError(std::string message, std::source_location w = std::source_location::current());
Status DeadlineExceededError(std::string message,
                             std::source_location w = std::source_location::current());
Status UnimplementedError(std::string message,
                          std::source_location w = std::source_location::current());
Status InternalError(std::string message, std::source_location w = std::source_location::current());
Status UnavailableError(std::string message,
                        std::source_location w = std::source_location::current());
Status DataLossError(std::string message, std::source_location w = std::source_location::current());
Status UnauthenticatedError(std::string message,
                            std::source_location w = std::source_location::current());

// Result<T> holds either a T or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  // Implicit from a value or from an error, so `return value;` and
  // `return NotFoundError(...);` both work.
  Result(const T& value) : value_(value) {}
  Result(T&& value) : value_(std::move(value)) {}
  Result(Status status) : status_(std::move(status)) {
    // An OK status without a value is a programmer error.
    MAMORI_CHECK(!status_.ok());
  }
  template <typename U>
  requires(std::is_constructible_v<T, U&&> && !std::is_same_v<std::decay_t<U>, T> &&
           !std::is_same_v<std::decay_t<U>, Status>) Result(U&& value)
      : value_(T(std::forward<U>(value))) {}

  bool ok() const { return value_.has_value(); }
  const Status& status() const& { return status_; }
  Status status() && { return std::move(status_); }

  // REQUIRES: ok(). Aborts otherwise: reading a failed result is a bug.
  const T& value() const& {
    MAMORI_CHECK(ok());
    return *value_;
  }
  T& value() & {
    MAMORI_CHECK(ok());
    return *value_;
  }
  T&& value() && {
    MAMORI_CHECK(ok());
    return std::move(*value_);
  }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

  // The value, or `fallback` when this holds an error.
  T value_or(T fallback) const& { return ok() ? *value_ : std::move(fallback); }

 private:
  Status status_;
  std::optional<T> value_;
};

namespace internal {
inline Status AsStatus(const Status& s) { return s; }
inline Status AsStatus(Status&& s) { return std::move(s); }
template <typename T>
Status AsStatus(const Result<T>& r) {
  return r.status();
}
}  // namespace internal

}  // namespace mamori::core

#define MAMORI_STATUS_CONCAT_INNER_(a, b) a##b
#define MAMORI_STATUS_CONCAT_(a, b) MAMORI_STATUS_CONCAT_INNER_(a, b)

// Evaluates expr (a Status); returns it from the enclosing function if not OK.
#define MAMORI_RETURN_IF_ERROR(expr)                                                  \
  do {                                                                                \
    ::mamori::core::Status mamori_status_ = ::mamori::core::internal::AsStatus(expr); \
    if (!mamori_status_.ok()) return mamori_status_;                                  \
  } while (false)

// Evaluates expr (a Result<T>); on error returns its Status, otherwise moves
// the value into lhs, which may be a declaration: MAMORI_ASSIGN_OR_RETURN(auto x, F());
#define MAMORI_ASSIGN_OR_RETURN(lhs, expr) \
  MAMORI_ASSIGN_OR_RETURN_IMPL_(MAMORI_STATUS_CONCAT_(mamori_result_, __LINE__), lhs, expr)
#define MAMORI_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  if (!tmp.ok()) return std::move(tmp).status();      \
  lhs = std::move(tmp).value()
