// SPDX-License-Identifier: Apache-2.0
#include "auth/oauth.h"

#include <array>

#include <boost/json.hpp>

#include "crypto/hash.h"
#include "crypto/hex.h"
#include "crypto/jws.h"
#include "crypto/secure_bytes.h"

namespace mamori::auth {
namespace {

namespace json = boost::json;

constexpr char kJwtBearer[] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

std::optional<std::string_view> FormValue(const TokenRequest& r, std::string_view name) {
  std::optional<std::string_view> found;
  for (const auto& [k, v] : r.form) {
    if (k != name) continue;
    if (found) return std::string_view("\x01duplicate");  // RFC 6749 3.2: no repeats
    found = v;
  }
  return found;
}

core::Status OAuthError(std::string_view code, std::string description, std::string* why) {
  if (why != nullptr) *why = std::string(code) + ": " + description;
  std::string message = std::string(code) + ": " + description;
  if (code == "invalid_client") return core::UnauthenticatedError(message);
  return core::InvalidArgumentError(message);
}

std::string TokenKey(std::string_view token) {
  crypto::Sha256Digest d = crypto::Sha256(crypto::AsBytes(token));
  return std::string(reinterpret_cast<const char*>(d.data()), d.size());
}

bool IsHexFingerprint(std::string_view fp) {
  if (fp.size() != 64) return false;
  for (char c : fp) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

core::Clock::WallTime FromUnixSeconds(int64_t s) {
  return core::Clock::WallTime(
      std::chrono::duration_cast<core::Clock::WallTime::duration>(std::chrono::seconds(s)));
}

// The requested scopes that the client holds, or all it holds when none
// were requested.
core::Result<std::vector<Scope>> GrantScopes(const OAuthClient& client,
                                             std::optional<std::string_view> requested) {
  std::vector<Scope> registered;
  for (const std::string& s : client.scopes) {
    MAMORI_ASSIGN_OR_RETURN(Scope scope, ParseScope(s));
    registered.push_back(scope);
  }
  if (!requested || requested->empty()) return registered;
  auto asked = ParseScopes(*requested);
  if (!asked.ok()) return core::InvalidArgumentError(std::string(asked.status().message()));
  std::vector<Scope> granted;
  for (const Scope& want : *asked) {
    bool held = false;
    for (const Scope& have : registered) {
      held |= have.context == want.context &&
              (have.resource_type == "*" || have.resource_type == want.resource_type) &&
              (want.permissions & ~have.permissions) == 0;
    }
    if (!held) return core::PermissionDeniedError(want.ToString());
    granted.push_back(want);
  }
  return granted;
}

}  // namespace

core::Status ValidateClient(const OAuthClient& client) {
  if (client.client_id.empty() || client.client_id.size() > 64) {
    return core::InvalidArgumentError("client id must be 1 to 64 characters");
  }
  if (client.auth_method == "tls_client_auth") {
    if (!IsHexFingerprint(client.certificate_sha256)) {
      return core::InvalidArgumentError(
          "tls_client_auth needs the certificate's SHA-256 fingerprint (64 lower-case hex digits)");
    }
  } else if (client.auth_method == "private_key_jwt") {
    if (client.jwks.empty())
      return core::InvalidArgumentError("private_key_jwt needs a public JWK");
    for (const std::string& jwk : client.jwks) {
      auto key = crypto::JwkPublicKey::Parse(jwk);
      if (!key.ok()) return key.status();
    }
  } else {
    return core::InvalidArgumentError("auth method must be tls_client_auth or private_key_jwt");
  }
  if (client.scopes.empty()) return core::InvalidArgumentError("a client needs at least one scope");
  for (const std::string& s : client.scopes) {
    MAMORI_ASSIGN_OR_RETURN(Scope scope, ParseScope(s));
    if (scope.context != Scope::Context::kSystem) {
      return core::InvalidArgumentError("clients hold system/ scopes only, not " + s);
    }
  }
  return core::Status::Ok();
}

core::Result<IssuedToken> TokenService::Issue(const TokenRequest& request, std::string* why) {
  std::optional<std::string_view> grant = FormValue(request, "grant_type");
  if (grant != "client_credentials") {
    return OAuthError("unsupported_grant_type", "only client_credentials is supported", why);
  }
  // SMART clients may send the client id only inside the assertion (iss).
  // The unverified iss is used only to find the keys to verify it with;
  // CheckAssertion then requires iss = sub = client_id.
  std::string id(FormValue(request, "client_id").value_or(""));
  std::optional<std::string_view> assertion = FormValue(request, "client_assertion");
  if (id.empty() && assertion) {
    auto payload = crypto::UnverifiedJwsPayload(*assertion);
    if (payload.ok()) {
      boost::system::error_code ec;
      json::value claims = json::parse(*payload, ec);
      if (!ec && claims.is_object()) {
        if (const json::value* iss = claims.as_object().if_contains("iss");
            iss != nullptr && iss->is_string()) {
          id = std::string(iss->as_string());
        }
      }
    }
  }
  if (id.empty()) return OAuthError("invalid_client", "client_id is required", why);
  MAMORI_ASSIGN_OR_RETURN(std::optional<OAuthClient> client, clients_.Find(id));
  if (!client) return OAuthError("invalid_client", "unknown client", why);
  core::Clock::WallTime now = clock_.Now();
  if (client->revoked) return OAuthError("invalid_client", "client is revoked", why);
  if (client->not_after && now >= *client->not_after) {
    return OAuthError("invalid_client", "client registration has expired", why);
  }
  MAMORI_RETURN_IF_ERROR(AuthenticateClient(request, *client, why));
  auto granted = GrantScopes(*client, FormValue(request, "scope"));
  if (!granted.ok()) {
    return OAuthError(
        "invalid_scope",
        "scope not registered for this client: " + std::string(granted.status().message()), why);
  }
  std::array<uint8_t, 32> bytes;
  random_.Fill(bytes);
  IssuedToken issued{.access_token = crypto::HexEncode(bytes), .expires_in = policy_.lifetime};
  for (const Scope& s : *granted) {
    if (!issued.scope.empty()) issued.scope.push_back(' ');
    issued.scope.append(s.ToString());
  }
  Token token{.client_id = client->client_id,
              .scopes = *std::move(granted),
              .bound_cert_sha256 = client->auth_method == "tls_client_auth"
                                       ? request.client_cert_sha256
                                       : std::string(),
              .expires = now + policy_.lifetime};
  std::lock_guard<std::mutex> lock(mu_);
  DropExpired(now);
  tokens_.emplace(TokenKey(issued.access_token), std::move(token));
  return issued;
}

core::Status TokenService::AuthenticateClient(const TokenRequest& request,
                                              const OAuthClient& client, std::string* why) {
  if (client.auth_method == "tls_client_auth") {
    if (request.client_cert_sha256.empty()) {
      return OAuthError("invalid_client", "a client certificate is required (RFC 8705)", why);
    }
    if (!crypto::ConstantTimeEquals(crypto::AsBytes(request.client_cert_sha256),
                                    crypto::AsBytes(client.certificate_sha256))) {
      return OAuthError("invalid_client", "client certificate is not the registered one", why);
    }
    return core::Status::Ok();
  }
  std::optional<std::string_view> type = FormValue(request, "client_assertion_type");
  std::optional<std::string_view> assertion = FormValue(request, "client_assertion");
  if (type != kJwtBearer || !assertion) {
    return OAuthError("invalid_client",
                      "private_key_jwt needs client_assertion_type " + std::string(kJwtBearer) +
                          " and client_assertion",
                      why);
  }
  return CheckAssertion(*assertion, client, request.token_url, why);
}

core::Status TokenService::CheckAssertion(std::string_view assertion, const OAuthClient& client,
                                          const std::string& token_url, std::string* why) {
  std::vector<crypto::JwkPublicKey> keys;
  for (const std::string& jwk : client.jwks) {
    MAMORI_ASSIGN_OR_RETURN(crypto::JwkPublicKey key, crypto::JwkPublicKey::Parse(jwk));
    keys.push_back(std::move(key));
  }
  auto verified = crypto::VerifyCompactJws(assertion, keys);
  if (!verified.ok()) {
    return OAuthError("invalid_client", std::string(verified.status().message()), why);
  }
  boost::system::error_code ec;
  json::value claims = json::parse(verified->payload, ec);
  if (ec || !claims.is_object()) return OAuthError("invalid_client", "claims are not JSON", why);
  const json::object& c = claims.as_object();
  auto str = [&](std::string_view k) -> std::string {
    const json::value* v = c.if_contains(k);
    return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
  };
  auto num = [&](std::string_view k) -> std::optional<int64_t> {
    const json::value* v = c.if_contains(k);
    if (v == nullptr || !v->is_number()) return std::nullopt;
    return v->is_int64() ? v->as_int64() : static_cast<int64_t>(v->to_number<double>());
  };
  if (str("iss") != client.client_id || str("sub") != client.client_id) {
    return OAuthError("invalid_client", "iss and sub must both be the client id", why);
  }
  bool aud_ok = str("aud") == token_url;
  if (const json::value* aud = c.if_contains("aud"); aud != nullptr && aud->is_array()) {
    for (const json::value& a : aud->as_array())
      aud_ok |= a.is_string() && a.as_string() == token_url;
  }
  if (!aud_ok) return OAuthError("invalid_client", "aud must be the token endpoint URL", why);
  core::Clock::WallTime now = clock_.Now();
  std::optional<int64_t> exp = num("exp");
  if (!exp) return OAuthError("invalid_client", "exp is required", why);
  core::Clock::WallTime expires = FromUnixSeconds(*exp);
  if (expires <= now) return OAuthError("invalid_client", "client assertion has expired", why);
  if (expires > now + policy_.max_assertion_lifetime) {
    return OAuthError("invalid_client", "exp is more than 5 minutes ahead", why);
  }
  std::string jti = str("jti");
  if (jti.empty() || jti.size() > 256) return OAuthError("invalid_client", "jti is required", why);
  std::lock_guard<std::mutex> lock(mu_);
  DropExpired(now);
  std::string jti_key = client.client_id + "\n" + jti;
  if (!seen_jti_.emplace(jti_key, expires).second) {
    return OAuthError("invalid_client", "client assertion was already used (jti)", why);
  }
  return core::Status::Ok();
}

core::Result<SystemAccess> TokenService::Authenticate(std::string_view token,
                                                      std::string_view client_cert_sha256) {
  core::Clock::WallTime now = clock_.Now();
  Token found;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = tokens_.find(TokenKey(token));
    if (it == tokens_.end()) return core::UnauthenticatedError("unknown or expired access token");
    if (now >= it->second.expires) {
      tokens_.erase(it);
      return core::UnauthenticatedError("unknown or expired access token");
    }
    found = it->second;
  }
  if (!found.bound_cert_sha256.empty() && found.bound_cert_sha256 != client_cert_sha256) {
    return core::UnauthenticatedError(
        "access token is bound to another client certificate (RFC 8705)");
  }
  MAMORI_ASSIGN_OR_RETURN(std::optional<OAuthClient> client, clients_.Find(found.client_id));
  if (!client || client->revoked || (client->not_after && now >= *client->not_after)) {
    return core::UnauthenticatedError("the client of this token is revoked or expired");
  }
  return SystemAccess{.principal = {.account_id = client->client_id,
                                    .login_id = client->client_id,
                                    .role = Role::kSystem},
                      .scopes = std::move(found.scopes)};
}

void TokenService::DropExpired(core::Clock::WallTime now) {
  std::erase_if(tokens_, [&](const auto& e) { return now >= e.second.expires; });
  std::erase_if(seen_jti_, [&](const auto& e) { return now >= e.second; });
}

}  // namespace mamori::auth
