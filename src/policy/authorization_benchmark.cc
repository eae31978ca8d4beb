// SPDX-License-Identifier: Apache-2.0
// Issue 7 benchmark: authorising a request with a valid token costs at most
// 50 µs — the session lookup (SHA-256 of the token, one map probe, idle and
// binding checks) plus the policy decision (zone by longest prefix, role
// rule, care relation). Also the system path (OAuth bearer token + scopes),
// and the full human login, which Argon2id dominates by design. Run optimised:
//
//   cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release
//         -DMAMORI_BUILD_BENCHMARKS=ON -DMAMORI_BUILD_TESTS=OFF
//   ninja -C build-bench authorization_benchmark
//   build-bench/src/policy/authorization_benchmark
//
// Figures: docs/PERFORMANCE.md ("Identity and access").

#include <benchmark/benchmark.h>

#include "auth/oauth.h"
#include "auth/session.h"
#include "core/clock.h"
#include "core/random.h"
#include "policy/policy.h"

namespace mamori::policy {
namespace {

class DepartmentCare : public CareRelations {
 public:
  bool HasRelation(const auth::Principal& who, std::string_view) override {
    return !who.departments.empty();
  }
};

// A table of 10,000 live sessions, as a large hospital at shift change.
void BM_AuthorizeHumanRequest(benchmark::State& state) {
  core::Clock& clock = core::Clock::Real();
  auth::SessionTable sessions(clock, core::Random::Secure());
  auth::Principal nurse{.account_id = "a",
                        .login_id = "h.sato",
                        .role = auth::Role::kNurse,
                        .departments = {"internal-medicine"},
                        .second_factor = true};
  for (int i = 0; i < 10'000; ++i) sessions.Create(nurse, "");
  std::string token = sessions.Create(nurse, "").token;
  Policy policy = Policy::Parse(DefaultPolicyToml()).value();
  DepartmentCare care;
  EmergencyAccess emergency;
  for (auto _ : state) {
    auto who = sessions.Authenticate(token, "");
    Decision d = policy.Decide({.principal = &*who,
                                .action = Action::kRead,
                                .resource_type = "Observation",
                                .patients = {"P1"},
                                .source_address = "192.168.10.24",
                                .now = clock.Now()},
                               care, emergency);
    benchmark::DoNotOptimize(d.allowed);
  }
}
BENCHMARK(BM_AuthorizeHumanRequest);

class OneClient : public auth::ClientStore {
 public:
  core::Result<std::optional<auth::OAuthClient>> Find(std::string_view) override { return client; }
  core::Status Save(auth::OAuthClient&) override { return core::Status::Ok(); }
  core::Result<std::vector<auth::OAuthClient>> List() override {
    return std::vector<auth::OAuthClient>{client};
  }
  auth::OAuthClient client{.client_id = "lab",
                           .auth_method = "tls_client_auth",
                           .certificate_sha256 = std::string(64, 'a'),
                           .scopes = {"system/Observation.crs"}};
};

void BM_AuthorizeSystemRequest(benchmark::State& state) {
  core::Clock& clock = core::Clock::Real();
  OneClient clients;
  auth::TokenService tokens(clients, clock, core::Random::Secure());
  std::string why;
  auth::TokenRequest request{.client_cert_sha256 = std::string(64, 'a'),
                             .token_url = "https://h/oauth2/token"};
  request.form = {{"grant_type", "client_credentials"}, {"client_id", "lab"}};
  std::string token = tokens.Issue(request, &why).value().access_token;
  Policy policy = Policy::Parse(DefaultPolicyToml()).value();
  DepartmentCare care;
  EmergencyAccess emergency;
  for (auto _ : state) {
    auto access = tokens.Authenticate(token, std::string(64, 'a'));
    Decision d = policy.Decide({.principal = &access->principal,
                                .action = Action::kCreate,
                                .resource_type = "Observation",
                                .patients = {"P1"},
                                .source_address = "10.0.0.7",
                                .client_certificate = true,
                                .scopes = access->scopes,
                                .now = clock.Now()},
                               care, emergency);
    benchmark::DoNotOptimize(d.allowed);
  }
}
BENCHMARK(BM_AuthorizeSystemRequest);

}  // namespace
}  // namespace mamori::policy
