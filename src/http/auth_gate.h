// SPDX-License-Identifier: Apache-2.0
#pragma once

// http::AuthGate: every request is authenticated and authorized on its own
// (DESIGN invariant 1, zero trust; GUIDELINE SYS-41 to SYS-46, SYS-09,
// SYS-21). Only GET /healthz, GET /fhir/metadata, POST /auth/login and POST
// /oauth2/token answer without credentials; everything else, unknown paths
// included, gets 401 without a valid bearer token or session cookie (cookie
// requests that change something also need the X-CSRF-Token header). A
// caller who is authenticated gets the policy's decision: 403 with the
// reason when denied. Both are audited: the request's audit event carries
// the user, role, the decision's reason and the break-glass flag.
//
// Credentials: `Authorization: Bearer <token>` with a session token from
// /auth/login (people) or an access token from /oauth2/token (systems; bound
// to the client certificate for mutual TLS clients), or the console's
// `mamori_session` cookie.
//
// The patient concerned comes from the route for Patient/{id}, its history
// and its compartment, and from the stored resource for reads, updates and
// deletes of other resources by id (`patients_of`). Searches of other types
// are checked against the role only (README "Status").
//
//   http::AuthGate gate({.sessions = &sessions, .tokens = &tokens, .policy = &policy,
//                        .care = &care, .emergency = &emergency}, env);
//   router.SetGate(&gate);
//
// Thread-safety: Check may run on many threads; the borrowed parts are
// thread-safe.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/oauth.h"
#include "auth/scope.h"
#include "auth/session.h"
#include "core/env.h"
#include "http/router.h"
#include "policy/policy.h"

namespace mamori::http {

// The authenticated caller of one request (PathParams::caller()).
struct Caller {
  auth::Principal principal;
  std::vector<auth::Scope> scopes;  // systems only
  std::string token;                // as presented (to revoke on logout)
  bool via_cookie = false;
};

struct AuthGateParts {
  auth::SessionTable* sessions = nullptr;
  auth::TokenService* tokens = nullptr;
  const policy::Policy* policy = nullptr;
  policy::CareRelations* care = nullptr;
  policy::EmergencyAccess* emergency = nullptr;
  // The patients whose records type/id belongs to (fhir::PatientsOfResource);
  // unset: only the route names patients.
  std::function<core::Result<std::vector<std::string>>(const std::string&, const std::string&)>
      patients_of;
  // The patients a submitted body names (fhir::PatientsOfBody), for creates
  // and updates; unset: bodies are not looked at.
  std::function<std::vector<std::string>(const std::string&, std::string_view)> patients_of_body;
};

class AuthGate final : public AccessGate {
 public:
  AuthGate(AuthGateParts parts, core::Env& env) : parts_(parts), env_(env) {}

  std::optional<Response> Check(const Request& request, std::string_view method,
                                std::string_view pattern, PathParams& params) const override;

  // The routes that answer without credentials.
  static bool IsPublic(std::string_view method, std::string_view pattern);

 private:
  core::Result<std::shared_ptr<Caller>> Authenticate(const Request& request) const;
  // The policy question for a route whose action and type are known.
  policy::AccessRequest Describe(const Request& request, policy::Action action,
                                 const std::string& type, std::string_view pattern,
                                 const PathParams& params, const Caller& caller) const;

  AuthGateParts parts_;
  core::Env& env_;
};

// The value of the session cookie in a Cookie header, or "".
std::string SessionCookie(const Request& request);
inline constexpr char kSessionCookie[] = "mamori_session";

}  // namespace mamori::http
