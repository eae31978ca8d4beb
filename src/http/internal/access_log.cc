// SPDX-License-Identifier: Apache-2.0
#include "http/internal/access_log.h"

#include <array>

#include "core/logging.h"

namespace mamori::http::internal {

std::string_view LoggableMethod(std::string_view method) {
  static constexpr std::array<std::string_view, 9> kKnown = {
      "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE"};
  if (method.empty()) return "-";
  for (std::string_view known : kKnown) {
    if (method == known) return known;
  }
  return "OTHER";
}

void LogAccess(const AccessRecord& record) {
  std::string_view path = record.path.empty() ? std::string_view("-") : record.path;
  // Cut at '?' defensively: a caller that passed a target must not leak a query.
  path = path.substr(0, path.find('?'));
  core::LogInfo("access {} {} {} {}B {}us id={}",
                core::LogSafe::Vouch(LoggableMethod(record.method), "method from a fixed list"),
                core::LogSafe::Vouch(path, "path without query; ids are opaque"), record.status,
                static_cast<uint64_t>(record.bytes), record.duration_us,
                core::LogSafe::Vouch(record.request_id, "random request id"));
}

}  // namespace mamori::http::internal
