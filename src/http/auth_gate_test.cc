// SPDX-License-Identifier: Apache-2.0
// Identity and access on the route table serve builds (issue 7; DESIGN
// invariants 1 and 3; GUIDELINE SYS-46, SYS-21, SYS-44, SYS-09):
//  - no route but the public ones answers an unauthenticated caller: the whole
//    table is walked, and each refusal is one audit event (401, reason);
//  - a nurse without a care relation gets 403 with the reason, audited; with
//    break-glass and a reason she gets 200, the event is flagged, and the
//    grant waits in the review queue; a care relation through an Encounter of
//    her department is enough on its own;
//  - a session cookie alone cannot change anything without the CSRF token;
//  - a system's certificate-bound token works only over its certificate and
//    only within its scopes.
#include "http/auth_gate.h"

#include <chrono>
#include <regex>
#include <set>
#include <thread>

#include <boost/json.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "auth/authenticator.h"
#include "auth/store_accounts.h"
#include "core/testing/status_matchers.h"
#include "core/testing/temp_dir.h"
#include "fhir/care_relations.h"
#include "fhir/rest_api.h"
#include "http/audit.h"
#include "http/auth_routes.h"
#include "http/export_routes.h"
#include "http/fhir_routes.h"

namespace mamori::http {
namespace {

using core::testing::IsOk;
using ::testing::HasSubstr;

constexpr char kCert[] = "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc";

class AuthGateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = store::OpenStore({.path = core::testing::MakeTempDir() + "/m.db", .kek = &kek_}, env_);
    ASSERT_THAT(s, IsOk());
    store_ = std::move(*s);
    api_ = std::make_unique<fhir::RestApi>(*store_, env_);
    accounts_ = std::make_unique<auth::StoreAccountStore>(*store_);
    clients_ = std::make_unique<auth::StoreClientStore>(*store_);
    auto checker = auth::PasswordChecker::Load({});
    ASSERT_THAT(checker, IsOk());
    checker_ = std::make_unique<auth::PasswordChecker>(std::move(*checker));
    tokens_ = std::make_unique<auth::TokenService>(*clients_, env_.clock(), env_.random());
    authn_ = std::make_unique<auth::Authenticator>(
        *accounts_, *checker_, throttle_, sessions_, secrets_, env_,
        auth::AuthOptions{
            .password_params = {.memory_kib = 64, .iterations = 1, .parallelism = 1}});
    auto parsed = policy::Policy::Parse(policy::DefaultPolicyToml());
    ASSERT_THAT(parsed, IsOk());
    policy_ = std::make_unique<policy::Policy>(std::move(*parsed));
    care_ = std::make_unique<fhir::EncounterCareRelations>(*api_);
    ASSERT_THAT(RegisterHealthRoutes(router_), IsOk());
    ASSERT_THAT(RegisterFhirRoutes(router_, *api_), IsOk());
    ASSERT_THAT(RegisterAuditRoutes(router_, *store_), IsOk());
    exports_ = std::make_unique<fhir::ExportJobs>(*store_, env_);
    ASSERT_THAT(RegisterExportRoutes(router_, *exports_, *store_, env_), IsOk());
    ASSERT_THAT(RegisterAuthRoutes(router_,
                                   {.authenticator = authn_.get(),
                                    .sessions = &sessions_,
                                    .tokens = tokens_.get(),
                                    .emergency = &emergency_,
                                    .policy = policy_.get()},
                                   env_),
                IsOk());
    gate_ = std::make_unique<AuthGate>(
        AuthGateParts{.sessions = &sessions_,
                      .tokens = tokens_.get(),
                      .policy = policy_.get(),
                      .care = care_.get(),
                      .emergency = &emergency_,
                      .patients_of =
                          [this](const std::string& type, const std::string& id) {
                            return fhir::PatientsOfResource(*store_, type, id);
                          },
                      .patients_of_body = fhir::PatientsOfBody},
        env_);
    router_.SetGate(gate_.get());
    auditor_ = std::make_unique<RequestAuditor>(*store_, env_);
  }

