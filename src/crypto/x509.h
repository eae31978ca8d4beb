// SPDX-License-Identifier: Apache-2.0
#pragma once

// X.509 certificates for mamori's own TLS: what `mamori init` needs to make a
// private CA, a server certificate and client (device or system) certificates
// for mutual TLS (GUIDELINE SYS-35, SYS-09, SYS-63; the TLS settings
// themselves, SYS-31, belong to http).
//
// Every key is ECDSA P-256 drawn from core::Random, every certificate is X.509
// v3 signed with ECDSA-SHA256 and carries a random positive 128-bit serial.
//   CA:     basicConstraints critical CA:TRUE, pathlen:0;
//           keyUsage critical keyCertSign, cRLSign; SKI; AKI.
//   server: basicConstraints critical CA:FALSE; keyUsage critical
//           digitalSignature; extendedKeyUsage serverAuth; subjectAltName with
//           the DNS names and IP addresses given (at least one); SKI; AKI.
//   client: as server, but extendedKeyUsage clientAuth and SANs optional.
//   server and client: crlDistributionPoints when URIs are given.
// CRLs are X.509 v2, DER, signed ECDSA-SHA256 by the CA, with the
// authorityKeyIdentifier and cRLNumber extensions (RFC 5280 section 5).
// Certificates are PEM strings; private keys are unencrypted PKCS#8 PEM in a
// SecureBytes (wiped when dropped). Both are accepted by `openssl verify`,
// `openssl x509` and OpenSSL/Boost.Asio TLS contexts.
//
//   crypto::CertificateOptions ca_options{.common_name = "mamori CA",
//       .not_before = now, .not_after = now + std::chrono::days(3650)};
//   MAMORI_ASSIGN_OR_RETURN(crypto::CertifiedKey ca,
//       crypto::GenerateSelfSignedCa(ca_options, env.random()));
//   crypto::CertificateOptions server{.common_name = "mamori.example.jp", .not_before = now,
//       .not_after = now + std::chrono::days(397), .dns_names = {"mamori.example.jp"},
//       .ip_addresses = {"127.0.0.1"}};
//   MAMORI_ASSIGN_OR_RETURN(crypto::CertifiedKey tls,
//       crypto::IssueServerCertificate(ca, server, env.random()));
//   // `mamori client revoke`: list the certificate in a new CRL and publish it
//   // at the crlDistributionPoints URI the leaves name.
//   MAMORI_ASSIGN_OR_RETURN(std::string serial, crypto::CertificateSerial(device_pem));
//   MAMORI_ASSIGN_OR_RETURN(std::string crl_der,
//       crypto::GenerateCrl(ca, {{.serial_hex = serial, .revocation_time = now}},
//                           now, now + std::chrono::days(7)));
//   // tests: core::DeterministicRandom random(seed); the ECDSA signature nonce
//   // still comes from OpenSSL's DRBG, so the certificate bytes differ per run.
//
// Thread-safety: pure functions.

#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/random.h"
#include "core/status.h"
#include "crypto/secure_bytes.h"

