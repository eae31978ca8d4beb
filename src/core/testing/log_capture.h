// SPDX-License-Identifier: Apache-2.0
#pragma once

// LogCapture: records every operator log line written while it is alive, from
// any thread, so a test can assert that no patient data reached the logs
// (STYLE.md rule 30, DESIGN invariant 5).
//
//   core::testing::LogCapture capture;
//   RunFullRequestSuite();
//   EXPECT_FALSE(capture.Contains("CANARY-山田"));

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace mamori::core::testing {

class LogCapture {
 public:
  // Starts capturing. With quiet = true, stderr output is suppressed meanwhile.
  explicit LogCapture(bool quiet = false);
  ~LogCapture();
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;

  std::vector<std::string> Lines() const;
  // Whether any captured line contains `needle`.
  bool Contains(std::string_view needle) const;

 private:
  class Sink;
  std::shared_ptr<Sink> sink_;
  bool quiet_;
};

}  // namespace mamori::core::testing
