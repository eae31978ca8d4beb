// SPDX-License-Identifier: Apache-2.0
#pragma once

// gMock matchers for core::Status and core::Result<T> (STYLE.md rule 29).
//
//   EXPECT_THAT(fs.ReadFile(path), IsOk());
//   EXPECT_THAT(store.Read(id), StatusIs(core::StatusCode::kNotFound));
//   EXPECT_THAT(Parse("7"), IsOkAndHolds(7));
//
// There is deliberately no EXPECT_NOT_OK: a test names the code it expects.

#include <ostream>

#include <gmock/gmock.h>

#include "core/status.h"

namespace mamori::core {
inline void PrintTo(const Status& s, std::ostream* os) { *os << s.ToString(); }
template <typename T>
void PrintTo(const Result<T>& r, std::ostream* os) {
  if (r.ok()) {
    *os << "OK holding " << ::testing::PrintToString(*r);
  } else {
    *os << r.status().ToString();
  }
}
}  // namespace mamori::core

namespace mamori::core::testing {
namespace internal {
inline const Status& GetStatus(const Status& s) { return s; }
template <typename T>
const Status& GetStatus(const Result<T>& r) {
  return r.status();
}
}  // namespace internal

MATCHER(IsOk, "is OK") {
  const Status& s = internal::GetStatus(arg);
  if (!s.ok()) *result_listener << "status is " << s.ToString();
  return s.ok();
}

MATCHER_P(StatusIs, code,
          std::string("has status code ") + std::string(core::StatusCodeName(code))) {
  const Status& s = internal::GetStatus(arg);
  *result_listener << "status is " << s.ToString();
  return s.code() == code;
}

// The code and a matcher on the message, e.g. HasSubstr("already used").
MATCHER_P2(StatusIs, code, message_matcher,
           std::string("has status code ") + std::string(core::StatusCodeName(code)) +
               " and a matching message") {
  const Status& s = internal::GetStatus(arg);
  *result_listener << "status is " << s.ToString();
  return s.code() == code &&
         ::testing::ExplainMatchResult(message_matcher, std::string(s.message()), result_listener);
}

MATCHER_P(IsOkAndHolds, matcher, "is OK and holds a matching value") {
  if (!arg.ok()) {
    *result_listener << "status is " << arg.status().ToString();
    return false;
  }
  return ::testing::ExplainMatchResult(matcher, *arg, result_listener);
}

}  // namespace mamori::core::testing
