// SPDX-License-Identifier: Apache-2.0
// Backup repository (issue 8; GUIDELINE SYS-58, SYS-62, EMG-03, EMG-04): a
// restore equals the original; no plaintext in any backup byte; a flipped
// bit, a deleted chunk or a truncated manifest is reported with its location
// and restore refuses; snapshots cannot be overwritten; an incremental
// backup after a small change writes little.
#include "backup/repository.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "backup/internal/manifest.h"
#include "core/testing/deterministic_random.h"
#include "core/testing/mem_file_system.h"
#include "core/testing/simulated_clock.h"
#include "core/testing/status_matchers.h"
#include "core/testing/temp_dir.h"
#include "crypto/hash.h"
#include "crypto/hex.h"

namespace mamori::backup {
namespace {

namespace fs = std::filesystem;
using core::StatusCode;
using core::testing::IsOk;
using core::testing::StatusIs;
using ::testing::HasSubstr;

constexpr char kCanary[] = "Canary-Yamada-Hanako-ZX81";

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void WriteAll(const std::string& path, std::string_view bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

// Compressible but varied bytes, like a database file, with the canary in it.
std::string DatabaseLike(size_t size, uint32_t seed) {
  std::mt19937 gen(seed);
  std::string out;
  while (out.size() < size) {
    out += "{\"resourceType\":\"Observation\",\"id\":\"" + std::to_string(gen()) +
           "\",\"valueQuantity\":{\"value\":" + std::to_string(gen() % 1000) + "}}";
    if (out.size() % 50 == 0) out += kCanary;
  }
  out.resize(size);
  out.replace(size / 2, sizeof(kCanary) - 1, kCanary);
  return out;
}

class RepositoryTest : public ::testing::Test {
 protected:
  RepositoryTest() {
    source_ = core::testing::MakeTempDir();
    repo_dir_ = core::testing::MakeTempDir() + "/repo";
    auto dest = OpenDirectoryDestination(repo_dir_);
    EXPECT_THAT(dest, IsOk());
    dest_ = std::move(dest).value();
    EXPECT_THAT(InitRepository(*dest_, keys_, kek_, env_), IsOk());
    WriteAll(source_ + "/mamori.db", DatabaseLike(3 << 20, 1));
    WriteAll(source_ + "/master.key", "passphrase-wrapped key file bytes");
  }
  // Small packs, so that a 3 MiB file makes several.
  SnapshotOptions Options() {
    return {.files = {{"mamori.db", source_ + "/mamori.db"}},
            .key_file = ReadAll(source_ + "/master.key"),
            .pack_size = 256 << 10};
  }
  internal::Manifest ManifestOf(const std::string& id) {
    auto bytes = dest_->Get("snapshots/" + id + ".manifest");
    EXPECT_THAT(bytes, IsOk());
    auto m = internal::ParseManifest(*bytes, keys_.signing.PublicKey());
    EXPECT_THAT(m, IsOk());
    return *m;
  }
  SnapshotSummary Snapshot() {
    auto s = CreateSnapshot(*dest_, keys_, Options(), env_);
    EXPECT_THAT(s, IsOk());
    clock_.Advance(std::chrono::seconds(1));
    return *s;
  }
  std::vector<std::string> Objects(std::string_view prefix) {
    auto names = dest_->List(prefix);
    EXPECT_THAT(names, IsOk());
    return *names;
  }
  // Rewrites an object in place (as an attacker or a failing disk would).
  void Corrupt(const std::string& name, const std::function<void(std::string&)>& change) {
    std::string path = repo_dir_ + "/" + name;
    fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write);
    std::string bytes = ReadAll(path);
    change(bytes);
    WriteAll(path, bytes);
  }

  core::SimulatedClock clock_;
  core::DeterministicRandom random_{17};
  core::MemFileSystem fs_;
  core::Env env_{clock_, random_, fs_};
  crypto::AeadKey kek_ = crypto::AeadKey::Generate(random_);
  BackupKeys keys_ = BackupKeys::Generate(random_);
  std::string source_, repo_dir_;
  std::unique_ptr<Destination> dest_;
};

TEST_F(RepositoryTest, RestoreEqualsTheOriginal) {
  SnapshotSummary s = Snapshot();
  EXPECT_EQ(s.bytes_read, 3u << 20);
  EXPECT_LT(s.bytes_written, s.bytes_read);  // compressed
  auto keys = OpenRepositoryKeys(*dest_, kek_);
  ASSERT_THAT(keys, IsOk());
  std::string target = core::testing::MakeTempDir() + "/restored";
  auto restored = RestoreSnapshot(*dest_, *keys, s.id, target, env_);
  ASSERT_THAT(restored, IsOk());
  EXPECT_EQ(ReadAll(target + "/mamori.db"), ReadAll(source_ + "/mamori.db"));
  auto key_file = SnapshotKeyFile(*dest_, s.id);
  ASSERT_THAT(key_file, IsOk());
  EXPECT_EQ(*key_file, "passphrase-wrapped key file bytes");
}

// Issue 8: long runs report progress (the CLI draws a bar on a terminal) and
// end at the total.
TEST_F(RepositoryTest, CreateRestoreAndVerifyReportProgressUpToTheTotal) {
  std::vector<std::pair<uint64_t, uint64_t>> created, restored, verified;
  SnapshotOptions options = Options();
  options.progress = [&](uint64_t d, uint64_t t) { created.emplace_back(d, t); };
  auto s = CreateSnapshot(*dest_, keys_, options, env_);
  ASSERT_THAT(s, IsOk());
  ASSERT_THAT(RestoreSnapshot(*dest_, keys_, s->id, core::testing::MakeTempDir() + "/r", env_,
                              [&](uint64_t d, uint64_t t) { restored.emplace_back(d, t); }),
              IsOk());
  ASSERT_THAT(
      Verify(*dest_, std::nullopt, [&](uint64_t d, uint64_t t) { verified.emplace_back(d, t); }),
      IsOk());
  for (const auto* calls : {&created, &restored, &verified}) {
    ASSERT_GT(calls->size(), 1u);
    EXPECT_EQ(calls->back().first, calls->back().second);
    for (size_t i = 1; i < calls->size(); ++i) EXPECT_GE((*calls)[i].first, (*calls)[i - 1].first);
  }
  EXPECT_EQ(created.back().second, 3u << 20);
  EXPECT_EQ(restored.back().second, 3u << 20);
  EXPECT_EQ(verified.back().second, s->chunks);
}

TEST_F(RepositoryTest, NoBackupByteHoldsTheCanary) {  // EMG-04, invariant 4
  Snapshot();
  for (const auto& entry : fs::recursive_directory_iterator(repo_dir_)) {
    if (!entry.is_regular_file()) continue;
    EXPECT_EQ(ReadAll(entry.path()).find(kCanary), std::string::npos) << entry.path();
  }
}

// Issue 8: chunks are packed into few write-once objects (one fsync each), and
// the signed manifest says where each chunk's blob is.
TEST_F(RepositoryTest, ChunksArePackedIntoFewObjectsAndTheManifestLocatesEachBlob) {
  SnapshotSummary s = Snapshot();
  std::vector<std::string> packs = Objects("packs/");
  EXPECT_EQ(packs.size(), s.packs_new);
  EXPECT_GE(packs.size(), 2u);
  EXPECT_LT(packs.size() * 4, s.chunks) << packs.size() << " packs for " << s.chunks << " chunks";
  EXPECT_TRUE(Objects("chunks/").empty());
  uint64_t stored = 0;
  for (const std::string& p : packs) stored += ReadAll(repo_dir_ + "/" + p).size();
  internal::Manifest m = ManifestOf(s.id);
  ASSERT_EQ(m.files.size(), 1u);
  uint64_t blobs = 0;
  for (const internal::ChunkRef& c : m.files[0].chunks) {
    std::string pack = ReadAll(repo_dir_ + "/" + internal::PackObjectName(c.pack));
    ASSERT_LE(c.offset + c.length, pack.size());
    EXPECT_EQ(crypto::HexEncode(crypto::Sha256(crypto::AsBytes(pack.substr(c.offset, c.length)))),
              c.stored_sha);
    blobs += c.length;
  }
  EXPECT_EQ(blobs, stored);  // nothing in a pack but the blobs
  EXPECT_EQ(s.bytes_written,
            stored + ReadAll(repo_dir_ + "/snapshots/" + s.id + ".manifest").size());
}

// Issue 8: an unchanged chunk costs only its id: nothing is sealed or written
// but the manifest.
// Snapshot ids name whole seconds (plus a random suffix): several snapshots
// within one second still list oldest first, so "the newest" (restore,
// drill, view) is the last one taken. Seen in backup_integration, where two
// backups a moment apart sometimes listed the older one last.
TEST_F(RepositoryTest, SnapshotsOfOneSecondListInTheOrderTheyWereTaken) {
  std::vector<std::string> taken;
  for (int i = 0; i < 6; ++i) {
    auto s = CreateSnapshot(*dest_, keys_, Options(), env_);
    ASSERT_THAT(s, IsOk());
    taken.push_back(s->id);
    clock_.Advance(std::chrono::milliseconds(100));
  }
  auto listed = ListSnapshots(*dest_);
  ASSERT_THAT(listed, IsOk());
  std::vector<std::string> ids;
  for (const SnapshotInfo& info : *listed) ids.push_back(info.id);
  EXPECT_EQ(ids, taken);
}

TEST_F(RepositoryTest, AnUnchangedSecondBackupWritesOnlyItsManifest) {
  SnapshotSummary first = Snapshot();
  size_t packs = Objects("packs/").size();
  SnapshotSummary second = Snapshot();
  EXPECT_EQ(second.chunks, first.chunks);
  EXPECT_EQ(second.chunks_new, 0u);
  EXPECT_EQ(second.packs_new, 0u);
  EXPECT_EQ(Objects("packs/").size(), packs);
  EXPECT_EQ(second.bytes_written,
            ReadAll(repo_dir_ + "/snapshots/" + second.id + ".manifest").size());
  std::string target = core::testing::MakeTempDir() + "/r";
  ASSERT_THAT(RestoreSnapshot(*dest_, keys_, second.id, target, env_), IsOk());
  EXPECT_EQ(ReadAll(target + "/mamori.db"), ReadAll(source_ + "/mamori.db"));
}

TEST_F(RepositoryTest, AFlippedBitInAnyChunkIsReportedWithItsLocationAndRestoreRefuses) {
  SnapshotSummary s = Snapshot();
  std::vector<std::string> packs = Objects("packs/");
  ASSERT_GT(packs.size(), 1u);
  const std::string& victim = packs[packs.size() / 2];
  // Which blob the flipped byte lands in, from the manifest.
  uint64_t at = ReadAll(repo_dir_ + "/" + victim).size() / 2;
  std::string expected;
  size_t index = 0;
  internal::Manifest m = ManifestOf(s.id);
  for (size_t i = 0; i < m.files[0].chunks.size(); ++i) {
    const internal::ChunkRef& c = m.files[0].chunks[i];
    if (internal::PackObjectName(c.pack) == victim && c.offset <= at && at < c.offset + c.length) {
      expected = victim + " offset " + std::to_string(c.offset) + " length " +
                 std::to_string(c.length) + " chunk " + c.id;
      index = i;
    }
  }
  ASSERT_FALSE(expected.empty());
  Corrupt(victim, [&](std::string& b) { b[at] ^= 0x01; });
  auto report = Verify(*dest_, std::nullopt);
  ASSERT_THAT(report, IsOk());
  ASSERT_EQ(report->problems.size(), 1u);
  EXPECT_THAT(report->problems[0].location, HasSubstr(expected));
  EXPECT_THAT(report->problems[0].location,
              HasSubstr("file mamori.db chunk " + std::to_string(index) + " "));
  EXPECT_THAT(report->problems[0].reason, HasSubstr("content changed"));
  auto restored = RestoreSnapshot(*dest_, keys_, s.id, core::testing::MakeTempDir() + "/r", env_);
  EXPECT_THAT(restored, StatusIs(StatusCode::kDataLoss, HasSubstr(expected)));
}

TEST_F(RepositoryTest, ADeletedPackIsReportedAsMissingChunkByChunk) {
  SnapshotSummary s = Snapshot();
  std::vector<std::string> packs = Objects("packs/");
  fs::remove(repo_dir_ + "/" + packs.front());
  size_t in_pack = 0;
  internal::Manifest m = ManifestOf(s.id);
  for (const internal::ChunkRef& c : m.files[0].chunks) {
    in_pack += internal::PackObjectName(c.pack) == packs.front();
  }
  ASSERT_GT(in_pack, 0u);
  auto report = Verify(*dest_, std::nullopt);
  ASSERT_THAT(report, IsOk());
  ASSERT_EQ(report->problems.size(), in_pack);
  for (const Problem& p : report->problems) {
    EXPECT_EQ(p.reason, "missing");
    EXPECT_THAT(p.location, HasSubstr(packs.front() + " offset "));
  }
  auto restored = RestoreSnapshot(*dest_, keys_, s.id, core::testing::MakeTempDir() + "/r", env_);
  EXPECT_THAT(restored, StatusIs(StatusCode::kDataLoss, HasSubstr(packs.front())));
}

TEST_F(RepositoryTest, ACutShortPackIsReportedFromTheCutAndRestoreRefuses) {
  SnapshotSummary s = Snapshot();
  std::vector<std::string> packs = Objects("packs/");
  std::string victim = packs.back();
  uint64_t size = ReadAll(repo_dir_ + "/" + victim).size();
  Corrupt(victim, [&](std::string& b) { b.resize(size / 2); });
  size_t after_cut = 0;
  internal::Manifest m = ManifestOf(s.id);
  for (const internal::ChunkRef& c : m.files[0].chunks) {
    after_cut += internal::PackObjectName(c.pack) == victim && c.offset + c.length > size / 2;
  }
  auto report = Verify(*dest_, std::nullopt);
  ASSERT_THAT(report, IsOk());
  ASSERT_EQ(report->problems.size(), after_cut);
  for (const Problem& p : report->problems) {
    EXPECT_THAT(p.reason, HasSubstr("cut short"));
    EXPECT_THAT(p.location, HasSubstr(victim));
  }
  auto restored = RestoreSnapshot(*dest_, keys_, s.id, core::testing::MakeTempDir() + "/r", env_);
  EXPECT_THAT(restored, StatusIs(StatusCode::kDataLoss));
}

// The format changed from one object per chunk (mamori-backup/1) to packs.
// An old repository stays readable (testdata/format1: made by the mamori of
// commit 0036e3f, README there): list and verify read it; a flipped bit in
// one chunk object is reported with its location as format 1 did; a new
// snapshot is refused with what to do, and so is prune.
class FormatOneTest : public RepositoryTest {
 protected:
  FormatOneTest() {
    dir_ = core::testing::MakeTempDir() + "/format1";
    fs::copy(std::string(MAMORI_TEST_SRCDIR) + "/testdata/format1/backups", dir_,
             fs::copy_options::recursive);
    auto dest = OpenDirectoryDestination(dir_);
    EXPECT_THAT(dest, IsOk());
    old_ = std::move(dest).value();
  }
  std::vector<std::string> ChunkObjects() {
    std::vector<std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(dir_ + "/chunks")) {
      if (e.is_regular_file()) out.push_back(fs::relative(e.path(), dir_).string());
    }
    std::sort(out.begin(), out.end());
    return out;
  }
  std::string dir_;
  std::unique_ptr<Destination> old_;
};

TEST_F(FormatOneTest, TheFixtureListsAndVerifiesClean) {
  auto snapshots = ListSnapshots(*old_);
  ASSERT_THAT(snapshots, IsOk());
  ASSERT_EQ(snapshots->size(), 1u);
  EXPECT_TRUE((*snapshots)[0].signature_ok);
  EXPECT_GT((*snapshots)[0].bytes, 0u);
  auto report = Verify(*old_, std::nullopt);
  ASSERT_THAT(report, IsOk());
  EXPECT_TRUE(report->problems.empty()) << report->problems[0].location;
  EXPECT_EQ(report->snapshots, 1u);
  EXPECT_EQ(report->chunks_checked, ChunkObjects().size());
  EXPECT_GT(report->bytes_checked, 0u);
}

TEST_F(FormatOneTest, AFlippedBitInOneChunkIsReportedWithItsLocation) {
  std::vector<std::string> chunks = ChunkObjects();
  ASSERT_FALSE(chunks.empty());
  const std::string& victim = chunks[chunks.size() / 2];
  std::string bytes = ReadAll(dir_ + "/" + victim);
  bytes[bytes.size() / 2] ^= 0x10;
  fs::permissions(dir_ + "/" + victim, fs::perms::owner_write, fs::perm_options::add);
  WriteAll(dir_ + "/" + victim, bytes);
  auto report = Verify(*old_, std::nullopt);
  ASSERT_THAT(report, IsOk());
  ASSERT_FALSE(report->problems.empty());
  for (const Problem& p : report->problems) {
    EXPECT_THAT(p.location, HasSubstr("snapshot "));
    EXPECT_THAT(p.location, HasSubstr(" chunk "));
    EXPECT_THAT(p.location, HasSubstr(victim));
    EXPECT_EQ(p.reason, "content changed (hash differs)");
  }
  fs::remove(dir_ + "/" + victim);
  report = Verify(*old_, std::nullopt);
  ASSERT_THAT(report, IsOk());
  ASSERT_FALSE(report->problems.empty());
  EXPECT_THAT(report->problems[0].location, HasSubstr(victim));
  EXPECT_EQ(report->problems[0].reason, "missing");
}

TEST_F(FormatOneTest, ANewSnapshotIsRefusedWithWhatToDo) {
  std::vector<std::string> before = ChunkObjects();
  EXPECT_THAT(CreateSnapshot(*old_, keys_, Options(), env_),
              StatusIs(StatusCode::kFailedPrecondition,
                       HasSubstr("holds format-1 backups (mamori-backup/1), which this mamori "
                                 "reads but does not add to; back up to a new destination; the "
                                 "old snapshots stay restorable here")));
  EXPECT_EQ(ChunkObjects(), before);
  EXPECT_FALSE(fs::exists(dir_ + "/packs"));
}

TEST_F(RepositoryTest, ATruncatedManifestFailsVerification) {
  SnapshotSummary s = Snapshot();
  std::string manifest = "snapshots/" + s.id + ".manifest";
  for (size_t keep : {size_t{0}, size_t{40}, size_t{200}}) {
    std::string original = ReadAll(repo_dir_ + "/" + manifest);
    Corrupt(manifest, [&](std::string& b) { b.resize(std::min(keep, b.size())); });
    auto report = Verify(*dest_, s.id);
    ASSERT_THAT(report, IsOk());
    ASSERT_EQ(report->problems.size(), 1u) << keep;
    EXPECT_EQ(report->problems[0].location, manifest);
    WriteAll(repo_dir_ + "/" + manifest, original);
  }
  // Cutting off only the signature line, or the final record and signature.
  std::string original = ReadAll(repo_dir_ + "/" + manifest);
  size_t last = original.rfind('\n', original.size() - 2);
  Corrupt(manifest, [&](std::string& b) { b.resize(last + 1); });
  EXPECT_EQ(Verify(*dest_, s.id)->problems.size(), 1u);
  auto restored = RestoreSnapshot(*dest_, keys_, s.id, core::testing::MakeTempDir() + "/r", env_);
  EXPECT_THAT(restored, StatusIs(StatusCode::kDataLoss));
}

TEST_F(RepositoryTest, AManifestSignedByAnotherKeyIsRefused) {
  SnapshotSummary s = Snapshot();
  std::string manifest = "snapshots/" + s.id + ".manifest";
  Corrupt(manifest, [](std::string& b) {
    size_t at = b.find("\"size\":");
    b[at + 7] = b[at + 7] == '1' ? '2' : '1';  // a changed file size, signature kept
  });
  auto report = Verify(*dest_, s.id);
  ASSERT_THAT(report, IsOk());
  ASSERT_EQ(report->problems.size(), 1u);
  EXPECT_THAT(report->problems[0].reason, HasSubstr("signature"));
}

TEST_F(RepositoryTest, ExistingSnapshotsAndChunksCannotBeOverwritten) {
  SnapshotSummary s = Snapshot();
  std::string manifest = "snapshots/" + s.id + ".manifest";
  std::string before = ReadAll(repo_dir_ + "/" + manifest);
  EXPECT_THAT(dest_->PutNew(manifest, "forged"), StatusIs(StatusCode::kAlreadyExists));
  std::string pack = Objects("packs/").front();
  EXPECT_THAT(dest_->PutNew(pack, "forged"), StatusIs(StatusCode::kAlreadyExists));
  EXPECT_EQ(ReadAll(repo_dir_ + "/" + manifest), before);
  EXPECT_THAT(dest_->PutNew("../escape", "x"), StatusIs(StatusCode::kInvalidArgument));
}

// Issue 8: a second backup after changing 1% of the records writes at most 3%
// of the first backup's bytes. The database holds ciphertext, which does not
// compress, so the test file is random bytes: 64 MiB with 1% of it rewritten
// in 8 places (new record versions and the index pages they touch).
TEST_F(RepositoryTest, ASecondBackupAfterAOnePercentChangeWritesAtMostThreePercent) {
  std::string db(64 << 20, '\0');
  std::mt19937_64 gen(5);
  for (size_t i = 0; i + 8 <= db.size(); i += 8) {
    uint64_t v = gen();
    std::memcpy(db.data() + i, &v, 8);
  }
  WriteAll(source_ + "/mamori.db", db);
  SnapshotSummary first = Snapshot();
  for (int i = 0; i < 8; ++i) {
    size_t at = (db.size() / 8) * i + 1234;
    for (size_t j = 0; j < db.size() / 800; ++j) db[at + j] = static_cast<char>('a' + j % 26);
  }
  WriteAll(source_ + "/mamori.db", db);
  SnapshotSummary second = Snapshot();
  EXPECT_LE(second.bytes_written * 100, first.bytes_written * 3)
      << second.bytes_written << " of " << first.bytes_written;
  auto report = Verify(*dest_, std::nullopt);
  ASSERT_THAT(report, IsOk());
  EXPECT_EQ(report->snapshots, 2u);
  EXPECT_TRUE(report->problems.empty());
}

TEST_F(RepositoryTest, AnotherInstallationCannotWriteIntoThisRepository) {
  BackupKeys other = BackupKeys::Generate(random_);
  EXPECT_THAT(InitRepository(*dest_, other, kek_, env_),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("another installation")));
  crypto::AeadKey wrong_kek = crypto::AeadKey::Generate(random_);
  EXPECT_THAT(OpenRepositoryKeys(*dest_, wrong_kek), StatusIs(StatusCode::kDataLoss));
}

}  // namespace
}  // namespace mamori::backup

