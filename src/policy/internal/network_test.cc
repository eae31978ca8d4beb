// SPDX-License-Identifier: Apache-2.0
// Network zones (SYS-09): CIDR matching for IPv4, IPv6 and IPv4-mapped peers.
#include "policy/internal/network.h"

#include <gtest/gtest.h>

namespace mamori::policy::internal {
namespace {

TEST(NetworkTest, MatchesAddressesInsideThePrefixOnly) {
  auto lan = ParseNetwork("192.168.0.0/16");
  ASSERT_TRUE(lan.has_value());
  EXPECT_TRUE(Contains(*lan, "192.168.3.4"));
  EXPECT_FALSE(Contains(*lan, "192.169.0.1"));
  EXPECT_TRUE(Contains(*lan, "::ffff:192.168.3.4"));  // dual-stack listener
  EXPECT_FALSE(Contains(*lan, "fe80::1"));
  EXPECT_FALSE(Contains(*lan, "not an address"));
  auto v6 = ParseNetwork("fc00::/7");
  ASSERT_TRUE(v6.has_value());
  EXPECT_TRUE(Contains(*v6, "fd12:3456::1"));
  EXPECT_FALSE(Contains(*v6, "2001:db8::1"));
  auto all = ParseNetwork("0.0.0.0/0");
  ASSERT_TRUE(all.has_value());
  EXPECT_TRUE(Contains(*all, "203.0.113.9"));
  auto host = ParseNetwork("10.0.0.5");
  ASSERT_TRUE(host.has_value());
  EXPECT_EQ(host->prefix_length, 32);
}

TEST(NetworkTest, RefusesMalformedNetworksAndHostBitsPastThePrefix) {
  for (const char* bad :
       {"10.1.2.3/8", "10.0.0.0/33", "10.0.0.0/", "10.0.0.0/a", "::1/129", "example.org/8", ""}) {
    EXPECT_FALSE(ParseNetwork(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace mamori::policy::internal