  Response Send(const std::string& method, const std::string& target, std::string body = "",
                std::vector<std::pair<std::string, std::string>> headers = {},
                std::optional<ClientCertificate> cert = std::nullopt) {
    Request r;
    r.method = method;
    r.target = target;
    SplitTarget(target, r.path, r.query);
    r.body = std::move(body);
    r.headers.Add("Content-Type", "application/json");
    r.headers.Add("Host", "mamori.test");
    for (auto& [k, v] : headers) r.headers.Set(k, v);
    r.remote_address = "192.168.10.24";  // clinic LAN
    r.client_certificate = std::move(cert);
    r.request_id = "req" + std::to_string(++requests_);
    return auditor_->Handle(router_, r);
  }

  boost::json::object LastEvent() { return EventBefore(store_->AuditTreeSize()); }
  boost::json::object EventBefore(uint64_t end) {
    auto leaves = store_->AuditLeaves(end - 1, end);
    auto json = store_->OpenAuditLeaf((*leaves)[0]);
    return boost::json::parse(*json).as_object();
  }
  // The newest event of `action`: a background job (a Bulk Data plan) may
  // append its own event before the request that started it is recorded.
  boost::json::object LastEventOf(std::string_view action) {
    for (uint64_t end = store_->AuditTreeSize(); end > 0; --end) {
      boost::json::object e = EventBefore(end);
      if (e.at("action").as_string() == action) return e;
    }
    return {};
  }

  // A person with a role, logged in through /auth/login with a recovery code.
  std::string LoginAs(const std::string& login, auth::Role role,
                      std::vector<std::string> departments = {}) {
    auto account =
        authn_->CreateAccount({.login_id = login,
                               .display_name = login,
                               .role = role,
                               .departments = std::move(departments),
                               .requested_by = "head",
                               .approved_by = "admin",
                               .initial_password = "Shoki#Pass-4821x",
                               .proofing = auth::IdentityProofing{.method = "in-person-photo-id",
                                                                  .verified_by = "admin"}});
    EXPECT_THAT(account, IsOk());
    auto codes = authn_->IssueRecoveryCodes(account->account_id);
    std::string body = R"({"username":")" + login + R"(","password":"Shoki#Pass-4821x","totp":")" +
                       (*codes)[0] + R"("})";
    Response first = Send("POST", "/auth/login", body);
    EXPECT_EQ(first.status, 200) << first.body;
    std::string token(boost::json::parse(first.body).at("access_token").as_string());
    Response changed = Send("POST", "/auth/password",
                            R"({"current":"Shoki#Pass-4821x","new":"Kitsune-sora-9-umi"})",
                            {{"Authorization", "Bearer " + token}});
    EXPECT_EQ(changed.status, 204) << changed.body;
    Response second =
        Send("POST", "/auth/login",
             R"({"username":")" + login + R"(","password":"Kitsune-sora-9-umi","totp":")" +
                 (*codes)[1] + R"("})");
    EXPECT_EQ(second.status, 200) << second.body;
    csrf_ = std::string(boost::json::parse(second.body).at("csrf_token").as_string());
    return std::string(boost::json::parse(second.body).at("access_token").as_string());
  }

  void PutAsSystem(const std::string& path, const std::string& json) {
    auto s = store_->Write([&](store::Transaction&) { return core::Status::Ok(); });
    (void)s;
    fhir::RestRequest req{.base_url = "https://h/fhir", .body = json};
    size_t slash = path.find('/');
    auto r = api_->Update(path.substr(0, slash), path.substr(slash + 1), req);
    ASSERT_LT(r.status, 300) << r.body;
  }

  core::Env env_ = core::Env::Real();
  crypto::AeadKey kek_ = crypto::AeadKey::Generate(env_.random());
  crypto::AeadKey secrets_ = crypto::AeadKey::Generate(env_.random());
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<fhir::RestApi> api_;
  std::unique_ptr<auth::StoreAccountStore> accounts_;
  std::unique_ptr<auth::StoreClientStore> clients_;
  std::unique_ptr<auth::PasswordChecker> checker_;
  auth::LoginThrottle throttle_{env_.clock()};
  auth::SessionTable sessions_{env_.clock(), env_.random()};
  std::unique_ptr<auth::TokenService> tokens_;
  std::unique_ptr<auth::Authenticator> authn_;
  std::unique_ptr<policy::Policy> policy_;
  std::unique_ptr<fhir::EncounterCareRelations> care_;
  policy::EmergencyAccess emergency_;
  Router router_;
  std::unique_ptr<AuthGate> gate_;
  std::unique_ptr<RequestAuditor> auditor_;
  std::unique_ptr<fhir::ExportJobs> exports_;
  std::string csrf_;
  int requests_ = 0;
};

