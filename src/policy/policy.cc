// SPDX-License-Identifier: Apache-2.0
#include "policy/policy.h"

#include <algorithm>
#include <set>

#include <toml++/toml.h>

namespace mamori::policy {
namespace {

constexpr std::string_view kDefaultPolicy =
    R"toml(# mamori access policy (GUIDELINE SYS-46, PLAN-26, CHK-06, SYS-09, SYS-21).
# Deny by default: a role may do only what is listed here. Edit, then restart
# `mamori serve`; a mistake is refused at start-up with the line it is on.
version = 1
# How long break-glass (emergency) access to one patient lasts.
break_glass_minutes = 240
# The institution's local time, for role hours (JST).
utc_offset_minutes = 540

[[role]]
name = "physician"
read = ["*"]
write = ["*"]
care_relation = true
break_glass = true
export = true

[[role]]
name = "nurse"
read = ["*"]
write = ["Observation", "Procedure", "CarePlan", "Communication", "DocumentReference",
         "MedicationAdministration", "Encounter", "Task", "Flag"]
care_relation = true
break_glass = true

[[role]]
name = "pharmacist"
read = ["Patient", "MedicationRequest", "MedicationDispense", "MedicationStatement",
        "MedicationAdministration", "Medication", "AllergyIntolerance", "Condition",
        "Observation", "Coverage", "Practitioner", "PractitionerRole", "Organization"]
write = ["MedicationDispense", "MedicationStatement", "Communication"]
care_relation = true
break_glass = true

[[role]]
name = "medical-clerk"
read = ["Patient", "Coverage", "Encounter", "Appointment", "Schedule", "Slot", "Account",
        "Organization", "Practitioner", "PractitionerRole", "Location"]
write = ["Patient", "Coverage", "Appointment", "Schedule", "Slot", "Account"]
care_relation = false

[[role]]
name = "administrator"
read = ["Organization", "Practitioner", "PractitionerRole", "Location", "Device", "Endpoint"]
write = ["Organization", "Practitioner", "PractitionerRole", "Location", "Device", "Endpoint"]
administration = true

[[role]]
name = "auditor"
read = ["AuditEvent"]
audit = true

[[zone]]
name = "loopback"
networks = ["127.0.0.0/8", "::1/128"]

[[zone]]
name = "clinic-lan"
networks = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"]

[[zone]]
name = "remote"
networks = ["0.0.0.0/0", "::/0"]
require_client_certificate = true
require_second_factor = true
)toml";

core::Status Bad(const toml::node& node, std::string what) {
  return core::InvalidArgumentError("policy.toml line " + std::to_string(node.source().begin.line) +
                                    ": " + what);
}

bool IsTypeName(std::string_view t) {
  auto scope = auth::ParseScope("system/" + std::string(t) + ".r");
  return scope.ok();
}

core::Status CheckKeys(const toml::table& table, std::initializer_list<std::string_view> allowed) {
  for (const auto& [key, value] : table) {
    if (std::find(allowed.begin(), allowed.end(), key.str()) == allowed.end()) {
      return Bad(value, "unknown key \"" + std::string(key.str()) + "\"");
    }
  }
  return core::Status::Ok();
}

core::Result<std::vector<std::string>> Types(const toml::table& t, std::string_view key) {
  std::vector<std::string> out;
  const toml::node* node = t.get(key);
  if (node == nullptr) return out;
  const toml::array* array = node->as_array();
  if (array == nullptr) return Bad(*node, std::string(key) + " must be a list of resource types");
  for (const toml::node& e : *array) {
    std::optional<std::string_view> s = e.value<std::string_view>();
    if (!s || !IsTypeName(*s))
      return Bad(e, "\"" + std::string(s.value_or("?")) + "\" is not a FHIR resource type or *");
    out.emplace_back(*s);
  }
  return out;
}

core::Result<bool> Flag(const toml::table& t, std::string_view key, bool fallback) {
  const toml::node* node = t.get(key);
  if (node == nullptr) return fallback;
  std::optional<bool> b = node->value<bool>();
  if (!b) return Bad(*node, std::string(key) + " must be true or false");
  return *b;
}

// "08:00-20:00" -> minutes after midnight.
std::optional<std::pair<int, int>> ParseHours(std::string_view text) {
  auto minutes = [](std::string_view hhmm) -> int {
    if (hhmm.size() != 5 || hhmm[2] != ':') return -1;
    for (int i : {0, 1, 3, 4}) {
      if (hhmm[i] < '0' || hhmm[i] > '9') return -1;
    }
    int h = (hhmm[0] - '0') * 10 + (hhmm[1] - '0');
    int m = (hhmm[3] - '0') * 10 + (hhmm[4] - '0');
    return h <= 24 && m < 60 && h * 60 + m <= 24 * 60 ? h * 60 + m : -1;
  };
  if (text.size() != 11 || text[5] != '-') return std::nullopt;
  int from = minutes(text.substr(0, 5)), to = minutes(text.substr(6));
  if (from < 0 || to < 0 || from == to) return std::nullopt;
  return std::make_pair(from, to);
}

core::Result<RoleRule> ParseRole(const toml::table& t) {
  MAMORI_RETURN_IF_ERROR(CheckKeys(t, {"name", "read", "write", "care_relation", "break_glass",
                                       "export", "administration", "audit", "hours"}));
  std::optional<std::string_view> name = t["name"].value<std::string_view>();
  if (!name) return Bad(t, "a [[role]] needs a name");
  std::optional<auth::Role> role = auth::RoleFromName(*name);
  if (!role || *role == auth::Role::kSystem) {
    return Bad(t, "unknown role \"" + std::string(*name) +
                      "\" (physician, nurse, pharmacist, medical-clerk, administrator, auditor)");
  }
  RoleRule rule{.role = *role};
  MAMORI_ASSIGN_OR_RETURN(rule.read, Types(t, "read"));
  MAMORI_ASSIGN_OR_RETURN(rule.write, Types(t, "write"));
  MAMORI_ASSIGN_OR_RETURN(rule.care_relation, Flag(t, "care_relation", true));
  MAMORI_ASSIGN_OR_RETURN(rule.break_glass, Flag(t, "break_glass", false));
  MAMORI_ASSIGN_OR_RETURN(rule.export_data, Flag(t, "export", false));
  MAMORI_ASSIGN_OR_RETURN(rule.administration, Flag(t, "administration", false));
  MAMORI_ASSIGN_OR_RETURN(rule.audit, Flag(t, "audit", false));
  if (const toml::node* hours = t.get("hours")) {
    std::optional<std::string_view> text = hours->value<std::string_view>();
    if (!text || !(rule.hours = ParseHours(*text))) {
      return Bad(*hours, "hours must look like \"08:00-20:00\"");
    }
  }
  return rule;
}

core::Result<Zone> ParseZone(const toml::table& t) {
  MAMORI_RETURN_IF_ERROR(
      CheckKeys(t, {"name", "networks", "require_client_certificate", "require_second_factor"}));
  std::optional<std::string_view> name = t["name"].value<std::string_view>();
  if (!name || name->empty()) return Bad(t, "a [[zone]] needs a name");
  Zone zone{.name = std::string(*name)};
  const toml::array* networks = t["networks"].as_array();
  if (networks == nullptr || networks->empty()) return Bad(t, "a zone needs networks = [...]");
  for (const toml::node& e : *networks) {
    std::optional<std::string_view> text = e.value<std::string_view>();
    std::optional<internal::Network> network = text ? internal::ParseNetwork(*text) : std::nullopt;
    if (!network) return Bad(e, "not a network such as \"10.0.0.0/8\" (host bits must be zero)");
    zone.networks.push_back(*network);
  }
  MAMORI_ASSIGN_OR_RETURN(zone.require_client_certificate,
                          Flag(t, "require_client_certificate", false));
  MAMORI_ASSIGN_OR_RETURN(zone.require_second_factor, Flag(t, "require_second_factor", false));
  return zone;
}

bool Lists(const std::vector<std::string>& types, std::string_view type) {
  return std::any_of(types.begin(), types.end(),
                     [&](const std::string& t) { return t == "*" || t == type; });
}

Decision Deny(Decision d, std::string reason) {
  d.allowed = false;
  d.reason = std::move(reason);
  return d;
}

bool IsWrite(Action a) {
  return a == Action::kCreate || a == Action::kUpdate || a == Action::kDelete;
}

std::optional<auth::Permission> PermissionFor(Action a) {
  switch (a) {
    case Action::kCreate:
      return auth::Permission::kCreate;
    case Action::kRead:
      return auth::Permission::kRead;
    case Action::kUpdate:
      return auth::Permission::kUpdate;
    case Action::kDelete:
      return auth::Permission::kDelete;
    case Action::kSearch:
    case Action::kHistory:
      return auth::Permission::kSearch;
    case Action::kExport:
      return auth::Permission::kRead;
    default:
      return std::nullopt;
  }
}

}  // namespace

