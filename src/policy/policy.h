// SPDX-License-Identifier: Apache-2.0
#pragma once

// policy::Policy: may they? Deny by default (DESIGN invariant 1). Each
// request's decision takes the principal and role, the action, the resource
// type, the patients concerned, the care relation, break-glass (emergency
// access), the client's network zone and certificate, and the time, and
// returns allow or deny with the reason, which the audit ledger records
// (GUIDELINE SYS-46, PLAN-26, CHK-06, SYS-09, SYS-21).
//
// Policies are data: DIR/policy.toml, validated on load (unknown keys, roles,
// actions or networks are errors that name the line). DefaultPolicyToml() is
// the file `mamori init` writes; its role matrix:
//
//   role            reads                      writes                   care relation
//   physician       clinical and admin types   clinical and admin       required
//   nurse           clinical and admin         nursing records          required
//   pharmacist      medication, allergy, ...   MedicationDispense       required
//   medical-clerk   Patient, Coverage, ...     the same                 not required
//   administrator   no patient data            -                        -
//   auditor         AuditEvent only            -                        -
//   system          its SMART scopes           its SMART scopes         not required
//
// Zones: every source address must fall in a configured network zone; the
// most specific network wins. A zone can require a client certificate and a
// second factor (the remote zone does: SYS-09).
//
//   MAMORI_ASSIGN_OR_RETURN(policy::Policy p, policy::Policy::Parse(text));
//   policy::Decision d = p.Decide(request, care, emergency);
//   if (!d.allowed) return 403 with d.reason;   // and the ledger records it
//
// Thread-safety: a Policy is immutable after Parse; Decide may run
// concurrently. CareRelations and EmergencyAccess must be thread-safe.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/scope.h"
#include "auth/session.h"
#include "core/clock.h"
#include "core/status.h"
#include "policy/break_glass.h"
#include "policy/internal/network.h"

namespace mamori::policy {

enum class Action {
  kCreate,
  kRead,
  kUpdate,
  kDelete,
  kSearch,
  kHistory,
  kExport,
  kAdministration,  // users, keys, backups, configuration
  kAuditRead,       // the ledger and AuditEvent
  kChangePassword,  // the one action a must-change-password principal has
};
std::string_view ActionName(Action action);

// Whether a principal has a care relation with a patient: a department the
// patient is treated in, or participation in one of the patient's encounters.
// The fhir module answers it from Encounter data.
class CareRelations {
 public:
  virtual ~CareRelations() = default;
  virtual bool HasRelation(const auth::Principal& principal, std::string_view patient_id) = 0;
};

struct AccessRequest {
  const auth::Principal* principal = nullptr;  // REQUIRES: not null
  Action action = Action::kRead;
  std::string resource_type;          // "" for non-FHIR actions
  std::vector<std::string> patients;  // patient compartments concerned
  std::string source_address;
  bool client_certificate = false;  // a verified device certificate was presented
  std::vector<auth::Scope> scopes;  // for systems: the token's granted scopes
  core::Clock::WallTime now;
};

struct Decision {
  bool allowed = false;
  // Why, for the caller's OperationOutcome and the audit event; names the
  // rule ("no care relation with the patient (SYS-46)").
  std::string reason;
  // Access was allowed only by break-glass: the event is flagged and queued
  // for review (SYS-21).
  bool emergency = false;
  std::string zone;
};

struct RoleRule {
  auth::Role role;
  std::vector<std::string> read;  // resource types, or "*"
  std::vector<std::string> write;
  bool care_relation = true;
  bool break_glass = false;
  bool export_data = false;
  bool administration = false;
  bool audit = false;
  // Local hours when the role may act, [from, to) in minutes after midnight
  // in `utc_offset`; unset = any time.
  std::optional<std::pair<int, int>> hours;
};

struct Zone {
  std::string name;
  std::vector<internal::Network> networks;
  bool require_client_certificate = false;
  bool require_second_factor = false;
};

class Policy {
 public:
  // Errors: kInvalidArgument naming the key or value that is wrong.
  static core::Result<Policy> Parse(std::string_view toml_text);

  Decision Decide(const AccessRequest& request, CareRelations& care,
                  EmergencyAccess& emergency) const;

  std::chrono::minutes break_glass_duration() const { return break_glass_duration_; }
  const std::vector<RoleRule>& roles() const { return roles_; }
  const std::vector<Zone>& zones() const { return zones_; }

 private:
  const RoleRule* RuleFor(auth::Role role) const;
  const Zone* ZoneFor(std::string_view address) const;
  Decision DecideForSystem(const AccessRequest& request, Decision decision) const;
  bool WithinHours(const RoleRule& rule, core::Clock::WallTime now) const;

  std::vector<RoleRule> roles_;
  std::vector<Zone> zones_;
  std::chrono::minutes break_glass_duration_{240};
  std::chrono::minutes utc_offset_{9 * 60};  // JST
};

// The policy.toml `mamori init` writes.
std::string_view DefaultPolicyToml();

}  // namespace mamori::policy