namespace mamori::crypto {

// What goes into a certificate. Times are truncated to whole seconds.
struct CertificateOptions {
  // The subject's CN, 1 to 64 characters of UTF-8 (RFC 5280 ub-common-name).
  std::string common_name;
  // The validity period; not_after must be later than not_before.
  core::Clock::WallTime not_before;
  core::Clock::WallTime not_after;
  // subjectAltName dNSName entries: LDH host names, optionally "*." first.
  std::vector<std::string> dns_names;
  // subjectAltName iPAddress entries in text form: "127.0.0.1", "::1".
  std::vector<std::string> ip_addresses;
  // crlDistributionPoints: http:// or https:// URIs where relying parties
  // fetch the CA's CRL, for server and client certificates only (a CA takes
  // none). Written as one DistributionPoint whose fullName lists every URI,
  // i.e. the same complete CRL at each location (RFC 5280 section 4.2.1.13).
  std::vector<std::string> crl_distribution_points;
};

// A certificate and the private key it certifies.
struct CertifiedKey {
  std::string certificate_pem;
  SecureBytes private_key_pem;  // unencrypted PKCS#8, "BEGIN PRIVATE KEY"
};

// A new self-signed CA with a fresh P-256 key.
// Errors: kInvalidArgument if the common name is empty or over 64 characters, the
// validity is empty or not representable, or SANs or CRL distribution points
// are given (a CA has none);
// kInternal if OpenSSL fails.
core::Result<CertifiedKey> GenerateSelfSignedCa(const CertificateOptions& options,
                                                core::Random& random);

// A TLS server certificate (extendedKeyUsage serverAuth) for a fresh P-256
// key, signed by `ca`.
// Errors: kInvalidArgument if the options are invalid as above, if there is no
// DNS name and no IP address, if a DNS name or IP address does not parse, if a
// CRL distribution point is not an http:// or https:// URI, if
// the validity is not inside the CA's, or if `ca` does not hold a CA
// certificate with its matching key; kInternal if OpenSSL fails.
core::Result<CertifiedKey> IssueServerCertificate(const CertifiedKey& ca,
                                                  const CertificateOptions& options,
                                                  core::Random& random);

// A TLS client certificate (extendedKeyUsage clientAuth) for a device or a
// system client, signed by `ca`. SANs are optional.
// Errors: as IssueServerCertificate, except that no SAN is required.
core::Result<CertifiedKey> IssueClientCertificate(const CertifiedKey& ca,
                                                  const CertificateOptions& options,
                                                  core::Random& random);

// A certificate to list in a CRL.
struct RevokedCertificate {
  // The serial number in hex, 1 to 40 digits of either case and no
  // separators, as CertificateSerial returns it and `openssl x509 -serial`
  // prints it. Must be non-zero.
  std::string serial_hex;
  // When it was revoked; truncated to whole seconds.
  core::Clock::WallTime revocation_time;
};

// A CRL for `ca` listing `revoked` (possibly none): X.509 v2, DER encoded,
// signed ECDSA-SHA256 by the CA's key, thisUpdate and nextUpdate as given
// (whole seconds), entries sorted by serial, with an authorityKeyIdentifier
// (the CA's key id) and a cRLNumber. The CRL number is this_update in
// milliseconds since the Unix epoch, so a CRL issued later carries a larger
// number without any stored counter (RFC 5280 section 5.2.3 wants them to
// increase); callers must give each CRL of one CA a later this_update.
// Errors: kInvalidArgument if next_update is not at least a second later than
// this_update, a time is not representable, a serial is not 1 to 40 hex
// digits, zero, or listed twice, or `ca` does not hold a CA certificate with
// its matching key; kInternal if OpenSSL fails.
core::Result<std::string> GenerateCrl(const CertifiedKey& ca,
                                      const std::vector<RevokedCertificate>& revoked,
                                      core::Clock::WallTime this_update,
                                      core::Clock::WallTime next_update);

// GenerateCrl with no revoked certificate: what `mamori init` publishes first.
core::Result<std::string> GenerateEmptyCrl(const CertifiedKey& ca,
                                           core::Clock::WallTime this_update,
                                           core::Clock::WallTime next_update);

// The serial number of a PEM certificate as uppercase hex, two digits per
// byte, e.g. "5A0C...": what RevokedCertificate::serial_hex takes.
// Errors: kInvalidArgument if `pem` is not a PEM certificate.
core::Result<std::string> CertificateSerial(std::string_view pem);

// The subject of a PEM certificate as an RFC 2253 string, e.g.
// "CN=mamori CA"; non-ASCII UTF-8 is kept as is, not escaped.
// Errors: kInvalidArgument if `pem` is not a PEM certificate.
core::Result<std::string> CertificateSubject(std::string_view pem);

// The notAfter time of a PEM certificate.
// Errors: kInvalidArgument if `pem` is not a PEM certificate.
core::Result<core::Clock::WallTime> CertificateNotAfter(std::string_view pem);

}  // namespace mamori::crypto
