// SPDX-License-Identifier: Apache-2.0
// Fuzz target: ParseAuditEvent (STYLE.md rule 32). Events are authenticated
// before they are parsed, but a parser still must not crash on any bytes.
// Invariants: no crash; anything it accepts re-serialises to an event that
// parses to the same value.
#include <string_view>

#include "core/check.h"
#include "core/testing/fuzz.h"
#include "ledger/audit_event.h"

MAMORI_FUZZ_TARGET(data, size) {
  std::string_view json(reinterpret_cast<const char*>(data), size);
  auto event = mamori::ledger::ParseAuditEvent(json);
  if (!event.ok()) {
    MAMORI_CHECK(event.status().code() == mamori::core::StatusCode::kInvalidArgument);
    return;
  }
  auto again = mamori::ledger::ParseAuditEvent(mamori::ledger::ToJson(*event));
  MAMORI_CHECK(again.ok() && *again == *event);
}
