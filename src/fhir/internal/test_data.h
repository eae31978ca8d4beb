// SPDX-License-Identifier: Apache-2.0
#pragma once
// Private to fhir's tests: a printer for ValidationIssue, and the sample resources in
// shared/data/fhir (shared/data/README.md section 2). Header-only, because MAMORI_SHARED_DIR is
// defined for test targets only.
//
//   for (const std::string& path : test_data::JsonFiles("jp-core")) {
//     std::string bytes = test_data::ReadFile(path);
//   }
//
// An unreadable file fails the test; callers assert how many files they saw,
// so a missing folder cannot pass silently.

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "fhir/validator.h"

namespace mamori::fhir {

// Lets GoogleTest print issues in failure messages.
inline void PrintTo(const ValidationIssue& i, std::ostream* os) {
  *os << IssueSeverityName(i.severity) << " " << IssueCodeName(i.code) << " @" << i.expression
      << ": " << i.diagnostics;
}

}  // namespace mamori::fhir

namespace mamori::fhir::test_data {

// Sorted paths of shared/data/fhir/<subdir>/*.json.
inline std::vector<std::string> JsonFiles(std::string_view subdir) {
  std::filesystem::path dir = std::filesystem::path(MAMORI_SHARED_DIR) / "data" / "fhir" / subdir;
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".json") out.push_back(entry.path().string());
  }
  if (ec) ADD_FAILURE() << "cannot list " << dir;
  std::sort(out.begin(), out.end());
  return out;
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) ADD_FAILURE() << "cannot read " << path;
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace mamori::fhir::test_data
