// SPDX-License-Identifier: Apache-2.0
#include "http/auth_gate.h"

#include "core/form_decode.h"
#include "fhir/definitions.h"
#include "http/audit.h"
#include "http/operation_outcome.h"

namespace mamori::http {
namespace {

using policy::Action;

struct PublicRoute {
  std::string_view method;
  std::string_view pattern;
};
constexpr PublicRoute kPublicRoutes[] = {{"GET", "/healthz"},
                                         {"GET", "/fhir/metadata"},
                                         {"POST", "/auth/login"},
                                         {"POST", "/oauth2/token"},
                                         // A CRL distribution point must be fetchable by
                                         // any TLS peer; it names serial numbers only.
                                         {"GET", "/pki/ca.crl"}};

bool IsSafeMethod(std::string_view method) { return method == "GET" || method == "HEAD"; }

Response Unauthenticated(const std::string& reason) {
  Response r = OperationOutcomeResponse(
      401, IssueCode::kLogin,
      "authentication required: log in at /auth/login (people) or get a token at /oauth2/token "
      "(systems)");
  r.headers.Set("WWW-Authenticate", "Bearer realm=\"mamori\"");
  (void)reason;
  return r;
}

std::string BearerToken(const Request& request) {
  std::string_view value = request.headers.Get("Authorization").value_or("");
  constexpr std::string_view kBearer = "Bearer ";
  if (value.size() <= kBearer.size()) return "";
  for (size_t i = 0; i < kBearer.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(value[i])) !=
        std::tolower(static_cast<unsigned char>(kBearer[i]))) {
      return "";
    }
  }
  return std::string(value.substr(kBearer.size()));
}

// The action and resource type a FHIR or audit route performs.
struct RouteAction {
  Action action = Action::kRead;
  std::string type;
  bool self_service = false;  // /auth/* for any authenticated caller
};

RouteAction ActionFor(std::string_view method, std::string_view pattern, const PathParams& params) {
  std::string type(params.Get("type"));
  if (pattern.starts_with("/audit/") || pattern.starts_with("/fhir/AuditEvent")) {
    return {Action::kAuditRead, "AuditEvent"};
  }
  if (pattern.starts_with("/admin/")) return {Action::kAdministration, ""};
  if (pattern == "/auth/password") return {Action::kChangePassword, ""};
  if (pattern.starts_with("/auth/")) return {Action::kChangePassword, "", true};
  if (pattern == "/fhir/Patient/{id}/{compartment_type}") {
    return {Action::kSearch, std::string(params.Get("compartment_type"))};
  }
  if (pattern.find("/$export") != std::string_view::npos) return {Action::kExport, "*"};
  if (pattern.starts_with("/fhir/Patient/{id}/_history")) return {Action::kHistory, "Patient"};
  // Every type of the patient's compartment: the role must read "*" (and,
  // through the route's {id}, have a care relation with that patient).
  if (pattern == "/fhir/Patient/{id}/$everything") return {Action::kSearch, "*"};
  if (pattern == "/fhir") return {method == "GET" ? Action::kSearch : Action::kCreate, "*"};
  if (pattern == "/fhir/_history") return {Action::kHistory, "*"};
  if (pattern.ends_with("/_history/{vid}")) return {Action::kRead, type};
  if (pattern.ends_with("/_history")) return {Action::kHistory, type};
  if (pattern.ends_with("/_search")) return {Action::kSearch, type};
  if (method == "POST") return {Action::kCreate, type};
  if (method == "PUT") return {Action::kUpdate, type};
  if (method == "DELETE") return {Action::kDelete, type};
  if (pattern == "/fhir/{type}") return {Action::kSearch, type};
  return {Action::kRead, type};
}

// The patient a search names through one of its type's patient-compartment
// parameters (patient=X, subject=Patient/X, ...), or "" when it names none.
std::string SearchedPatient(const std::string& type, const Request& request) {
  std::vector<std::pair<std::string, std::string>> params = core::SplitFormQuery(request.query);
  std::string_view content_type = request.headers.Get("Content-Type").value_or("");
  if (content_type.starts_with("application/x-www-form-urlencoded")) {
    for (auto& p : core::SplitFormQuery(request.body)) params.push_back(std::move(p));
  }
  const auto& compartment = fhir::Definitions::R4().PatientCompartmentParams(type);
  for (const auto& [name, value] : params) {
    // `patient` is the usual parameter even where the compartment is defined
    // through another one (Observation: subject, performer).
    bool names_patient = name == "patient" || std::find(compartment.begin(), compartment.end(),
                                                        name) != compartment.end();
    if (!names_patient) continue;
    std::string_view v = value;
    if (v.starts_with("Patient/")) {
      v.remove_prefix(8);
    } else if (name != "patient") {
      continue;  // a bare id on subject could name a Group or Device of that id
    }
    if (!v.empty() && v.find_first_of(",/|") == std::string_view::npos) return std::string(v);
  }
  return "";
}

