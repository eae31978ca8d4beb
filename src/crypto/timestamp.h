// SPDX-License-Identifier: Apache-2.0
#pragma once

// RFC 3161 time-stamps (GUIDELINE: e-signatures with time-stamps; issue 6:
// signed tree heads "optionally timestamped by an RFC 3161 authority"). A
// time-stamp authority (TSA) signs the SHA-256 of some bytes together with
// the time, so anyone can later show those bytes existed then, without
// trusting mamori's clock.
//
//   std::string query = crypto::TimestampQuery(head_bytes, random);
//   ... POST query to the TSA (application/timestamp-query), get `reply` ...
//   MAMORI_ASSIGN_OR_RETURN(crypto::TimestampInfo info,
//       crypto::VerifyTimestampReply(reply, head_bytes, "tsa-ca.pem", query));
//
// `openssl ts -verify -data FILE -in REPLY -CAfile CA` checks the same
// replies (tests/audit_timestamp_test.py does). Thin wrapper over OpenSSL's
// TS_* functions; thread-safe.

#include <span>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/random.h"
#include "core/status.h"

namespace mamori::crypto {

// A DER TimeStampReq for SHA-256(data) with a 64-bit random nonce, asking
// the TSA to include its certificate.
core::Result<std::string> TimestampQuery(std::span<const uint8_t> data, core::Random& random);

struct TimestampInfo {
  core::Clock::WallTime time;  // genTime, as the TSA signed it
  std::string serial;          // the token's serial number, hex
};

// Verifies a DER TimeStampResp: status granted, signed by a certificate
// that chains to a CA in `ca_file` and is allowed to time-stamp, over
// SHA-256(data). With `query` (the request it answers) the nonce must also
// match. Errors: kInvalidArgument (not a reply, unreadable CA file),
// kDataLoss (a reply that does not verify: wrong data, signer or nonce).
core::Result<TimestampInfo> VerifyTimestampReply(std::string_view reply,
                                                 std::span<const uint8_t> data,
                                                 const std::string& ca_file,
                                                 std::string_view query = "");

}  // namespace mamori::crypto
