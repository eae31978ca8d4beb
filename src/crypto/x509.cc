// SPDX-License-Identifier: Apache-2.0
#include "crypto/x509.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <ctime>
#include <set>

#include <openssl/asn1.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "crypto/internal/ec_key.h"
#include "crypto/internal/openssl_util.h"

namespace mamori::crypto {
namespace {

using internal::CheckOpenSsl;
using internal::PkeyPtr;
using internal::X509Ptr;

constexpr size_t kSerialSize = 16;  // 128 bits: unpredictable, RFC 5280's 20-octet limit
constexpr size_t kMaxCommonNameBytes = 4 * 64;  // ub-common-name is 64 characters
constexpr size_t kMaxDnsName = 253;
constexpr size_t kMaxUri = 2048;
constexpr size_t kMaxSerialHexDigits = 40;  // RFC 5280: serials are at most 20 octets

enum class Kind { kCa, kServer, kClient };

// ---- Input checks ----------------------------------------------------------

bool IsLdhLabel(std::string_view label) {
  if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
    return false;
  }
  for (char c : label) {
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok) return false;
  }
  return true;
}

// An LDH host name, optionally "*." followed by one. Checking here also stops
// a name from smuggling in extra SAN entries or NUL bytes.
bool IsDnsName(std::string_view name) {
  if (name.starts_with("*.")) name.remove_prefix(2);
  if (name.empty() || name.size() > kMaxDnsName) return false;
  while (true) {
    size_t dot = name.find('.');
    if (!IsLdhLabel(name.substr(0, dot))) return false;
    if (dot == std::string_view::npos) return true;
    name.remove_prefix(dot + 1);
  }
}

// An http:// or https:// URI of printable ASCII with a non-empty rest, as a
// CRL distribution point must be for OpenSSL and browsers to fetch it. Spaces
// and control characters would be rejected by relying parties anyway.
bool IsHttpUri(std::string_view uri) {
  if (uri.size() > kMaxUri) return false;
  std::string_view rest = uri;
  if (rest.starts_with("https://")) {
    rest.remove_prefix(8);
  } else if (rest.starts_with("http://")) {
    rest.remove_prefix(7);
  } else {
    return false;
  }
  if (rest.empty() || rest.front() == '/') return false;
  return std::all_of(uri.begin(), uri.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

core::Status CheckCrlDistributionPoints(const CertificateOptions& options, Kind kind) {
  if (kind == Kind::kCa && !options.crl_distribution_points.empty()) {
    return core::InvalidArgumentError("a CA certificate takes no CRL distribution points");
  }
  for (const std::string& uri : options.crl_distribution_points) {
    if (!IsHttpUri(uri)) {
      return core::InvalidArgumentError(
          "CRL distribution point is not an http:// or https:// URI: " + uri.substr(0, 100));
    }
  }
  return core::Status::Ok();
}

core::Status CheckOptions(const CertificateOptions& options, Kind kind) {
  const std::string& cn = options.common_name;
  if (cn.empty() || cn.size() > kMaxCommonNameBytes || cn.find('\0') != std::string::npos) {
    return core::InvalidArgumentError("certificate common name must be 1 to 64 characters");
  }
  if (options.not_after <= options.not_before) {
    return core::InvalidArgumentError("certificate notAfter must be later than notBefore");
  }
  bool has_san = !options.dns_names.empty() || !options.ip_addresses.empty();
  if (kind == Kind::kCa && has_san) {
    return core::InvalidArgumentError("a CA certificate takes no subject alternative names");
  }
  if (kind == Kind::kServer && !has_san) {
    return core::InvalidArgumentError("a server certificate needs a DNS name or an IP address");
  }
  for (const std::string& name : options.dns_names) {
    if (!IsDnsName(name)) return core::InvalidArgumentError("invalid DNS name in SAN: " + name);
  }
  return CheckCrlDistributionPoints(options, kind);
}

// ---- Building blocks -------------------------------------------------------

core::Status SetSubject(X509* cert, std::string_view common_name) {
  X509_NAME* name = X509_get_subject_name(cert);
  if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(common_name.data()),
                                 static_cast<int>(common_name.size()), -1, 0) != 1) {
    internal::ClearOpenSslErrors();
    return core::InvalidArgumentError("common name is not valid UTF-8 of at most 64 characters");
  }
  return core::Status::Ok();
}