// Types whose search spans patients' clinical records. Patient itself is
// left out: finding a patient by name or identifier (the patient index) is
// how care starts, and reading that patient's records is checked after.
bool InPatientCompartment(const std::string& type) {
  if (type == "Patient") return false;
  return type == "*" || !fhir::Definitions::R4().PatientCompartmentParams(type).empty();
}

// Bulk Data export (issue 5; docs/SECURITY.md "Bulk Data export"): system
// clients only, since a cross-patient export cannot be held to a care
// relation; at kick-off every exported type (each of _type, else "*") must be
// within the client's scopes (policy: export needs read). Status, cancel and
// download need only a system client: the job belongs to the one that
// started it (fhir::ExportJobs). Returns the reason to refuse, or nothing.
std::optional<std::string> ExportRefusal(const policy::Policy& policy,
                                         const policy::AccessRequest& base,
                                         std::string_view pattern, const Request& request,
                                         policy::CareRelations& care,
                                         policy::EmergencyAccess& emergency) {
  if (base.principal->role != auth::Role::kSystem) {
    return "Bulk Data export is for system clients (OAuth client credentials) with read scopes "
           "on the exported types; operators use mamori export (SYS-46)";
  }
  std::vector<std::string> types;
  if (pattern.ends_with("/$export")) {
    for (const auto& [name, value] : core::SplitFormQuery(request.query)) {
      if (name != "_type") continue;
      for (size_t start = 0; start <= value.size();) {
        size_t comma = std::min(value.find(',', start), value.size());
        if (comma > start) types.push_back(value.substr(start, comma - start));
        start = comma + 1;
      }
    }
    if (types.empty()) types.push_back("*");
  }
  // Status, cancel and download: the job's owner (checked by the handler),
  // whose kick-off passed the zone, certificate and scope rules.
  for (const std::string& type : types) {
    policy::AccessRequest access = base;
    access.resource_type = type;
    policy::Decision d = policy.Decide(access, care, emergency);
    if (!d.allowed) return d.reason;
  }
  return std::nullopt;
}

bool RoleNeedsCareRelation(const policy::Policy& policy, auth::Role role) {
  for (const policy::RoleRule& rule : policy.roles()) {
    if (rule.role == role) return rule.care_relation;
  }
  return false;
}

}  // namespace

std::string SessionCookie(const Request& request) {
  std::string_view cookies = request.headers.Get("Cookie").value_or("");
  std::string prefix = std::string(kSessionCookie) + "=";
  size_t at = 0;
  while (at < cookies.size()) {
    while (at < cookies.size() && (cookies[at] == ' ' || cookies[at] == ';')) ++at;
    size_t end = cookies.find(';', at);
    if (end == std::string_view::npos) end = cookies.size();
    std::string_view pair = cookies.substr(at, end - at);
    if (pair.starts_with(prefix)) return std::string(pair.substr(prefix.size()));
    at = end;
  }
  return "";
}

bool AuthGate::IsPublic(std::string_view method, std::string_view pattern) {
  for (const PublicRoute& r : kPublicRoutes) {
    if (r.method == method && r.pattern == pattern) return true;
  }
  return false;
}

core::Result<std::shared_ptr<Caller>> AuthGate::Authenticate(const Request& request) const {
  auto caller = std::make_shared<Caller>();
  std::string fingerprint =
      request.client_certificate ? request.client_certificate->sha256_fingerprint : "";
  caller->token = BearerToken(request);
  if (caller->token.empty()) {
    caller->token = SessionCookie(request);
    caller->via_cookie = !caller->token.empty();
  }
  if (caller->token.empty()) return core::UnauthenticatedError("no credentials");
  auto session = parts_.sessions->Authenticate(caller->token, fingerprint);
  if (session.ok()) {
    caller->principal = *std::move(session);
    if (caller->via_cookie && !IsSafeMethod(request.method)) {
      std::string_view csrf = request.headers.Get("X-CSRF-Token").value_or("");
      if (!parts_.sessions->CheckCsrf(caller->token, csrf)) {
        return core::UnauthenticatedError("missing or wrong X-CSRF-Token");
      }
    }
    return caller;
  }
  if (caller->via_cookie) return session.status();
  auto system = parts_.tokens->Authenticate(caller->token, fingerprint);
  if (!system.ok()) return session.status();
  caller->principal = std::move(system->principal);
  caller->scopes = std::move(system->scopes);
  return caller;
}