namespace mamori::backup {
namespace {

// The fuzz corpus's manifest was signed by `openssl pkeyutl -sign -rawin` with
// the Ed25519 seed 07 00..00: a real peer's signature verifies, and the
// corpus's damaged copies do not.
TEST(ManifestFormatTest, AManifestSignedByOpensslVerifiesAndDamagedCopiesDoNot) {
  auto key = crypto::SigningKey::Import(std::array<uint8_t, 32>{7});
  ASSERT_THAT(key, IsOk());
  std::string dir = std::string(MAMORI_TEST_SRCDIR) + "/manifest_corpus/";
  auto good = internal::ParseManifest(ReadAll(dir + "signed"), key->PublicKey());
  ASSERT_THAT(good, IsOk());
  EXPECT_EQ(good->files.size(), 1u);
  EXPECT_EQ(good->files[0].chunks.size(), 2u);
  EXPECT_EQ(good->key_file, "key");
  // The old format (one object per chunk) still parses, as format 1.
  auto v1 = internal::ParseManifest(ReadAll(dir + "v1_signed"), key->PublicKey());
  ASSERT_THAT(v1, IsOk());
  EXPECT_EQ(v1->format, 1);
  ASSERT_EQ(v1->files.size(), 1u);
  ASSERT_FALSE(v1->files[0].chunks.empty());
  EXPECT_TRUE(v1->files[0].chunks[0].pack.empty());
  EXPECT_EQ(
      internal::ParseManifest(internal::SerializeManifest(*v1, *key), key->PublicKey())->format, 1);
  EXPECT_EQ(good->format, 2);
  for (const char* bad : {"truncated", "no_final", "changed_size", "bad_sum", "empty"}) {
    EXPECT_THAT(internal::ParseManifest(ReadAll(dir + bad), key->PublicKey()),
                StatusIs(StatusCode::kDataLoss))
        << bad;
  }
}

}  // namespace
}  // namespace mamori::backup
