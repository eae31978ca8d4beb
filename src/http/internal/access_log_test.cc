// SPDX-License-Identifier: Apache-2.0
#include "http/internal/access_log.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/testing/log_capture.h"

namespace mamori::http::internal {
namespace {

using ::testing::ElementsAre;
using ::testing::EndsWith;

TEST(AccessLogTest, LineHasMethodPathStatusBytesDurationAndId) {
  core::testing::LogCapture capture(/*quiet=*/true);
  LogAccess({"GET", "/fhir/Patient/p1", 200, 512, 830, "0123456789abcdef0123456789abcdef"});
  ASSERT_EQ(capture.Lines().size(), 1u);
  EXPECT_THAT(capture.Lines()[0], EndsWith("access GET /fhir/Patient/p1 200 512B 830us "
                                           "id=0123456789abcdef0123456789abcdef"));
}

TEST(AccessLogTest, QueryIsCutEvenIfTheCallerPassesATarget) {
  core::testing::LogCapture capture(/*quiet=*/true);
  LogAccess({"GET", "/fhir/Patient?name=Yamada", 200, 0, 1, "id"});
  EXPECT_FALSE(capture.Contains("Yamada"));
  EXPECT_TRUE(capture.Contains("access GET /fhir/Patient 200"));
}

TEST(AccessLogTest, NonStandardMethodIsLoggedAsOther) {
  EXPECT_EQ(LoggableMethod("GET"), "GET");
  EXPECT_EQ(LoggableMethod("PATCH"), "PATCH");
  EXPECT_EQ(LoggableMethod("YAMADA"), "OTHER");
  EXPECT_EQ(LoggableMethod("get"), "OTHER");
  EXPECT_EQ(LoggableMethod(""), "-");
}

}  // namespace
}  // namespace mamori::http::internal