// Issue 7: "No route but /healthz, /fhir/metadata, /auth/login and
// /oauth2/token answers an unauthenticated caller: a test walks the whole
// route table." (The CRL is public too: TLS peers fetch it without credentials.)
TEST_F(AuthGateTest, NoRouteButThePublicOnesAnswersAnUnauthenticatedCaller) {
  std::regex capture("\\{[a-z_]+\\}");
  int walked = 0;
  for (const RouteInfo& route : router_.Routes()) {
    std::string target = std::regex_replace(route.pattern, capture, "Patient");
    uint64_t before = store_->AuditTreeSize();
    Response r = Send(route.method, target, "{}");
    bool is_public = AuthGate::IsPublic(route.method, route.pattern);
    if (is_public) {
      // Answered by the route itself (a login with wrong credentials is its own 401).
      EXPECT_FALSE(r.headers.Get("WWW-Authenticate").has_value())
          << route.method << " " << route.pattern;
    } else {
      EXPECT_EQ(r.status, 401) << route.method << " " << route.pattern << ": " << r.body;
      EXPECT_EQ(r.headers.Get("WWW-Authenticate").value_or(""), "Bearer realm=\"mamori\"");
      ASSERT_EQ(store_->AuditTreeSize(), before + 1) << "one audit event per refusal";
      boost::json::object e = LastEvent();
      EXPECT_EQ(e.at("status").as_int64(), 401);
      EXPECT_THAT(std::string(e.at("reason").as_string()), HasSubstr("unauthenticated"));
    }
    ++walked;
  }
  EXPECT_GE(walked, 20);
  // An unknown path is not an oracle either.
  EXPECT_EQ(Send("GET", "/no/such/path").status, 401);
  // A forged token is no better than none.
  EXPECT_EQ(Send("GET", "/fhir/Patient/p1", "", {{"Authorization", "Bearer abc"}}).status, 401);
}

TEST_F(AuthGateTest, ANurseWithoutCareRelationGets403ThenBreakGlassGets200Flagged) {
  PutAsSystem("Patient/p7", R"({"resourceType":"Patient","id":"p7"})");
  std::string token = LoginAs("h.sato", auth::Role::kNurse, {"internal-medicine"});
  std::vector<std::pair<std::string, std::string>> bearer = {{"Authorization", "Bearer " + token}};

  Response denied = Send("GET", "/fhir/Patient/p7", "", bearer);
  EXPECT_EQ(denied.status, 403);
  EXPECT_THAT(denied.body, HasSubstr("no care relation"));
  boost::json::object e = LastEvent();
  EXPECT_EQ(e.at("user").as_string(), "h.sato");
  EXPECT_EQ(e.at("role").as_string(), "nurse");
  EXPECT_THAT(std::string(e.at("reason").as_string()), HasSubstr("no care relation"));
  EXPECT_FALSE(e.at("emergency").as_bool());

  EXPECT_EQ(Send("POST", "/auth/break-glass", R"({"patient":"p7","reason":""})", bearer).status,
            400);  // a reason is required (SYS-21)
  Response glass = Send("POST", "/auth/break-glass",
                        R"({"patient":"p7","reason":"unconscious patient in ER"})", bearer);
  EXPECT_EQ(glass.status, 201) << glass.body;
  EXPECT_TRUE(LastEvent().at("emergency").as_bool());

  Response allowed = Send("GET", "/fhir/Patient/p7", "", bearer);
  EXPECT_EQ(allowed.status, 200) << allowed.body;
  boost::json::object flagged = LastEvent();
  EXPECT_TRUE(flagged.at("emergency").as_bool());
  EXPECT_EQ(flagged.at("patients").as_array().size(), 1u);
  auto pending = emergency_.PendingReview();
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].login_id, "h.sato");
  EXPECT_EQ(pending[0].patient_id, "p7");

  // The auditor sees the queue and closes the review; the nurse cannot.
  EXPECT_EQ(Send("GET", "/audit/break-glass", "", bearer).status, 403);
  std::string auditor = LoginAs("auditor.ito", auth::Role::kAuditor);
  std::vector<std::pair<std::string, std::string>> as_auditor = {
      {"Authorization", "Bearer " + auditor}};
  Response queue = Send("GET", "/audit/break-glass", "", as_auditor);
  ASSERT_EQ(queue.status, 200) << queue.body;
  EXPECT_THAT(queue.body, HasSubstr("unconscious patient in ER"));
  EXPECT_EQ(Send("POST", "/audit/break-glass/" + pending[0].id + "/review",
                 R"({"note":"ER admission, appropriate"})", as_auditor)
                .status,
            204);
  EXPECT_TRUE(emergency_.PendingReview().empty());
}

