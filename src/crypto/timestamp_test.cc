// SPDX-License-Identifier: Apache-2.0
// RFC 3161 queries and replies (issue 6). The full round trip against a real
// authority (`openssl ts -reply`) and the outside check of our files
// (`openssl ts -verify`) are in tests/audit_timestamp_test.py; here, what is
// refused before any signature is looked at.
#include "crypto/timestamp.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/testing/deterministic_random.h"
#include "core/testing/status_matchers.h"
#include "crypto/secure_bytes.h"

namespace mamori::crypto {
namespace {

using core::testing::IsOk;
using core::testing::StatusIs;

TEST(TimestampTest, QueryIsDerWithAFreshNonceEachTime) {
  core::DeterministicRandom random(7);
  auto a = TimestampQuery(AsBytes(std::string_view("head")), random);
  auto b = TimestampQuery(AsBytes(std::string_view("head")), random);
  ASSERT_THAT(a, IsOk());
  ASSERT_THAT(b, IsOk());
  EXPECT_EQ(static_cast<uint8_t>((*a)[0]), 0x30);  // a DER SEQUENCE
  EXPECT_NE(*a, *b);                               // the nonce differs
}

TEST(TimestampTest, WhatIsNotAReplyIsRefusedAsInvalid) {
  core::DeterministicRandom random(7);
  auto query = TimestampQuery(AsBytes(std::string_view("head")), random);
  ASSERT_THAT(query, IsOk());
  for (std::string bad :
       {std::string(), std::string("not der"), *query, std::string(70 * 1024, '\x30')}) {
    EXPECT_THAT(VerifyTimestampReply(bad, AsBytes(std::string_view("head")), "/etc/hostname"),
                StatusIs(core::StatusCode::kInvalidArgument));
  }
}

}  // namespace
}  // namespace mamori::crypto
