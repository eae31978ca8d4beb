// SPDX-License-Identifier: Apache-2.0
// The assessment over a fixture installation (issue 9, "What must be true"):
// golden HTML and JSON reports; disabling TOTP for one user, corrupting a
// backup chunk or editing a ledger row turns exactly the matching items to
// fail, with evidence naming the user, the chunk or the index; the report's
// signature verifies with openssl; the PDF renders Japanese text.
#include "compliance/assessment.h"

#include <utime.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include "auth/store_accounts.h"
#include "backup/repository.h"
#include "compliance/assess.h"
#include "compliance/installation.h"
#include "compliance/report.h"
#include "core/config.h"
#include "core/testing/deterministic_random.h"
#include "core/testing/simulated_clock.h"
#include "core/testing/status_matchers.h"
#include "core/testing/temp_dir.h"
#include "crypto/key_file.h"
#include "crypto/x509.h"
#include "ledger/audit_event.h"
#include "store/store.h"

namespace mamori::compliance {
namespace {

namespace fs = std::filesystem;
using core::testing::IsOk;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;

// A machine whose clock chrony keeps in sync and whose server is stopped.
class FakeHost final : public Host {
 public:
  core::Result<std::string> Run(const std::vector<std::string>& argv) override {
    if (argv[0] != "chronyc") return core::NotFoundError("not installed");
    return std::string(
        "Reference ID    : 85F3EEF3 (ntp.nict.jp)\nSystem time     : 0.000021 seconds fast of NTP "
        "time\nLeap status     : Normal\n");
  }
  core::Result<Handshake> TlsHandshake(const std::string&, uint16_t, const std::string&) override {
    return core::UnavailableError("nothing listens");
  }
};

int64_t Seconds(core::Clock::WallTime t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class AssessmentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = core::testing::MakeTempDir();
    data_ = root_ + "/data";
    backup_ = root_ + "/backup";
    kek_ = std::make_unique<crypto::AeadKey>(crypto::AeadKey::Generate(random_));
    ASSERT_THAT(fs().CreateDir(data_, 0700), IsOk());
    ASSERT_THAT(fs().CreateDir(data_ + "/tls", 0700), IsOk());
    ASSERT_THAT(fs().CreateDir(data_ + "/keys", 0700), IsOk());
    ASSERT_THAT(fs().CreateDir(data_ + "/audit", 0700), IsOk());
    core::Config config;
    config.tls.client_ca = "tls/ca.pem";
    ASSERT_THAT(
        core::WriteFileAtomically(fs(), data_ + "/config.toml", core::RenderConfig(config), 0600),
        IsOk());
    MakeTls();
    auto key_file =
        crypto::SealKeyFile(*kek_, "fixture passphrase",
                            {.memory_kib = 64, .iterations = 1, .parallelism = 1}, random_);
    ASSERT_THAT(key_file, IsOk());
    key_file_ = *key_file;
    ASSERT_THAT(core::WriteFileAtomically(fs(), data_ + "/keys/master.key", key_file_, 0600),
                IsOk());
    // Rotated 30 days before the assessment.
    utimbuf times{};
    times.actime = times.modtime = Seconds(clock_.Now() - std::chrono::days(30));
    ASSERT_EQ(::utime((data_ + "/keys/master.key").c_str(), &times), 0);
    MakeStore();
    MakeBackup();
    clock_.Advance(std::chrono::hours(1));
  }

  core::FileSystem& fs() { return core::FileSystem::Posix(); }

  void MakeTls() {
    auto now = clock_.Now();
    auto ca = crypto::GenerateSelfSignedCa({.common_name = "fixture CA",
                                            .not_before = now,
                                            .not_after = now + std::chrono::days(3650)},
                                           random_);
    ASSERT_THAT(ca, IsOk());
    auto server = crypto::IssueServerCertificate(*ca,
                                                 {.common_name = "localhost",
                                                  .not_before = now,
                                                  .not_after = now + std::chrono::days(397),
                                                  .dns_names = {"localhost"}},
                                                 random_);
    ASSERT_THAT(server, IsOk());
    ASSERT_THAT(core::WriteFileAtomically(fs(), data_ + "/tls/ca.pem", ca->certificate_pem, 0644),
                IsOk());
    ASSERT_THAT(
        core::WriteFileAtomically(fs(), data_ + "/tls/server.pem", server->certificate_pem, 0644),
        IsOk());
  }

