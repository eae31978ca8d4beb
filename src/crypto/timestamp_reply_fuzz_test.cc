// SPDX-License-Identifier: Apache-2.0
// Fuzz target for crypto::VerifyTimestampReply on arbitrary bytes (STYLE.md
// rule 32): a time-stamp authority's reply arrives over the network. It must
// never crash and never verify: the CA file named here does not exist, so even
// a well-formed reply stops after parsing.
//
// Corpus (timestamp_reply_corpus/): a genuine reply from `openssl ts -reply`
// (for the bytes "a tree head"), the same truncated and with one bit flipped,
// a query where a reply belongs, a bare rejected status, and an empty file.

#include <span>

#include "core/check.h"
#include "core/testing/fuzz.h"
#include "crypto/secure_bytes.h"
#include "crypto/timestamp.h"

MAMORI_FUZZ_TARGET(data, size) {
  std::string_view reply(reinterpret_cast<const char*>(data), size);
  auto verified = mamori::crypto::VerifyTimestampReply(
      reply, mamori::crypto::AsBytes(std::string_view("a tree head")), "/nonexistent/tsa-ca.pem");
  MAMORI_CHECK(!verified.ok());
  MAMORI_CHECK(verified.status().code() == mamori::core::StatusCode::kInvalidArgument);
}