void SetRandomSerial(X509* cert, core::Random& random) {
  std::array<uint8_t, kSerialSize> bytes;
  random.Fill(bytes);
  // BN_bin2bn reads unsigned bytes, so the DER INTEGER is positive; RFC 5280
  // section 4.1.2.2 also wants it non-zero.
  internal::BnPtr serial(BN_bin2bn(bytes.data(), bytes.size(), nullptr));
  CheckOpenSsl(serial != nullptr, "BN_bin2bn serial");
  if (BN_is_zero(serial.get())) CheckOpenSsl(BN_one(serial.get()) == 1, "BN_one");
  ASN1_INTEGER* integer = BN_to_ASN1_INTEGER(serial.get(), nullptr);
  CheckOpenSsl(integer != nullptr && X509_set_serialNumber(cert, integer) == 1, "serial");
  ASN1_INTEGER_free(integer);
}

core::Status SetValidity(X509* cert, const CertificateOptions& options) {
  std::time_t not_before = std::chrono::system_clock::to_time_t(options.not_before);
  std::time_t not_after = std::chrono::system_clock::to_time_t(options.not_after);
  // ASN1_TIME_set picks UTCTime up to 2049 and GeneralizedTime after, as RFC
  // 5280 section 4.1.2.5 requires; it fails past year 9999.
  if (ASN1_TIME_set(X509_getm_notBefore(cert), not_before) == nullptr ||
      ASN1_TIME_set(X509_getm_notAfter(cert), not_after) == nullptr) {
    internal::ClearOpenSslErrors();
    return core::InvalidArgumentError("certificate validity is not representable");
  }
  return core::Status::Ok();
}

// Adds an extension from its OpenSSL config text, e.g. "critical,CA:FALSE".
void AddExtension(X509* cert, X509V3_CTX* ctx, int nid, const char* value) {
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, ctx, nid, value);
  CheckOpenSsl(ext != nullptr && X509_add_ext(cert, ext, -1) == 1, value);
  X509_EXTENSION_free(ext);
}

core::Status AddSubjectAltNames(X509* cert, const CertificateOptions& options) {
  if (options.dns_names.empty() && options.ip_addresses.empty()) return core::Status::Ok();
  internal::GeneralNamesPtr names(sk_GENERAL_NAME_new_null());
  CheckOpenSsl(names != nullptr, "sk_GENERAL_NAME_new_null");
  for (const std::string& dns : options.dns_names) {
    ASN1_IA5STRING* text = ASN1_IA5STRING_new();
    GENERAL_NAME* name = GENERAL_NAME_new();
    CheckOpenSsl(text != nullptr && name != nullptr &&
                     ASN1_STRING_set(text, dns.data(), static_cast<int>(dns.size())) == 1,
                 "SAN dNSName");
    GENERAL_NAME_set0_value(name, GEN_DNS, text);
    CheckOpenSsl(sk_GENERAL_NAME_push(names.get(), name) > 0, "sk_GENERAL_NAME_push");
  }
  for (const std::string& ip : options.ip_addresses) {
    ASN1_OCTET_STRING* address = a2i_IPADDRESS(ip.c_str());
    if (address == nullptr || ip.find('\0') != std::string::npos) {
      ASN1_OCTET_STRING_free(address);
      internal::ClearOpenSslErrors();
      return core::InvalidArgumentError("invalid IP address in SAN: " + ip);
    }
    GENERAL_NAME* name = GENERAL_NAME_new();
    CheckOpenSsl(name != nullptr, "GENERAL_NAME_new");
    GENERAL_NAME_set0_value(name, GEN_IPADD, address);
    CheckOpenSsl(sk_GENERAL_NAME_push(names.get(), name) > 0, "sk_GENERAL_NAME_push");
  }
  CheckOpenSsl(
      X509_add1_ext_i2d(cert, NID_subject_alt_name, names.get(), 0, X509V3_ADD_DEFAULT) == 1,
      "subjectAltName");
  return core::Status::Ok();
}

ASN1_IA5STRING* NewIa5String(std::string_view text) {
  ASN1_IA5STRING* string = ASN1_IA5STRING_new();
  CheckOpenSsl(
      string != nullptr && ASN1_STRING_set(string, text.data(), static_cast<int>(text.size())) == 1,
      "ASN1_STRING_set");
  return string;
}

