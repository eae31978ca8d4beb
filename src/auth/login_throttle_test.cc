// SPDX-License-Identifier: Apache-2.0
// GUIDELINE SYS-43: growing delay, lock after repeated failures, a per-source
// throttle, and no permanent lock-out of the real user. SimulatedClock only.
#include "auth/login_throttle.h"

#include <gtest/gtest.h>

#include "core/testing/simulated_clock.h"

namespace mamori::auth {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

class LoginThrottleTest : public ::testing::Test {
 protected:
  LoginThrottleTest() { clock_.SetNow(core::SimulatedClock::FromUnixSeconds(1'800'000'000)); }
  // One failed attempt that was admitted, then the clock moves past its delay.
  void FailAndWait(std::string_view id, std::string_view source) {
    Admission a = throttle_.Admit(id, source);
    ASSERT_TRUE(a.allowed) << a.reason;
    throttle_.RecordFailure(id, source);
    Admission next = throttle_.Admit(id, source);
    if (!next.allowed && next.reason == "delay") clock_.Advance(next.retry_after);
  }
  core::SimulatedClock clock_;
  LoginThrottle throttle_{clock_};
};

TEST_F(LoginThrottleTest, EachFailureDoublesTheDelayBeforeTheNextAttempt) {
  seconds expected[] = {seconds(1), seconds(2), seconds(4), seconds(8)};
  for (seconds want : expected) {
    throttle_.RecordFailure("yamada", "10.0.0.9");
    Admission a = throttle_.Admit("yamada", "10.0.0.9");
    EXPECT_FALSE(a.allowed);
    EXPECT_EQ(a.reason, "delay");
    EXPECT_EQ(a.retry_after, want);
    clock_.Advance(want);
    EXPECT_TRUE(throttle_.Admit("yamada", "10.0.0.9").allowed);
  }
}

TEST_F(LoginThrottleTest, TheSixthAttemptInsideTheWindowIsRefusedEvenWithTheRightPassword) {
  for (int i = 0; i < 5; ++i) FailAndWait("yamada", "10.0.0.9");
  // The sixth attempt: Admit runs before the password is checked, so being
  // right does not matter.
  Admission sixth = throttle_.Admit("yamada", "10.0.0.9");
  EXPECT_FALSE(sixth.allowed);
  EXPECT_EQ(sixth.reason, "account locked");
  EXPECT_EQ(sixth.retry_after, minutes(15));
  clock_.Advance(minutes(14));
  EXPECT_FALSE(throttle_.Admit("yamada", "10.0.0.9").allowed);
  clock_.Advance(minutes(1));
  EXPECT_TRUE(throttle_.Admit("yamada", "10.0.0.9").allowed);
  // One more failure after the lock relocks at once.
  throttle_.RecordFailure("yamada", "10.0.0.9");
  EXPECT_EQ(throttle_.Admit("yamada", "10.0.0.9").retry_after, minutes(15));
}

TEST_F(LoginThrottleTest, ASuccessOrAnAdministratorsUnlockResetsTheCount) {
  for (int i = 0; i < 4; ++i) FailAndWait("yamada", "10.0.0.9");
  throttle_.RecordSuccess("yamada", "10.0.0.9");
  FailAndWait("yamada", "10.0.0.9");
  EXPECT_TRUE(throttle_.Admit("yamada", "10.0.0.9").allowed);  // count restarted at 1

  for (int i = 0; i < 5; ++i) FailAndWait("suzuki", "10.0.0.7");
  EXPECT_FALSE(throttle_.Admit("suzuki", "10.0.0.7").allowed);
  throttle_.Unlock("suzuki");
  EXPECT_TRUE(throttle_.Admit("suzuki", "10.0.0.7").allowed);
}

TEST_F(LoginThrottleTest, AnAttackerElsewhereCannotLockTheUserOutAtHerOwnTerminal) {
  throttle_.RecordSuccess("yamada", "10.0.0.9");  // her terminal, last week
  clock_.Advance(std::chrono::days(7));
  for (int i = 0; i < 5; ++i) FailAndWait("yamada", "203.0.113.5");
  EXPECT_FALSE(throttle_.Admit("yamada", "203.0.113.5").allowed);
  EXPECT_FALSE(throttle_.Admit("yamada", "198.51.100.1").allowed);  // any other stranger too
  EXPECT_TRUE(throttle_.Admit("yamada", "10.0.0.9").allowed);
}

TEST_F(LoginThrottleTest, ManyAccountsFromOneSourceTripTheSourceThrottle) {
  for (int i = 0; i < 20; ++i) {
    std::string id = "user" + std::to_string(i);
    ASSERT_TRUE(throttle_.Admit(id, "203.0.113.5").allowed) << i;
    throttle_.RecordFailure(id, "203.0.113.5");
  }
  EXPECT_TRUE(throttle_.Admit("user99", "203.0.113.5").allowed);  // 20 failures: at the limit
  throttle_.RecordFailure("user99", "203.0.113.5");
  Admission blocked = throttle_.Admit("someone-else", "203.0.113.5");
  EXPECT_FALSE(blocked.allowed);
  EXPECT_EQ(blocked.reason, "source blocked");
  EXPECT_TRUE(throttle_.Admit("someone-else", "10.0.0.9").allowed);  // others unaffected
  clock_.Advance(minutes(15));
  EXPECT_TRUE(throttle_.Admit("someone-else", "203.0.113.5").allowed);
}

TEST_F(LoginThrottleTest, UnknownIdsAreThrottledLikeRealOnes) {
  // The throttle has no notion of which ids exist: the same sequence gives
  // the same answers for both.
  for (int i = 0; i < 5; ++i) {
    FailAndWait("real-user", "10.0.0.1");
    FailAndWait("no-such-user", "10.0.0.2");
  }
  Admission real = throttle_.Admit("real-user", "10.0.0.1");
  Admission unknown = throttle_.Admit("no-such-user", "10.0.0.2");
  EXPECT_EQ(real.allowed, unknown.allowed);
  EXPECT_EQ(real.reason, unknown.reason);
}

}  // namespace
}  // namespace mamori::auth
