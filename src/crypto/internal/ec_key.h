// SPDX-License-Identifier: Apache-2.0
#pragma once

// Private to crypto: include "crypto/x509.h" instead.
//
// ECDSA P-256 key generation from core::Random (STYLE.md rule 14: keys come
// through the injected random source, so tests are reproducible). The private
// scalar is drawn by rejection sampling from 32-byte strings, the method of
// FIPS 186-5 appendix A.4.2, and the public point is computed from it.
//
//   MAMORI_ASSIGN_OR_RETURN(PkeyPtr key, GenerateP256Key(random));
//
// Thread-safety: pure function.

#include "core/random.h"
#include "core/status.h"
#include "crypto/internal/openssl_util.h"

namespace mamori::crypto::internal {

// A new P-256 key pair. Errors: kInternal if `random` returns 64 candidates in
// a row outside [1, n-1] (only a broken source does: each try fails with
// probability below 2^-32), or if OpenSSL fails.
core::Result<PkeyPtr> GenerateP256Key(core::Random& random);

}  // namespace mamori::crypto::internal
