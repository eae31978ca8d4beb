// SPDX-License-Identifier: Apache-2.0
// The offline archive (issue 8; GUIDELINE SYS-58, SYS-62, EMG-03): one
// self-contained file holds a whole repository; truncating it, flipping a bit
// or removing a chunk is reported by Verify with its location, and restore
// refuses rather than produce wrong data.
#include <filesystem>
#include <fstream>
#include <random>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "backup/destination.h"
#include "backup/repository.h"
#include "core/testing/deterministic_random.h"
#include "core/testing/mem_file_system.h"
#include "core/testing/simulated_clock.h"
#include "core/testing/status_matchers.h"
#include "core/testing/temp_dir.h"

namespace mamori::backup {
namespace {

namespace fs = std::filesystem;
using core::StatusCode;
using core::testing::IsOk;
using core::testing::StatusIs;
using ::testing::AllOf;
using ::testing::Contains;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void WriteAll(const std::string& path, std::string_view bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

// The archive's records as (offset, length, name), read the way a tool
// following destination.h's layout would.
struct Record {
  size_t offset, length;
  std::string name;
};
std::vector<Record> Records(const std::string& bytes) {
  std::vector<Record> out;
  size_t at = std::string_view("MAMORI-ARCHIVE/1\n").size();
  while (at + 14 <= bytes.size()) {
    auto le = [&](size_t p, int n) {
      uint64_t v = 0;
      for (int i = n - 1; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(bytes[p + i]);
      return v;
    };
    size_t name_len = le(at + 4, 2), data_len = le(at + 6, 8);
    size_t length = 14 + name_len + 8 + data_len + 32;
    out.push_back({at, length, bytes.substr(at + 14, name_len)});
    at += length;
  }
  return out;
}

class ArchiveTest : public ::testing::Test {
 protected:
  ArchiveTest() {
    dir_ = core::testing::MakeTempDir();
    archive_ = dir_ + "/offline.mamori";
    std::mt19937 gen(5);
    std::string db(1 << 20, '\0');
    for (char& c : db) c = static_cast<char>(gen() % 7);  // compressible
    WriteAll(dir_ + "/mamori.db", db);
    auto dest = OpenDestination("archive:" + archive_);
    EXPECT_THAT(dest, IsOk());
    EXPECT_THAT(InitRepository(**dest, keys_, kek_, env_), IsOk());
    auto s = CreateSnapshot(**dest, keys_,
                            {.files = {{"mamori.db", dir_ + "/mamori.db"}}, .pack_size = 64 << 10},
                            env_);
    EXPECT_THAT(s, IsOk());
    snapshot_ = s->id;
  }
  std::unique_ptr<Destination> Reopen() {
    auto dest = OpenArchiveDestination(archive_);
    EXPECT_THAT(dest, IsOk());
    return std::move(dest).value();
  }
  VerifyReport VerifyArchive() {
    auto report = Verify(*Reopen(), std::nullopt);
    EXPECT_THAT(report, IsOk());
    return *report;
  }

  core::SimulatedClock clock_;
  core::DeterministicRandom random_{31};
  core::MemFileSystem fs_;
  core::Env env_{clock_, random_, fs_};
  crypto::AeadKey kek_ = crypto::AeadKey::Generate(random_);
  BackupKeys keys_ = BackupKeys::Generate(random_);
  std::string dir_, archive_, snapshot_;
};

TEST_F(ArchiveTest, OneFileHoldsARepositoryThatRestoresEqualAndNeverOverwrites) {
  auto dest = Reopen();
  EXPECT_EQ(dest->Describe(), "archive:" + archive_);
  VerifyReport report = VerifyArchive();
  EXPECT_THAT(report.problems, IsEmpty());
  EXPECT_EQ(report.snapshots, 1u);
  std::string target = dir_ + "/restored";
  ASSERT_THAT(RestoreSnapshot(*dest, keys_, snapshot_, target, env_), IsOk());
  EXPECT_EQ(ReadAll(target + "/mamori.db"), ReadAll(dir_ + "/mamori.db"));
  std::string before = ReadAll(archive_);
  EXPECT_THAT(dest->PutNew("snapshots/" + snapshot_ + ".manifest", "forged"),
              StatusIs(StatusCode::kAlreadyExists));
  EXPECT_THAT(dest->PutNew("config", "forged"), StatusIs(StatusCode::kAlreadyExists));
  EXPECT_EQ(ReadAll(archive_), before);
  // A second snapshot appends; the first is untouched.
  clock_.Advance(std::chrono::hours(1));
  ASSERT_THAT(
      CreateSnapshot(*dest, keys_,
                     {.files = {{"mamori.db", dir_ + "/mamori.db"}}, .pack_size = 64 << 10}, env_),
      IsOk());
  EXPECT_EQ(ReadAll(archive_).substr(0, before.size()), before);
  EXPECT_THAT(VerifyArchive().problems, IsEmpty());
}

TEST_F(ArchiveTest, ATruncatedArchiveIsReportedWithTheOffsetAndRestoreRefuses) {
  std::string bytes = ReadAll(archive_);
  for (size_t cut : {bytes.size() - 10, bytes.size() / 2}) {
    SCOPED_TRACE(cut);
    fs::resize_file(archive_, cut);
    VerifyReport report = VerifyArchive();
    EXPECT_THAT(report.problems,
                Contains(AllOf(Field(&Problem::location, HasSubstr(archive_ + " offset ")),
                               Field(&Problem::reason, HasSubstr("truncated")))));
    EXPECT_THAT(report.problems, Contains(Field(&Problem::reason, HasSubstr("cut short"))));
    auto dest = Reopen();
    EXPECT_FALSE(
        RestoreSnapshot(*dest, keys_, snapshot_, dir_ + "/r" + std::to_string(cut), env_).ok());
    EXPECT_FALSE(fs::exists(dir_ + "/r" + std::to_string(cut) + "/mamori.db"));
    // A damaged archive is not written to.
    EXPECT_THAT(dest->PutNew("packs/00/x", "x"), StatusIs(StatusCode::kFailedPrecondition));
    WriteAll(archive_, bytes);
  }
}

TEST_F(ArchiveTest, AFlippedBitInAChunkIsReportedWithItsLocationAndRestoreRefuses) {
  std::string bytes = ReadAll(archive_);
  std::vector<Record> records = Records(bytes);
  const Record* chunk = nullptr;
  for (const Record& r : records) {
    if (r.name.starts_with("packs/")) chunk = &r;
  }
  ASSERT_NE(chunk, nullptr);
  bytes[chunk->offset + chunk->length / 2] ^= 0x04;
  WriteAll(archive_, bytes);
  VerifyReport report = VerifyArchive();
  EXPECT_THAT(report.problems,
              Contains(AllOf(Field(&Problem::location,
                                   HasSubstr("snapshot " + snapshot_ + " file mamori.db chunk ")),
                             Field(&Problem::location, HasSubstr(chunk->name)),
                             Field(&Problem::reason, HasSubstr("content changed")))));
  EXPECT_THAT(report.problems,
              Contains(Field(&Problem::location,
                             HasSubstr(archive_ + " offset " + std::to_string(chunk->offset)))));
  auto restored = RestoreSnapshot(*Reopen(), keys_, snapshot_, dir_ + "/r", env_);
  EXPECT_THAT(restored, StatusIs(StatusCode::kDataLoss));
  EXPECT_THAT(std::string(restored.status().message()), HasSubstr("chunk"));
  EXPECT_FALSE(fs::exists(dir_ + "/r/mamori.db"));
}

TEST_F(ArchiveTest, ARemovedChunkIsReportedAsMissingAndRestoreRefuses) {
  std::string bytes = ReadAll(archive_);
  std::vector<Record> records = Records(bytes);
  const Record* chunk = nullptr;
  for (const Record& r : records) {
    if (r.name.starts_with("packs/") && chunk == nullptr) chunk = &r;
  }
  ASSERT_NE(chunk, nullptr);
  WriteAll(archive_, bytes.substr(0, chunk->offset) + bytes.substr(chunk->offset + chunk->length));
  VerifyReport report = VerifyArchive();
  EXPECT_THAT(report.problems, Contains(AllOf(Field(&Problem::location, HasSubstr(chunk->name)),
                                              Field(&Problem::reason, HasSubstr("missing")))));
  EXPECT_THAT(RestoreSnapshot(*Reopen(), keys_, snapshot_, dir_ + "/r", env_),
              StatusIs(StatusCode::kDataLoss));
}

TEST_F(ArchiveTest, ADamagedRecordHeaderIsSkippedToTheNextRecordAndReported) {
  std::string bytes = ReadAll(archive_);
  std::vector<Record> records = Records(bytes);
  ASSERT_GT(records.size(), 3u);
  const Record& victim = records[1];
  bytes[victim.offset + 8] ^= 0x01;  // inside the data length
  WriteAll(archive_, bytes);
  VerifyReport report = VerifyArchive();
  EXPECT_THAT(report.problems,
              Contains(AllOf(
                  Field(&Problem::location, HasSubstr(" offset " + std::to_string(victim.offset))),
                  Field(&Problem::reason, HasSubstr("damaged record header")))));
  // Records after it are still read: the manifest is found and verified.
  EXPECT_EQ(report.snapshots, 1u);
  EXPECT_THAT(report.problems, Contains(Field(&Problem::reason, HasSubstr("missing"))));
}

TEST_F(ArchiveTest, NotAnArchiveIsRefused) {
  WriteAll(dir_ + "/other", "just some file");
  EXPECT_THAT(OpenArchiveDestination(dir_ + "/other"), StatusIs(StatusCode::kDataLoss));
}

TEST_F(ArchiveTest, ReadingAMistypedPathCreatesNothing) {
  EXPECT_THAT(OpenExistingDestination("archive:" + dir_ + "/typo.mamori"),
              StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(OpenExistingDestination(dir_ + "/typo-dir"), StatusIs(StatusCode::kNotFound));
  EXPECT_FALSE(fs::exists(dir_ + "/typo.mamori"));
  EXPECT_FALSE(fs::exists(dir_ + "/typo-dir"));
  EXPECT_THAT(OpenExistingDestination("archive:" + archive_), IsOk());
}

}  // namespace
}  // namespace mamori::backup
