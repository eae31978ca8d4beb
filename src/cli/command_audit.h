// SPDX-License-Identifier: Apache-2.0
#pragma once

// Audit events for commands run on the server's host (issue 6: "login and
// logout, administrative action, key operation ... configuration change";
// GUIDELINE SYS-52). A command that changes the data directory while the
// server is stopped (import, key rotate, user and client administration)
// appends one event to the same ledger the server writes, so the trail has
// no hole for what happened offline.
//
//   ledger::AuditEvent e = CommandEvent(env, "user-disable", "mamori user disable");
//   e.resource_id = login;
//   MAMORI_RETURN_IF_ERROR(RecordCommandEvent(*store, e, status));
//
// The principal is the operating-system account that ran the command
// ("os:<name>"); source "local"; method "CLI".

#include <string>

#include "core/env.h"
#include "core/status.h"
#include "ledger/audit_event.h"
#include "store/store.h"

namespace mamori::cli {

ledger::AuditEvent CommandEvent(core::Env& env, std::string action, std::string command);

// Appends `event` with the outcome of `result` (success, or failure with
// the status code's name as reason). Returns `result` when the event was
// recorded, else an error saying the command ran but was not recorded.
core::Status RecordCommandEvent(store::Store& store, ledger::AuditEvent event,
                                const core::Status& result);

}  // namespace mamori::cli