  std::unique_ptr<store::Store> OpenFixtureStore() {
    auto st = store::OpenStore({.path = data_ + "/mamori.db",
                                .kek = kek_.get(),
                                .checkpoint_interval_ms = 0,
                                .tree_head_interval_ms = 0,
                                .tree_head_export_path = data_ + "/audit/sth.bin"},
                               env_);
    EXPECT_THAT(st, IsOk());
    return st.ok() ? *std::move(st) : nullptr;
  }

  void Event(store::Store& st, ledger::AuditEvent e) {
    clock_.Advance(std::chrono::minutes(5));
    e.time_ms = static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(clock_.Now().time_since_epoch())
            .count());
    ASSERT_THAT(st.Write([&](store::Transaction& tx) {
      return tx.AppendAudit(ledger::ToJson(e)).status();
    }),
                IsOk());
  }

  void MakeStore() {
    std::unique_ptr<store::Store> st = OpenFixtureStore();
    ASSERT_NE(st, nullptr);
    ASSERT_THAT(core::WriteFileAtomically(fs(), data_ + "/keys/ledger_pub.pem",
                                          st->AuditPublicKey().ToPem(), 0644),
                IsOk());
    auth::StoreAccountStore accounts(*st);
    struct Person {
      const char* login;
      auth::Role role;
    };
    for (Person p :
         {Person{"admin", auth::Role::kAdministrator}, Person{"h.sato", auth::Role::kNurse},
          Person{"t.suzuki", auth::Role::kPhysician}, Person{"k.audit", auth::Role::kAuditor}}) {
      auth::Account a{
          .account_id = std::string("acct-") + p.login,
          .login_id = p.login,
          .display_name = p.login,
          .role = p.role,
          .grant = {.requested_by = "admin", .approved_by = "director", .granted_at = clock_.Now()},
          .password_phc = "$argon2id$fixture",
          .password_changed_at = clock_.Now(),
          .totp_sealed = "sealed-totp-secret"};
      ASSERT_THAT(accounts.Save(a), IsOk());
    }
    auth::StoreClientStore clients(*st);
    auth::OAuthClient lab{.client_id = "lab",
                          .name = "Lab system",
                          .auth_method = "tls_client_auth",
                          .certificate_sha256 = std::string(64, 'a'),
                          .scopes = {"system/Observation.crs"}};
    ASSERT_THAT(clients.Save(lab), IsOk());
    for (const char* user : {"admin", "h.sato", "t.suzuki"}) {
      Event(*st, {.user = user, .action = "login", .method = "POST", .route = "/auth/login"});
    }
    Event(*st, {.user = "t.suzuki",
                .action = "break-glass",
                .method = "POST",
                .route = "/auth/break-glass",
                .patients = {"p1"},
                .emergency = true});
    Event(*st, {.user = "k.audit",
                .action = "audit-review",
                .method = "POST",
                .route = "/audit/break-glass/{id}/review"});
    ASSERT_THAT(st->IssueTreeHead(), IsOk());
  }

  void MakeBackup() {
    auto dest = backup::OpenDirectoryDestination(backup_);
    ASSERT_THAT(dest, IsOk());
    backup::BackupKeys keys = backup::BackupKeys::Generate(random_);
    ASSERT_THAT(backup::InitRepository(**dest, keys, *kek_, env_), IsOk());
    auto snap = backup::CreateSnapshot(
        **dest, keys,
        {.files = {{"config.toml", data_ + "/config.toml"}, {"ca.pem", data_ + "/tls/ca.pem"}},
         .key_file = key_file_},
        env_);
    ASSERT_THAT(snap, IsOk());
    clock_.Advance(std::chrono::minutes(10));
    ASSERT_THAT(
        backup::RecordDrill(**dest, keys,
                            {.snapshot = snap->id,
                             .started_us = std::chrono::duration_cast<std::chrono::microseconds>(
                                               clock_.Now().time_since_epoch())
                                               .count(),
                             .restore_duration = std::chrono::milliseconds(1200),
                             .check_duration = std::chrono::milliseconds(300),
                             .resources_checked = 42,
                             .versions_total = 42,
                             .passed = true},
                            env_),
        IsOk());
  }

  Assessment Assess() {
    auto inst = ReadInstallation(
        {.data_dir = data_, .destinations = {{.path = backup_}}, .kek = kek_.get()}, env_);
    EXPECT_THAT(inst, IsOk());
    FakeHost host;
    ProbeOptions options;
    ProbeContext context{.options = options, .now = clock_.Now(), .host = host};
    PatternAnswers answers{.location = SystemLocation::kOnPremises, .dedicated_system_staff = true};
    PatternAssessment pattern = AssessPattern(answers, Catalogue::Embedded(), options.version);
    return Evaluate(pattern, *inst, RunProbes(*inst, context), clock_.Now());
  }

