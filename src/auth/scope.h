// SPDX-License-Identifier: Apache-2.0
#pragma once

// auth::Scope: SMART on FHIR v2 scopes (SMART App Launch 2.0, "Scopes and
// Launch Context"), as systems receive them with OAuth client credentials:
//
//   system/Observation.rs     read and search Observations
//   system/*.cruds            everything
//   patient/Patient.r         (parsed; patient-context tokens come later)
//   user/Encounter.cu
//
// Permissions are a subset of "cruds" in that order. SMART v1 forms
// (".read", ".write", ".*") are accepted and mapped to v2, since many
// clients still send them. Search-parameter restrictions ("?category=...")
// are refused: mamori does not enforce them yet and will not pretend to.
//
//   MAMORI_ASSIGN_OR_RETURN(auth::Scope s, auth::ParseScope("system/Observation.rs"));
//   if (s.Allows("Observation", auth::Permission::kSearch)) ...
//
// Thread-safety: values; pure functions.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace mamori::auth {

enum class Permission : uint8_t { kCreate = 1, kRead = 2, kUpdate = 4, kDelete = 8, kSearch = 16 };

struct Scope {
  enum class Context { kPatient, kUser, kSystem };
  Context context = Context::kSystem;
  std::string resource_type;  // "*" for every type
  uint8_t permissions = 0;    // bits of Permission

  bool Allows(std::string_view type, Permission p) const;
  std::string ToString() const;  // canonical v2 form
};

// Errors: kInvalidArgument naming what is wrong (never echoing more than the
// scope's own text, which is not patient data).
core::Result<Scope> ParseScope(std::string_view text);

// A space-separated scope list (OAuth's "scope" parameter). Errors: the first
// bad scope's.
core::Result<std::vector<Scope>> ParseScopes(std::string_view text);

}  // namespace mamori::auth
