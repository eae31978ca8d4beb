// SPDX-License-Identifier: Apache-2.0
#include "core/status.h"

#include <memory>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/testing/status_matchers.h"

namespace mamori::core {
namespace {

using ::testing::HasSubstr;
using testing::IsOk;
using testing::IsOkAndHolds;
using testing::StatusIs;

Result<int> ParsePositive(int v) {
  if (v <= 0) return InvalidArgumentError("not positive");
  return v;
}

Result<int> Doubled(int v) {
  MAMORI_ASSIGN_OR_RETURN(int p, ParsePositive(v));
  return p * 2;
}

Status CheckBoth(int a, int b) {
  MAMORI_RETURN_IF_ERROR(ParsePositive(a));
  MAMORI_RETURN_IF_ERROR(ParsePositive(b).status().With("second value"));
  return Status::Ok();
}

TEST(StatusTest, DefaultIsOk) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "OK");
}

TEST(StatusTest, CarriesCodeAndMessage) {
  Status s = NotFoundError("no such key file");
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.ToString(), "NotFound: no such key file");
}

TEST(StatusTest, WithPrependsContextAndKeepsCode) {
  Status s = DataLossError("tag mismatch").With("reading leaf ", 42);
  EXPECT_EQ(s.code(), StatusCode::kDataLoss);
  EXPECT_EQ(s.message(), "reading leaf 42: tag mismatch");
}

TEST(StatusTest, WithOnOkStatusStaysOk) { EXPECT_THAT(Status::Ok().With("ignored"), IsOk()); }

TEST(StatusTest, RecordsWhereItWasCreated) {
  Status s = InternalError("x");
  EXPECT_THAT(std::string(s.where().file_name()), HasSubstr("status_test.cc"));
}

TEST(StatusTest, OkCodeDropsMessage) {
  Status s(StatusCode::kOk, "ignored");
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.message(), "");
}

TEST(ResultTest, AssignOrReturnPropagatesError) {
  EXPECT_THAT(Doubled(-1), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(Doubled(4), IsOkAndHolds(8));
}

TEST(ResultTest, ReturnIfErrorAddsContext) {
  Status s = CheckBoth(1, -1);
  EXPECT_THAT(s, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(s.message(), "second value: not positive");
  EXPECT_THAT(CheckBoth(1, 2), IsOk());
}

TEST(ResultTest, HoldsMoveOnlyValues) {
  Result<std::unique_ptr<int>> r = std::make_unique<int>(7);
  ASSERT_THAT(r, IsOk());
  std::unique_ptr<int> p = std::move(r).value();
  EXPECT_EQ(*p, 7);
}

TEST(ResultTest, ValueOrGivesFallbackOnError) {
  EXPECT_EQ(ParsePositive(-3).value_or(9), 9);
  EXPECT_EQ(ParsePositive(3).value_or(9), 3);
}

TEST(ResultDeathTest, ReadingValueOfFailedResultAborts) {
  Result<int> r = NotFoundError("x");
  EXPECT_DEATH((void)r.value(), "check failed");
}

TEST(ResultDeathTest, ConstructingFromOkStatusAborts) {
  EXPECT_DEATH(
      {
        Result<int> r{Status::Ok()};
        (void)r;
      },
      "check failed");
}

}  // namespace
}  // namespace mamori::core
