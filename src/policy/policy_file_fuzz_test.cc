// SPDX-License-Identifier: Apache-2.0
// Fuzz target for policy.toml (STYLE.md rule 32): an administrator edits the
// file by hand, and a damaged file must give a clear error at start-up, never
// a crash. Accepted policies are then asked one decision, which must not
// crash either.
//
// Corpus (policy_file_corpus/): the default policy, a role with hours, an
// unknown key, a bad network, a duplicate role, broken TOML.

#include <string_view>

#include "core/check.h"
#include "core/testing/fuzz.h"
#include "policy/policy.h"

namespace policy = mamori::policy;
namespace auth = mamori::auth;

namespace {
class NoCare : public policy::CareRelations {
 public:
  bool HasRelation(const auth::Principal&, std::string_view) override { return false; }
};
}  // namespace

MAMORI_FUZZ_TARGET(data, size) {
  auto parsed = policy::Policy::Parse(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!parsed.ok()) {
    MAMORI_CHECK(parsed.status().code() == mamori::core::StatusCode::kInvalidArgument);
    return;
  }
  auth::Principal nurse{
      .account_id = "a", .login_id = "n", .role = auth::Role::kNurse, .second_factor = true};
  NoCare care;
  policy::EmergencyAccess emergency;
  policy::Decision d = parsed->Decide({.principal = &nurse,
                                       .action = policy::Action::kRead,
                                       .resource_type = "Observation",
                                       .patients = {"p1"},
                                       .source_address = "10.0.0.1"},
                                      care, emergency);
  MAMORI_CHECK(!d.allowed);  // no care relation, no break-glass: never allowed
}