// One DistributionPoint whose fullName lists every URI: alternative locations
// of the same complete CRL (RFC 5280 section 4.2.1.13), no reasons, no
// cRLIssuer (the CA itself issues it).
void AddCrlDistributionPoints(X509* cert, const CertificateOptions& options) {
  if (options.crl_distribution_points.empty()) return;
  internal::CrlDistPointsPtr points(sk_DIST_POINT_new_null());
  DIST_POINT* point = DIST_POINT_new();
  CheckOpenSsl(points != nullptr && point != nullptr && sk_DIST_POINT_push(points.get(), point) > 0,
               "DIST_POINT_new");
  point->distpoint = DIST_POINT_NAME_new();
  CheckOpenSsl(point->distpoint != nullptr, "DIST_POINT_NAME_new");
  point->distpoint->type = 0;  // fullName
  point->distpoint->name.fullname = sk_GENERAL_NAME_new_null();
  CheckOpenSsl(point->distpoint->name.fullname != nullptr, "sk_GENERAL_NAME_new_null");
  for (const std::string& uri : options.crl_distribution_points) {
    GENERAL_NAME* name = GENERAL_NAME_new();
    CheckOpenSsl(name != nullptr, "GENERAL_NAME_new");
    GENERAL_NAME_set0_value(name, GEN_URI, NewIa5String(uri));
    CheckOpenSsl(sk_GENERAL_NAME_push(point->distpoint->name.fullname, name) > 0,
                 "sk_GENERAL_NAME_push");
  }
  CheckOpenSsl(X509_add1_ext_i2d(cert, NID_crl_distribution_points, points.get(), 0,
                                 X509V3_ADD_DEFAULT) == 1,
               "crlDistributionPoints");
}

void AddKindExtensions(X509* cert, X509* issuer, Kind kind) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  if (kind == Kind::kCa) {
    AddExtension(cert, &ctx, NID_basic_constraints, "critical,CA:TRUE,pathlen:0");
    AddExtension(cert, &ctx, NID_key_usage, "critical,keyCertSign,cRLSign");
  } else {
    AddExtension(cert, &ctx, NID_basic_constraints, "critical,CA:FALSE");
    AddExtension(cert, &ctx, NID_key_usage, "critical,digitalSignature");
    AddExtension(cert, &ctx, NID_ext_key_usage,
                 kind == Kind::kServer ? "serverAuth" : "clientAuth");
  }
  AddExtension(cert, &ctx, NID_subject_key_identifier, "hash");
  AddExtension(cert, &ctx, NID_authority_key_identifier, "keyid:always");
}

std::string ToPem(X509* cert) {
  internal::BioPtr bio(BIO_new(BIO_s_mem()));
  CheckOpenSsl(bio != nullptr && PEM_write_bio_X509(bio.get(), cert) == 1, "PEM_write_bio_X509");
  return internal::BioContents(bio.get());
}

core::Result<X509Ptr> ParseCertificate(std::string_view pem) {
  if (pem.size() > internal::kMaxPemSize) return core::InvalidArgumentError("PEM too large");
  internal::BioPtr bio = internal::ReadOnlyBio(pem);
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  internal::ClearOpenSslErrors();
  if (cert == nullptr) return core::InvalidArgumentError("not a PEM certificate");
  return cert;
}

// The issuing CA's certificate and key, checked to belong together.
struct Issuer {
  X509Ptr cert;
  PkeyPtr key;
};

core::Result<Issuer> LoadIssuer(const CertifiedKey& ca) {
  MAMORI_ASSIGN_OR_RETURN(X509Ptr cert, ParseCertificate(ca.certificate_pem));
  MAMORI_ASSIGN_OR_RETURN(PkeyPtr key,
                          internal::ReadPrivateKeyPem(AsStringView(ca.private_key_pem)));
  if (X509_check_ca(cert.get()) == 0) {
    return core::InvalidArgumentError("issuer certificate is not a CA");
  }
  if (X509_check_private_key(cert.get(), key.get()) != 1) {
    internal::ClearOpenSslErrors();
    return core::InvalidArgumentError("CA private key does not match the CA certificate");
  }
  return Issuer{std::move(cert), std::move(key)};
}

