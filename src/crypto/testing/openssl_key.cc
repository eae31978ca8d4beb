// SPDX-License-Identifier: Apache-2.0
#include "crypto/testing/openssl_key.h"

#include <fstream>

#include <gtest/gtest.h>
#include <openssl/ecdsa.h>

#include "core/testing/temp_dir.h"
#include "crypto/internal/base64.h"
#include "crypto/internal/hex.h"
#include "crypto/secure_bytes.h"

namespace mamori::crypto::testing {

std::string B64Url(std::span<const uint8_t> bytes) {
  std::string s = internal::Base64EncodeUnpadded(bytes);
  for (char& c : s) c = c == '+' ? '-' : c == '/' ? '_' : c;
  return s;
}
std::string B64Url(std::string_view text) { return B64Url(AsBytes(text)); }

namespace {

std::string Run(const std::string& command) {
  int status = -1;
  std::string out = core::testing::RunCommandOutput(command, &status);
  EXPECT_EQ(status, 0) << command << "\n" << out;
  return out;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace

OpensslKey::OpensslKey(std::string kind, std::string kid)
    : dir_(core::testing::MakeTempDir()), kid_(kid) {
  key_ = dir_ + "/key.pem";
  if (kind == "P-384" || kind == "P-256") {
    Run("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:" + kind + " -out " + key_);
    Run("openssl pkey -in " + key_ + " -pubout -outform DER -out " + dir_ + "/pub.der");
    std::string der = ReadFile(dir_ + "/pub.der");
    size_t coord = kind == "P-384" ? 48 : 32;
    std::string point = der.substr(der.size() - 2 * coord);  // after the 0x04
    jwk_ = R"({"kty":"EC","crv":")" + kind + R"(","x":")" + B64Url(point.substr(0, coord)) +
           R"(","y":")" + B64Url(point.substr(coord)) + R"(","kid":")" + kid + R"("})";
    ec_half_ = coord;
  } else {
    Run("openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:" + kind + " -out " + key_);
    std::string modulus = Run("openssl rsa -in " + key_ + " -noout -modulus");
    modulus = modulus.substr(modulus.find('=') + 1);
    while (!modulus.empty() && modulus.back() == '\n') modulus.pop_back();
    auto n = internal::HexDecode(modulus);
    jwk_ = R"({"kty":"RSA","n":")" + B64Url(*n) + R"(","e":"AQAB","kid":")" + kid + R"("})";
  }
}
std::string OpensslKey::Sign(std::string_view alg, std::string_view payload,
                             std::string digest) const {
  std::string input =
      B64Url(R"({"alg":")" + std::string(alg) + R"(","kid":")" + kid_ + R"(","typ":"JWT"})") + "." +
      B64Url(payload);
  std::ofstream(dir_ + "/input", std::ios::binary) << input;
  Run("openssl dgst -" + digest + " -sign " + key_ + " -out " + dir_ + "/sig " + dir_ + "/input");
  std::string sig = ReadFile(dir_ + "/sig");
  if (ec_half_ > 0) sig = DerToRaw(sig);
  return input + "." + B64Url(sig);
}
std::string OpensslKey::DerToRaw(const std::string& der) const {
  const uint8_t* p = reinterpret_cast<const uint8_t*>(der.data());
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size()));
  std::string raw(2 * ec_half_, '\0');
  BN_bn2binpad(ECDSA_SIG_get0_r(sig), reinterpret_cast<uint8_t*>(raw.data()),
               static_cast<int>(ec_half_));
  BN_bn2binpad(ECDSA_SIG_get0_s(sig), reinterpret_cast<uint8_t*>(raw.data()) + ec_half_,
               static_cast<int>(ec_half_));
  ECDSA_SIG_free(sig);
  return raw;
}

}  // namespace mamori::crypto::testing
