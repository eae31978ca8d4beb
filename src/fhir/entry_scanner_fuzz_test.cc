// SPDX-License-Identifier: Apache-2.0
// Fuzz target for the streaming Bundle scanner of `mamori import`: any bytes
// give entries or an error, never a crash, and every entry handed out starts
// with '{' and ends with '}'.
#include <unistd.h>

#include <cstdio>
#include <string>

#include "core/check.h"
#include "core/testing/fuzz.h"
#include "fhir/internal/entry_scanner.h"

MAMORI_FUZZ_TARGET(data, size) {
  static const std::string path = [] {
    char name[] = "/tmp/mamori-entry-scanner-fuzz.XXXXXX";
    int fd = mkstemp(name);
    MAMORI_CHECK(fd >= 0);
    close(fd);
    return std::string(name);
  }();
  FILE* f = std::fopen(path.c_str(), "wb");
  MAMORI_CHECK(f != nullptr);
  std::fwrite(data, 1, size, f);
  std::fclose(f);
  (void)mamori::fhir::internal::ScanBundleType(path);
  auto status = mamori::fhir::internal::ScanBundleEntries(path, [](std::string entry) {
    MAMORI_CHECK(entry.size() >= 2 && entry.front() == '{' && entry.back() == '}');
    return mamori::core::Status::Ok();
  });
  (void)status;
}