// A leaf valid outside its CA's period would fail `openssl verify` there.
core::Status CheckInsideIssuer(X509* cert, X509* issuer) {
  if (ASN1_TIME_compare(X509_get0_notBefore(cert), X509_get0_notBefore(issuer)) < 0 ||
      ASN1_TIME_compare(X509_get0_notAfter(cert), X509_get0_notAfter(issuer)) > 0) {
    return core::InvalidArgumentError("certificate validity is not inside the CA's validity");
  }
  return core::Status::Ok();
}

// Builds, signs and serialises one certificate. For a CA, issuer is null and
// the certificate signs itself.
core::Result<CertifiedKey> Build(const CertificateOptions& options, Kind kind, const Issuer* issuer,
                                 core::Random& random) {
  MAMORI_RETURN_IF_ERROR(CheckOptions(options, kind));
  MAMORI_ASSIGN_OR_RETURN(PkeyPtr key, internal::GenerateP256Key(random));
  X509Ptr cert(X509_new());
  CheckOpenSsl(cert != nullptr && X509_set_version(cert.get(), X509_VERSION_3) == 1 &&
                   X509_set_pubkey(cert.get(), key.get()) == 1,
               "X509_new");
  MAMORI_RETURN_IF_ERROR(SetSubject(cert.get(), options.common_name));
  MAMORI_RETURN_IF_ERROR(SetValidity(cert.get(), options));
  SetRandomSerial(cert.get(), random);
  X509* issuer_cert = issuer != nullptr ? issuer->cert.get() : cert.get();
  EVP_PKEY* signing_key = issuer != nullptr ? issuer->key.get() : key.get();
  if (issuer != nullptr) MAMORI_RETURN_IF_ERROR(CheckInsideIssuer(cert.get(), issuer_cert));
  CheckOpenSsl(X509_set_issuer_name(cert.get(), X509_get_subject_name(issuer_cert)) == 1,
               "X509_set_issuer_name");
  MAMORI_RETURN_IF_ERROR(AddSubjectAltNames(cert.get(), options));
  AddKindExtensions(cert.get(), issuer_cert, kind);
  AddCrlDistributionPoints(cert.get(), options);
  CheckOpenSsl(X509_sign(cert.get(), signing_key, EVP_sha256()) > 0, "X509_sign");
  return CertifiedKey{ToPem(cert.get()), internal::WritePrivateKeyPem(key.get())};
}

core::Result<CertifiedKey> IssueLeaf(const CertifiedKey& ca, const CertificateOptions& options,
                                     Kind kind, core::Random& random) {
  MAMORI_ASSIGN_OR_RETURN(Issuer issuer, LoadIssuer(ca));
  return Build(options, kind, &issuer, random);
}

// ---- CRLs ------------------------------------------------------------------

core::Result<internal::Asn1TimePtr> ToAsn1Time(core::Clock::WallTime time, const char* what) {
  internal::Asn1TimePtr asn1(ASN1_TIME_set(nullptr, std::chrono::system_clock::to_time_t(time)));
  if (asn1 == nullptr) {
    internal::ClearOpenSslErrors();
    return core::InvalidArgumentError(std::string(what) + " is not representable");
  }
  return asn1;
}

// A revoked serial from hex; kInvalidArgument names the entry by its index,
// not by the (unchecked) text.
core::Result<internal::Asn1IntegerPtr> ParseSerial(std::string_view hex, size_t index) {
  auto invalid = [index](const char* why) {
    return core::InvalidArgumentError("revoked certificate " + std::to_string(index) + ": serial " +
                                      why);
  };
  auto is_hex = [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  };
  if (hex.empty() || hex.size() > kMaxSerialHexDigits ||
      !std::all_of(hex.begin(), hex.end(), is_hex)) {
    return invalid("is not 1 to 40 hex digits");
  }
  BIGNUM* parsed = nullptr;
  std::string text(hex);
  CheckOpenSsl(BN_hex2bn(&parsed, text.c_str()) == static_cast<int>(text.size()), "BN_hex2bn");
  internal::BnPtr serial(parsed);
  if (BN_is_zero(serial.get())) return invalid("is zero");
  internal::Asn1IntegerPtr integer(BN_to_ASN1_INTEGER(serial.get(), nullptr));
  CheckOpenSsl(integer != nullptr, "BN_to_ASN1_INTEGER");
  return integer;
}

