// SPDX-License-Identifier: Apache-2.0
#pragma once

// The layout of a mamori data directory, in one place so that `init`, `serve`
// and the tests agree on it:
//
//   DIR/                 mode 0700
//     config.toml        0600  server configuration (core/config.h)
//     tls/               0700
//       ca.pem           0644  the installation's CA certificate (give it to clients)
//       ca.key           0600  its private key (issues server and client certificates)
//       ca.crl           0644  the CA's certificate revocation list (DER), served at /pki/ca.crl
//       server.pem       0644  the server certificate
//       server.key       0600  its private key
//
// With `init --tls-cert/--tls-key` mamori makes no CA: config.toml points at
// the operator's files instead.

#include <string>

namespace mamori::cli {

inline constexpr const char kConfigFile[] = "config.toml";
inline constexpr const char kTlsDir[] = "tls";
inline constexpr const char kCaCertFile[] = "tls/ca.pem";
inline constexpr const char kCaKeyFile[] = "tls/ca.key";
inline constexpr const char kCaCrlFile[] = "tls/ca.crl";
inline constexpr const char kServerCertFile[] = "tls/server.pem";
inline constexpr const char kServerKeyFile[] = "tls/server.key";

// Resolves a path from config.toml: absolute paths stay, relative ones are
// relative to the data directory.
std::string ResolveDataPath(const std::string& data_dir, const std::string& path);

}  // namespace mamori::cli
