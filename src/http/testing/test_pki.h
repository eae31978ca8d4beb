// SPDX-License-Identifier: Apache-2.0
#pragma once

// A throwaway PKI for TLS tests, made with the `openssl` command-line tool in
// a directory the test owns (test-only: library mamori::http_testing). It
// does not use src/crypto, so http's tests do not depend on it.
//
// Contents (all ECDSA P-256, valid for two days unless stated):
//   ca_cert                     the client and server CA
//   server_cert/server_key      CN=localhost, SAN IP:127.0.0.1 + DNS:localhost, serverAuth
//   client_cert/client_key      "CN=emr-01,O=Test Clinic,C=JP", clientAuth, from ca_cert
//   foreign_ca_cert             an unrelated CA
//   foreign_client_cert/_key    a clientAuth certificate from foreign_ca_cert
//   expired_client_cert/_key    from ca_cert, valid 2020-01-01 to 2020-01-02 only
//
//   std::string dir = core::testing::MakeTempDir();
//   ASSERT_OK_AND_ASSIGN-style: auto pki = http::testing::MakeTestPki(dir);
//   ASSERT_THAT(pki, IsOk());
//   options.cert_chain_path = pki->server_cert;
//
// Thread-safety: MakeTestPki runs subprocesses; call it from the test thread.

#include <string>

#include "core/status.h"

namespace mamori::http::testing {

struct TestPki {
  std::string dir;
  std::string ca_cert;
  std::string ca_key;
  std::string server_cert;
  std::string server_key;
  std::string client_cert;
  std::string client_key;
  std::string foreign_ca_cert;
  std::string foreign_client_cert;
  std::string foreign_client_key;
  std::string expired_client_cert;
  std::string expired_client_key;
  // The client certificate's subject as the server reports it (RFC 2253).
  std::string client_subject;
};

// Creates the PKI under `dir` (which must exist). kInternal when an openssl
// command fails; the message names the command and `dir`/openssl.log.
core::Result<TestPki> MakeTestPki(const std::string& dir);

// The SHA-256 fingerprint of a PEM certificate file as 64 lowercase hex
// digits, computed by `openssl x509 -fingerprint`; "" on failure.
std::string CertificateFingerprint(const std::string& pem_path);

}  // namespace mamori::http::testing