core::Status AddRevoked(X509_CRL* crl, const std::vector<RevokedCertificate>& revoked) {
  std::set<std::string> seen;
  for (size_t i = 0; i < revoked.size(); ++i) {
    MAMORI_ASSIGN_OR_RETURN(internal::Asn1IntegerPtr serial, ParseSerial(revoked[i].serial_hex, i));
    MAMORI_ASSIGN_OR_RETURN(internal::Asn1TimePtr when,
                            ToAsn1Time(revoked[i].revocation_time, "revocation time"));
    // Compare values, not spellings: "0a" and "A" are one serial.
    std::string key(reinterpret_cast<const char*>(ASN1_STRING_get0_data(serial.get())),
                    static_cast<size_t>(ASN1_STRING_length(serial.get())));
    if (!seen.insert(key).second) {
      return core::InvalidArgumentError("revoked certificate " + std::to_string(i) +
                                        ": serial is listed twice");
    }
    X509_REVOKED* entry = X509_REVOKED_new();
    CheckOpenSsl(entry != nullptr, "X509_REVOKED_new");
    if (X509_REVOKED_set_serialNumber(entry, serial.get()) != 1 ||
        X509_REVOKED_set_revocationDate(entry, when.get()) != 1 ||
        X509_CRL_add0_revoked(crl, entry) != 1) {
      X509_REVOKED_free(entry);
      CheckOpenSsl(false, "X509_CRL_add0_revoked");
    }
  }
  return core::Status::Ok();
}

core::Status SetCrlTimes(X509_CRL* crl, core::Clock::WallTime this_update,
                         core::Clock::WallTime next_update) {
  // Compared in whole seconds, as the CRL stores them.
  if (std::chrono::system_clock::to_time_t(next_update) <=
      std::chrono::system_clock::to_time_t(this_update)) {
    return core::InvalidArgumentError("CRL nextUpdate must be later than thisUpdate");
  }
  MAMORI_ASSIGN_OR_RETURN(internal::Asn1TimePtr last, ToAsn1Time(this_update, "CRL thisUpdate"));
  MAMORI_ASSIGN_OR_RETURN(internal::Asn1TimePtr next, ToAsn1Time(next_update, "CRL nextUpdate"));
  CheckOpenSsl(X509_CRL_set1_lastUpdate(crl, last.get()) == 1 &&
                   X509_CRL_set1_nextUpdate(crl, next.get()) == 1,
               "X509_CRL_set1_lastUpdate");
  return core::Status::Ok();
}

// authorityKeyIdentifier (the CA's subjectKeyIdentifier, as in the leaves) and
// cRLNumber, the two extensions RFC 5280 section 5.2 requires of conforming
// CRL issuers.
core::Status AddCrlExtensions(X509_CRL* crl, X509* issuer, core::Clock::WallTime this_update) {
  const ASN1_OCTET_STRING* key_id = X509_get0_subject_key_id(issuer);
  if (key_id == nullptr) {
    return core::InvalidArgumentError("CA certificate has no subject key identifier");
  }
  internal::AuthorityKeyIdPtr akid(AUTHORITY_KEYID_new());
  CheckOpenSsl(akid != nullptr, "AUTHORITY_KEYID_new");
  akid->keyid = ASN1_OCTET_STRING_dup(key_id);
  CheckOpenSsl(
      akid->keyid != nullptr && X509_CRL_add1_ext_i2d(crl, NID_authority_key_identifier, akid.get(),
                                                      0, X509V3_ADD_DEFAULT) == 1,
      "CRL authorityKeyIdentifier");
  auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(this_update.time_since_epoch());
  if (millis.count() < 0) {
    return core::InvalidArgumentError("CRL thisUpdate is before 1970");
  }
  internal::Asn1IntegerPtr number(ASN1_INTEGER_new());
  CheckOpenSsl(
      number != nullptr && ASN1_INTEGER_set_int64(number.get(), millis.count()) == 1 &&
          X509_CRL_add1_ext_i2d(crl, NID_crl_number, number.get(), 0, X509V3_ADD_DEFAULT) == 1,
      "CRL cRLNumber");
  return core::Status::Ok();
}

std::string ToDer(X509_CRL* crl) {
  int size = i2d_X509_CRL(crl, nullptr);
  CheckOpenSsl(size > 0, "i2d_X509_CRL");
  std::string der(static_cast<size_t>(size), '\0');
  auto* out = reinterpret_cast<unsigned char*>(der.data());
  CheckOpenSsl(i2d_X509_CRL(crl, &out) == size, "i2d_X509_CRL");
  return der;
}

}  // namespace

