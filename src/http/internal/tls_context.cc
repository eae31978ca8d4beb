// SPDX-License-Identifier: Apache-2.0
#include "http/internal/tls_context.h"

#include <vector>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace mamori::http::internal {
namespace {

struct BioDeleter {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Deleter {
  void operator()(X509* x) const { X509_free(x); }
};
struct PkeyDeleter {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using X509Ptr = std::unique_ptr<X509, X509Deleter>;

// OpenSSL's reason for the last failure, e.g. "no start line"; library text
// only, never input bytes.
std::string OpenSslReason() {
  unsigned long err = ERR_peek_last_error();
  const char* reason = err != 0 ? ERR_reason_error_string(err) : nullptr;
  ERR_clear_error();
  return reason != nullptr ? reason : "unknown OpenSSL error";
}

// Every PEM certificate in `pem`, in order.
core::Result<std::vector<X509Ptr>> ParseCertificates(const std::string& pem,
                                                     const std::string& path) {
  std::unique_ptr<BIO, BioDeleter> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  std::vector<X509Ptr> certs;
  while (X509* x = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) certs.emplace_back(x);
  ERR_clear_error();  // the loop always ends with "no start line"
  if (certs.empty()) return core::InvalidArgumentError("no PEM certificate in " + path);
  return certs;
}

core::Result<std::vector<X509Ptr>> LoadCertificates(core::FileSystem& fs, const std::string& path) {
  MAMORI_ASSIGN_OR_RETURN(std::string pem, fs.ReadFile(path));
  return ParseCertificates(pem, path);
}

// Refuses to prompt: an encrypted key is a configuration error, not a TTY read.
int NoPassword(char*, int, int, void*) { return 0; }

core::Status UseCertificateChain(SSL_CTX* ctx, core::FileSystem& fs, const std::string& path) {
  MAMORI_ASSIGN_OR_RETURN(std::vector<X509Ptr> chain, LoadCertificates(fs, path));
  if (SSL_CTX_use_certificate(ctx, chain[0].get()) != 1) {
    return core::InvalidArgumentError("certificate in " + path + " rejected: " + OpenSslReason());
  }
  for (size_t i = 1; i < chain.size(); ++i) {
    if (SSL_CTX_add1_chain_cert(ctx, chain[i].get()) != 1) {
      return core::InvalidArgumentError("chain certificate in " + path +
                                        " rejected: " + OpenSslReason());
    }
  }
  return core::Status::Ok();
}

core::Status UsePrivateKey(SSL_CTX* ctx, core::FileSystem& fs, const std::string& path) {
  MAMORI_ASSIGN_OR_RETURN(std::string pem, fs.ReadFile(path));
  std::unique_ptr<BIO, BioDeleter> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  std::unique_ptr<EVP_PKEY, PkeyDeleter> key(
      PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassword, nullptr));
  OPENSSL_cleanse(pem.data(), pem.size());  // key bytes do not outlive loading
  if (!key) {
    return core::InvalidArgumentError("no unencrypted PEM private key in " + path + ": " +
                                      OpenSslReason());
  }
  if (SSL_CTX_use_PrivateKey(ctx, key.get()) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
    return core::InvalidArgumentError("private key in " + path +
                                      " does not match the certificate: " + OpenSslReason());
  }
  return core::Status::Ok();
}

core::Status UseClientCa(SSL_CTX* ctx, core::FileSystem& fs, const TlsFiles& files) {
  MAMORI_ASSIGN_OR_RETURN(std::vector<X509Ptr> cas, LoadCertificates(fs, files.client_ca_path));
  X509_STORE* store = SSL_CTX_get_cert_store(ctx);
  for (const X509Ptr& ca : cas) {
    if (X509_STORE_add_cert(store, ca.get()) != 1 || SSL_CTX_add_client_CA(ctx, ca.get()) != 1) {
      return core::InvalidArgumentError("client CA in " + files.client_ca_path +
                                        " rejected: " + OpenSslReason());
    }
  }
  // A client certificate must be meant for client authentication (EKU
  // clientAuth when an EKU is present): a stolen server certificate from the
  // same CA cannot log in as a system.
  SSL_CTX_set_purpose(ctx, X509_PURPOSE_SSL_CLIENT);
  SSL_CTX_set_verify_depth(ctx, 4);
  int mode = SSL_VERIFY_PEER;
  if (files.require_client_certificate) mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
  SSL_CTX_set_verify(ctx, mode, nullptr);
  return core::Status::Ok();
}

// The fixed protocol policy (SYS-31).
core::Status ApplyPolicy(SSL_CTX* ctx) {
  // TLS 1.2 and 1.3 only: SSLv3, TLS 1.0 and 1.1 are refused in the handshake.
  bool ok = SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) == 1 &&
            SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) == 1 &&
            SSL_CTX_set_cipher_list(ctx, kTls12CipherList) == 1 &&
            SSL_CTX_set_ciphersuites(ctx, kTls13CipherSuites) == 1 &&
            SSL_CTX_set1_groups_list(ctx, kGroups) == 1;
  if (!ok) return core::InternalError("OpenSSL refused the TLS policy: " + OpenSslReason());
  // No compression (CRIME), no renegotiation (client-initiated renegotiation
  // DoS, CVE-2009-3555 class), our suite order wins over the client's.
  // No session tickets and no session cache: a long-lived ticket key would
  // undo forward secrecy for every resumed session, and without resumption
  // every connection re-verifies its client certificate. The cost is one full
  // handshake per connection, which keep-alive amortises.
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                               SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_TICKET);
  SSL_CTX_set_num_tickets(ctx, 0);
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  // 112-bit minimum (RSA >= 2048, ECC >= 224): level 3 would refuse the
  // RSA-2048 certificates most clinics are issued.
  SSL_CTX_set_security_level(ctx, 2);
  // Idle connections give their read/write buffers back (slowloris memory).
  SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
  static constexpr unsigned char kSessionContext[] = "mamori";
  SSL_CTX_set_session_id_context(ctx, kSessionContext, sizeof(kSessionContext) - 1);
  return core::Status::Ok();
}

}  // namespace

