// SPDX-License-Identifier: Apache-2.0
#include "crypto/internal/ec_key.h"

#include <array>

#include <openssl/core_names.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>

#include "crypto/secure_bytes.h"

namespace mamori::crypto::internal {
namespace {

constexpr size_t kScalarSize = 32;
constexpr size_t kUncompressedPointSize = 65;
constexpr int kMaxAttempts = 64;

using ParamBldPtr = OpenSslPtr<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>;
using ParamPtr = OpenSslPtr<OSSL_PARAM, OSSL_PARAM_free>;

// A uniformly random scalar in [1, order - 1], in secure-heap memory.
core::Result<BnPtr> RandomScalar(const BIGNUM* order, core::Random& random) {
  BnPtr scalar(BN_secure_new());
  CheckOpenSsl(scalar != nullptr, "BN_secure_new");
  SecureBytes candidate(kScalarSize);
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    random.Fill(candidate.mutable_span());
    CheckOpenSsl(BN_bin2bn(candidate.data(), kScalarSize, scalar.get()) != nullptr, "BN_bin2bn");
    if (!BN_is_zero(scalar.get()) && BN_cmp(scalar.get(), order) < 0) return scalar;
  }
  return core::InternalError("random source gave no valid P-256 scalar in 64 tries");
}

// The uncompressed encoding of scalar * G.
std::array<uint8_t, kUncompressedPointSize> PublicPoint(const EC_GROUP* group,
                                                        const BIGNUM* scalar) {
  EcPointPtr point(EC_POINT_new(group));
  std::array<uint8_t, kUncompressedPointSize> out;
  CheckOpenSsl(point != nullptr &&
                   EC_POINT_mul(group, point.get(), scalar, nullptr, nullptr, nullptr) == 1 &&
                   EC_POINT_point2oct(group, point.get(), POINT_CONVERSION_UNCOMPRESSED, out.data(),
                                      out.size(), nullptr) == out.size(),
               "P-256 public point");
  return out;
}

}  // namespace

core::Result<PkeyPtr> GenerateP256Key(core::Random& random) {
  EcGroupPtr group(EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1));
  CheckOpenSsl(group != nullptr, "EC_GROUP_new_by_curve_name P-256");
  MAMORI_ASSIGN_OR_RETURN(BnPtr scalar, RandomScalar(EC_GROUP_get0_order(group.get()), random));
  std::array<uint8_t, kUncompressedPointSize> point = PublicPoint(group.get(), scalar.get());

  ParamBldPtr builder(OSSL_PARAM_BLD_new());
  CheckOpenSsl(
      builder != nullptr &&
          OSSL_PARAM_BLD_push_utf8_string(builder.get(), OSSL_PKEY_PARAM_GROUP_NAME,
                                          SN_X9_62_prime256v1, 0) == 1 &&
          OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_PRIV_KEY, scalar.get()) == 1 &&
          OSSL_PARAM_BLD_push_octet_string(builder.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                           point.size()) == 1,
      "OSSL_PARAM_BLD P-256");
  // The private scalar lands in the secure heap because `scalar` lives there;
  // OSSL_PARAM_free clears that part.
  ParamPtr params(OSSL_PARAM_BLD_to_param(builder.get()));
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* key = nullptr;
  if (params == nullptr || ctx == nullptr || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_KEYPAIR, params.get()) != 1) {
    return OpenSslError("EVP_PKEY_fromdata P-256");
  }
  return PkeyPtr(key);
}

}  // namespace mamori::crypto::internal