// Patient/[id]/$everything (issue 5) is a read of that patient's whole
// record: the care relation is checked like any compartment read.
TEST_F(AuthGateTest, EverythingNeedsACareRelationWithThatPatient) {
  PutAsSystem("Patient/p7", R"({"resourceType":"Patient","id":"p7"})");
  PutAsSystem("Observation/o7",
              R"({"resourceType":"Observation","id":"o7","status":"final",)"
              R"("code":{"text":"glucose"},"subject":{"reference":"Patient/p7"}})");
  std::string token = LoginAs("h.sato", auth::Role::kNurse, {"internal-medicine"});
  std::vector<std::pair<std::string, std::string>> bearer = {{"Authorization", "Bearer " + token}};
  Response denied = Send("GET", "/fhir/Patient/p7/$everything", "", bearer);
  EXPECT_EQ(denied.status, 403);
  EXPECT_THAT(denied.body, HasSubstr("no care relation"));
  EXPECT_EQ(LastEvent().at("action").as_string(), "operation-everything");
  ASSERT_EQ(Send("POST", "/auth/break-glass",
                 R"({"patient":"p7","reason":"unconscious patient in ER"})", bearer)
                .status,
            201);
  Response allowed = Send("GET", "/fhir/Patient/p7/$everything", "", bearer);
  ASSERT_EQ(allowed.status, 200) << allowed.body;
  EXPECT_THAT(allowed.body, HasSubstr("\"o7\""));
  boost::json::object e = LastEvent();
  EXPECT_TRUE(e.at("emergency").as_bool());
  EXPECT_EQ(e.at("patients").as_array().at(0).as_string(), "p7");
}

// The care relation also holds for other resources read by id: an
// Observation of p7 is p7's record.
TEST_F(AuthGateTest, AnObservationByIdIsCheckedAgainstItsPatient) {
  PutAsSystem("Patient/p7", R"({"resourceType":"Patient","id":"p7"})");
  PutAsSystem("Observation/o7",
              R"({"resourceType":"Observation","id":"o7","status":"final",)"
              R"("code":{"text":"glucose"},"subject":{"reference":"Patient/p7"}})");
  std::string token = LoginAs("h.sato", auth::Role::kNurse, {"internal-medicine"});
  std::vector<std::pair<std::string, std::string>> bearer = {{"Authorization", "Bearer " + token}};
  auto owners = fhir::PatientsOfResource(*store_, "Observation", "o7");
  ASSERT_THAT(owners, IsOk());
  EXPECT_EQ(*owners, std::vector<std::string>{"p7"});
  Response denied = Send("GET", "/fhir/Observation/o7", "", bearer);
  EXPECT_EQ(denied.status, 403);
  EXPECT_THAT(denied.body, HasSubstr("no care relation"));
  EXPECT_EQ(Send("GET", "/fhir/Observation/o7/_history/1", "", bearer).status, 403);
  ASSERT_EQ(Send("POST", "/auth/break-glass",
                 R"({"patient":"p7","reason":"patient collapsed in the ward"})", bearer)
                .status,
            201);
  EXPECT_EQ(Send("GET", "/fhir/Observation/o7", "", bearer).status, 200);
  EXPECT_TRUE(LastEvent().at("emergency").as_bool());
  EXPECT_EQ(Send("GET", "/fhir/Observation/missing", "", bearer).status, 404);
  // Writing a record for a patient outside her care is refused as well.
  PutAsSystem("Patient/p8", R"({"resourceType":"Patient","id":"p8"})");
  Response write = Send("POST", "/fhir/Observation",
                        R"({"resourceType":"Observation","status":"final",)"
                        R"("code":{"text":"x"},"subject":{"reference":"Patient/p8"}})",
                        bearer);
  EXPECT_EQ(write.status, 403);
  EXPECT_THAT(write.body, HasSubstr("no care relation"));
}

