// SPDX-License-Identifier: Apache-2.0
#include "crypto/x509.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <fstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/testing/deterministic_random.h"
#include "core/testing/status_matchers.h"
#include "core/testing/temp_dir.h"

namespace mamori::crypto {
namespace {

using core::StatusCode;
using core::testing::IsOk;
using core::testing::IsOkAndHolds;
using core::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
using namespace std::chrono_literals;

using WallTime = core::Clock::WallTime;

// 2026-01-01T00:00:00Z, a fixed instant: tests never read the real clock.
const WallTime kStart = WallTime(std::chrono::sys_days(std::chrono::year(2026) / 1 / 1));

CertificateOptions CaOptions() {
  return {.common_name = "mamori test CA", .not_before = kStart, .not_after = kStart + 3650 * 24h};
}

CertificateOptions ServerOptions() {
  return {.common_name = "mamori.example.jp",
          .not_before = kStart,
          .not_after = kStart + 397 * 24h,
          .dns_names = {"mamori.example.jp", "localhost"},
          .ip_addresses = {"127.0.0.1", "::1"}};
}

class X509Test : public ::testing::Test {
 protected:
  void SetUp() override {
    auto ca = GenerateSelfSignedCa(CaOptions(), random_);
    ASSERT_THAT(ca, IsOk());
    ca_ = std::move(ca).value();
    dir_ = core::testing::MakeTempDir();
  }

  std::string Write(const std::string& name, std::string_view text) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

  // Runs an openssl command; returns stdout+stderr and sets rc.
  std::string Openssl(const std::string& args, int* rc) {
    return core::testing::RunCommandOutput("openssl " + args + " 2>&1", rc);
  }

  // openssl verify at a time inside the validity (the test clock is fixed).
  std::string Verify(const std::string& purpose, const std::string& cert_pem, int* rc) {
    std::string at = std::to_string(std::chrono::system_clock::to_time_t(kStart + 24h));
    return Openssl("verify -attime " + at + " -purpose " + purpose + " -CAfile " +
                       Write("ca.pem", ca_.certificate_pem) + " " + Write("leaf.pem", cert_pem),
                   rc);
  }