core::Result<SslCtxPtr> BuildServerTlsContext(const TlsFiles& files, core::FileSystem& fs) {
  if (files.cert_chain_path.empty() || files.key_path.empty()) {
    return core::InvalidArgumentError("a TLS certificate chain and key file are required");
  }
  ERR_clear_error();
  SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()));
  if (!ctx) return core::InternalError("SSL_CTX_new failed: " + OpenSslReason());
  MAMORI_RETURN_IF_ERROR(ApplyPolicy(ctx.get()));
  MAMORI_RETURN_IF_ERROR(UseCertificateChain(ctx.get(), fs, files.cert_chain_path));
  MAMORI_RETURN_IF_ERROR(UsePrivateKey(ctx.get(), fs, files.key_path));
  if (!files.client_ca_path.empty()) MAMORI_RETURN_IF_ERROR(UseClientCa(ctx.get(), fs, files));
  return ctx;
}

std::optional<ClientCertificate> VerifiedPeerCertificate(SSL* ssl) {
  X509* cert = SSL_get0_peer_certificate(ssl);
  if (cert == nullptr || SSL_get_verify_result(ssl) != X509_V_OK) return std::nullopt;
  ClientCertificate out;
  std::unique_ptr<BIO, BioDeleter> mem(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(mem.get(), X509_get_subject_name(cert), 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  long len = BIO_get_mem_data(mem.get(), &data);
  out.subject.assign(data, static_cast<size_t>(len));
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  if (X509_digest(cert, EVP_sha256(), md, &md_len) != 1) return std::nullopt;
  static constexpr char kHex[] = "0123456789abcdef";
  for (unsigned int i = 0; i < md_len; ++i) {
    out.sha256_fingerprint.push_back(kHex[md[i] >> 4]);
    out.sha256_fingerprint.push_back(kHex[md[i] & 0xf]);
  }
  return out;
}

}  // namespace mamori::http::internal
