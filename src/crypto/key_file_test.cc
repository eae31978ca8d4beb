// SPDX-License-Identifier: Apache-2.0
#include "crypto/key_file.h"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "core/clock.h"
#include "core/testing/deterministic_random.h"
#include "core/testing/mem_file_system.h"
#include "core/testing/status_matchers.h"
#include "core/testing/temp_dir.h"
#include "crypto/internal/hex.h"

namespace mamori::crypto {
namespace {

using core::StatusCode;
using core::testing::IsOk;
using core::testing::IsOkAndHolds;
using core::testing::StatusIs;
using ::testing::AnyOf;
using ::testing::HasSubstr;
using ::testing::Not;
using F = KeyFileFormat;

// Tests use a tiny Argon2id; KeyFileProductionTest runs the real parameters once.
constexpr Argon2Params kSmall{.memory_kib = 64, .iterations = 1, .parallelism = 1};
constexpr std::string_view kPassphrase = "correct horse battery staple";

// Hands out preset bytes in order (salt first, then the GCM nonce).
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

std::vector<uint8_t> Range(uint8_t first, size_t n) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(first + i);
  return v;
}

bool SameKey(const AeadKey& a, const AeadKey& b) {
  return a.id() == b.id() && ConstantTimeEquals(a.ExportKeyBytes(), b.ExportKeyBytes());
}

// Rewrites the checksum, as someone editing the file on purpose would.
std::string WithFreshChecksum(std::string file) {
  Sha256Digest checksum = Sha256(AsBytes(std::string_view(file).substr(0, F::kChecksumOffset)));
  std::copy(checksum.begin(), checksum.end(), file.begin() + F::kChecksumOffset);
  return file;
}

class KeyFileTest : public ::testing::Test {
 protected:
  std::string Seal(std::string_view passphrase = kPassphrase, const AeadKey* kek = nullptr) {
    auto file = SealKeyFile(kek != nullptr ? *kek : kek_, passphrase, kSmall, random_);
    EXPECT_THAT(file, IsOk());
    return file.ok() ? *file : std::string();
  }

