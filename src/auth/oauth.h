// SPDX-License-Identifier: Apache-2.0
#pragma once

// auth::TokenService: OAuth 2.0 client credentials for systems (an EMR, a lab
// analyser, a PACS) at /oauth2/token (issue 7), authenticated two ways:
//
//   - tls_client_auth (RFC 8705 section 2.1): the client's TLS certificate,
//     verified by the server against the institution's CA, must be the one
//     registered for the client (its SHA-256 fingerprint). The token is bound
//     to that certificate (RFC 8705 section 3): presented over any other
//     certificate, or none, it is refused.
//   - private_key_jwt (RFC 7523, as SMART Backend Services uses it): a JWT
//     signed with the client's registered key: iss = sub = client_id, aud =
//     the token endpoint URL, exp at most 5 minutes ahead, a jti never seen
//     before (replay refused).
//
// Scopes are SMART v2 system scopes (auth/scope.h); the token grants the
// requested scopes that the client is registered for, or all of them when
// none are requested. A revoked client, or one past its registration end,
// gets nothing; its live tokens stop working at once.
//
// Access tokens are 256 random bits kept only as SHA-256, valid 5 minutes
// (SMART's recommendation), held in memory (a restart asks systems to
// request again, which they do on every 401).
//
//   auth::TokenService tokens(clients, env.clock(), env.random());
//   std::string why;
//   auto token = tokens.Issue({.form = form, .client_cert_sha256 = fp,
//                              .token_url = "https://h/oauth2/token"}, &why);
//   // error: Status message "invalid_client: ..." -> 401, "invalid_scope: ..." -> 400
//   MAMORI_ASSIGN_OR_RETURN(auth::SystemAccess access, tokens.Authenticate(bearer, fp));
//
// Thread-safety: all methods may be called concurrently.

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "auth/scope.h"
#include "auth/session.h"
#include "core/check.h"
#include "core/clock.h"
#include "core/random.h"
#include "core/status.h"

namespace mamori::auth {

struct OAuthClient {
  std::string client_id;
  std::string name;
  // "tls_client_auth" or "private_key_jwt".
  std::string auth_method;
  // tls_client_auth: hex SHA-256 of the client certificate (DER).
  std::string certificate_sha256;
  // private_key_jwt: public JWKs (JSON objects as text).
  std::vector<std::string> jwks;
  // The SMART system scopes the client may receive.
  std::vector<std::string> scopes;
  bool revoked = false;
  std::optional<core::Clock::WallTime> not_after;
  int64_t version = 0;
};

class ClientStore {
 public:
  virtual ~ClientStore() = default;
  virtual core::Result<std::optional<OAuthClient>> Find(std::string_view client_id) = 0;
  // Same version rules as AccountStore::Save.
  virtual core::Status Save(OAuthClient& client) = 0;
  virtual core::Result<std::vector<OAuthClient>> List() = 0;
};

// Checks a registration before it is saved: a known method, its credential
// (a 64-hex-digit fingerprint, or JWKs that parse), scopes that parse and are
// system scopes. Errors: kInvalidArgument naming the problem.
core::Status ValidateClient(const OAuthClient& client);

struct TokenRequest {
  // The decoded application/x-www-form-urlencoded body.
  std::vector<std::pair<std::string, std::string>> form;
  // The verified client certificate's SHA-256 (hex), or "".
  std::string client_cert_sha256;
  // This endpoint's URL, which a client assertion's aud must name.
  std::string token_url;
};

struct IssuedToken {
  std::string access_token;
  std::string scope;  // space-separated, as granted
  std::chrono::seconds expires_in{0};
};

struct SystemAccess {
  Principal principal;  // role kSystem, account_id = client_id
  std::vector<Scope> scopes;
};

struct TokenPolicy {
  std::chrono::seconds lifetime{300};
  std::chrono::seconds max_assertion_lifetime{300};
};

class TokenService {
 public:
  TokenService(ClientStore& clients, const core::Clock& clock, core::Random& random,
               TokenPolicy policy = {})
      : clients_(clients), clock_(clock), random_(random), policy_(policy) {}

  // Errors carry the OAuth error code first (RFC 6749 section 5.2):
  // "unsupported_grant_type: ...", "invalid_request: ...", "invalid_scope:
  // ..." as kInvalidArgument; "invalid_client: ..." as kUnauthenticated.
  // `audit_reason` gets the detail for the ledger.
  core::Result<IssuedToken> Issue(const TokenRequest& request, std::string* audit_reason)
      MAMORI_EXCLUDES(mu_);

  // The system behind a bearer token presented over `client_cert_sha256`.
  // Errors: kUnauthenticated (unknown, expired, other certificate, client
  // revoked since).
  core::Result<SystemAccess> Authenticate(std::string_view token,
                                          std::string_view client_cert_sha256) MAMORI_EXCLUDES(mu_);

 private:
  struct Token {
    std::string client_id;
    std::vector<Scope> scopes;
    std::string bound_cert_sha256;  // "" for private_key_jwt tokens
    core::Clock::WallTime expires;
  };
  core::Status AuthenticateClient(const TokenRequest& request, const OAuthClient& client,
                                  std::string* why) MAMORI_EXCLUDES(mu_);
  core::Status CheckAssertion(std::string_view assertion, const OAuthClient& client,
                              const std::string& token_url, std::string* why) MAMORI_EXCLUDES(mu_);
  void DropExpired(core::Clock::WallTime now) MAMORI_REQUIRES(mu_);

  ClientStore& clients_;
  const core::Clock& clock_;
  core::Random& random_;
  const TokenPolicy policy_;
  std::mutex mu_;
  std::unordered_map<std::string, Token> tokens_ MAMORI_GUARDED_BY(mu_);  // by SHA-256
  // jti -> expiry of the assertion that used it (replay refusal).
  std::unordered_map<std::string, core::Clock::WallTime> seen_jti_ MAMORI_GUARDED_BY(mu_);
};

}  // namespace mamori::auth
