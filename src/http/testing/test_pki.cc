// SPDX-License-Identifier: Apache-2.0
#include "http/testing/test_pki.h"

#include <cctype>
#include <fstream>

#include "core/testing/temp_dir.h"

namespace mamori::http::testing {
namespace {

constexpr char kConfig[] = R"([req]
distinguished_name = dn
prompt = no
[dn]
CN = placeholder
[v3_ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[v3_server]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1,DNS:localhost
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[v3_client]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ca]
default_ca = test_ca
[test_ca]
database = DIR/index.txt
new_certs_dir = DIR/newcerts
serial = DIR/serial
default_md = sha256
policy = any
unique_subject = no
[any]
countryName = optional
organizationName = optional
commonName = supplied
)";

class PkiBuilder {
 public:
  explicit PkiBuilder(std::string dir) : dir_(std::move(dir)) {}

  std::string Path(const std::string& name) const { return dir_ + "/" + name; }

  core::Status Run(const std::string& args) {
    std::string command = "openssl " + args + " >>" + Path("openssl.log") + " 2>&1";
    if (core::testing::RunCommand(command) != 0) {
      return core::InternalError("`openssl " + args + "` failed; see " + Path("openssl.log"));
    }
    return core::Status::Ok();
  }

  core::Status WriteConfig() {
    std::string text = kConfig;
    for (size_t at = text.find("DIR"); at != std::string::npos; at = text.find("DIR", at)) {
      text.replace(at, 3, dir_);
    }
    std::ofstream(Path("openssl.cnf")) << text;
    std::ofstream(Path("index.txt")).flush();
    std::ofstream(Path("serial")) << "5000\n";
    if (core::testing::RunCommand("mkdir -p " + Path("newcerts")) != 0) {
      return core::InternalError("cannot create " + Path("newcerts"));
    }
    return core::Status::Ok();
  }

  core::Status Key(const std::string& name) {
    return Run("genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out " + Path(name));
  }

  core::Status Ca(const std::string& name, const std::string& subject) {
    MAMORI_RETURN_IF_ERROR(Key(name + ".key"));
    return Run("req -x509 -new -config " + Path("openssl.cnf") + " -extensions v3_ca -key " +
               Path(name + ".key") + " -subj '" + subject + "' -days 2 -out " +
               Path(name + ".pem"));
  }

  // A certificate `name` signed by `ca` with extension section `ext`.
  core::Status Leaf(const std::string& name, const std::string& ca, const std::string& subject,
                    const std::string& ext) {
    MAMORI_RETURN_IF_ERROR(Key(name + ".key"));
    MAMORI_RETURN_IF_ERROR(Run("req -new -config " + Path("openssl.cnf") + " -key " +
                               Path(name + ".key") + " -subj '" + subject + "' -out " +
                               Path(name + ".csr")));
    return Run("x509 -req -in " + Path(name + ".csr") + " -CA " + Path(ca + ".pem") + " -CAkey " +
               Path(ca + ".key") + " -set_serial " + std::to_string(++serial_) +
               " -days 2 -sha256 -extfile " + Path("openssl.cnf") + " -extensions " + ext +
               " -out " + Path(name + ".pem"));
  }

  // A client certificate from `ca` that expired in 2020.
  core::Status Expired(const std::string& name, const std::string& ca) {
    MAMORI_RETURN_IF_ERROR(Key(name + ".key"));
    MAMORI_RETURN_IF_ERROR(Run("req -new -config " + Path("openssl.cnf") + " -key " +
                               Path(name + ".key") + " -subj '/CN=expired-client' -out " +
                               Path(name + ".csr")));
    return Run("ca -batch -config " + Path("openssl.cnf") + " -cert " + Path(ca + ".pem") +
               " -keyfile " + Path(ca + ".key") + " -in " + Path(name + ".csr") +
               " -startdate 20200101000000Z -enddate 20200102000000Z -extensions v3_client "
               "-notext -out " +
               Path(name + ".pem"));
  }

 private:
  std::string dir_;
  int serial_ = 1000;
};

}  // namespace

core::Result<TestPki> MakeTestPki(const std::string& dir) {
  PkiBuilder b(dir);
  MAMORI_RETURN_IF_ERROR(b.WriteConfig());
  MAMORI_RETURN_IF_ERROR(b.Ca("ca", "/O=mamori test/CN=mamori test CA"));
  MAMORI_RETURN_IF_ERROR(b.Leaf("server", "ca", "/CN=localhost", "v3_server"));
  MAMORI_RETURN_IF_ERROR(b.Leaf("client", "ca", "/C=JP/O=Test Clinic/CN=emr-01", "v3_client"));
  MAMORI_RETURN_IF_ERROR(b.Ca("foreign_ca", "/O=elsewhere/CN=foreign CA"));
  MAMORI_RETURN_IF_ERROR(
      b.Leaf("foreign_client", "foreign_ca", "/C=JP/O=Test Clinic/CN=emr-01", "v3_client"));
  MAMORI_RETURN_IF_ERROR(b.Expired("expired_client", "ca"));
  TestPki pki;
  pki.dir = dir;
  pki.ca_cert = b.Path("ca.pem");
  pki.ca_key = b.Path("ca.key");
  pki.server_cert = b.Path("server.pem");
  pki.server_key = b.Path("server.key");
  pki.client_cert = b.Path("client.pem");
  pki.client_key = b.Path("client.key");
  pki.foreign_ca_cert = b.Path("foreign_ca.pem");
  pki.foreign_client_cert = b.Path("foreign_client.pem");
  pki.foreign_client_key = b.Path("foreign_client.key");
  pki.expired_client_cert = b.Path("expired_client.pem");
  pki.expired_client_key = b.Path("expired_client.key");
  pki.client_subject = "CN=emr-01,O=Test Clinic,C=JP";
  return pki;
}

std::string CertificateFingerprint(const std::string& pem_path) {
  int rc = 0;
  std::string out = core::testing::RunCommandOutput(
      "openssl x509 -noout -fingerprint -sha256 -in " + pem_path, &rc);
  if (rc != 0) return "";
  std::string hex;
  size_t eq = out.find('=');
  if (eq == std::string::npos) return "";
  for (char c : out.substr(eq + 1)) {
    if (std::isxdigit(static_cast<unsigned char>(c))) {
      hex.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
  }
  return hex;
}

}  // namespace mamori::http::testing