  core::DeterministicRandom random_{::testing::GTEST_FLAG(random_seed)};
  AeadKey kek_ = AeadKey::Generate(random_);
};

TEST_F(KeyFileTest, OpenReturnsTheKekThatWasSealed) {
  std::string file = Seal();
  auto opened = OpenKeyFile(file, kPassphrase);
  ASSERT_THAT(opened, IsOk());
  EXPECT_TRUE(SameKey(*opened, kek_));
  // And it is a working key: it opens what the original sealed.
  auto dek_envelope = Aead::Seal(kek_, AsBytes("data key bytes"), AsBytes("dek/1"), random_);
  ASSERT_THAT(dek_envelope, IsOk());
  auto dek = Aead::Open(*opened, AsBytes(*dek_envelope), AsBytes("dek/1"));
  ASSERT_THAT(dek, IsOk());
  EXPECT_EQ(AsStringView(*dek), "data key bytes");
}

TEST_F(KeyFileTest, SealedFileHasTheDocumentedLayout) {
  std::string file = Seal();
  ASSERT_EQ(file.size(), F::kFileSize);
  auto bytes = AsBytes(file);
  EXPECT_EQ(file.substr(0, 8), "MAMORIKF");
  EXPECT_EQ(bytes[F::kVersionOffset], 0x01);
  EXPECT_EQ(bytes[F::kKdfOffset], 0x01);
  EXPECT_EQ(internal::HexEncode(bytes.subspan(F::kMemoryKibOffset, 12)),
            "000000400000000100000001");
  EXPECT_TRUE(std::equal(kek_.id().bytes().begin(), kek_.id().bytes().end(),
                         bytes.begin() + F::kKekIdOffset));
  // The wrapped key is an Aead envelope whose key id is the salt.
  auto envelope_id = Aead::EnvelopeKeyId(bytes.subspan(F::kWrappedKekOffset, F::kWrappedKekSize));
  ASSERT_THAT(envelope_id, IsOk());
  EXPECT_TRUE(std::equal(envelope_id->bytes().begin(), envelope_id->bytes().end(),
                         bytes.begin() + F::kSaltOffset));
}

// FORMAT.md's worked example, byte for byte. It was computed with Python's
// `cryptography` (its own Argon2id and AES-GCM) by
// testdata/key_file_vectors.py, independently of this code.
TEST_F(KeyFileTest, SealMatchesTheWorkedExampleInFormatMd) {
  auto kek_id = AeadKeyId::FromBytes(Range(0xa0, 16));
  ASSERT_THAT(kek_id, IsOk());
  auto kek = AeadKey::Import(*kek_id, Range(0x00, 32));
  ASSERT_THAT(kek, IsOk());
  std::vector<uint8_t> randomness = Range(0xc0, 16);  // the salt
  std::vector<uint8_t> nonce = Range(0xb0, 12);
  randomness.insert(randomness.end(), nonce.begin(), nonce.end());
  SequenceRandom fixed(randomness);
  auto file = SealKeyFile(*kek, kPassphrase, kSmall, fixed);
  ASSERT_THAT(file, IsOk());
  EXPECT_EQ(internal::HexEncode(AsBytes(*file)),
            "4d414d4f52494b46"  // magic
            "01"                // version
            "01"                // Argon2id
            "00000040"
            "00000001"
            "00000001"                          // m, t, p
            "c0c1c2c3c4c5c6c7c8c9cacbcccdcecf"  // salt
            "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf"  // KEK id
            "0101"
            "c0c1c2c3c4c5c6c7c8c9cacbcccdcecf"
            "b0b1b2b3b4b5b6b7b8b9babb"                                            // envelope
            "715b237d52813abe0cb136a9cf7364e71c959d8913900a630a88cc04930b1206"    // KEK, encrypted
            "c8c1320d1da6e33318c5a888919edb91"                                    // tag
            "7fd0ba58da1011272f0cbdc28f79932730ebe65e6cae410113c9ecab681af068");  // checksum
  auto opened = OpenKeyFile(*file, kPassphrase);
  ASSERT_THAT(opened, IsOk());
  EXPECT_TRUE(SameKey(*opened, *kek));
}

TEST_F(KeyFileTest, WrongPassphraseIsPermissionDeniedWithAOneLineMessage) {
  std::string file = Seal();
  for (std::string_view wrong : {"correct horse battery stapl", "Correct horse battery staple", "",
                                 "correct horse battery staple\n"}) {
    auto opened = OpenKeyFile(file, wrong);
    ASSERT_THAT(opened, StatusIs(StatusCode::kPermissionDenied)) << wrong;
    EXPECT_EQ(opened.status().message(), "wrong passphrase for the master key file");
  }
}

TEST_F(KeyFileTest, EachSealUsesAFreshSalt) {
  std::string a = Seal();
  std::string b = Seal();
  EXPECT_NE(a.substr(F::kSaltOffset, F::kSaltSize), b.substr(F::kSaltOffset, F::kSaltSize));
  EXPECT_NE(a, b);
  EXPECT_THAT(OpenKeyFile(a, kPassphrase), IsOk());
  EXPECT_THAT(OpenKeyFile(b, kPassphrase), IsOk());
}

// Every single-byte change is caught by the checksum or by the magic and
// version checks, before any key is derived: kDataLoss or kInvalidArgument,
// never a key and never "wrong passphrase".
TEST_F(KeyFileTest, EverySingleByteFlipFailsAsDamage) {
  std::string file = Seal();
  for (size_t i = 0; i < file.size(); ++i) {
    for (uint8_t flip : {0x01, 0x80, 0xff}) {
      std::string damaged = file;
      damaged[i] = static_cast<char>(damaged[i] ^ flip);
      auto opened = OpenKeyFile(damaged, kPassphrase);
      EXPECT_THAT(opened,
                  AnyOf(StatusIs(StatusCode::kDataLoss), StatusIs(StatusCode::kInvalidArgument)))
          << "byte " << i << " ^ " << int{flip};
    }
  }
}

// The checksum is not what protects the key: with the checksum rewritten to
// match, a change to any byte before it still fails (the header is Argon2id's
// associated data and the GCM AAD).
TEST_F(KeyFileTest, EveryChangeFailsEvenWithARewrittenChecksum) {
  std::string file = Seal();
  for (size_t i = 0; i < F::kChecksumOffset; ++i) {
    std::string edited = file;
    edited[i] = static_cast<char>(edited[i] ^ 0x01);
    auto opened = OpenKeyFile(WithFreshChecksum(edited), kPassphrase);
    EXPECT_THAT(opened,
                AnyOf(StatusIs(StatusCode::kPermissionDenied), StatusIs(StatusCode::kDataLoss),
                      StatusIs(StatusCode::kInvalidArgument)))
        << "byte " << i;
  }
}

TEST_F(KeyFileTest, EveryTruncationFails) {
  std::string file = Seal();
  for (size_t n = 0; n < file.size(); ++n) {
    auto opened = OpenKeyFile(file.substr(0, n), kPassphrase);
    EXPECT_THAT(opened,
                AnyOf(StatusIs(StatusCode::kDataLoss), StatusIs(StatusCode::kInvalidArgument)))
        << n << " bytes";
  }
  auto opened = OpenKeyFile(file.substr(0, 100), kPassphrase);
  EXPECT_THAT(opened, StatusIs(StatusCode::kDataLoss));
  EXPECT_THAT(opened.status().message(), HasSubstr("truncated"));
}

TEST_F(KeyFileTest, TrailingBytesAreDamage) {
  auto opened = OpenKeyFile(Seal() + "\n", kPassphrase);
  EXPECT_THAT(opened, StatusIs(StatusCode::kDataLoss));
  EXPECT_THAT(opened.status().message(), HasSubstr("trailing"));
}

TEST_F(KeyFileTest, ErrorsNameWhatIsWrong) {
  std::string file = Seal();
  std::string bad_magic = file;
  bad_magic[7] = 'X';
  auto opened = OpenKeyFile(bad_magic, kPassphrase);
  EXPECT_THAT(opened, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(opened.status().message(), HasSubstr("bad magic"));

  opened = OpenKeyFile("-----BEGIN PRIVATE KEY-----\n", kPassphrase);
  EXPECT_THAT(opened.status().message(), HasSubstr("bad magic"));

  for (uint8_t version : {0x00, 0x02, 0xff}) {
    std::string other = file;
    other[F::kVersionOffset] = static_cast<char>(version);
    opened = OpenKeyFile(WithFreshChecksum(other), kPassphrase);
    EXPECT_THAT(opened, StatusIs(StatusCode::kInvalidArgument));
    EXPECT_THAT(opened.status().message(), HasSubstr("unsupported master key file version"));
  }

  std::string damaged = file;
  damaged[100] = static_cast<char>(damaged[100] ^ 0x01);
  opened = OpenKeyFile(damaged, kPassphrase);
  EXPECT_THAT(opened, StatusIs(StatusCode::kDataLoss));
  EXPECT_THAT(opened.status().message(), HasSubstr("checksum mismatch"));
}

TEST_F(KeyFileTest, UnknownKdfIsInvalidArgument) {
  std::string file = Seal();
  file[F::kKdfOffset] = 0x02;
  auto opened = OpenKeyFile(WithFreshChecksum(file), kPassphrase);
  EXPECT_THAT(opened, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(opened.status().message(), HasSubstr("key derivation function 2"));
}

// A file that asks for 4 GiB + 1 KiB, 65 passes or 17 lanes is refused before
// anything is allocated or computed.
TEST_F(KeyFileTest, ParametersBeyondTheLimitsAreRefusedBeforeDerivation) {
  std::string file = Seal();
  auto with = [&](size_t offset, uint32_t value) {
    std::string edited = file;
    for (int i = 0; i < 4; ++i) edited[offset + i] = static_cast<char>(value >> (24 - 8 * i));
    return WithFreshChecksum(edited);
  };
  for (const std::string& bad :
       {with(F::kMemoryKibOffset, kArgon2MaxMemoryKib + 1), with(F::kMemoryKibOffset, 0xffffffff),
        with(F::kIterationsOffset, kArgon2MaxIterations + 1), with(F::kIterationsOffset, 0),
        with(F::kParallelismOffset, kArgon2MaxParallelism + 1), with(F::kParallelismOffset, 0)}) {
    auto opened = OpenKeyFile(bad, kPassphrase);
    EXPECT_THAT(opened, StatusIs(StatusCode::kInvalidArgument));
    EXPECT_THAT(opened.status().message(), HasSubstr("master key file"));
  }
}

TEST_F(KeyFileTest, WrappedKeyForAnotherSaltIsDamage) {
  std::string file = Seal();
  file[F::kWrappedKekOffset + Aead::kKeyIdOffset] ^= 0x01;
  EXPECT_THAT(OpenKeyFile(WithFreshChecksum(file), kPassphrase), StatusIs(StatusCode::kDataLoss));
}

TEST_F(KeyFileTest, InspectKeyFileReportsTheKekIdAndParametersWithoutThePassphrase) {
  std::string file = Seal();
  auto info = InspectKeyFile(file);
  ASSERT_THAT(info, IsOk());
  EXPECT_EQ(info->kek_id, kek_.id());
  EXPECT_EQ(info->params, kSmall);
  EXPECT_THAT(InspectKeyFile(file.substr(0, 50)), StatusIs(StatusCode::kDataLoss));
}

TEST_F(KeyFileTest, SealRefusesPassphrasesShorterThanTwelveCharacters) {
  for (std::string_view short_one : {"", "elevenchars", "パスフレーズは十一文字"}) {
    auto file = SealKeyFile(kek_, short_one, kSmall, random_);
    ASSERT_THAT(file, StatusIs(StatusCode::kInvalidArgument)) << short_one;
    EXPECT_THAT(file.status().message(), HasSubstr("at least 12 characters"));
    if (!short_one.empty()) {
      EXPECT_THAT(file.status().message(), Not(HasSubstr(std::string(short_one))));
    }
  }
  // Characters, not bytes: 11 Japanese characters (33 bytes) fail above, 12 pass.
  EXPECT_THAT(SealKeyFile(kek_, "twelve chars", kSmall, random_), IsOk());
  EXPECT_THAT(SealKeyFile(kek_, "パスフレーズは十二文字だ", kSmall, random_), IsOk());
}

TEST_F(KeyFileTest, SealRefusesPassphrasesOver1024Bytes) {
  EXPECT_THAT(SealKeyFile(kek_, std::string(kMaxPassphraseSize + 1, 'p'), kSmall, random_),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(SealKeyFile(kek_, std::string(kMaxPassphraseSize, 'p'), kSmall, random_), IsOk());
}

TEST_F(KeyFileTest, SealRefusesParametersOutsideTheLimits) {
  EXPECT_THAT(
      SealKeyFile(kek_, kPassphrase, {.memory_kib = 4, .iterations = 1, .parallelism = 1}, random_),
      StatusIs(StatusCode::kInvalidArgument));
}

// Key rotation as `mamori key rotate` does it: open with the old passphrase,
// rewrap the data keys under a new KEK, seal the new KEK under the new
// passphrase. The new file opens with the new passphrase only and yields the
// new KEK, which opens the rewrapped data key; the old KEK does not.
TEST_F(KeyFileTest, RotatedFileOpensWithTheNewPassphraseOnly) {
  const std::string old_passphrase(kPassphrase);
  const std::string new_passphrase = "桜の季節に新しい合言葉を";
  std::string old_file = Seal(old_passphrase);
  auto dek_wrapped_old = Aead::Seal(kek_, AsBytes("dek bytes"), AsBytes("dek/patient-1"), random_);
  ASSERT_THAT(dek_wrapped_old, IsOk());

  auto old_kek = OpenKeyFile(old_file, old_passphrase);
  ASSERT_THAT(old_kek, IsOk());
  AeadKey new_kek = AeadKey::Generate(random_);
  auto dek = Aead::Open(*old_kek, AsBytes(*dek_wrapped_old), AsBytes("dek/patient-1"));
  ASSERT_THAT(dek, IsOk());
  auto dek_wrapped_new = Aead::Seal(new_kek, dek->span(), AsBytes("dek/patient-1"), random_);
  ASSERT_THAT(dek_wrapped_new, IsOk());
  std::string new_file = Seal(new_passphrase, &new_kek);

  auto opened = OpenKeyFile(new_file, new_passphrase);
  ASSERT_THAT(opened, IsOk());
  EXPECT_TRUE(SameKey(*opened, new_kek));
  EXPECT_FALSE(opened->id() == kek_.id());
  EXPECT_THAT(OpenKeyFile(new_file, old_passphrase), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(Aead::Open(*opened, AsBytes(*dek_wrapped_new), AsBytes("dek/patient-1")), IsOk());
  EXPECT_THAT(Aead::Open(*old_kek, AsBytes(*dek_wrapped_new), AsBytes("dek/patient-1")),
              StatusIs(StatusCode::kInvalidArgument));  // names the new KEK's id
  // The old file still holds the old KEK until the operator removes it.
  EXPECT_THAT(OpenKeyFile(old_file, new_passphrase), StatusIs(StatusCode::kPermissionDenied));
}

TEST(KeyFileDeathTest, SealWithAMovedFromKekAborts) {
  core::DeterministicRandom random(9);
  AeadKey kek = AeadKey::Generate(random);
  AeadKey taken = std::move(kek);
  EXPECT_DEATH((void)SealKeyFile(kek, kPassphrase, kSmall, random), "bytes_");  // NOLINT
}

// Once at the production parameters (m = 256 MiB, t = 3, p = 2): the key
// file's real cost, printed for README.md.
TEST(KeyFileProductionTest, SealsAndOpensAtTheProductionParameters) {
  core::DeterministicRandom random(11);
  AeadKey kek = AeadKey::Generate(random);
  core::Clock& clock = core::Clock::Real();
  auto start = clock.Monotonic();
  auto file = SealKeyFile(kek, kPassphrase, kArgon2KeyFileParams, random);
  auto sealed = clock.Monotonic();
  ASSERT_THAT(file, IsOk());
  auto info = InspectKeyFile(*file);
  ASSERT_THAT(info, IsOk());
  EXPECT_EQ(info->params, kArgon2KeyFileParams);
  auto opened = OpenKeyFile(*file, kPassphrase);
  auto done = clock.Monotonic();
  ASSERT_THAT(opened, IsOk());
  EXPECT_TRUE(SameKey(*opened, kek));
  using std::chrono::milliseconds;
  std::cout << "note: at m=256 MiB, t=3, p=2 SealKeyFile took "
            << std::chrono::duration_cast<milliseconds>(sealed - start).count()
            << " ms and OpenKeyFile "
            << std::chrono::duration_cast<milliseconds>(done - sealed).count() << " ms\n";
}

// The fuzz corpus's main seed is a genuine file under the fuzz passphrase
// (written by testdata/key_file_vectors.py), so the target reaches the tag.
TEST(KeyFileFuzzCorpusTest, SeedFileOpensUnderTheFuzzPassphrase) {
  std::ifstream in(std::string(MAMORI_TEST_SRCDIR) + "/key_file_corpus/valid_fuzz_passphrase",
                   std::ios::binary);
  std::string file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_EQ(file.size(), F::kFileSize);
  auto opened = OpenKeyFile(file, "mamori fuzz passphrase");
  ASSERT_THAT(opened, IsOk());
  std::array<uint8_t, AeadKeyId::kSize> id;
  id.fill(0x11);
  EXPECT_EQ(opened->id(), AeadKeyId(id));
  EXPECT_THAT(opened->ExportKeyBytes(), ::testing::Each(0x22));
}

// ---- ReadPassphraseFile ----------------------------------------------------------

class PassphraseFileTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_THAT(core::CreateDirs(fs_, "/etc/mamori", 0700), IsOk()); }

  std::string Write(std::string_view text, uint32_t mode = 0600) {
    const std::string path = "/etc/mamori/passphrase";
    EXPECT_THAT(core::WriteFileAtomically(fs_, path, text, mode), IsOk());
    return path;
  }

  core::Result<std::string> Read(std::string_view text, uint32_t mode = 0600) {
    auto passphrase = ReadPassphraseFile(fs_, Write(text, mode));
    if (!passphrase.ok()) return std::move(passphrase).status();
    return std::string(AsStringView(*passphrase));
  }

  core::MemFileSystem fs_;
};

TEST_F(PassphraseFileTest, StripsOneTrailingNewline) {
  EXPECT_THAT(Read("correct horse battery staple\n"), IsOkAndHolds(std::string(kPassphrase)));
  EXPECT_THAT(Read("correct horse battery staple\r\n"), IsOkAndHolds(std::string(kPassphrase)));
  EXPECT_THAT(Read("correct horse battery staple"), IsOkAndHolds(std::string(kPassphrase)));
  EXPECT_THAT(Read("two newlines\n\n"), IsOkAndHolds(std::string("two newlines\n")));
  EXPECT_THAT(Read(" spaces stay \n"), IsOkAndHolds(std::string(" spaces stay ")));
  EXPECT_THAT(Read("cr only\r"), IsOkAndHolds(std::string("cr only\r")));
}

TEST_F(PassphraseFileTest, RefusesAnEmptyPassphrase) {
  for (std::string_view empty : {"", "\n", "\r\n"}) {
    auto read = Read(empty);
    EXPECT_THAT(read, StatusIs(StatusCode::kInvalidArgument));
    EXPECT_THAT(read.status().message(), HasSubstr("empty"));
  }
}

TEST_F(PassphraseFileTest, RefusesAFileAccessibleToGroupOrOthers) {
  for (uint32_t mode : {0644u, 0640u, 0604u, 0620u, 0602u, 0610u, 0601u, 0660u, 0777u}) {
    auto read = Read(kPassphrase, mode);
    ASSERT_THAT(read, StatusIs(StatusCode::kPermissionDenied)) << std::oct << mode;
    EXPECT_THAT(read.status().message(), HasSubstr("/etc/mamori/passphrase"));
    EXPECT_THAT(read.status().message(), HasSubstr("chmod 600"));
    EXPECT_THAT(read.status().message(), Not(HasSubstr(std::string(kPassphrase))));
  }
  EXPECT_THAT(Read(kPassphrase, 0400), IsOk());
  EXPECT_THAT(Read(kPassphrase, 0700), IsOk());
}

TEST_F(PassphraseFileTest, MissingFileIsNotFound) {
  EXPECT_THAT(ReadPassphraseFile(fs_, "/etc/mamori/nothing"), StatusIs(StatusCode::kNotFound));
}

TEST_F(PassphraseFileTest, RefusesADirectoryAndAnOversizedFile) {
  EXPECT_THAT(ReadPassphraseFile(fs_, "/etc/mamori"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(Read(std::string(kMaxPassphraseSize + 3, 'p')),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(Read(std::string(kMaxPassphraseSize, 'p') + "\r\n"), IsOk());
}

// The real file system reports real permission bits.
TEST(PassphraseFilePosixTest, ReadsAPrivateFileAndRefusesAWorldReadableOne) {
  std::string path = core::testing::MakeTempDir() + "/passphrase";
  core::FileSystem& fs = core::FileSystem::Posix();
  ASSERT_THAT(core::WriteFileAtomically(fs, path, "correct horse battery staple\n", 0600), IsOk());
  auto read = ReadPassphraseFile(fs, path);
  ASSERT_THAT(read, IsOk());
  EXPECT_EQ(AsStringView(*read), kPassphrase);
  ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
  EXPECT_THAT(ReadPassphraseFile(fs, path), StatusIs(StatusCode::kPermissionDenied));
}

}  // namespace
}  // namespace mamori::crypto
