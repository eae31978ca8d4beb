// SPDX-License-Identifier: Apache-2.0
#pragma once
// Private to http: include "http/server.h" instead.
//
// Builds the server's OpenSSL SSL_CTX with mamori's fixed TLS policy
// (GUIDELINE SYS-31, CRYPTREC/IPA "TLS暗号設定ガイドライン" 3.0.1, high-security
// type 高セキュリティ型) and optional mutual TLS (SYS-35), and reads the
// verified client identity after a handshake.
//
// Nothing here is configurable on purpose: an operator cannot weaken the
// policy by mistake. Only the files are options.
//
//   MAMORI_ASSIGN_OR_RETURN(SslCtxPtr ctx, BuildServerTlsContext(files, env.fs()));
//   asio::ssl::context tls(ctx.release());              // asio takes ownership
//   ... after the handshake:
//   std::optional<ClientCertificate> who = VerifiedPeerCertificate(stream.native_handle());
//
// Thread-safety: BuildServerTlsContext is reentrant; the SSL_CTX it returns is
// shared read-only by all connections.

#include <memory>
#include <optional>
#include <string>

#include <openssl/ssl.h>

#include "core/file_system.h"
#include "core/status.h"
#include "http/request.h"

namespace mamori::http::internal {

// TLS 1.2 suites: ECDHE only (forward secrecy), AEAD only (AES-GCM,
// ChaCha20-Poly1305); ECDSA before RSA, AES-256 first.
inline constexpr char kTls12CipherList[] =
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-CHACHA20-POLY1305";
// TLS 1.3: the three standard AEAD suites (all are CRYPTREC-listed).
inline constexpr char kTls13CipherSuites[] =
    "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256";
// Key-exchange groups, strongest-supported-first as clients prefer X25519.
inline constexpr char kGroups[] = "X25519:P-256:P-384";

struct SslCtxDeleter {
  void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxDeleter>;

struct TlsFiles {
  std::string cert_chain_path;
  std::string key_path;
  std::string client_ca_path;  // empty: no mutual TLS
  bool require_client_certificate = false;
};

// Errors: kNotFound when a file is missing; kInvalidArgument when a file has
// no PEM certificate or key, an encrypted key, or a key that does not match
// the certificate; kInternal when OpenSSL refuses the fixed policy. Messages
// name the file and OpenSSL's reason.
core::Result<SslCtxPtr> BuildServerTlsContext(const TlsFiles& files, core::FileSystem& fs);

// The client certificate of a finished handshake if the peer sent one and it
// verified; nullopt otherwise.
std::optional<ClientCertificate> VerifiedPeerCertificate(SSL* ssl);

}  // namespace mamori::http::internal