  // Paths in the report vary per run; the golden files hold placeholders.
  std::string Normalise(std::string text) {
    for (auto [from, to] : {std::pair{backup_, std::string("BACKUP_DIR")},
                            std::pair{data_, std::string("DATA_DIR")}}) {
      for (size_t at; (at = text.find(from)) != std::string::npos;)
        text.replace(at, from.size(), to);
    }
    return text;
  }

  std::map<std::string, ItemState> States(const Assessment& a) {
    std::map<std::string, ItemState> out;
    for (const Item& i : a.items) out[i.row->id] = i.state;
    return out;
  }

  // The IDs whose state differs between two assessments.
  std::vector<std::string> Changed(const Assessment& before, const Assessment& after) {
    std::vector<std::string> out;
    auto b = States(before);
    for (auto [id, state] : States(after)) {
      if (b[id] != state) out.push_back(id);
    }
    return out;
  }

  std::string Evidence(const Assessment& a, const std::string& id) {
    std::string out;
    for (const Fact& e : a.Find(id)->evidence) out += e.en + "\n";
    return out;
  }

  void CheckGolden(const std::string& name, const std::string& actual) {
    std::string path = std::string(MAMORI_COMPLIANCE_TESTDATA) + "/" + name;
    if (std::getenv("MAMORI_UPDATE_GOLDEN") != nullptr) {
      std::ofstream(path, std::ios::binary) << actual;
    }
    EXPECT_EQ(actual, Slurp(path)) << "regenerate with MAMORI_UPDATE_GOLDEN=1 after checking "
                                      "the difference";
  }

  core::SimulatedClock clock_;
  core::DeterministicRandom random_{20261125};
  core::Env env_{clock_, random_, core::FileSystem::Posix()};
  std::unique_ptr<crypto::AeadKey> kek_;
  std::string root_, data_, backup_, key_file_;
};

TEST_F(AssessmentTest, FixtureInstallationPassesEveryProbeItCanSee) {
  Assessment a = Assess();
  std::map<std::string, Outcome> outcomes;
  for (const ProbeResult& p : a.probes) outcomes[p.probe] = p.outcome;
  EXPECT_EQ(outcomes["two-factor"], Outcome::kPass);
  EXPECT_EQ(outcomes["ledger"], Outcome::kPass);
  EXPECT_EQ(outcomes["backups"], Outcome::kPass);
  EXPECT_EQ(outcomes["restore-drill"], Outcome::kPass);
  EXPECT_EQ(outcomes["clock-sync"], Outcome::kPass);
  EXPECT_EQ(outcomes["key-rotation"], Outcome::kPass);
  EXPECT_EQ(outcomes["system-clients-mtls"], Outcome::kPass);
  EXPECT_EQ(outcomes["encryption-at-rest"], Outcome::kPass);
  EXPECT_EQ(outcomes["break-glass-review"], Outcome::kPass);
  EXPECT_EQ(outcomes["tls"], Outcome::kPass);
  // No offline destination was declared: unknown, never pass.
  EXPECT_EQ(outcomes["offline-generation"], Outcome::kUnknown);
  EXPECT_FALSE(a.required_failure);
  EXPECT_EQ(a.Find("SYS-41")->state, ItemState::kPass);
  EXPECT_EQ(a.Find("GOV-02")->state, ItemState::kUnknown);  // organisational, not attested
}

TEST_F(AssessmentTest, GoldenHtmlAndJson) {
  Assessment a = Assess();
  CheckGolden("report_ja.html", Normalise(RenderHtml(a, Language::kJa)));
  CheckGolden("report_en.json", Normalise(RenderJson(a, Language::kEn)));
}

TEST_F(AssessmentTest, DisablingTotpForOneUserFailsExactlyTheTwoFactorItems) {
  Assessment before = Assess();
  {
    std::unique_ptr<store::Store> st = OpenFixtureStore();
    auth::StoreAccountStore accounts(*st);
    auto sato = accounts.FindByLogin("h.sato");
    ASSERT_THAT(sato, IsOk());
    (*sato)->totp_sealed.clear();
    ASSERT_THAT(accounts.Save(**sato), IsOk());
  }
  Assessment after = Assess();
  EXPECT_THAT(Changed(before, after), ElementsAreArray({"CHK-38", "SYS-41"}));
  EXPECT_EQ(after.Find("SYS-41")->state, ItemState::kFail);
  EXPECT_THAT(Evidence(after, "SYS-41"), HasSubstr("user h.sato (nurse) has no second factor"));
  EXPECT_TRUE(after.required_failure);
}

