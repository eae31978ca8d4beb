// SPDX-License-Identifier: Apache-2.0
#include "http/auth_routes.h"

#include <chrono>

#include <boost/json.hpp>

#include "core/form_decode.h"
#include "http/audit.h"
#include "http/auth_gate.h"
#include "http/operation_outcome.h"

namespace mamori::http {
namespace {

namespace json = boost::json;

Response Json(int status, const json::object& body) {
  Response r;
  r.status = status;
  r.content_type = "application/json";
  r.body = json::serialize(body);
  r.headers.Set("Cache-Control", "no-store");
  return r;
}

// The fields of a JSON object or a form body, as strings.
std::map<std::string, std::string> Fields(const Request& request) {
  std::map<std::string, std::string> out;
  std::string_view type = request.headers.Get("Content-Type").value_or("");
  if (type.starts_with("application/x-www-form-urlencoded")) {
    for (auto& [k, v] : core::SplitFormQuery(request.body)) out.emplace(k, v);
    return out;
  }
  boost::system::error_code ec;
  json::value v = json::parse(request.body, ec);
  if (ec || !v.is_object()) return out;
  for (const auto& [k, value] : v.as_object()) {
    if (value.is_string()) out.emplace(std::string(k), std::string(value.as_string()));
  }
  return out;
}

std::string Field(const std::map<std::string, std::string>& fields, const char* name) {
  auto it = fields.find(name);
  return it == fields.end() ? "" : it->second;
}

std::string SessionCookieHeader(const std::string& token, std::chrono::seconds max_age) {
  return std::string(kSessionCookie) + "=" + token +
         "; Path=/; Max-Age=" + std::to_string(max_age.count()) +
         "; Secure; HttpOnly; SameSite=Strict";
}

Response Login(AuthRouteParts parts, core::Env& env, const Request& request,
               const PathParams& params) {
  auto fields = Fields(request);
  std::string username = Field(fields, "username");
  std::string why;
  auto login = parts.authenticator->Login(
      {.login_id = username,
       .password = Field(fields, "password"),
       .second_factor = Field(fields, "totp"),
       .source = request.remote_address,
       .binding = request.client_certificate ? request.client_certificate->sha256_fingerprint : ""},
      &why);
  if (AuditScope* audit = params.audit(); audit != nullptr) {
    audit->event().user = username.size() <= 64 ? username : username.substr(0, 64);
    audit->event().action = "login";
    if (!login.ok()) audit->event().reason = "login failed: " + why;
  }
  if (!login.ok()) {
    if (login.status().code() != core::StatusCode::kUnauthenticated) {
      return OperationOutcomeResponse(503, IssueCode::kTransient,
                                      "login is unavailable; try again later");
    }
    return OperationOutcomeResponse(401, IssueCode::kLogin, auth::kLoginFailedMessage);
  }
  if (AuditScope* audit = params.audit(); audit != nullptr) {
    audit->event().role = std::string(auth::RoleName(login->principal.role));
  }
  auto lifetime = std::chrono::duration_cast<std::chrono::seconds>(login->session.expires_at -
                                                                   env.clock().Now());
  Response r = Json(200, {{"access_token", login->session.token},
                          {"token_type", "Bearer"},
                          {"expires_in", lifetime.count()},
                          {"csrf_token", login->session.csrf_token},
                          {"role", auth::RoleName(login->principal.role)},
                          {"must_change_password", login->principal.must_change_password}});
  r.headers.Add("Set-Cookie", SessionCookieHeader(login->session.token, lifetime));
  return r;
}

Response Logout(AuthRouteParts parts, const Request&, const PathParams& params) {
  if (params.caller() != nullptr) parts.sessions->Revoke(params.caller()->token);
  if (AuditScope* audit = params.audit(); audit != nullptr) audit->event().action = "logout";
  Response r;
  r.status = 204;
  r.headers.Add("Set-Cookie", SessionCookieHeader("", std::chrono::seconds(0)));
  return r;
}

Response ChangePassword(AuthRouteParts parts, const Request& request, const PathParams& params) {
  const Caller* caller = params.caller();
  if (caller == nullptr || caller->principal.role == auth::Role::kSystem) {
    return OperationOutcomeResponse(403, IssueCode::kForbidden, "only people have passwords");
  }
  auto fields = Fields(request);
  core::Status s = parts.authenticator->ChangePassword(
      caller->principal.account_id, Field(fields, "current"), Field(fields, "new"));
  if (s.code() == core::StatusCode::kInvalidArgument) {
    return OperationOutcomeResponse(400, IssueCode::kInvalid, s.message());
  }
  if (s.code() == core::StatusCode::kUnauthenticated) {
    return OperationOutcomeResponse(401, IssueCode::kLogin, "the current password is wrong");
  }
  if (!s.ok()) {
    return OperationOutcomeResponse(503, IssueCode::kTransient, "try again later");
  }
  Response r;
  r.status = 204;
  return r;
}

Response BreakGlass(AuthRouteParts parts, core::Env& env, const Request& request,
                    const PathParams& params) {
  const Caller* caller = params.caller();
  if (caller == nullptr || caller->principal.role == auth::Role::kSystem) {
    return OperationOutcomeResponse(403, IssueCode::kForbidden, "break-glass is for people");
  }
  auto fields = Fields(request);
  std::string patient = Field(fields, "patient");
  auto grant = parts.emergency->Begin(caller->principal, patient, Field(fields, "reason"),
                                      env.clock().Now(), parts.policy->break_glass_duration());
  if (AuditScope* audit = params.audit(); audit != nullptr) {
    audit->event().action = "break-glass";
    audit->event().emergency = grant.ok();
    if (grant.ok()) audit->event().patients = {patient};
  }
  if (!grant.ok())
    return OperationOutcomeResponse(400, IssueCode::kInvalid, grant.status().message());
  return Json(201, {{"id", grant->id},
                    {"patient", patient},
                    {"expires", core::FormatRfc3339(grant->expires)},
                    {"note", "every access under this grant is flagged and reviewed (SYS-21)"}});
}

// The auditor's review queue of break-glass uses (SYS-21).
Response PendingReviews(AuthRouteParts parts) {
  json::array grants;
  for (const policy::EmergencyGrant& g : parts.emergency->PendingReview()) {
    grants.push_back(json::object{{"id", g.id},
                                  {"user", g.login_id},
                                  {"patient", g.patient_id},
                                  {"reason", g.reason},
                                  {"started", core::FormatRfc3339(g.started)},
                                  {"expires", core::FormatRfc3339(g.expires)}});
  }
  return Json(200, {{"pending", grants}});
}

Response CloseReview(AuthRouteParts parts, core::Env& env, const Request& request,
                     const PathParams& params) {
  const Caller* caller = params.caller();
  if (caller == nullptr) return OperationOutcomeResponse(401, IssueCode::kLogin, "log in first");
  auto fields = Fields(request);
  core::Status s = parts.emergency->CloseReview(params.Get("id"), caller->principal.login_id,
                                                Field(fields, "note"), env.clock().Now());
  if (s.code() == core::StatusCode::kNotFound) {
    return OperationOutcomeResponse(404, IssueCode::kNotFound, "no such break-glass grant");
  }
  if (!s.ok()) return OperationOutcomeResponse(400, IssueCode::kInvalid, s.message());
  Response r;
  r.status = 204;
  return r;
}

Response Token(AuthRouteParts parts, const Request& request, const PathParams& params) {
  std::string_view type = request.headers.Get("Content-Type").value_or("");
  if (!type.starts_with("application/x-www-form-urlencoded")) {
    return Json(400, {{"error", "invalid_request"},
                      {"error_description", "use application/x-www-form-urlencoded"}});
  }
  auth::TokenRequest token_request{
      .form = core::SplitFormQuery(request.body),
      .client_cert_sha256 =
          request.client_certificate ? request.client_certificate->sha256_fingerprint : "",
      .token_url = "https://" + std::string(request.headers.Get("Host").value_or("localhost")) +
                   "/oauth2/token"};
  std::string why;
  auto issued = parts.tokens->Issue(token_request, &why);
  if (AuditScope* audit = params.audit(); audit != nullptr) {
    audit->event().action = "token";
    for (const auto& [k, v] : token_request.form) {
      if (k == "client_id") audit->event().user = v.substr(0, 64);
    }
    if (!issued.ok()) audit->event().reason = why;
  }
  if (!issued.ok()) {
    std::string message(issued.status().message());
    size_t colon = message.find(':');
    std::string error = colon == std::string::npos ? "invalid_request" : message.substr(0, colon);
    std::string description = colon == std::string::npos ? message : message.substr(colon + 2);
    int status = issued.status().code() == core::StatusCode::kUnauthenticated ? 401 : 400;
    return Json(status, {{"error", error}, {"error_description", description}});
  }
  return Json(200, {{"access_token", issued->access_token},
                    {"token_type", "Bearer"},
                    {"expires_in", issued->expires_in.count()},
                    {"scope", issued->scope}});
}

}  // namespace

core::Status RegisterAuthRoutes(Router& router, AuthRouteParts parts, core::Env& env) {
  MAMORI_RETURN_IF_ERROR(router.Add(
      "POST", "/auth/login",
      [parts, &env](const Request& r, const PathParams& p) { return Login(parts, env, r, p); }));
  MAMORI_RETURN_IF_ERROR(
      router.Add("POST", "/auth/logout",
                 [parts](const Request& r, const PathParams& p) { return Logout(parts, r, p); }));
  MAMORI_RETURN_IF_ERROR(router.Add(
      "POST", "/auth/password",
      [parts](const Request& r, const PathParams& p) { return ChangePassword(parts, r, p); }));
  MAMORI_RETURN_IF_ERROR(
      router.Add("POST", "/auth/break-glass", [parts, &env](const Request& r, const PathParams& p) {
        return BreakGlass(parts, env, r, p);
      }));
  MAMORI_RETURN_IF_ERROR(
      router.Add("GET", "/audit/break-glass",
                 [parts](const Request&, const PathParams&) { return PendingReviews(parts); }));
  MAMORI_RETURN_IF_ERROR(router.Add("POST", "/audit/break-glass/{id}/review",
                                    [parts, &env](const Request& r, const PathParams& p) {
                                      return CloseReview(parts, env, r, p);
                                    }));
  return router.Add("POST", "/oauth2/token",
                    [parts](const Request& r, const PathParams& p) { return Token(parts, r, p); });
}

}  // namespace mamori::http
