// SPDX-License-Identifier: Apache-2.0
#include "ledger/audit_event.h"

#include <algorithm>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
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
  if (!e.detail.empty()) o["detail"] = e.detail;
  return boost::json::serialize(o);
}

namespace {

core::Status ReadString(const boost::json::object& o, std::string_view key, std::string* out) {
  const boost::json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_string()) {
    return core::InvalidArgumentError("audit event: \"" + std::string(key) + "\" is not a string");
  }
  *out = std::string(v->get_string());
  return core::Status::Ok();
}

core::Result<int64_t> ReadInt(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  if (v != nullptr && v->is_int64()) return v->get_int64();
  if (v != nullptr && v->is_uint64() && v->get_uint64() <= INT64_MAX) {
    return static_cast<int64_t>(v->get_uint64());
  }
  return core::InvalidArgumentError("audit event: \"" + std::string(key) + "\" is not an integer");
}

}  // namespace

core::Result<AuditEvent> ParseAuditEvent(std::string_view json) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(json, ec);
  if (ec || !v.is_object()) return core::InvalidArgumentError("audit event: not a JSON object");
  const boost::json::object& o = v.get_object();
  MAMORI_ASSIGN_OR_RETURN(int64_t version, ReadInt(o, "v"));
  if (version != AuditEvent::kVersion) {
    return core::InvalidArgumentError("audit event: unknown layout version");
  }
  AuditEvent e;
  MAMORI_ASSIGN_OR_RETURN(int64_t time_ms, ReadInt(o, "time_ms"));
  MAMORI_ASSIGN_OR_RETURN(int64_t status, ReadInt(o, "status"));
  if (time_ms < 0 || status < 0 || status > 999) {
    return core::InvalidArgumentError("audit event: time or status out of range");
  }
  e.time_ms = static_cast<uint64_t>(time_ms);
  e.http_status = static_cast<int>(status);
  const std::pair<const char*, std::string*> strings[] = {{"user", &e.user},
                                                          {"role", &e.role},
                                                          {"client", &e.client_subject},
                                                          {"source", &e.source_address},
                                                          {"action", &e.action},
                                                          {"method", &e.method},
                                                          {"route", &e.route},
                                                          {"type", &e.resource_type},
                                                          {"id", &e.resource_id},
                                                          {"outcome", &e.outcome},
                                                          {"reason", &e.reason},
                                                          {"request_id", &e.request_id}};
  for (const auto& [key, field] : strings) MAMORI_RETURN_IF_ERROR(ReadString(o, key, field));
  const boost::json::value* patients = o.if_contains("patients");
  if (patients == nullptr || !patients->is_array()) {
    return core::InvalidArgumentError("audit event: \"patients\" is not an array");
  }
  for (const boost::json::value& p : patients->get_array()) {
    if (!p.is_string()) return core::InvalidArgumentError("audit event: a patient is not a string");
    e.patients.emplace_back(p.get_string());
  }
  const boost::json::value* emergency = o.if_contains("emergency");
  if (emergency == nullptr || !emergency->is_bool()) {
    return core::InvalidArgumentError("audit event: \"emergency\" is not a boolean");
  }
  e.emergency = emergency->get_bool();
  if (o.contains("detail")) MAMORI_RETURN_IF_ERROR(ReadString(o, "detail", &e.detail));
  return e;
}

void CollectAffected(const AuditEvent& e, const AffectedQuery& q, std::set<std::string>* patients) {
  static const std::set<std::string, std::less<>> kDisclosing = {"read",
                                                                 "vread",
                                                                 "history-system",
                                                                 "history-type",
                                                                 "history-instance",
                                                                 "search",
                                                                 "search-system",
                                                                 "search-type",
                                                                 "search-compartment",
                                                                 "export",
                                                                 "export-download",
                                                                 "operation-everything"};
  if (e.user != q.principal || e.time_ms < q.from_ms || e.time_ms > q.to_ms) return;
  if (e.outcome != "success" || !kDisclosing.count(e.action)) return;
  patients->insert(e.patients.begin(), e.patients.end());
}

bool Matches(const AuditEvent& e, const AuditFilter& f) {
  if (e.time_ms < f.from_ms || e.time_ms > f.to_ms) return false;
  if (!f.principal.empty() && e.user != f.principal) return false;
  if (!f.action.empty() && e.action != f.action) return false;
  if (!f.outcome.empty() && e.outcome != f.outcome) return false;
  if (f.emergency_only && !e.emergency) return false;
  return f.patient.empty() ||
         std::find(e.patients.begin(), e.patients.end(), f.patient) != e.patients.end();
}

}  // namespace mamori::ledger