std::string_view DefaultPolicyToml() { return kDefaultPolicy; }

std::string_view ActionName(Action action) {
  switch (action) {
    case Action::kCreate:
      return "create";
    case Action::kRead:
      return "read";
    case Action::kUpdate:
      return "update";
    case Action::kDelete:
      return "delete";
    case Action::kSearch:
      return "search";
    case Action::kHistory:
      return "history";
    case Action::kExport:
      return "export";
    case Action::kAdministration:
      return "administration";
    case Action::kAuditRead:
      return "audit-read";
    case Action::kChangePassword:
      return "change-password";
  }
  return "unknown";
}

core::Result<Policy> Policy::Parse(std::string_view text) {
  toml::parse_result parsed = toml::parse(text);
  if (!parsed) {
    return core::InvalidArgumentError("policy.toml line " +
                                      std::to_string(parsed.error().source().begin.line) + ": " +
                                      std::string(parsed.error().description()));
  }
  const toml::table& root = parsed.table();
  MAMORI_RETURN_IF_ERROR(
      CheckKeys(root, {"version", "break_glass_minutes", "utc_offset_minutes", "role", "zone"}));
  if (root["version"].value<int64_t>() != 1) {
    return core::InvalidArgumentError("policy.toml: version = 1 is required");
  }
  Policy policy;
  if (const toml::node* n = root.get("break_glass_minutes")) {
    std::optional<int64_t> m = n->value<int64_t>();
    if (!m || *m < 5 || *m > 24 * 60) return Bad(*n, "break_glass_minutes must be 5 to 1440");
    policy.break_glass_duration_ = std::chrono::minutes(*m);
  }
  if (const toml::node* n = root.get("utc_offset_minutes")) {
    std::optional<int64_t> m = n->value<int64_t>();
    if (!m || *m < -14 * 60 || *m > 14 * 60) return Bad(*n, "utc_offset_minutes out of range");
    policy.utc_offset_ = std::chrono::minutes(*m);
  }
  std::set<auth::Role> seen;
  if (const toml::array* roles = root["role"].as_array()) {
    for (const toml::node& node : *roles) {
      const toml::table* t = node.as_table();
      if (t == nullptr) return Bad(node, "[[role]] must be a table");
      MAMORI_ASSIGN_OR_RETURN(RoleRule rule, ParseRole(*t));
      if (!seen.insert(rule.role).second) return Bad(node, "role defined twice");
      policy.roles_.push_back(std::move(rule));
    }
  }
  if (const toml::array* zones = root["zone"].as_array()) {
    for (const toml::node& node : *zones) {
      const toml::table* t = node.as_table();
      if (t == nullptr) return Bad(node, "[[zone]] must be a table");
      MAMORI_ASSIGN_OR_RETURN(Zone zone, ParseZone(*t));
      policy.zones_.push_back(std::move(zone));
    }
  }
  return policy;
}