  core::DeterministicRandom random_{::testing::GTEST_FLAG(random_seed)};
  CertifiedKey ca_;
  std::string dir_;
};

TEST_F(X509Test, ServerCertificateVerifiesWithOpensslAsTlsServer) {
  auto server = IssueServerCertificate(ca_, ServerOptions(), random_);
  ASSERT_THAT(server, IsOk());
  int rc = -1;
  std::string out = Verify("sslserver", server->certificate_pem, &rc);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_THAT(out, HasSubstr(": OK"));
}

TEST_F(X509Test, ServerCertificateCarriesTheRequestedSubjectAltNames) {
  auto server = IssueServerCertificate(ca_, ServerOptions(), random_);
  ASSERT_THAT(server, IsOk());
  int rc = -1;
  std::string out = Openssl(
      "x509 -noout -ext subjectAltName -in " + Write("s.pem", server->certificate_pem), &rc);
  ASSERT_EQ(rc, 0) << out;
  EXPECT_THAT(out, HasSubstr("DNS:mamori.example.jp, DNS:localhost, IP Address:127.0.0.1, "
                             "IP Address:0:0:0:0:0:0:0:1"));
}

TEST_F(X509Test, ServerCertificateIsForServerAuthOnly) {
  auto server = IssueServerCertificate(ca_, ServerOptions(), random_);
  ASSERT_THAT(server, IsOk());
  int rc = -1;
  std::string out = Openssl("x509 -noout -ext extendedKeyUsage,basicConstraints,keyUsage -in " +
                                Write("s.pem", server->certificate_pem),
                            &rc);
  ASSERT_EQ(rc, 0) << out;
  EXPECT_THAT(out, HasSubstr("TLS Web Server Authentication"));
  EXPECT_THAT(out, Not(HasSubstr("Client Authentication")));
  EXPECT_THAT(out, HasSubstr("CA:FALSE"));
  EXPECT_THAT(out, HasSubstr("Digital Signature"));
  Verify("sslclient", server->certificate_pem, &rc);
  EXPECT_NE(rc, 0) << "a server certificate must not pass as a TLS client";
}

TEST_F(X509Test, ClientCertificateVerifiesWithOpensslAsTlsClient) {
  CertificateOptions options = ServerOptions();
  options.common_name = "device-0001";
  options.dns_names.clear();
  options.ip_addresses.clear();
  auto client = IssueClientCertificate(ca_, options, random_);
  ASSERT_THAT(client, IsOk());
  int rc = -1;
  std::string out = Verify("sslclient", client->certificate_pem, &rc);
  EXPECT_EQ(rc, 0) << out;
  Verify("sslserver", client->certificate_pem, &rc);
  EXPECT_NE(rc, 0) << "a client certificate must not pass as a TLS server";
  EXPECT_THAT(CertificateSubject(client->certificate_pem), IsOkAndHolds("CN=device-0001"));
}

TEST_F(X509Test, CaIsSelfSignedP256WithSha256AndPathLengthZero) {
  int rc = -1;
  std::string ca_path = Write("ca.pem", ca_.certificate_pem);
  std::string out = Openssl("verify -attime " +
                                std::to_string(std::chrono::system_clock::to_time_t(kStart + 1h)) +
                                " -CAfile " + ca_path + " " + ca_path,
                            &rc);
  EXPECT_EQ(rc, 0) << out;
  out = Openssl("x509 -noout -text -in " + ca_path, &rc);
  ASSERT_EQ(rc, 0) << out;
  EXPECT_THAT(out, HasSubstr("ecdsa-with-SHA256"));
  EXPECT_THAT(out, HasSubstr("prime256v1"));
  EXPECT_THAT(out, HasSubstr("CA:TRUE, pathlen:0"));
  EXPECT_THAT(out, HasSubstr("Certificate Sign, CRL Sign"));
  EXPECT_THAT(out, HasSubstr("Version: 3"));
}

TEST_F(X509Test, PrivateKeysArePkcs8PemThatMatchTheCertificate) {
  auto server = IssueServerCertificate(ca_, ServerOptions(), random_);
  ASSERT_THAT(server, IsOk());
  std::string key_pem(AsStringView(server->private_key_pem));
  EXPECT_THAT(key_pem, StartsWith("-----BEGIN PRIVATE KEY-----"));
  int rc = -1;
  std::string cert_pub =
      Openssl("x509 -noout -pubkey -in " + Write("s.pem", server->certificate_pem), &rc);
  ASSERT_EQ(rc, 0);
  std::string key_pub = Openssl("pkey -pubout -in " + Write("s.key", key_pem), &rc);
  ASSERT_EQ(rc, 0) << key_pub;
  EXPECT_EQ(cert_pub, key_pub);
}

TEST_F(X509Test, SerialsAreRandomAndDistinct) {
  auto a = IssueServerCertificate(ca_, ServerOptions(), random_);
  auto b = IssueServerCertificate(ca_, ServerOptions(), random_);
  ASSERT_THAT(a, IsOk());
  ASSERT_THAT(b, IsOk());
  int rc = -1;
  std::string serial_a =
      Openssl("x509 -noout -serial -in " + Write("a.pem", a->certificate_pem), &rc);
  std::string serial_b =
      Openssl("x509 -noout -serial -in " + Write("b.pem", b->certificate_pem), &rc);
  EXPECT_NE(serial_a, serial_b);
  EXPECT_GE(serial_a.size(), std::string("serial=").size() + 30) << serial_a;  // ~128 bits
}

TEST_F(X509Test, SubjectAndNotAfterParseBack) {
  EXPECT_THAT(CertificateSubject(ca_.certificate_pem), IsOkAndHolds("CN=mamori test CA"));
  EXPECT_THAT(CertificateNotAfter(ca_.certificate_pem), IsOkAndHolds(kStart + 3650 * 24h));
}

TEST_F(X509Test, JapaneseCommonNameIsKeptAsUtf8) {
  CertificateOptions options = CaOptions();
  options.common_name = "守り総合病院 CA";
  auto ca = GenerateSelfSignedCa(options, random_);
  ASSERT_THAT(ca, IsOk());
  EXPECT_THAT(CertificateSubject(ca->certificate_pem), IsOkAndHolds("CN=守り総合病院 CA"));
}

TEST_F(X509Test, NotAfterBeyond2049UsesGeneralizedTime) {
  CertificateOptions options = CaOptions();
  options.not_after =
      WallTime(std::chrono::sys_days(std::chrono::year(2060) / 3 / 4)) + 5h + 6min + 7s;
  auto ca = GenerateSelfSignedCa(options, random_);
  ASSERT_THAT(ca, IsOk());
  EXPECT_THAT(CertificateNotAfter(ca->certificate_pem), IsOkAndHolds(options.not_after));
}

TEST_F(X509Test, NotAfterIsTruncatedToWholeSeconds) {
  CertificateOptions options = CaOptions();
  options.not_after = kStart + 24h + 1500ms;
  auto ca = GenerateSelfSignedCa(options, random_);
  ASSERT_THAT(ca, IsOk());
  EXPECT_THAT(CertificateNotAfter(ca->certificate_pem), IsOkAndHolds(kStart + 24h + 1s));
}

TEST_F(X509Test, RejectsInvalidCommonNames) {
  CertificateOptions options = CaOptions();
  options.common_name = "";
  EXPECT_THAT(GenerateSelfSignedCa(options, random_), StatusIs(StatusCode::kInvalidArgument));
  options.common_name = std::string(65, 'a');
  EXPECT_THAT(GenerateSelfSignedCa(options, random_), StatusIs(StatusCode::kInvalidArgument));
  options.common_name = std::string("a\0b", 3);
  EXPECT_THAT(GenerateSelfSignedCa(options, random_), StatusIs(StatusCode::kInvalidArgument));
  options.common_name = std::string(64, 'a');
  EXPECT_THAT(GenerateSelfSignedCa(options, random_), IsOk());
}

TEST_F(X509Test, RejectsEmptyOrBackwardValidity) {
  CertificateOptions options = CaOptions();
  options.not_after = options.not_before;
  EXPECT_THAT(GenerateSelfSignedCa(options, random_), StatusIs(StatusCode::kInvalidArgument));
  options.not_after = options.not_before - 1s;
  EXPECT_THAT(GenerateSelfSignedCa(options, random_), StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(X509Test, CaRejectsSubjectAltNames) {
  CertificateOptions options = CaOptions();
  options.dns_names = {"ca.example.jp"};
  EXPECT_THAT(GenerateSelfSignedCa(options, random_), StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(X509Test, ServerCertificateNeedsADnsNameOrAnIp) {
  CertificateOptions options = ServerOptions();
  options.dns_names.clear();
  options.ip_addresses.clear();
  EXPECT_THAT(IssueServerCertificate(ca_, options, random_),
              StatusIs(StatusCode::kInvalidArgument));
  options.ip_addresses = {"10.0.0.1"};
  EXPECT_THAT(IssueServerCertificate(ca_, options, random_), IsOk());
}

TEST_F(X509Test, RejectsMalformedDnsNames) {
  for (const char* bad : {"", "a..b", "-a.jp", "a-.jp", "with space.jp", "a,IP:1.2.3.4", "*",
                          "a.*.jp", "ä.jp", "a.jp."}) {
    CertificateOptions options = ServerOptions();
    options.dns_names = {bad};
    EXPECT_THAT(IssueServerCertificate(ca_, options, random_),
                StatusIs(StatusCode::kInvalidArgument))
        << bad;
  }
  CertificateOptions options = ServerOptions();
  options.dns_names = {"*.mamori.example.jp", "xn--eckwd4c7c.jp", "a1-b2.example"};
  EXPECT_THAT(IssueServerCertificate(ca_, options, random_), IsOk());
}

TEST_F(X509Test, RejectsMalformedIpAddresses) {
  for (const char* bad : {"", "1.2.3", "256.1.1.1", "::g", "localhost", "1.2.3.4/24"}) {
    CertificateOptions options = ServerOptions();
    options.ip_addresses = {bad};
    EXPECT_THAT(IssueServerCertificate(ca_, options, random_),
                StatusIs(StatusCode::kInvalidArgument))
        << bad;
  }
}

TEST_F(X509Test, RejectsLeafValidityOutsideTheCas) {
  CertificateOptions options = ServerOptions();
  options.not_after = kStart + 3651 * 24h;
  EXPECT_THAT(IssueServerCertificate(ca_, options, random_),
              StatusIs(StatusCode::kInvalidArgument));
  options = ServerOptions();
  options.not_before = kStart - 1s;
  EXPECT_THAT(IssueServerCertificate(ca_, options, random_),
              StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(X509Test, RejectsACaKeyThatDoesNotMatchTheCaCertificate) {
  auto other = GenerateSelfSignedCa(CaOptions(), random_);
  ASSERT_THAT(other, IsOk());
  CertifiedKey mixed{ca_.certificate_pem, other->private_key_pem.Clone()};
  EXPECT_THAT(IssueServerCertificate(mixed, ServerOptions(), random_),
              StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(X509Test, RejectsAnIssuerThatIsNotACa) {
  auto server = IssueServerCertificate(ca_, ServerOptions(), random_);
  ASSERT_THAT(server, IsOk());
  EXPECT_THAT(IssueServerCertificate(*server, ServerOptions(), random_),
              StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(X509Test, RejectsAnIssuerThatDoesNotParse) {
  CertifiedKey garbage{"not a certificate", ca_.private_key_pem.Clone()};
  EXPECT_THAT(IssueServerCertificate(garbage, ServerOptions(), random_),
              StatusIs(StatusCode::kInvalidArgument));
  CertifiedKey no_key{ca_.certificate_pem, SecureBytes(AsBytes("not a key"))};
  EXPECT_THAT(IssueServerCertificate(no_key, ServerOptions(), random_),
              StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(X509Test, ParsersRejectSomethingThatIsNotACertificate) {
  EXPECT_THAT(CertificateSubject(""), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(CertificateNotAfter("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(CertificateSubject(std::string(AsStringView(ca_.private_key_pem))),
              StatusIs(StatusCode::kInvalidArgument));
}

// ---- CRL distribution points and CRLs ----------------------------------------

CertificateOptions ClientOptions() {
  return {.common_name = "device-0001",
          .not_before = kStart,
          .not_after = kStart + 397 * 24h,
          .crl_distribution_points = {"https://mamori.example.jp/pki/ca.crl"}};
}

class X509CrlTest : public X509Test {
 protected:
  // Unix seconds inside every validity used here, for `openssl verify -attime`.
  std::string AtTime() {
    return std::to_string(std::chrono::system_clock::to_time_t(kStart + 48h));
  }

  std::string WriteDer(const std::string& name, const std::string& der) { return Write(name, der); }

  // `openssl verify -crl_check` of a client certificate against the CA and
  // one DER CRL.
  std::string VerifyWithCrl(const std::string& cert_pem, const std::string& crl_der, int* rc) {
    return Openssl("verify -attime " + AtTime() + " -purpose sslclient -crl_check -CAfile " +
                       Write("ca.pem", ca_.certificate_pem) + " -CRLfile " +
                       WriteDer("crl.der", crl_der) + " " + Write("client.pem", cert_pem),
                   rc);
  }

  CertifiedKey IssueClient(const std::string& common_name) {
    CertificateOptions options = ClientOptions();
    options.common_name = common_name;
    auto client = IssueClientCertificate(ca_, options, random_);
    EXPECT_THAT(client, IsOk());
    return client.ok() ? std::move(client).value() : CertifiedKey{};
  }

  WallTime this_update_ = kStart + 24h;
  WallTime next_update_ = kStart + 8 * 24h;
};

TEST_F(X509CrlTest, ServerAndClientCertificatesCarryTheCrlDistributionPoints) {
  CertificateOptions server = ServerOptions();
  server.crl_distribution_points = {"https://mamori.example.jp/pki/ca.crl",
                                    "http://crl.example.jp/mamori.crl"};
  auto issued = IssueServerCertificate(ca_, server, random_);
  ASSERT_THAT(issued, IsOk());
  int rc = -1;
  std::string out = Openssl(
      "x509 -noout -ext crlDistributionPoints -in " + Write("s.pem", issued->certificate_pem), &rc);
  ASSERT_EQ(rc, 0) << out;
  EXPECT_THAT(out, HasSubstr("X509v3 CRL Distribution Points"));
  EXPECT_THAT(out, HasSubstr("Full Name"));
  EXPECT_THAT(out, HasSubstr("URI:https://mamori.example.jp/pki/ca.crl"));
  EXPECT_THAT(out, HasSubstr("URI:http://crl.example.jp/mamori.crl"));

  CertifiedKey client = IssueClient("device-0002");
  out = Openssl(
      "x509 -noout -ext crlDistributionPoints -in " + Write("c.pem", client.certificate_pem), &rc);
  ASSERT_EQ(rc, 0) << out;
  EXPECT_THAT(out, HasSubstr("URI:https://mamori.example.jp/pki/ca.crl"));
  // Still a valid TLS client certificate with the extension.
  out = Verify("sslclient", client.certificate_pem, &rc);
  EXPECT_EQ(rc, 0) << out;
}

TEST_F(X509CrlTest, CertificatesWithoutUrisHaveNoCrlDistributionPoints) {
  auto server = IssueServerCertificate(ca_, ServerOptions(), random_);
  ASSERT_THAT(server, IsOk());
  int rc = -1;
  std::string out =
      Openssl("x509 -noout -text -in " + Write("s.pem", server->certificate_pem), &rc);
  ASSERT_EQ(rc, 0) << out;
  EXPECT_THAT(out, Not(HasSubstr("CRL Distribution Points")));
}

TEST_F(X509CrlTest, CaRejectsCrlDistributionPoints) {
  CertificateOptions options = CaOptions();
  options.crl_distribution_points = {"https://mamori.example.jp/pki/ca.crl"};
  EXPECT_THAT(GenerateSelfSignedCa(options, random_), StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(X509CrlTest, RejectsCrlDistributionPointsThatAreNotHttpUris) {
  for (const char* bad :
       {"", "mamori.example.jp/ca.crl", "ftp://example.jp/ca.crl", "file:///etc/ca.crl", "https://",
        "https:///ca.crl", "https://example.jp/a b.crl", "https://example.jp/\n",
        "ldap://example.jp/cn=ca", "HTTPS://example.jp/ca.crl"}) {
    CertificateOptions options = ClientOptions();
    options.crl_distribution_points = {bad};
    EXPECT_THAT(IssueClientCertificate(ca_, options, random_),
                StatusIs(StatusCode::kInvalidArgument))
        << bad;
  }
  CertificateOptions options = ClientOptions();
  options.crl_distribution_points = {std::string("https://example.jp/") + std::string(2100, 'a')};
  EXPECT_THAT(IssueClientCertificate(ca_, options, random_),
              StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(X509CrlTest, EmptyCrlVerifiesUnderTheCa) {
  auto crl = GenerateEmptyCrl(ca_, this_update_, next_update_);
  ASSERT_THAT(crl, IsOk());
  int rc = -1;
  std::string out =
      Openssl("crl -inform DER -noout -text -CAfile " + Write("ca.pem", ca_.certificate_pem) +
                  " -in " + WriteDer("empty.crl", *crl),
              &rc);
  ASSERT_EQ(rc, 0) << out;
  EXPECT_THAT(out, HasSubstr("verify OK"));
  EXPECT_THAT(out, HasSubstr("Version 2 (0x1)"));
  EXPECT_THAT(out, HasSubstr("ecdsa-with-SHA256"));
  EXPECT_THAT(out, HasSubstr("Issuer: CN = mamori test CA"));
  EXPECT_THAT(out, HasSubstr("Last Update: Jan  2 00:00:00 2026 GMT"));
  EXPECT_THAT(out, HasSubstr("Next Update: Jan  9 00:00:00 2026 GMT"));
  EXPECT_THAT(out, HasSubstr("X509v3 Authority Key Identifier"));
  EXPECT_THAT(out, HasSubstr("X509v3 CRL Number"));
  EXPECT_THAT(out, HasSubstr("No Revoked Certificates"));
}

TEST_F(X509CrlTest, CrlAuthorityKeyIdIsTheCasSubjectKeyId) {
  auto crl = GenerateEmptyCrl(ca_, this_update_, next_update_);
  ASSERT_THAT(crl, IsOk());
  int rc = -1;
  std::string ski = Openssl(
      "x509 -noout -ext subjectKeyIdentifier -in " + Write("ca.pem", ca_.certificate_pem), &rc);
  ASSERT_EQ(rc, 0) << ski;
  std::string key_id = ski.substr(ski.rfind(' ') + 1);
  while (!key_id.empty() && key_id.back() == '\n') key_id.pop_back();
  ASSERT_GE(key_id.size(), 20u) << ski;
  std::string out = Openssl("crl -inform DER -noout -text -in " + WriteDer("c.crl", *crl), &rc);
  ASSERT_EQ(rc, 0) << out;
  EXPECT_THAT(out, HasSubstr(key_id));
}

TEST_F(X509CrlTest, CrlNumberGrowsWithThisUpdate) {
  auto first = GenerateEmptyCrl(ca_, this_update_, next_update_);
  auto later = GenerateEmptyCrl(ca_, this_update_ + 1500ms, next_update_);
  ASSERT_THAT(first, IsOk());
  ASSERT_THAT(later, IsOk());
  int rc = -1;
  std::string a =
      Openssl("crl -inform DER -noout -crlnumber -in " + WriteDer("a.crl", *first), &rc);
  ASSERT_EQ(rc, 0) << a;
  std::string b =
      Openssl("crl -inform DER -noout -crlnumber -in " + WriteDer("b.crl", *later), &rc);
  ASSERT_EQ(rc, 0) << b;
  // thisUpdate in milliseconds since the epoch; openssl prints "crlNumber=0x<hex>".
  auto millis = [](WallTime t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  };
  auto number = [](const std::string& out) {
    size_t at = out.find("crlNumber=0x");
    return at == std::string::npos ? -1 : std::stoll(out.substr(at + 12), nullptr, 16);
  };
  EXPECT_EQ(number(a), millis(this_update_)) << a;
  EXPECT_EQ(number(b), millis(this_update_ + 1500ms)) << b;
  EXPECT_LT(number(a), number(b));
}

TEST_F(X509CrlTest, RevokedClientCertificateFailsOpensslCrlCheckAndAGoodOnePasses) {
  CertifiedKey revoked = IssueClient("lost-tablet-07");
  CertifiedKey good = IssueClient("ward-3-terminal");
  auto serial = CertificateSerial(revoked.certificate_pem);
  ASSERT_THAT(serial, IsOk());
  auto crl = GenerateCrl(ca_, {{.serial_hex = *serial, .revocation_time = kStart + 12h}},
                         this_update_, next_update_);
  ASSERT_THAT(crl, IsOk());

  int rc = -1;
  std::string out = VerifyWithCrl(revoked.certificate_pem, *crl, &rc);
  EXPECT_NE(rc, 0) << out;
  EXPECT_THAT(out, HasSubstr("certificate revoked"));

  out = VerifyWithCrl(good.certificate_pem, *crl, &rc);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_THAT(out, HasSubstr(": OK"));

  // An empty CRL lets the first one through too.
  auto empty = GenerateEmptyCrl(ca_, this_update_, next_update_);
  ASSERT_THAT(empty, IsOk());
  out = VerifyWithCrl(revoked.certificate_pem, *empty, &rc);
  EXPECT_EQ(rc, 0) << out;
}

TEST_F(X509CrlTest, CrlListsEverySerialWithItsRevocationTime) {
  CertifiedKey a = IssueClient("a");
  CertifiedKey b = IssueClient("b");
  auto serial_a = CertificateSerial(a.certificate_pem);
  auto serial_b = CertificateSerial(b.certificate_pem);
  ASSERT_THAT(serial_a, IsOk());
  ASSERT_THAT(serial_b, IsOk());
  std::string lower_b = *serial_b;
  std::transform(lower_b.begin(), lower_b.end(), lower_b.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  auto crl = GenerateCrl(ca_,
                         {{.serial_hex = *serial_a, .revocation_time = kStart + 1h},
                          {.serial_hex = lower_b, .revocation_time = kStart + 2h + 500ms}},
                         this_update_, next_update_);
  ASSERT_THAT(crl, IsOk());
  int rc = -1;
  std::string out =
      Openssl("crl -inform DER -noout -text -CAfile " + Write("ca.pem", ca_.certificate_pem) +
                  " -in " + WriteDer("two.crl", *crl),
              &rc);
  ASSERT_EQ(rc, 0) << out;
  EXPECT_THAT(out, HasSubstr("verify OK"));
  EXPECT_THAT(out, HasSubstr("Serial Number: " + *serial_a));
  EXPECT_THAT(out, HasSubstr("Serial Number: " + *serial_b));
  EXPECT_THAT(out, HasSubstr("Revocation Date: Jan  1 01:00:00 2026 GMT"));
  EXPECT_THAT(out, HasSubstr("Revocation Date: Jan  1 02:00:00 2026 GMT"));
}

TEST_F(X509CrlTest, CertificateSerialMatchesOpenssl) {
  CertifiedKey client = IssueClient("device-0003");
  auto serial = CertificateSerial(client.certificate_pem);
  ASSERT_THAT(serial, IsOk());
  int rc = -1;
  std::string out =
      Openssl("x509 -noout -serial -in " + Write("c.pem", client.certificate_pem), &rc);
  ASSERT_EQ(rc, 0) << out;
  EXPECT_EQ(out, "serial=" + *serial + "\n");
  EXPECT_THAT(CertificateSerial("not a certificate"), StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(X509CrlTest, GenerateCrlRejectsBadSerials) {
  for (const char* bad : {"", "xyz", "0x1A", "1A:2B", "00", "0", std::string(41, 'A').c_str()}) {
    EXPECT_THAT(GenerateCrl(ca_, {{.serial_hex = bad, .revocation_time = kStart}}, this_update_,
                            next_update_),
                StatusIs(StatusCode::kInvalidArgument))
        << bad;
  }
  EXPECT_THAT(GenerateCrl(ca_, {{.serial_hex = std::string(40, 'F'), .revocation_time = kStart}},
                          this_update_, next_update_),
              IsOk());
}

TEST_F(X509CrlTest, GenerateCrlRejectsASerialListedTwice) {
  EXPECT_THAT(GenerateCrl(ca_,
                          {{.serial_hex = "0A1B", .revocation_time = kStart},
                           {.serial_hex = "a1b", .revocation_time = kStart + 1h}},
                          this_update_, next_update_),
              StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(X509CrlTest, GenerateCrlRejectsNextUpdateNotAfterThisUpdate) {
  EXPECT_THAT(GenerateEmptyCrl(ca_, this_update_, this_update_),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(GenerateEmptyCrl(ca_, this_update_, this_update_ - 1s),
              StatusIs(StatusCode::kInvalidArgument));
  // Times are whole seconds in a CRL: half a second later is the same second.
  EXPECT_THAT(GenerateEmptyCrl(ca_, this_update_, this_update_ + 500ms),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(GenerateEmptyCrl(ca_, this_update_, this_update_ + 1s), IsOk());
}

TEST_F(X509CrlTest, GenerateCrlRejectsAnIssuerThatIsNotACa) {
  CertifiedKey client = IssueClient("device-0004");
  EXPECT_THAT(GenerateEmptyCrl(client, this_update_, next_update_),
              StatusIs(StatusCode::kInvalidArgument));
  auto other = GenerateSelfSignedCa(CaOptions(), random_);
  ASSERT_THAT(other, IsOk());
  CertifiedKey mixed{ca_.certificate_pem, other->private_key_pem.Clone()};
  EXPECT_THAT(GenerateEmptyCrl(mixed, this_update_, next_update_),
              StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(X509Test, KeysComeFromTheInjectedRandomSource) {
  core::DeterministicRandom a(21), b(21);
  auto first = GenerateSelfSignedCa(CaOptions(), a);
  auto second = GenerateSelfSignedCa(CaOptions(), b);
  ASSERT_THAT(first, IsOk());
  ASSERT_THAT(second, IsOk());
  // Same seed, same key (the ECDSA signature itself uses OpenSSL's nonce).
  EXPECT_EQ(AsStringView(first->private_key_pem), AsStringView(second->private_key_pem));
}

}  // namespace
}  // namespace mamori::crypto
