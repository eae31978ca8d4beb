// SPDX-License-Identifier: Apache-2.0
#include "crypto/argon2.h"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include <argon2.h>  // libargon2's own PHC encoder, for the interop test
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/clock.h"
#include "core/testing/deterministic_random.h"
#include "core/testing/status_matchers.h"
#include "crypto/internal/phc.h"
#include "crypto/internal/test_vectors.h"

namespace mamori::crypto {
namespace {

using core::StatusCode;
using core::testing::IsOk;
using core::testing::IsOkAndHolds;
using core::testing::StatusIs;
using ::testing::ElementsAreArray;
using ::testing::MatchesRegex;

// Small parameters keep the suite fast; the production ones run once below.
constexpr Argon2Params kSmall{.memory_kib = 64, .iterations = 1, .parallelism = 1};

// Hands out preset bytes in order.
class SequenceRandom final : public core::Random {
 public:
  explicit SequenceRandom(std::vector<uint8_t> bytes) : bytes_(std::move(bytes)) {}
  void Fill(std::span<uint8_t> out) override {
    ASSERT_LE(next_ + out.size(), bytes_.size());
    std::copy_n(bytes_.begin() + static_cast<ptrdiff_t>(next_), out.size(), out.begin());
    next_ += out.size();
  }

 private:
  std::vector<uint8_t> bytes_;
  size_t next_ = 0;
};

// ---- Known answers -----------------------------------------------------------

// RFC 9106 section 5.3, typed in (STYLE.md rule 22): Argon2id, m = 32 KiB,
// t = 3, p = 4, with a secret and associated data.
TEST(Argon2Test, MatchesRfc9106Section53) {
  const std::vector<uint8_t> password(32, 0x01);
  const std::vector<uint8_t> salt(16, 0x02);
  const std::vector<uint8_t> secret(8, 0x03);
  const std::vector<uint8_t> ad(12, 0x04);
  const uint8_t kTag[32] = {0x0d, 0x64, 0x0d, 0xf5, 0x8d, 0x78, 0x76, 0x6c, 0x08, 0xc0, 0x37,
                            0xa3, 0x4a, 0x8b, 0x53, 0xc9, 0xd0, 0x1e, 0xf0, 0x45, 0x2d, 0x75,
                            0xb6, 0x5e, 0xb5, 0x25, 0x20, 0xe9, 0x6b, 0x01, 0xe6, 0x59};
  auto tag = Argon2id(password, salt, {.memory_kib = 32, .iterations = 3, .parallelism = 4}, 32,
                      secret, ad);
  ASSERT_THAT(tag, IsOk());
  EXPECT_THAT(tag->span(), ElementsAreArray(kTag));
}

// The same vector as shared/data holds it, so a transcription error on either
// side shows.
TEST(Argon2Test, MatchesTheArgon2idVectorOfTheRfcFile) {
  boost::json::value root = test_vectors::Load("rfc/argon2_rfc9106.json");
  ASSERT_TRUE(root.is_object());
  int ran = 0;
  for (const boost::json::value& value : root.at("rfc9106_vectors").as_array()) {
    const boost::json::object& v = value.as_object();
    if (v.at("type").as_string() != "argon2id") continue;  // 5.1 and 5.2 are Argon2d and Argon2i
    ASSERT_EQ(v.at("version").as_int64(), 19);
    Argon2Params params{.memory_kib = static_cast<uint32_t>(v.at("m_cost_kib").as_int64()),
                        .iterations = static_cast<uint32_t>(v.at("t_cost").as_int64()),
                        .parallelism = static_cast<uint32_t>(v.at("parallelism").as_int64())};
    std::vector<uint8_t> expected = test_vectors::Hex(v, "tag_hex");
    auto tag = Argon2id(test_vectors::Hex(v, "password_hex"), test_vectors::Hex(v, "salt_hex"),
                        params, expected.size(), test_vectors::Hex(v, "secret_hex"),
                        test_vectors::Hex(v, "associated_data_hex"));
    ASSERT_THAT(tag, IsOk());
    EXPECT_THAT(tag->span(), ElementsAreArray(expected)) << v.at("rfc_section");
    ++ran;
  }
  EXPECT_EQ(ran, 1);
}

// The reference implementation's kats/argon2id ends with the tag of the same
// RFC inputs.
TEST(Argon2Test, MatchesTheTagOfTheReferenceKatFile) {
  std::ifstream in(std::string(MAMORI_SHARED_DIR) + "/data/vectors/argon2/kats/argon2id");
  ASSERT_TRUE(in.good());
  std::string line, tag_line;
  while (std::getline(in, line)) {
    if (line.starts_with("Tag: ")) tag_line = line.substr(5);
  }
  std::vector<uint8_t> expected;
  std::istringstream bytes(tag_line);
  std::string byte;
  while (bytes >> byte) expected.push_back(static_cast<uint8_t>(std::stoul(byte, nullptr, 16)));
  ASSERT_EQ(expected.size(), 32u) << tag_line;
  auto tag = Argon2id(std::vector<uint8_t>(32, 0x01), std::vector<uint8_t>(16, 0x02),
                      {.memory_kib = 32, .iterations = 3, .parallelism = 4}, 32,
                      std::vector<uint8_t>(8, 0x03), std::vector<uint8_t>(12, 0x04));
  ASSERT_THAT(tag, IsOk());
  EXPECT_THAT(tag->span(), ElementsAreArray(expected));
}

// The reference implementation's extra Argon2id vectors (no secret, no AD):
// the raw tag, and the PHC string libargon2 wrote for it, which must verify,
// re-encode identically and refuse another password. Vectors above 64 MiB are
// not run (each would cost a second and 256 MiB here); the counts are asserted
// so none is lost silently.
TEST(Argon2Test, MatchesEveryExtraArgon2idVectorUpTo64MiB) {
  constexpr int64_t kMaxMemoryKib = 64 * 1024;
  boost::json::value root = test_vectors::Load("rfc/argon2_rfc9106.json");
  ASSERT_TRUE(root.is_object());
  int ran = 0, skipped = 0;
  for (const boost::json::value& value : root.at("additional_argon2id_vectors").as_array()) {
    const boost::json::object& v = value.as_object();
    int64_t memory = v.at("m_cost_kib").as_int64();
    if (memory > kMaxMemoryKib) {
      std::cout << "note: not running the Argon2id vector with m = " << memory
                << " KiB (over 64 MiB): " << v.at("encoded").as_string() << "\n";
      ++skipped;
      continue;
    }
    Argon2Params params{.memory_kib = static_cast<uint32_t>(memory),
                        .iterations = static_cast<uint32_t>(v.at("t_cost").as_int64()),
                        .parallelism = static_cast<uint32_t>(v.at("parallelism").as_int64())};
    std::string password(v.at("password_ascii").as_string());
    std::string salt(v.at("salt_ascii").as_string());
    std::string encoded(v.at("encoded").as_string());
    std::vector<uint8_t> expected = test_vectors::Hex(v, "tag_hex");
    auto tag = Argon2id(AsBytes(password), AsBytes(salt), params, expected.size());
    ASSERT_THAT(tag, IsOk()) << encoded;
    EXPECT_THAT(tag->span(), ElementsAreArray(expected)) << encoded;
    EXPECT_THAT(VerifyPassword(password, encoded), IsOkAndHolds(true)) << encoded;
    auto parsed = internal::ParsePhc(encoded);
    ASSERT_THAT(parsed, IsOk()) << encoded;
    EXPECT_EQ(internal::FormatPhc(*parsed), encoded);
    if (memory <= 256) {  // a wrong password costs a full run too; the small ones suffice
      EXPECT_THAT(VerifyPassword(password + "x", encoded), IsOkAndHolds(false)) << encoded;
    }
    ++ran;
  }
  EXPECT_EQ(ran, 7);
  EXPECT_EQ(skipped, 1);
}

// ---- Argon2id ----------------------------------------------------------------

TEST(Argon2Test, SecretAndAssociatedDataChangeTheOutput) {
  const std::vector<uint8_t> salt(16, 0x02);
  auto plain = Argon2id(AsBytes("passphrase"), salt, kSmall, 32);
  auto with_secret = Argon2id(AsBytes("passphrase"), salt, kSmall, 32, AsBytes("pepper"));
  auto with_ad = Argon2id(AsBytes("passphrase"), salt, kSmall, 32, {}, AsBytes("context"));
  auto again = Argon2id(AsBytes("passphrase"), salt, kSmall, 32);
  ASSERT_THAT(plain, IsOk());
  ASSERT_THAT(with_secret, IsOk());
  ASSERT_THAT(with_ad, IsOk());
  ASSERT_THAT(again, IsOk());
  EXPECT_TRUE(ConstantTimeEquals(plain->span(), again->span()));
  EXPECT_FALSE(ConstantTimeEquals(plain->span(), with_secret->span()));
  EXPECT_FALSE(ConstantTimeEquals(plain->span(), with_ad->span()));
  EXPECT_FALSE(ConstantTimeEquals(with_secret->span(), with_ad->span()));
}

TEST(Argon2Test, ReturnsTheRequestedLength) {
  const std::vector<uint8_t> salt(16, 0x02);
  for (size_t n :
       {kArgon2MinOutputSize, size_t{16}, size_t{64}, size_t{65}, kArgon2MaxOutputSize}) {
    auto out = Argon2id(AsBytes("pw"), salt, kSmall, n);
    ASSERT_THAT(out, IsOk()) << n;
    EXPECT_EQ(out->size(), n);
  }
}

TEST(Argon2Test, RejectsParametersOutsideTheLimits) {
  const std::vector<uint8_t> salt(16, 0x02);
  for (Argon2Params bad : std::vector<Argon2Params>{
           {.memory_kib = 7, .iterations = 1, .parallelism = 1},
           {.memory_kib = 15, .iterations = 1, .parallelism = 2},  // m >= 8p
           {.memory_kib = kArgon2MaxMemoryKib + 1, .iterations = 1, .parallelism = 1},
           {.memory_kib = 64, .iterations = 0, .parallelism = 1},
           {.memory_kib = 64, .iterations = kArgon2MaxIterations + 1, .parallelism = 1},
           {.memory_kib = 64, .iterations = 1, .parallelism = 0},
           {.memory_kib = 1024, .iterations = 1, .parallelism = kArgon2MaxParallelism + 1},
           {}}) {
    EXPECT_THAT(CheckArgon2Params(bad), StatusIs(StatusCode::kInvalidArgument));
    EXPECT_THAT(Argon2id(AsBytes("pw"), salt, bad, 32), StatusIs(StatusCode::kInvalidArgument));
  }
  EXPECT_THAT(CheckArgon2Params({.memory_kib = 16, .iterations = 1, .parallelism = 2}), IsOk());
}

TEST(Argon2Test, RejectsShortSaltsAndOutputLengthsOutOfRange) {
  EXPECT_THAT(Argon2id(AsBytes("pw"), std::vector<uint8_t>(7, 1), kSmall, 32),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(Argon2id(AsBytes("pw"), {}, kSmall, 32), StatusIs(StatusCode::kInvalidArgument));
  const std::vector<uint8_t> salt(8, 0x02);
  EXPECT_THAT(Argon2id(AsBytes("pw"), salt, kSmall, 32), IsOk());
  EXPECT_THAT(Argon2id(AsBytes("pw"), salt, kSmall, 3), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(Argon2id(AsBytes("pw"), salt, kSmall, kArgon2MaxOutputSize + 1),
              StatusIs(StatusCode::kInvalidArgument));
}

TEST(Argon2Test, DefaultParametersAreWithinTheLimits) {
  EXPECT_THAT(CheckArgon2Params(kArgon2KeyFileParams), IsOk());
  EXPECT_THAT(CheckArgon2Params(kArgon2PasswordParams), IsOk());
  // The key file, opened once, is costlier than a login.
  EXPECT_GT(kArgon2KeyFileParams.memory_kib, kArgon2PasswordParams.memory_kib);
  EXPECT_EQ(kArgon2PasswordParams.parallelism, 1u);
}

// ---- PHC password hashes -------------------------------------------------------

class PasswordHashTest : public ::testing::Test {
 protected:
  std::string Hash(std::string_view password, const Argon2Params& params = kSmall) {
    auto phc = HashPassword(password, params, random_);
    EXPECT_THAT(phc, IsOk());
    return phc.ok() ? *phc : std::string();
  }

  core::DeterministicRandom random_{::testing::GTEST_FLAG(random_seed)};
  const std::string password_ = "Kango-Shi#2026-Sakura";
};

TEST_F(PasswordHashTest, HashPasswordWritesAPhcStringWithItsParameters) {
  std::string phc = Hash(password_, {.memory_kib = 256, .iterations = 2, .parallelism = 2});
  // 16-byte salt: 22 B64 characters; 32-byte hash: 43.
  EXPECT_THAT(phc, MatchesRegex(
                       R"(\$argon2id\$v=19\$m=256,t=2,p=2\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43})"));
}

TEST_F(PasswordHashTest, VerifyAcceptsTheRightPasswordAndRefusesAWrongOne) {
  std::string phc = Hash(password_);
  EXPECT_THAT(VerifyPassword(password_, phc), IsOkAndHolds(true));
  EXPECT_THAT(VerifyPassword("Kango-Shi#2026-Sakurb", phc), IsOkAndHolds(false));
  EXPECT_THAT(VerifyPassword("", phc), IsOkAndHolds(false));
  EXPECT_THAT(VerifyPassword(password_ + " ", phc), IsOkAndHolds(false));
}

TEST_F(PasswordHashTest, RoundTripsUtf8AndEmptyPasswords) {
  using namespace std::string_view_literals;
  for (std::string_view password : {"看護師さくら#2026"sv, ""sv, "\xff\x00\x01"sv}) {
    std::string phc = Hash(password);
    EXPECT_THAT(VerifyPassword(password, phc), IsOkAndHolds(true)) << phc;
  }
}

TEST_F(PasswordHashTest, EachHashHasAFreshSalt) {
  std::string a = Hash(password_);
  std::string b = Hash(password_);
  EXPECT_NE(a, b);
  EXPECT_THAT(VerifyPassword(password_, a), IsOkAndHolds(true));
  EXPECT_THAT(VerifyPassword(password_, b), IsOkAndHolds(true));
}

// libargon2's argon2id_hash_encoded writes the same string for the same salt:
// other Argon2 implementations can read what mamori stores, and the reverse.
TEST_F(PasswordHashTest, HashMatchesLibargon2sOwnEncoder) {
  std::vector<uint8_t> salt(kPasswordSaltSize);
  random_.Fill(salt);
  SequenceRandom fixed(salt);
  Argon2Params params{.memory_kib = 128, .iterations = 2, .parallelism = 2};
  auto ours = HashPassword(password_, params, fixed);
  ASSERT_THAT(ours, IsOk());
  std::string theirs(argon2_encodedlen(params.iterations, params.memory_kib, params.parallelism,
                                       salt.size(), kPasswordHashSize, Argon2_id),
                     '\0');
  ASSERT_EQ(argon2id_hash_encoded(params.iterations, params.memory_kib, params.parallelism,
                                  password_.data(), password_.size(), salt.data(), salt.size(),
                                  kPasswordHashSize, theirs.data(), theirs.size()),
            ARGON2_OK);
  theirs.resize(theirs.find('\0'));
  EXPECT_EQ(*ours, theirs);
  EXPECT_EQ(argon2id_verify(ours->c_str(), password_.data(), password_.size()), ARGON2_OK);
}

// Changing, deleting or inserting any one character gives either a string
// that does not parse or one that does not verify; never one that verifies.
TEST_F(PasswordHashTest, VerifyNeverAcceptsATamperedPhcString) {
  std::string phc = Hash(password_);
  int malformed = 0, mismatched = 0;
  auto check = [&](const std::string& tampered) {
    auto verified = VerifyPassword(password_, tampered);
    if (!verified.ok()) {
      EXPECT_THAT(verified, StatusIs(StatusCode::kInvalidArgument)) << tampered;
      ++malformed;
    } else {
      EXPECT_FALSE(*verified) << tampered;
      ++mismatched;
    }
  };
  for (size_t i = 0; i < phc.size(); ++i) {
    for (char c : {'A', 'B', '0', '9', '+', '/', '$', '='}) {
      if (phc[i] == c) continue;
      std::string changed = phc;
      changed[i] = c;
      check(changed);
    }
    check(phc.substr(0, i) + phc.substr(i + 1));
    check(phc.substr(0, i) + "A" + phc.substr(i));
  }
  // Both kinds occur: salt and hash edits parse but do not verify.
  EXPECT_GT(malformed, 0);
  EXPECT_GT(mismatched, 0);
}

TEST_F(PasswordHashTest, VerifyRejectsMalformedPhcStrings) {
  std::string phc = Hash(password_);
  for (std::string bad :
       {std::string(), std::string("plain text"), phc + "=", "$argon2i" + phc.substr(9),
        phc.substr(0, phc.rfind('$')), " " + phc, phc + "\n"}) {
    EXPECT_THAT(VerifyPassword(password_, bad), StatusIs(StatusCode::kInvalidArgument)) << bad;
  }
}

TEST_F(PasswordHashTest, VerifyRefusesStoredParametersBeyondTheLimits) {
  // 4 GiB + 1 KiB: refused before anything is allocated.
  EXPECT_THAT(VerifyPassword(password_,
                             "$argon2id$v=19$m=4194305,t=1,p=1$c29tZXNhbHQ$"
                             "CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"),
              StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(PasswordHashTest, RejectsOverlongPasswords) {
  std::string long_password(kMaxPasswordSize + 1, 'a');
  EXPECT_THAT(HashPassword(long_password, kSmall, random_), StatusIs(StatusCode::kInvalidArgument));
  std::string phc = Hash(password_);
  EXPECT_THAT(VerifyPassword(long_password, phc), StatusIs(StatusCode::kInvalidArgument));
  std::string longest(kMaxPasswordSize, 'a');
  EXPECT_THAT(VerifyPassword(longest, Hash(longest)), IsOkAndHolds(true));
}

TEST_F(PasswordHashTest, HashRejectsParametersOutsideTheLimits) {
  EXPECT_THAT(
      HashPassword(password_, {.memory_kib = 64, .iterations = 0, .parallelism = 1}, random_),
      StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(PasswordHashTest, NeedsRehashIsFalseForAFreshHashWithTheSameParameters) {
  EXPECT_FALSE(NeedsRehash(Hash(password_), kSmall));
}

TEST_F(PasswordHashTest, NeedsRehashWhenAnyParameterDiffers) {
  std::string phc = Hash(password_);
  EXPECT_TRUE(NeedsRehash(phc, {.memory_kib = 128, .iterations = 1, .parallelism = 1}));
  EXPECT_TRUE(NeedsRehash(phc, {.memory_kib = 64, .iterations = 2, .parallelism = 1}));
  EXPECT_TRUE(NeedsRehash(phc, {.memory_kib = 64, .iterations = 1, .parallelism = 2}));
  EXPECT_TRUE(NeedsRehash(phc, kArgon2PasswordParams));
}

TEST_F(PasswordHashTest, NeedsRehashForOtherSaltOrHashLengthsAndMalformedStrings) {
  // The reference vector has an 8-byte salt ("somesalt").
  EXPECT_TRUE(
      NeedsRehash("$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$"
                  "nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
                  {.memory_kib = 256, .iterations = 2, .parallelism = 1}));
  EXPECT_TRUE(NeedsRehash("", kSmall));
  EXPECT_TRUE(NeedsRehash("$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW", kSmall));
}

// Once at the production parameters, so a change to them that breaks the
// login budget is noticed; prints the time it took.
TEST(PasswordHashProductionTest, HashesAndVerifiesAtTheProductionParameters) {
  core::DeterministicRandom random(7);
  core::Clock& clock = core::Clock::Real();
  auto start = clock.Monotonic();
  auto phc = HashPassword("Kango-Shi#2026-Sakura", kArgon2PasswordParams, random);
  auto hashed = clock.Monotonic();
  ASSERT_THAT(phc, IsOk());
  EXPECT_THAT(*phc, ::testing::StartsWith("$argon2id$v=19$m=65536,t=2,p=1$"));
  EXPECT_THAT(VerifyPassword("Kango-Shi#2026-Sakura", *phc), IsOkAndHolds(true));
  EXPECT_FALSE(NeedsRehash(*phc, kArgon2PasswordParams));
  std::cout << "note: HashPassword at m=64 MiB, t=2, p=1 took "
            << std::chrono::duration_cast<std::chrono::milliseconds>(hashed - start).count()
            << " ms\n";
}

// The PHC fuzz corpus's main seed was written by Python `cryptography` (its
// own Argon2id, base64 without padding): an independent implementation's
// string verifies here, so the fuzz target reaches the hash comparison.
TEST(PhcFuzzCorpusTest, SeedHashVerifiesWithTheFuzzPassword) {
  std::ifstream in(std::string(MAMORI_TEST_SRCDIR) + "/phc_corpus/fuzz_password_m64",
                   std::ios::binary);
  std::string phc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_THAT(phc, ::testing::StartsWith("$argon2id$v=19$m=64,t=1,p=1$"));
  EXPECT_THAT(VerifyPassword("fuzz password", phc), IsOkAndHolds(true));
  EXPECT_THAT(VerifyPassword("fuzz passwore", phc), IsOkAndHolds(false));
  EXPECT_FALSE(NeedsRehash(phc, kSmall));
}

}  // namespace
}  // namespace mamori::crypto