TEST_F(AssessmentTest, CorruptingABackupChunkFailsExactlyTheBackupItems) {
  Assessment before = Assess();
  std::string chunk;
  for (const auto& e : fs::recursive_directory_iterator(backup_ + "/packs")) {
    if (e.is_regular_file()) {
      chunk = e.path().string();
      break;
    }
  }
  ASSERT_FALSE(chunk.empty());
  ::chmod(chunk.c_str(), 0600);
  std::string bytes = Slurp(chunk);
  bytes[bytes.size() / 2] ^= 0x01;
  std::ofstream(chunk, std::ios::binary | std::ios::trunc) << bytes;
  Assessment after = Assess();
  EXPECT_THAT(Changed(before, after), ElementsAreArray({"CHK-18", "SYS-27", "SYS-62"}));
  std::string name = fs::path(chunk).filename().string();
  EXPECT_THAT(Evidence(after, "SYS-27"), HasSubstr(name));
  EXPECT_EQ(after.Find("SYS-27")->state, ItemState::kFail);
}

TEST_F(AssessmentTest, EditingALedgerRowFailsExactlyTheLedgerItems) {
  Assessment before = Assess();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((data_ + "/mamori.db").c_str(), &db), SQLITE_OK);
  // Flip the last byte of leaf 1 (inside the sealed event).
  ASSERT_EQ(sqlite3_exec(db,
                         "UPDATE ledger_leaf SET leaf = substr(leaf, 1, length(leaf) - 1) || "
                         "X'00' WHERE idx = 1",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  Assessment after = Assess();
  EXPECT_THAT(Changed(before, after), ElementsAreArray({"CHK-08", "GOV-12", "SYS-54"}));
  EXPECT_THAT(Evidence(after, "SYS-54"), HasSubstr("leaf 1:"));
  EXPECT_EQ(after.Find("GOV-12")->state, ItemState::kFail);
}

TEST_F(AssessmentTest, AttestationsExpireAndVendorAttestationsCoverContractItems) {
  {
    std::unique_ptr<store::Store> st = OpenFixtureStore();
    ASSERT_THAT(
        SaveAttestation(
            *st, {.requirement = "GOV-02",
                  .by = "院長 山田",
                  .at = clock_.Now(),
                  .text = "安全管理責任者: 事務長 佐藤",
                  .files = {{.name = "appointment.pdf", .sha256 = "00", .content = "pdf bytes"}},
                  .expires = clock_.Now() + std::chrono::days(365)}),
        IsOk());
    // Not a vendor's: both vendor and contract or neither.
    EXPECT_THAT(SaveAttestation(*st, {.requirement = "PLAN-07",
                                      .by = "x",
                                      .at = clock_.Now(),
                                      .text = "t",
                                      .vendor = "ベンダー株式会社"}),
                core::testing::StatusIs(core::StatusCode::kInvalidArgument));
    EXPECT_THAT(
        SaveAttestation(*st, {.requirement = "NOPE-1", .by = "x", .at = clock_.Now(), .text = "t"}),
        core::testing::StatusIs(core::StatusCode::kInvalidArgument));
    ASSERT_THAT(SaveMatrixEntry(*st, {.requirement = "SYS-27",
                                      .party = Party::kCloud,
                                      .party_name = "クラウド株式会社",
                                      .set_by = "admin",
                                      .set_at = clock_.Now()}),
                IsOk());
  }
  Assessment a = Assess();
  EXPECT_EQ(a.Find("GOV-02")->state, ItemState::kAttested);
  EXPECT_THAT(Evidence(a, "GOV-02"), HasSubstr("appointment.pdf"));
  EXPECT_EQ(a.Find("SYS-27")->owner, Party::kCloud);
  EXPECT_EQ(a.Find("SYS-27")->owner_name, "クラウド株式会社");
  // The attestation and the matrix change are in the audit ledger.
  auto inst = ReadInstallation({.data_dir = data_, .kek = kek_.get()}, env_);
  ASSERT_THAT(inst, IsOk());
  EXPECT_TRUE(inst->events->last_seen_ms.count("院長 山田"));
  EXPECT_TRUE(inst->ledger.problems.empty());

  clock_.Advance(std::chrono::days(366));
  Assessment later = Assess();
  EXPECT_EQ(later.Find("GOV-02")->state, ItemState::kUnknown);
  EXPECT_THAT(Evidence(later, "GOV-02"), HasSubstr("expired"));
}

TEST_F(AssessmentTest, VendorAttestationCoversAContractItemInPatternFour) {
  {
    std::unique_ptr<store::Store> st = OpenFixtureStore();
    ASSERT_THAT(SaveAttestation(*st, {.requirement = "PLAN-07",
                                      .by = "ベンダー 田中",
                                      .at = clock_.Now(),
                                      .text = "契約書第5条で対応",
                                      .vendor = "ベンダー株式会社",
                                      .contract_ref = "保守契約 2026-01"}),
                IsOk());
  }
  auto inst = ReadInstallation({.data_dir = data_, .kek = kek_.get()}, env_);
  ASSERT_THAT(inst, IsOk());
  FakeHost host;
  ProbeOptions options;
  ProbeContext context{.options = options, .now = clock_.Now(), .host = host};
  PatternAnswers answers{.location = SystemLocation::kVendorCloud, .has_vendor_contract = true};
  PatternAssessment pattern = AssessPattern(answers, Catalogue::Embedded(), options.version);
  Assessment a = Evaluate(pattern, *inst, RunProbes(*inst, context), clock_.Now());
  EXPECT_EQ(a.Find("PLAN-07")->state, ItemState::kCoveredByContract);
  EXPECT_EQ(a.Find("PLAN-07")->owner, Party::kVendor);
  EXPECT_EQ(a.Find("PLAN-07")->owner_name, "ベンダー株式会社");
  // PLAN-02 lists the contract rows nobody confirmed; PLAN-07 is confirmed.
  std::string plan02 = Evidence(a, "PLAN-02");
  EXPECT_THAT(plan02, HasSubstr("rows the vendor contract may cover are not confirmed: PLAN-08"));
  EXPECT_THAT(plan02, ::testing::Not(HasSubstr("PLAN-07")));
  // No expiry given: the catalogue's 12 months for PLAN-07 apply.
  ASSERT_EQ(inst->attestations.size(), 1u);
  ASSERT_TRUE(inst->attestations[0].expires.has_value());
  EXPECT_EQ(*inst->attestations[0].expires - inst->attestations[0].at,
            std::chrono::duration_cast<core::Clock::WallTime::duration>(std::chrono::months(12)));
}

TEST_F(AssessmentTest, WithoutTheKeyAccountProbesAreUnknownNotPass) {
  auto inst = ReadInstallation({.data_dir = data_, .destinations = {{.path = backup_}}}, env_);
  ASSERT_THAT(inst, IsOk());
  FakeHost host;
  ProbeOptions options;
  ProbeContext context{.options = options, .now = clock_.Now(), .host = host};
  for (const ProbeResult& p : RunProbes(*inst, context)) {
    if (p.probe == "two-factor" || p.probe == "dormant-accounts") {
      EXPECT_EQ(p.outcome, Outcome::kUnknown) << p.probe;
    }
    if (p.probe == "ledger") {
      EXPECT_EQ(p.outcome, Outcome::kPass);
    }
  }
}

TEST_F(AssessmentTest, DormantAccountsAndStaleBackupsFailAfterTime) {
  clock_.Advance(std::chrono::days(100));
  Assessment a = Assess();
  EXPECT_EQ(a.Find("SYS-45")->state, ItemState::kFail);
  EXPECT_THAT(Evidence(a, "SYS-45"), HasSubstr("user k.audit unused"));
  EXPECT_EQ(a.Find("SYS-27")->state, ItemState::kFail);
  EXPECT_EQ(a.Find("GOV-12")->state, ItemState::kFail);  // tree head 100 days old
}

TEST_F(AssessmentTest, AssessInstallationReadsTheRecordedPatternAndDestinations) {
  ASSERT_THAT(fs().CreateDir(data_ + "/compliance", 0700), IsOk());
  PatternAnswers answers{.location = SystemLocation::kVendorCloud, .has_vendor_contract = true};
  ASSERT_THAT(core::WriteFileAtomically(
                  fs(), data_ + "/compliance/pattern.json",
                  R"({"pattern":"IV","answers":)" + EncodePatternAnswers(answers) + "}", 0600),
              IsOk());
  ASSERT_THAT(core::WriteFileAtomically(
                  fs(), data_ + "/compliance/destinations",
                  "# the NAS, kept offline between backups\noffline " + backup_ + "\n", 0600),
              IsOk());
  FakeHost host;
  auto a = AssessInstallation({.data_dir = data_, .kek = kek_.get()}, host, env_);
  ASSERT_THAT(a, IsOk());
  EXPECT_EQ(a->pattern, Pattern::kIV);
  EXPECT_TRUE(a->pattern_recorded);
  EXPECT_EQ(a->Find("EMG-03")->state, ItemState::kPass);
  EXPECT_THAT(Evidence(*a, "EMG-03"), HasSubstr(backup_ + ": newest snapshot"));
  EXPECT_EQ(a->Find("SYS-27")->state, ItemState::kPass);
  // Without the recorded pattern: pattern I, and the report says it was assumed.
  ASSERT_THAT(fs().Remove(data_ + "/compliance/pattern.json"), IsOk());
  auto assumed = AssessInstallation({.data_dir = data_, .kek = kek_.get()}, host, env_);
  ASSERT_THAT(assumed, IsOk());
  EXPECT_EQ(assumed->pattern, Pattern::kI);
  EXPECT_FALSE(assumed->pattern_recorded);
}

TEST_F(AssessmentTest, ReportSignatureVerifiesWithOpenssl) {
  Assessment a = Assess();
  std::string html = RenderHtml(a, Language::kJa);
  auto key = ReportSigningKey(*kek_);
  ASSERT_THAT(key, IsOk());
  crypto::Ed25519Signature sig = key->Sign(crypto::AsBytes(html));
  std::string dir = root_ + "/out";
  fs::create_directories(dir);
  std::ofstream(dir + "/report.html", std::ios::binary) << html;
  std::ofstream(dir + "/report.html.sig", std::ios::binary)
      << std::string(reinterpret_cast<const char*>(sig.data()), sig.size());
  std::ofstream(dir + "/report.pub.pem") << key->PublicKey().ToPem();
  std::string verify = "openssl pkeyutl -verify -pubin -inkey " + dir +
                       "/report.pub.pem -rawin -in " + dir + "/report.html -sigfile " + dir +
                       "/report.html.sig >/dev/null 2>&1";
  EXPECT_EQ(std::system(verify.c_str()), 0);
  std::ofstream(dir + "/report.html", std::ios::binary | std::ios::app) << " ";
  EXPECT_NE(std::system(verify.c_str()), 0);
}

TEST_F(AssessmentTest, PdfPageOneIsNotBlankAndEmbedsAJapaneseFont) {
  Assessment a = Assess();
  auto pdf = RenderPdf(a, Language::kJa);
  ASSERT_THAT(pdf, IsOk());
  std::string dir = root_ + "/pdf";
  fs::create_directories(dir);
  std::ofstream(dir + "/report.pdf", std::ios::binary) << *pdf;
  ASSERT_EQ(std::system(("pdftoppm -f 1 -l 1 -r 50 -gray " + dir + "/report.pdf " + dir +
                         "/page >/dev/null 2>&1")
                            .c_str()),
            0);
  std::string page;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ".pgm") page = Slurp(e.path().string());
  }
  ASSERT_FALSE(page.empty());
  // PGM: header of three lines, then one byte a pixel; count the dark ones.
  size_t at = 0;
  for (int lines = 0; lines < 3; ++lines) at = page.find('\n', at) + 1;
  size_t dark = 0;
  for (size_t i = at; i < page.size(); ++i) dark += static_cast<uint8_t>(page[i]) < 128;
  EXPECT_GT(dark, 500u) << "page 1 is blank";
  ASSERT_EQ(std::system(("pdffonts " + dir + "/report.pdf > " + dir + "/fonts.txt").c_str()), 0);
  std::string fonts = Slurp(dir + "/fonts.txt");
  EXPECT_THAT(fonts, HasSubstr("IPAexGothic"));
  // "emb" column: every font line says yes.
  EXPECT_THAT(fonts, ::testing::Not(HasSubstr(" no  no ")));
  auto text =
      std::system(("pdftotext -f 1 -l 1 " + dir + "/report.pdf " + dir + "/page1.txt").c_str());
  ASSERT_EQ(text, 0);
  EXPECT_THAT(Slurp(dir + "/page1.txt"), HasSubstr("評価報告書"));
}

}  // namespace
}  // namespace mamori::compliance