policy::AccessRequest AuthGate::Describe(const Request& request, policy::Action action,
                                         const std::string& type, std::string_view pattern,
                                         const PathParams& params, const Caller& caller) const {
  const RouteAction route{action, type};
  policy::AccessRequest access{.principal = &caller.principal,
                               .action = route.action,
                               .resource_type = route.type,
                               .source_address = request.remote_address,
                               .client_certificate = request.client_certificate.has_value(),
                               .scopes = caller.scopes,
                               .now = env_.clock().Now()};
  std::string_view id = params.Get("id");
  bool patient_route =
      pattern.starts_with("/fhir/Patient/{id}") || (params.Get("type") == "Patient" && !id.empty());
  if (patient_route && !id.empty()) {
    access.patients = {std::string(id)};
  } else if (route.action == Action::kSearch && route.type != "*" && id.empty()) {
    // A search names its patient through a compartment parameter.
    std::string patient = SearchedPatient(route.type, request);
    if (!patient.empty()) access.patients = {patient};
  } else if (!id.empty() && parts_.patients_of && route.action != Action::kAuditRead) {
    // Another resource by id: its patient decides the care relation. A
    // resource that cannot be read is left to the handler (404, 410, 503).
    auto patients = parts_.patients_of(std::string(params.Get("type")), std::string(id));
    if (patients.ok()) access.patients = *std::move(patients);
  }
  // A create or update also concerns the patient its new body names.
  bool writes_body = route.action == Action::kCreate || route.action == Action::kUpdate;
  if (writes_body && parts_.patients_of_body && route.type != "*") {
    for (std::string& p : parts_.patients_of_body(route.type, request.body)) {
      if (std::find(access.patients.begin(), access.patients.end(), p) == access.patients.end()) {
        access.patients.push_back(std::move(p));
      }
    }
  }
  return access;
}

std::optional<Response> AuthGate::Check(const Request& request, std::string_view method,
                                        std::string_view pattern, PathParams& params) const {
  if (IsPublic(method, pattern)) return std::nullopt;
  AuditScope* audit = params.audit();
  auto caller = Authenticate(request);
  if (!caller.ok()) {
    if (audit != nullptr) audit->event().reason = "unauthenticated: " + caller.status().message();
    return Unauthenticated(caller.status().message());
  }
  const auth::Principal& who = (*caller)->principal;
  if (audit != nullptr) {
    audit->event().user = who.login_id;
    audit->event().role = std::string(auth::RoleName(who.role));
  }
  params.set_caller(*caller);
  if (pattern.empty()) return std::nullopt;  // unknown path: the router's 404/405
  RouteAction route = ActionFor(method, pattern, params);
  if (route.self_service) return std::nullopt;
  if (route.action == Action::kExport) {
    policy::AccessRequest base{.principal = &who,
                               .action = Action::kExport,
                               .resource_type = "*",
                               .source_address = request.remote_address,
                               .client_certificate = request.client_certificate.has_value(),
                               .scopes = (*caller)->scopes,
                               .now = env_.clock().Now()};
    std::optional<std::string> refused =
        ExportRefusal(*parts_.policy, base, pattern, request, *parts_.care, *parts_.emergency);
    if (!refused) return std::nullopt;
    if (audit != nullptr) audit->event().reason = "forbidden: " + *refused;
    return OperationOutcomeResponse(403, IssueCode::kForbidden, *refused);
  }
  policy::AccessRequest access =
      Describe(request, route.action, route.type, pattern, params, **caller);
  // A search across patients cannot be checked against a care relation:
  // roles that need one must name the patient (SYS-46).
  bool cross_patient_search = route.action == Action::kSearch && access.patients.empty() &&
                              InPatientCompartment(route.type) &&
                              RoleNeedsCareRelation(*parts_.policy, who.role);
  if (cross_patient_search) {
    std::string reason =
        "a search of " + route.type +
        " must name the patient (patient=...) so that the care relation can be checked (SYS-46)";
    if (audit != nullptr) audit->event().reason = "forbidden: " + reason;
    return OperationOutcomeResponse(403, IssueCode::kForbidden, reason);
  }
  policy::Decision decision = parts_.policy->Decide(access, *parts_.care, *parts_.emergency);
  if (audit != nullptr) {
    audit->event().emergency = decision.emergency;
    if (!decision.allowed) audit->event().reason = "forbidden: " + decision.reason;
    if (!access.patients.empty()) audit->event().patients = access.patients;
  }
  if (decision.allowed) return std::nullopt;
  return OperationOutcomeResponse(403, IssueCode::kForbidden, decision.reason);
}

}  // namespace mamori::http
