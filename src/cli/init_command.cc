// SPDX-License-Identifier: Apache-2.0
#include "cli/init_command.h"

#include <chrono>

#include "cli/data_dir.h"
#include "cli/identity.h"
#include "cli/master_key.h"
#include "core/config.h"
#include "crypto/x509.h"
#include "policy/policy.h"
#include "store/store.h"

namespace mamori::cli {
namespace {

using std::chrono::days;

// Validity periods. The server certificate stays under 398 days, the limit
// browsers enforce, and well above testssl.sh's 60-day warning; renewal is
// `mamori tls renew` (issue 7) or a new init.
constexpr days kCaValidity{3650};
constexpr days kServerValidity{397};
constexpr days kCrlValidity{400};

core::Status RefuseNonEmpty(core::FileSystem& fs, const std::string& dir) {
  MAMORI_ASSIGN_OR_RETURN(bool exists, fs.Exists(dir));
  if (!exists) return core::Status::Ok();
  MAMORI_ASSIGN_OR_RETURN(core::FileInfo info, fs.Stat(dir));
  if (!info.is_directory) {
    return core::FailedPreconditionError(dir +
                                         " exists and is not a directory; choose a new "
                                         "path for --data-dir");
  }
  MAMORI_ASSIGN_OR_RETURN(std::vector<std::string> entries, fs.ListDir(dir));
  if (!entries.empty()) {
    return core::FailedPreconditionError(
        dir +
        " is not empty; mamori init never overwrites an existing data directory. "
        "Choose a new path, or serve this one with `mamori serve --data-dir " +
        dir + "`");
  }
  return core::Status::Ok();
}

std::string_view PemText(const crypto::SecureBytes& pem) {
  return crypto::AsStringView(std::span<const uint8_t>(pem.data(), pem.size()));
}

// Separates "127.0.0.1"/"::1" from DNS names for the SAN extension.
bool LooksLikeIpAddress(const std::string& name) {
  if (name.find(':') != std::string::npos) return true;
  return !name.empty() && name.find_first_not_of("0123456789.") == std::string::npos;
}

core::Status WritePki(core::Env& env, const InitOptions& options, core::Config& config) {
  const std::string& dir = options.data_dir;
  auto now = env.clock().Now();
  crypto::CertificateOptions ca_options{.common_name = "mamori local CA",
                                        .not_before = now - std::chrono::minutes(5),
                                        .not_after = now + kCaValidity};
  MAMORI_ASSIGN_OR_RETURN(crypto::CertifiedKey ca,
                          crypto::GenerateSelfSignedCa(ca_options, env.random()));

  crypto::CertificateOptions server{.common_name = options.hostnames.front(),
                                    .not_before = now - std::chrono::minutes(5),
                                    .not_after = now + kServerValidity};
  for (const std::string& name : options.hostnames) {
    (LooksLikeIpAddress(name) ? server.ip_addresses : server.dns_names).push_back(name);
  }
  server.crl_distribution_points.push_back("https://" + options.hostnames.front() +
                                           ":8443/pki/ca.crl");
  MAMORI_ASSIGN_OR_RETURN(crypto::CertifiedKey tls,
                          crypto::IssueServerCertificate(ca, server, env.random()));
  MAMORI_ASSIGN_OR_RETURN(std::string crl, crypto::GenerateEmptyCrl(ca, now, now + kCrlValidity));

  core::FileSystem& fs = env.fs();
  MAMORI_RETURN_IF_ERROR(fs.CreateDir(core::JoinPath(dir, kTlsDir), 0700));
  MAMORI_RETURN_IF_ERROR(core::WriteFileAtomically(fs, core::JoinPath(dir, kCaKeyFile),
                                                   PemText(ca.private_key_pem), 0600));
  MAMORI_RETURN_IF_ERROR(
      core::WriteFileAtomically(fs, core::JoinPath(dir, kCaCertFile), ca.certificate_pem, 0644));
  MAMORI_RETURN_IF_ERROR(core::WriteFileAtomically(fs, core::JoinPath(dir, kCaCrlFile), crl, 0644));
  MAMORI_RETURN_IF_ERROR(core::WriteFileAtomically(fs, core::JoinPath(dir, kServerKeyFile),
                                                   PemText(tls.private_key_pem), 0600));
  MAMORI_RETURN_IF_ERROR(core::WriteFileAtomically(fs, core::JoinPath(dir, kServerCertFile),
                                                   tls.certificate_pem, 0644));
  config.tls.cert = kServerCertFile;
  config.tls.key = kServerKeyFile;
  return core::Status::Ok();
}

core::Status UseOperatorCertificate(core::Env& env, const InitOptions& options,
                                    core::Config& config) {
  for (const std::string* path : {&options.tls_cert, &options.tls_key}) {
    if (path->front() != '/') {
      return core::InvalidArgumentError("--tls-cert and --tls-key must be absolute paths, got " +
                                        *path);
    }
    MAMORI_RETURN_IF_ERROR(env.fs().ReadFile(*path).status().With("reading ", *path));
  }
  MAMORI_RETURN_IF_ERROR(crypto::CertificateSubject(*env.fs().ReadFile(options.tls_cert))
                             .status()
                             .With(options.tls_cert, " is not a PEM certificate"));
  config.tls.cert = options.tls_cert;
  config.tls.key = options.tls_key;
  return core::Status::Ok();
}

// The master key file and an empty store (schema and index key made now, so
// the first `serve` finds a complete installation).
core::Status CreateVault(const InitOptions& options, core::Env& env) {
  MAMORI_ASSIGN_OR_RETURN(crypto::AeadKey kek, CreateMasterKey(options.data_dir, options.passphrase,
                                                               options.key_file_params, env));
  store::StoreOptions store_options{.path = options.store_url.empty()
                                                ? core::JoinPath(options.data_dir, kDatabaseFile)
                                                : options.store_url,
                                    .kek = &kek,
                                    .read_connections = 1};
  MAMORI_ASSIGN_OR_RETURN(auto store, store::OpenStore(store_options, env));
  return core::Status::Ok();
}

core::Status CreateContents(const InitOptions& options, core::Env& env) {
  MAMORI_RETURN_IF_ERROR(CreateVault(options, env));
  core::Config config;
  config.store.url = options.store_url;
  if (options.tls_cert.empty()) {
    MAMORI_RETURN_IF_ERROR(WritePki(env, options, config));
  } else {
    MAMORI_RETURN_IF_ERROR(UseOperatorCertificate(env, options, config));
  }
  // The access policy as data (deny by default; the administrator edits it).
  MAMORI_RETURN_IF_ERROR(core::WriteFileAtomically(env.fs(),
                                                   core::JoinPath(options.data_dir, kPolicyFile),
                                                   std::string(policy::DefaultPolicyToml()), 0600));
  return core::WriteFileAtomically(env.fs(), core::JoinPath(options.data_dir, kConfigFile),
                                   core::RenderConfig(config), 0600);
}

// Removes what CreateContents may have written, so a failed init leaves no
// half-made directory behind (DESIGN invariant 7).
void RemoveCreated(core::FileSystem& fs, const std::string& dir, bool created_dir) {
  for (const char* file :
       {kCaKeyFile, kCaCertFile, kCaCrlFile, kServerKeyFile, kServerCertFile, kConfigFile,
        kPolicyFile, kMasterKeyFile, kDatabaseFile, "mamori.db-wal", "mamori.db-shm"}) {
    fs.Remove(core::JoinPath(dir, file)).IgnoreError();  // absent files are expected
  }
  fs.Remove(core::JoinPath(dir, kTlsDir)).IgnoreError();
  fs.Remove(core::JoinPath(dir, kKeysDir)).IgnoreError();
  if (created_dir) fs.Remove(dir).IgnoreError();
}

}  // namespace

core::Status InitDataDir(const InitOptions& options, core::Env& env) {
  if (options.data_dir.empty()) return core::InvalidArgumentError("--data-dir must not be empty");
  if (options.tls_cert.empty() != options.tls_key.empty()) {
    return core::InvalidArgumentError("--tls-cert and --tls-key go together; give both or neither");
  }
  if (options.hostnames.empty()) {
    return core::InvalidArgumentError("--hostname needs at least one name");
  }
  if (!options.store_url.empty() && !IsPostgresLocation(options.store_url)) {
    return core::InvalidArgumentError(
        "--store must be a postgres:// URL, e.g. postgres://mamori@db:5432/mamori; omit it for "
        "SQLite in the data directory");
  }
  if (options.passphrase.size() == 0) {
    return core::InvalidArgumentError("a passphrase for the master key is required");
  }
  core::FileSystem& fs = env.fs();
  MAMORI_RETURN_IF_ERROR(RefuseNonEmpty(fs, options.data_dir));
  MAMORI_ASSIGN_OR_RETURN(bool existed, fs.Exists(options.data_dir));
  if (!existed) {
    MAMORI_RETURN_IF_ERROR(core::CreateDirs(fs, core::DirName(options.data_dir), 0755));
    MAMORI_RETURN_IF_ERROR(fs.CreateDir(options.data_dir, 0700));
  }
  // An existing empty directory may have been made with a looser mode.
  MAMORI_RETURN_IF_ERROR(fs.Chmod(options.data_dir, 0700));
  core::Status status = CreateContents(options, env);
  if (!status.ok()) RemoveCreated(fs, options.data_dir, !existed);
  return status;
}

}  // namespace mamori::cli