const RoleRule* Policy::RuleFor(auth::Role role) const {
  for (const RoleRule& r : roles_) {
    if (r.role == role) return &r;
  }
  return nullptr;
}

const Zone* Policy::ZoneFor(std::string_view address) const {
  const Zone* best = nullptr;
  int best_length = -1;
  for (const Zone& zone : zones_) {
    for (const internal::Network& n : zone.networks) {
      if (n.prefix_length > best_length && internal::Contains(n, address)) {
        best = &zone;
        best_length = n.prefix_length;
      }
    }
  }
  return best;
}

bool Policy::WithinHours(const RoleRule& rule, core::Clock::WallTime now) const {
  if (!rule.hours) return true;
  auto local = std::chrono::floor<std::chrono::minutes>(now.time_since_epoch()) + utc_offset_;
  int minute = static_cast<int>(((local.count() % 1440) + 1440) % 1440);
  auto [from, to] = *rule.hours;
  return from < to ? (minute >= from && minute < to) : (minute >= from || minute < to);
}

Decision Policy::DecideForSystem(const AccessRequest& request, Decision decision) const {
  std::optional<auth::Permission> permission = PermissionFor(request.action);
  if (!permission || request.resource_type.empty()) {
    return Deny(decision, "systems may only use the FHIR API within their scopes (SYS-46)");
  }
  for (const auth::Scope& scope : request.scopes) {
    if (scope.context == auth::Scope::Context::kSystem &&
        scope.Allows(request.resource_type, *permission)) {
      decision.allowed = true;
      decision.reason = "allowed by scope " + scope.ToString();
      return decision;
    }
  }
  return Deny(decision, "no granted scope allows " + std::string(ActionName(request.action)) +
                            " on " + request.resource_type + " (SMART scopes)");
}