core::Result<CertifiedKey> GenerateSelfSignedCa(const CertificateOptions& options,
                                                core::Random& random) {
  return Build(options, Kind::kCa, nullptr, random);
}

core::Result<CertifiedKey> IssueServerCertificate(const CertifiedKey& ca,
                                                  const CertificateOptions& options,
                                                  core::Random& random) {
  return IssueLeaf(ca, options, Kind::kServer, random);
}

core::Result<CertifiedKey> IssueClientCertificate(const CertifiedKey& ca,
                                                  const CertificateOptions& options,
                                                  core::Random& random) {
  return IssueLeaf(ca, options, Kind::kClient, random);
}

core::Result<std::string> GenerateCrl(const CertifiedKey& ca,
                                      const std::vector<RevokedCertificate>& revoked,
                                      core::Clock::WallTime this_update,
                                      core::Clock::WallTime next_update) {
  MAMORI_ASSIGN_OR_RETURN(Issuer issuer, LoadIssuer(ca));
  internal::X509CrlPtr crl(X509_CRL_new());
  CheckOpenSsl(
      crl != nullptr && X509_CRL_set_version(crl.get(), X509_CRL_VERSION_2) == 1 &&
          X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(issuer.cert.get())) == 1,
      "X509_CRL_new");
  MAMORI_RETURN_IF_ERROR(SetCrlTimes(crl.get(), this_update, next_update));
  MAMORI_RETURN_IF_ERROR(AddRevoked(crl.get(), revoked));
  MAMORI_RETURN_IF_ERROR(AddCrlExtensions(crl.get(), issuer.cert.get(), this_update));
  // Sorted by serial, so the bytes do not depend on the caller's order.
  CheckOpenSsl(X509_CRL_sort(crl.get()) == 1, "X509_CRL_sort");
  CheckOpenSsl(X509_CRL_sign(crl.get(), issuer.key.get(), EVP_sha256()) > 0, "X509_CRL_sign");
  return ToDer(crl.get());
}

core::Result<std::string> GenerateEmptyCrl(const CertifiedKey& ca,
                                           core::Clock::WallTime this_update,
                                           core::Clock::WallTime next_update) {
  return GenerateCrl(ca, {}, this_update, next_update);
}

core::Result<std::string> CertificateSerial(std::string_view pem) {
  MAMORI_ASSIGN_OR_RETURN(X509Ptr cert, ParseCertificate(pem));
  internal::BnPtr serial(ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert.get()), nullptr));
  CheckOpenSsl(serial != nullptr, "ASN1_INTEGER_to_BN");
  char* hex = BN_bn2hex(serial.get());
  CheckOpenSsl(hex != nullptr, "BN_bn2hex");
  std::string text(hex);
  OPENSSL_free(hex);
  return text;
}

core::Result<std::string> CertificateSubject(std::string_view pem) {
  MAMORI_ASSIGN_OR_RETURN(X509Ptr cert, ParseCertificate(pem));
  internal::BioPtr bio(BIO_new(BIO_s_mem()));
  // RFC 2253 order and escaping, but UTF-8 kept readable (no \XX escapes).
  const unsigned long flags = XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB;
  CheckOpenSsl(bio != nullptr &&
                   X509_NAME_print_ex(bio.get(), X509_get_subject_name(cert.get()), 0, flags) >= 0,
               "X509_NAME_print_ex");
  return internal::BioContents(bio.get());
}

core::Result<core::Clock::WallTime> CertificateNotAfter(std::string_view pem) {
  MAMORI_ASSIGN_OR_RETURN(X509Ptr cert, ParseCertificate(pem));
  std::tm tm{};
  if (ASN1_TIME_to_tm(X509_get0_notAfter(cert.get()), &tm) != 1) {
    internal::ClearOpenSslErrors();
    return core::InvalidArgumentError("certificate notAfter does not parse");
  }
  using namespace std::chrono;
  sys_days day = year(tm.tm_year + 1900) / month(static_cast<unsigned>(tm.tm_mon + 1)) /
                 static_cast<unsigned>(tm.tm_mday);
  return time_point_cast<system_clock::duration>(day + hours(tm.tm_hour) + minutes(tm.tm_min) +
                                                 seconds(tm.tm_sec));
}

}  // namespace mamori::crypto