TEST_F(AuthGateTest, AnEncounterOfHerDepartmentIsACareRelation) {
  PutAsSystem("Patient/p2", R"({"resourceType":"Patient","id":"p2"})");
  PutAsSystem(
      "Encounter/e2",
      R"({"resourceType":"Encounter","id":"e2","status":"in-progress",)"
      R"("class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"IMP"},)"
      R"("subject":{"reference":"Patient/p2"},)"
      R"("serviceProvider":{"reference":"Organization/internal-medicine"}})");
  std::string token = LoginAs("h.sato", auth::Role::kNurse, {"internal-medicine"});
  std::vector<std::pair<std::string, std::string>> bearer = {{"Authorization", "Bearer " + token}};
  EXPECT_EQ(Send("GET", "/fhir/Patient/p2", "", bearer).status, 200);
  EXPECT_FALSE(LastEvent().at("emergency").as_bool());
  // Searches: within her patient's records, yes; across patients, no.
  EXPECT_EQ(Send("GET", "/fhir/Observation?patient=p2", "", bearer).status, 200);
  EXPECT_EQ(Send("GET", "/fhir/Observation?subject=Patient/p2", "", bearer).status, 200);
  Response across = Send("GET", "/fhir/Observation?code=glucose", "", bearer);
  EXPECT_EQ(across.status, 403);
  EXPECT_THAT(across.body, HasSubstr("must name the patient"));
  EXPECT_EQ(Send("GET", "/fhir/Observation?patient=p9", "", bearer).status, 403);
  EXPECT_EQ(Send("GET", "/fhir?_type=Observation", "", bearer).status, 403);
  EXPECT_EQ(Send("GET", "/fhir/Patient?family=x", "", bearer).status, 200);  // the patient index
  std::string other = LoginAs("k.ito", auth::Role::kNurse, {"surgery"});
  EXPECT_EQ(Send("GET", "/fhir/Patient/p2", "", {{"Authorization", "Bearer " + other}}).status,
            403);
}

TEST_F(AuthGateTest, ASessionCookieCannotChangeAnythingWithoutTheCsrfToken) {
  std::string token = LoginAs("dr.kato", auth::Role::kPhysician);
  std::string cookie = std::string(kSessionCookie) + "=" + token;
  std::string patient = R"({"resourceType":"Patient","gender":"other"})";
  EXPECT_EQ(Send("POST", "/fhir/Patient", patient, {{"Cookie", cookie}}).status, 401);
  EXPECT_EQ(Send("POST", "/fhir/Patient", patient, {{"Cookie", cookie}, {"X-CSRF-Token", "forged"}})
                .status,
            401);
  // With the token the policy decides (a new Patient concerns no existing patient yet).
  EXPECT_EQ(
      Send("POST", "/fhir/Patient", patient, {{"Cookie", cookie}, {"X-CSRF-Token", csrf_}}).status,
      201);
  EXPECT_EQ(Send("GET", "/fhir/metadata", "", {{"Cookie", cookie}}).status, 200);
}

TEST_F(AuthGateTest, ASystemTokenWorksOnlyOverItsCertificateAndWithinItsScopes) {
  auth::OAuthClient lab{.client_id = "lab",
                        .name = "Lab",
                        .auth_method = "tls_client_auth",
                        .certificate_sha256 = kCert,
                        .scopes = {"system/Observation.crs"}};
  ASSERT_THAT(clients_->Save(lab), IsOk());
  ClientCertificate cert{.subject = "CN=lab", .sha256_fingerprint = kCert};
  Response token = Send("POST", "/oauth2/token", "grant_type=client_credentials&client_id=lab",
                        {{"Content-Type", "application/x-www-form-urlencoded"}}, cert);
  ASSERT_EQ(token.status, 200) << token.body;
  std::string access(boost::json::parse(token.body).at("access_token").as_string());
  std::vector<std::pair<std::string, std::string>> bearer = {{"Authorization", "Bearer " + access}};
  std::string obs = R"({"resourceType":"Observation","status":"final","code":{"text":"glucose"}})";
  EXPECT_EQ(Send("POST", "/fhir/Observation", obs, bearer, cert).status, 201);
  EXPECT_EQ(Send("GET", "/fhir/Patient", "", bearer, cert).status, 403);  // not in its scopes
  ClientCertificate other{.subject = "CN=other", .sha256_fingerprint = std::string(64, 'd')};
  EXPECT_EQ(Send("POST", "/fhir/Observation", obs, bearer, other).status, 401);
  EXPECT_EQ(Send("POST", "/fhir/Observation", obs, bearer).status, 401);
  Response refused = Send("POST", "/oauth2/token", "grant_type=client_credentials&client_id=lab",
                          {{"Content-Type", "application/x-www-form-urlencoded"}}, other);
  EXPECT_EQ(refused.status, 401);
  EXPECT_THAT(refused.body, HasSubstr("invalid_client"));
}

