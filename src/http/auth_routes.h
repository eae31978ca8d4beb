// SPDX-License-Identifier: Apache-2.0
#pragma once

// The identity routes (issue 7):
//   POST /auth/login         {"username","password","totp"} (JSON or form) -> bearer token,
//                            Set-Cookie mamori_session (HttpOnly, Secure, SameSite=Strict) and a
//                            CSRF token for the console; one message for every failure (SYS-43)
//   POST /auth/logout        revokes the presented session
//   POST /auth/password      {"current","new"}: the password change (PLAN-25, SYS-42)
//   POST /auth/break-glass   {"patient","reason"}: time-limited emergency access (SYS-21)
//   GET  /audit/break-glass  the auditor's review queue of break-glass uses (SYS-21)
//   POST /audit/break-glass/{id}/review  {"note"}: closes one (not by the user who broke it)
//   POST /oauth2/token       client credentials (RFC 6749 4.4) with mutual TLS or
//                            private_key_jwt; answers OAuth JSON errors, not OperationOutcome
// Each request's audit event names the user, and for a failed login the
// reason (never the password or code).
//
//   MAMORI_RETURN_IF_ERROR(http::RegisterAuthRoutes(router, {.authenticator = &authn, ...}));
//
// Borrows everything. Thread-safety: the handlers may run concurrently.

#include "auth/authenticator.h"
#include "auth/oauth.h"
#include "auth/session.h"
#include "core/env.h"
#include "http/router.h"
#include "policy/policy.h"

namespace mamori::http {

struct AuthRouteParts {
  auth::Authenticator* authenticator = nullptr;
  auth::SessionTable* sessions = nullptr;
  auth::TokenService* tokens = nullptr;
  policy::EmergencyAccess* emergency = nullptr;
  const policy::Policy* policy = nullptr;
};

core::Status RegisterAuthRoutes(Router& router, AuthRouteParts parts, core::Env& env);

}  // namespace mamori::http
