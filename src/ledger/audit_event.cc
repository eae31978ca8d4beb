// SPDX-License-Identifier: Apache-2.0
#include "ledger/audit_event.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace mamori::ledger {

std::string ToJson(const AuditEvent& e) {
  boost::json::array patients;
  for (const std::string& p : e.patients) patients.emplace_back(p);
  boost::json::object o{
      {"v", AuditEvent::kVersion},
      {"time_ms", e.time_ms},
      {"user", e.user},
      {"role", e.role},
      {"client", e.client_subject},
      {"source", e.source_address},
      {"action", e.action},
      {"method", e.method},
      {"route", e.route},
      {"type", e.resource_type},
      {"id", e.resource_id},
      {"patients", std::move(patients)},
      {"outcome", e.outcome},
      {"status", e.http_status},
      {"reason", e.reason},
      {"request_id", e.request_id},
      {"emergency", e.emergency},
  };
  return boost::json::serialize(o);
}

}  // namespace mamori::ledger