// SYS-54: the audit trail as FHIR AuditEvent is for auditors only and never
// writable; a physician with every clinical right is refused and audited.
TEST_F(AuthGateTest, AuditEventsAreReadableByAuditorsOnlyAndNeverWritable) {
  std::string auditor = LoginAs("auditor.mori", auth::Role::kAuditor);
  std::string doctor = LoginAs("dr.kato", auth::Role::kPhysician);
  auto as = [](const std::string& token) {
    return std::vector<std::pair<std::string, std::string>>{{"Authorization", "Bearer " + token}};
  };
  Response page = Send("GET", "/fhir/AuditEvent?agent=dr.kato", "", as(auditor));
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_THAT(page.body, HasSubstr("\"value\":\"dr.kato\""));
  EXPECT_EQ(Send("GET", "/fhir/AuditEvent/0", "", as(auditor)).status, 200);
  Response refused = Send("GET", "/fhir/AuditEvent", "", as(doctor));
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(LastEvent().at("reason").as_string(),
            "forbidden: the audit trail is for auditors only and never writable (PLAN-10)");
  EXPECT_EQ(Send("GET", "/fhir/AuditEvent/0", "", as(doctor)).status, 403);
  uint64_t before = store_->AuditTreeSize();
  Response write =
      Send("POST", "/fhir/AuditEvent", R"({"resourceType":"AuditEvent"})", as(auditor));
  EXPECT_EQ(write.status, 403);
  EXPECT_EQ(store_->AuditTreeSize(), before + 1);  // the refusal itself, nothing more
}

