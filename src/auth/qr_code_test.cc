// SPDX-License-Identifier: Apache-2.0
// TOTP enrolment QR codes (issue 7), read back by a real decoder: zbarimg
// (Debian zbar-tools) must return exactly the otpauth URI.
#include "auth/qr_code.h"

#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/testing/deterministic_random.h"
#include "core/testing/status_matchers.h"
#include "core/testing/temp_dir.h"
#include "crypto/totp.h"

namespace mamori::auth {
namespace {

using core::StatusCode;
using core::testing::IsOk;
using core::testing::StatusIs;

TEST(QrCodeTest, ZbarimgReadsTheOtpauthUriBackFromThePng) {
  core::DeterministicRandom random(9);
  crypto::TotpSecret secret = crypto::TotpSecret::Generate(random);
  std::string uri = crypto::TotpKeyUri(secret, "mamori clinic", "h.sato");
  auto png = QrPng(uri);
  ASSERT_THAT(png, IsOk());
  ASSERT_GT(png->size(), 8u);
  EXPECT_EQ(png->substr(1, 3), "PNG");
  std::string path = core::testing::MakeTempDir() + "/totp.png";
  std::ofstream(path, std::ios::binary) << *png;
  int status = -1;
  std::string decoded =
      core::testing::RunCommandOutput("zbarimg --quiet --raw " + path + " 2>/dev/null", &status);
  ASSERT_EQ(status, 0) << "zbarimg (Debian zbar-tools) failed: " << decoded;
  while (!decoded.empty() && decoded.back() == '\n') decoded.pop_back();
  EXPECT_EQ(decoded, uri);
}

TEST(QrCodeTest, TerminalRenderingIsSquareWithAQuietZone) {
  auto text = QrTerminal("otpauth://totp/mamori:x?secret=GEZDGNBVGY3TQOJQ");
  ASSERT_THAT(text, IsOk());
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t nl; (nl = text->find('\n', start)) != std::string::npos; start = nl + 1) {
    lines.push_back(text->substr(start, nl - start));
  }
  ASSERT_GT(lines.size(), 10u);
  // The first line is quiet zone: all light (full blocks).
  EXPECT_EQ(lines.front().find(' '), std::string::npos);
  auto columns = [](const std::string& line) {  // code points, not bytes
    size_t n = 0;
    for (unsigned char c : line) n += (c & 0xc0) != 0x80;
    return n;
  };
  for (const std::string& line : lines) EXPECT_EQ(columns(line), columns(lines.front()));
  EXPECT_EQ(columns(lines.front()), (lines.size() * 2) - (columns(lines.front()) % 2));
}

TEST(QrCodeTest, RefusesEmptyAndOversizedText) {
  EXPECT_THAT(QrPng(""), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(QrTerminal(std::string(5000, 'a')), StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace mamori::auth