Decision Policy::Decide(const AccessRequest& request, CareRelations& care,
                        EmergencyAccess& emergency) const {
  const auth::Principal& who = *request.principal;
  Decision d;
  const Zone* zone = ZoneFor(request.source_address);
  if (zone == nullptr) return Deny(d, "source address is in no network zone (SYS-09)");
  d.zone = zone->name;
  if (zone->require_client_certificate && !request.client_certificate) {
    return Deny(d, "zone " + zone->name + " requires a device certificate (SYS-09)");
  }
  if (who.role != auth::Role::kSystem && zone->require_second_factor && !who.second_factor) {
    return Deny(d, "zone " + zone->name + " requires a second factor (SYS-09)");
  }
  if (who.must_change_password) {
    if (request.action == Action::kChangePassword) return {true, "password change", false, d.zone};
    return Deny(d, "the password must be changed first (PLAN-25)");
  }
  if (request.action == Action::kChangePassword) return {true, "password change", false, d.zone};
  if (who.role == auth::Role::kSystem) return DecideForSystem(request, d);

  const RoleRule* rule = RuleFor(who.role);
  if (rule == nullptr) return Deny(d, "the policy gives this role no rights (SYS-46)");
  if (!WithinHours(*rule, request.now)) return Deny(d, "outside the hours of this role (SYS-46)");
  if (request.action == Action::kAdministration) {
    if (rule->administration) return {true, "administrator", false, d.zone};
    return Deny(d, "administration is for administrators only (SYS-46)");
  }
  if (request.action == Action::kAuditRead || request.resource_type == "AuditEvent") {
    if (rule->audit && !IsWrite(request.action)) return {true, "auditor", false, d.zone};
    return Deny(d, "the audit trail is for auditors only and never writable (PLAN-10)");
  }
  if (request.action == Action::kExport && !rule->export_data) {
    return Deny(d, "this role may not export data (SYS-46)");
  }
  const std::vector<std::string>& types = IsWrite(request.action) ? rule->write : rule->read;
  if (request.resource_type.empty() || !Lists(types, request.resource_type)) {
    return Deny(d, std::string(auth::RoleName(who.role)) + " may not " +
                       std::string(ActionName(request.action)) + " " +
                       (request.resource_type.empty() ? "this" : request.resource_type) +
                       " (SYS-46)");
  }
  if (rule->care_relation) {
    for (const std::string& patient : request.patients) {
      if (care.HasRelation(who, patient)) continue;
      if (rule->break_glass && emergency.Active(who, patient, request.now)) {
        d.emergency = true;
        continue;
      }
      return Deny(d,
                  "no care relation with the patient; break-glass with a reason if this is "
                  "an emergency (SYS-46, SYS-21)");
    }
  }
  d.allowed = true;
  d.reason = d.emergency ? "break-glass (SYS-21)" : "role " + std::string(auth::RoleName(who.role));
  return d;
}

}  // namespace mamori::policy