// Bulk Data export (issue 5): system clients only, each type within their
// scopes; the job is the kick-off client's; the ledger records who, which
// types and how many resources; the files hold what the store holds.
TEST_F(AuthGateTest, BulkExportIsForSystemsWithinTheirScopesAndIsRecorded) {
  PutAsSystem("Patient/p7", R"({"resourceType":"Patient","id":"p7"})");
  PutAsSystem("Observation/o7",
              R"({"resourceType":"Observation","id":"o7","status":"final",)"
              R"("code":{"text":"glucose"},"subject":{"reference":"Patient/p7"}})");
  std::vector<std::pair<std::string, std::string>> async = {{"Prefer", "respond-async"}};
  // A physician (whose role may export offline) gets no HTTP export.
  std::string doctor = LoginAs("dr.kato", auth::Role::kPhysician, {"internal-medicine"});
  auto as_doctor = async;
  as_doctor.emplace_back("Authorization", "Bearer " + doctor);
  Response human = Send("GET", "/fhir/$export", "", as_doctor);
  EXPECT_EQ(human.status, 403);
  EXPECT_THAT(human.body, HasSubstr("system clients"));

  ClientCertificate cert{.subject = "CN=warehouse", .sha256_fingerprint = kCert};
  auto token_for = [&](const std::string& id, std::vector<std::string> scopes) {
    auth::OAuthClient c{.client_id = id,
                        .name = id,
                        .auth_method = "tls_client_auth",
                        .certificate_sha256 = kCert,
                        .scopes = std::move(scopes)};
    EXPECT_THAT(clients_->Save(c), IsOk());
    Response t = Send("POST", "/oauth2/token", "grant_type=client_credentials&client_id=" + id,
                      {{"Content-Type", "application/x-www-form-urlencoded"}}, cert);
    EXPECT_EQ(t.status, 200) << t.body;
    return std::string(boost::json::parse(t.body).at("access_token").as_string());
  };
  auto narrow = async;
  narrow.emplace_back("Authorization", "Bearer " + token_for("lab", {"system/Observation.rs"}));
  EXPECT_EQ(Send("GET", "/fhir/$export", "", narrow, cert).status,
            403);  // every type: not its scope
  EXPECT_EQ(Send("GET", "/fhir/$export?_type=Observation,Patient", "", narrow, cert).status, 403);
  Response lab = Send("GET", "/fhir/$export?_type=Observation", "", narrow, cert);
  ASSERT_EQ(lab.status, 202) << lab.body;

  auto wide = async;
  wide.emplace_back("Authorization", "Bearer " + token_for("warehouse", {"system/*.rs"}));
  EXPECT_EQ(Send("GET", "/fhir/$export", "", {wide[1]}, cert).status, 400);  // no respond-async
  Response kick = Send("GET", "/fhir/Patient/$export?_type=Patient,Observation", "", wide, cert);
  ASSERT_EQ(kick.status, 202) << kick.body;
  std::string location(kick.headers.Get("Content-Location").value_or(""));
  ASSERT_THAT(location, HasSubstr("/fhir/$export-status/"));
  std::string status_path = location.substr(location.find("/fhir/"));
  boost::json::object kicked = LastEventOf("export");
  ASSERT_FALSE(kicked.empty()) << "the kick-off left no event";
  EXPECT_EQ(kicked.at("action").as_string(), "export");
  EXPECT_EQ(kicked.at("user").as_string(), "warehouse");
  EXPECT_EQ(kicked.at("type").as_string(), "Observation,Patient");

  Response status;
  for (int i = 0; i < 500; ++i) {
    status = Send("GET", status_path, "", {wide[1]}, cert);
    if (status.status != 202) break;
    EXPECT_TRUE(status.headers.Get("X-Progress").has_value());
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(status.status, 200) << status.body;
  // The plan's record precedes the manifest: who, which types, how many.
  bool recorded = false;
  for (uint64_t i = 0; i < store_->AuditTreeSize(); ++i) {
    auto leaves = store_->AuditLeaves(i, i + 1);
    auto e = boost::json::parse(*store_->OpenAuditLeaf((*leaves)[0])).as_object();
    if (e.at("action").as_string() != "export-complete" ||
        e.at("user").as_string() != "warehouse") {
      continue;
    }
    recorded = true;
    EXPECT_EQ(e.at("type").as_string(), "Observation,Patient");
    EXPECT_THAT(std::string(e.at("id").as_string()), HasSubstr("Observation=1 Patient=1"));
  }
  EXPECT_TRUE(recorded);
  auto manifest = boost::json::parse(status.body).as_object();
  EXPECT_TRUE(manifest.at("requiresAccessToken").as_bool());
  std::set<std::string> lines;
  for (const auto& out : manifest.at("output").as_array()) {
    std::string url(out.at("url").as_string());
    std::string path = url.substr(url.find("/fhir/"));
    EXPECT_EQ(Send("GET", path, "", {narrow[1]}, cert).status, 404);  // another client's job
    Response file = Send("GET", path, "", {wide[1]}, cert);
    ASSERT_EQ(file.status, 200) << file.body;
    EXPECT_EQ(file.content_type, "application/fhir+ndjson");
    for (size_t at = 0; at < file.body.size();) {
      size_t nl = file.body.find('\n', at);
      auto r = boost::json::parse(file.body.substr(at, nl - at)).as_object();
      lines.insert(std::string(r.at("resourceType").as_string()) + "/" +
                   std::string(r.at("id").as_string()));
      at = nl + 1;
    }
  }
  EXPECT_THAT(lines, ::testing::UnorderedElementsAre("Patient/p7", "Observation/o7"));
  EXPECT_EQ(Send("DELETE", status_path, "", {narrow[1]}, cert).status, 404);
  EXPECT_EQ(Send("DELETE", status_path, "", {wide[1]}, cert).status, 202);
  EXPECT_EQ(Send("GET", status_path, "", {wide[1]}, cert).status, 404);
}

}  // namespace
}  // namespace mamori::http
