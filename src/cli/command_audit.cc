// SPDX-License-Identifier: Apache-2.0
#include "cli/command_audit.h"

#include <pwd.h>
#include <unistd.h>

#include <chrono>

namespace mamori::cli {
namespace {

std::string OsUser() {
  struct passwd entry {};
  struct passwd* found = nullptr;
  char buffer[1024];
  if (getpwuid_r(geteuid(), &entry, buffer, sizeof(buffer), &found) == 0 && found != nullptr) {
    return std::string("os:") + found->pw_name;
  }
  return "os:uid-" + std::to_string(geteuid());
}

std::string CoarseReason(const core::Status& s) {
  switch (s.code()) {
    case core::StatusCode::kInvalidArgument:
      return "invalid";
    case core::StatusCode::kNotFound:
      return "not-found";
    case core::StatusCode::kAlreadyExists:
      return "conflict";
    case core::StatusCode::kPermissionDenied:
      return "forbidden";
    case core::StatusCode::kUnavailable:
      return "unavailable";
    default:
      return "error";
  }
}

}  // namespace

ledger::AuditEvent CommandEvent(core::Env& env, std::string action, std::string command) {
  ledger::AuditEvent e;
  e.time_ms = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(env.clock().Now().time_since_epoch())
          .count());
  e.user = OsUser();
  e.role = "host-operator";
  e.source_address = "local";
  e.action = std::move(action);
  e.method = "CLI";
  e.route = std::move(command);
  return e;
}

core::Status RecordCommandEvent(store::Store& store, ledger::AuditEvent event,
                                const core::Status& result) {
  event.outcome = result.ok() ? "success" : "failure";
  event.reason = result.ok() ? "" : CoarseReason(result);
  std::string json = ledger::ToJson(event);
  core::Status recorded =
      store.Write([&](store::Transaction& tx) { return tx.AppendAudit(json).status(); });
  if (!recorded.ok()) {
    return core::UnavailableError("`" + event.route + "` " + (result.ok() ? "ran" : "failed") +
                                  " but could not be recorded in the audit log: " +
                                  recorded.message() + "; run `mamori audit verify`");
  }
  return result;
}

}  // namespace mamori::cli
