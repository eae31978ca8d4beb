// SPDX-License-Identifier: Apache-2.0
#include "fhir/search/internal/fhir_time.h"

#include <optional>
#include <ostream>
#include <string>

#include <gtest/gtest.h>

namespace mamori::fhir::search::internal {
namespace {

constexpr int64_t kSecond = 1'000'000;
constexpr int64_t kMinute = 60 * kSecond;
constexpr int64_t kHour = 60 * kMinute;
constexpr int64_t kDay = 24 * kHour;

int64_t At(int year, unsigned month, unsigned day, int hour = 0, int minute = 0, int second = 0) {
  return DaysFromCivil(year, month, day) * kDay + hour * kHour + minute * kMinute +
         second * kSecond;
}

struct TimeCase {
  const char* name;
  std::string text;
  int64_t low;
  int64_t high;
  TimePrecision precision;
};

void PrintTo(const TimeCase& c, std::ostream* os) { *os << c.name; }

class FhirTimeTableTest : public ::testing::TestWithParam<TimeCase> {};

TEST_P(FhirTimeTableTest, CoversTheWholePeriodOfItsPrecision) {
  std::optional<ParsedTime> t = ParseFhirTime(GetParam().text, {});
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->low_us, GetParam().low);
  EXPECT_EQ(t->high_us, GetParam().high);
  EXPECT_EQ(t->precision, GetParam().precision);
}

INSTANTIATE_TEST_SUITE_P(
    Table, FhirTimeTableTest,
    ::testing::Values(
        TimeCase{"Year", "1970", 0, At(1971, 1, 1), TimePrecision::kYear},
        TimeCase{"LeapFebruary", "2000-02", At(2000, 2, 1), At(2000, 3, 1), TimePrecision::kMonth},
        TimeCase{"December", "2013-12", At(2013, 12, 1), At(2014, 1, 1), TimePrecision::kMonth},
        TimeCase{"Day", "2013-01-14", At(2013, 1, 14), At(2013, 1, 15), TimePrecision::kDay},
        TimeCase{"Minute", "2013-01-14T10:00", At(2013, 1, 14, 10), At(2013, 1, 14, 10, 1),
                 TimePrecision::kMinute},
        TimeCase{"SecondUtc", "2013-01-14T10:00:00Z", At(2013, 1, 14, 10),
                 At(2013, 1, 14, 10, 0, 1), TimePrecision::kSecond},
        TimeCase{"Tenths", "2013-01-14T10:00:00.5Z", At(2013, 1, 14, 10) + 500'000,
                 At(2013, 1, 14, 10) + 600'000, TimePrecision::kFraction},
        TimeCase{"Nanoseconds", "2013-01-14T10:00:00.123456789Z", At(2013, 1, 14, 10) + 123'456,
                 At(2013, 1, 14, 10) + 123'457, TimePrecision::kFraction},
        TimeCase{"PlusNine", "2013-01-14T10:00:00+09:00", At(2013, 1, 14, 1),
                 At(2013, 1, 14, 1, 0, 1), TimePrecision::kSecond},
        TimeCase{"MinusFive", "2013-01-14T22:00:00-05:00", At(2013, 1, 15, 3),
                 At(2013, 1, 15, 3, 0, 1), TimePrecision::kSecond},
        TimeCase{"LeapSecond", "2016-12-31T23:59:60Z", At(2017, 1, 1), At(2017, 1, 1, 0, 0, 1),
                 TimePrecision::kSecond},
        TimeCase{"BeforeEpoch", "1900-03-01", At(1900, 3, 1), At(1900, 3, 2), TimePrecision::kDay},
        TimeCase{"LastYear", "9999", At(9999, 1, 1), At(10000, 1, 1), TimePrecision::kYear}),
    [](const ::testing::TestParamInfo<TimeCase>& info) { return info.param.name; });

class FhirTimeRejectTest : public ::testing::TestWithParam<std::string> {};

TEST_P(FhirTimeRejectTest, IsNotADate) {
  EXPECT_FALSE(ParseFhirTime(GetParam(), {}).has_value()) << GetParam();
}

INSTANTIATE_TEST_SUITE_P(
    Table, FhirTimeRejectTest,
    ::testing::Values("", "13", "0000", "2013-13", "2013-00", "2013-02-29", "2000-02-30",
                      "2013-1-14", "2013-01-14T24:00", "2013-01-14T10", "2013-01-14T10:60",
                      "2013-01-14T10:00:61", "2013-01-14T10:00:00.Z", "2013-01-14T10:00:00+15:00",
                      "2013-01-14T10:00:00+0900", "2013-01-14T10:00:00Z ", "2013-01-14 10:00",
                      "2013T10:00", "\xEF\xBC\x92\xEF\xBC\x90\xEF\xBC\x91\xEF\xBC\x93", "10:00:00",
                      "2013-01-14T10:00:00 09:00"));

TEST(FhirTimeTest, DatesWithoutZoneUseTheDefaultOffset) {
  std::optional<ParsedTime> t = ParseFhirTime("2013-01-14", {.default_offset_minutes = 540});
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->low_us, At(2013, 1, 13, 15));
  EXPECT_EQ(t->high_us, At(2013, 1, 14, 15));
  EXPECT_FALSE(t->has_zone);
}

TEST(FhirTimeTest, AnExplicitZoneOverridesTheDefaultOffset) {
  std::optional<ParsedTime> t =
      ParseFhirTime("2013-01-14T10:00:00Z", {.default_offset_minutes = 540});
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->low_us, At(2013, 1, 14, 10));
  EXPECT_TRUE(t->has_zone);
}

TEST(FhirTimeTest, AFormDecodedPlusIsAcceptedOnlyWhenAsked) {
  std::optional<ParsedTime> t = ParseFhirTime("2013-01-14T10:00:00 09:00", {.plus_as_space = true});
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->low_us, At(2013, 1, 14, 1));
}

TEST(FhirTimeTest, MinutesWithoutSecondsCanBeRefused) {
  EXPECT_FALSE(ParseFhirTime("2013-01-14T10:00", {.allow_minutes = false}).has_value());
}

}  // namespace
}  // namespace mamori::fhir::search::internal
