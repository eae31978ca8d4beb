// SPDX-License-Identifier: Apache-2.0
// Fuzz target for SMART scope parsing (STYLE.md rule 32): scopes arrive in
// OAuth token requests from any client. Must never crash; refusals are
// kInvalidArgument; an accepted scope prints in canonical v2 form, which
// parses back to the same scope.
//
// Corpus (scope_corpus/): v2 scopes, v1 forms, a wildcard, a search
// restriction, bad contexts, out-of-order permissions, a scope list.

#include <string_view>

#include "auth/scope.h"
#include "core/check.h"
#include "core/testing/fuzz.h"

namespace auth = mamori::auth;

MAMORI_FUZZ_TARGET(data, size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto list = auth::ParseScopes(text);
  if (!list.ok()) {
    MAMORI_CHECK(list.status().code() == mamori::core::StatusCode::kInvalidArgument);
  }
  auto one = auth::ParseScope(text);
  if (!one.ok()) return;
  auto again = auth::ParseScope(one->ToString());
  MAMORI_CHECK(again.ok());
  MAMORI_CHECK(again->ToString() == one->ToString());
  MAMORI_CHECK(again->permissions == one->permissions);
}
