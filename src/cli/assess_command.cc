// SPDX-License-Identifier: Apache-2.0
#include "cli/assess_command.h"

#include <cstdio>
#include <ctime>

#include <boost/json.hpp>

#include "cli/master_key.h"
#include "cli/offline_store.h"
#include "compliance/assess.h"
#include "compliance/attestation.h"
#include "compliance/catalogue.h"
#include "compliance/pattern.h"
#include "compliance/report.h"
#include "core/file_system.h"
#include "crypto/hash.h"
#include "crypto/hex.h"
#include "store/store.h"

namespace mamori::cli {
namespace {

namespace json = boost::json;

core::Result<compliance::SystemLocation> LocationNamed(const std::string& name) {
  if (name == "on-premises") return compliance::SystemLocation::kOnPremises;
  if (name == "vendor-cloud") return compliance::SystemLocation::kVendorCloud;
  if (name == "both") return compliance::SystemLocation::kBoth;
  return core::InvalidArgumentError("--location must be on-premises, vendor-cloud or both");
}

json::object ToJson(const compliance::PatternAssessment& a) {
  json::array reading;
  for (const compliance::ChapterReading& r : a.reading_list) {
    reading.push_back(json::object{{"volume", compliance::VolumeName(r.volume)},
                                   {"chapters", r.chapters},
                                   {"reading", compliance::ReadingName(r.reading)},
                                   {"note", r.note}});
  }
  json::array rows;
  for (const compliance::RowApplicability& r : a.rows) {
    rows.push_back(json::object{{"id", r.row->id},
                                {"applicability", compliance::ApplicabilityName(r.applicability)},
                                {"reason", r.reason}});
  }
  return {{"pattern", compliance::PatternName(a.pattern)},
          {"guideline", compliance::GuidelineVersionName(a.version)},
          {"read_tantousha_as_kikaku_kanrisha", a.read_tantousha_as_kikaku_kanrisha},
          {"confirm_pattern_with_vendor", a.confirm_pattern_with_vendor},
          {"mixed_estate", a.mixed_estate},
          {"reading", reading},
          {"requirements", rows}};
}

std::string Text(const compliance::PatternAssessment& a) {
  int required = 0, contract = 0, not_applicable = 0;
  for (const compliance::RowApplicability& r : a.rows) {
    required += r.applicability == compliance::Applicability::kRequired;
    contract += r.applicability == compliance::Applicability::kContractMayCover;
    not_applicable += r.applicability == compliance::Applicability::kNotApplicable;
  }
  std::string out = "reference pattern: " + std::string(compliance::PatternName(a.pattern)) +
                    " (guideline " + std::string(compliance::GuidelineVersionName(a.version)) +
                    ")\n";
  if (a.read_tantousha_as_kikaku_kanrisha) out += "  read 担当者 as 企画管理者\n";
  if (a.confirm_pattern_with_vendor) out += "  confirm this pattern with your vendor\n";
  out += "reading list:\n";
  for (const compliance::ChapterReading& r : a.reading_list) {
    out += "  " + std::string(compliance::VolumeName(r.volume)) + " " + r.chapters + ": " +
           std::string(compliance::ReadingName(r.reading)) +
           (r.note.empty() ? "" : " — " + r.note) + "\n";
  }
  out += "requirements: " + std::to_string(required) + " required, " + std::to_string(contract) +
         " may be covered by the vendor contract (vendor attestation needed), " +
         std::to_string(not_applicable) + " not applicable\n";
  return out;
}

// YYYY-MM-DD, midnight UTC.
core::Result<core::Clock::WallTime> ParseDate(const std::string& text) {
  std::tm tm{};
  char rest = 0;
  if (text.size() != 10 || std::sscanf(text.c_str(), "%4d-%2d-%2d%c", &tm.tm_year, &tm.tm_mon,
                                       &tm.tm_mday, &rest) != 3) {
    return core::InvalidArgumentError("--expires must be a date YYYY-MM-DD");
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return core::Clock::WallTime(std::chrono::seconds(timegm(&tm)));
}

std::string BaseName(const std::string& path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

core::Status WriteOut(core::Env& env, const std::string& path, const std::string& bytes) {
  return core::WriteFileAtomically(env.fs(), path, bytes, 0644);
}

}  // namespace

void AssessCommands::Register(CLI::App& app) {
  assess_ = app.add_subcommand(
      "assess",
      "Compliance with the MHLW guideline: the report (issue 9); exit 1 if a required "
      "item fails");
  assess_->require_subcommand(0, 1);
  assess_->add_option("--data-dir", report_.data_dir, "Data directory (the server may run)");
  assess_->add_option("--format", report_.format, "html (default), pdf or json");
  assess_->add_option("--lang", report_.lang, "ja (default) or en");
  assess_->add_option("--out", report_.out,
                      "Write the report here, with FILE.sig and FILE.pub.pem (else stdout)");
  assess_->add_option("--backup", report_.backups, "A backup destination to check (repeatable)");
  assess_->add_option("--offline-backup", report_.offline_backups,
                      "An offline backup destination to check (repeatable)");
  assess_->add_option("--passphrase-file", report_.passphrase_file,
                      "Master key passphrase file (without one, account checks are unknown)");
  assess_->add_option("--guideline", report_.guideline, "6.0 (default) or 7.0");
  assess_->add_option(
      "--listen", report_.listen,
      "The listener to check when serve runs with --listen (default server.listen)");
  assess_->add_option("--dormant-days", report_.dormant_days,
                      "An account unused this many days is dormant (default 90; SYS-45)");
  assess_->add_option("--backup-max-age-hours", report_.backup_max_age_hours,
                      "The newest snapshot of each destination may be this old (RPO; default 24)");
  assess_->add_flag("--no-handshake", report_.no_handshake,
                    "Do not try a TLS handshake with the configured listener");
  auto record_common = [&](CLI::App* c) {
    c->add_option("id", record_.id, "Requirement ID, e.g. GOV-02")->required();
    c->add_option("--data-dir", record_.data_dir, "Data directory (stop `mamori serve` first)")
        ->required();
    c->add_option("--by", record_.by, "Who (name and role)")->required();
    c->add_option("--passphrase-file", record_.passphrase_file, "Master key passphrase file");
  };
  attest_ = assess_->add_subcommand("attest", "Attest an organisational requirement");
  record_common(attest_);
  attest_->add_option("--text", record_.text, "What was checked and how")->required();
  attest_->add_option("--file", record_.files, "Attach a file (repeatable; up to 4 MiB each)");
  attest_->add_option("--expires", record_.expires,
                      "YYYY-MM-DD after which the item is unknown again");
  attest_->add_option("--vendor", record_.vendor,
                      "A vendor's attestation under its contract (patterns II, IV)");
  attest_->add_option("--contract", record_.contract, "The contract reference (with --vendor)");
  matrix_ =
      assess_->add_subcommand("matrix", "Set who is responsible for a requirement (責任分界)");
  record_common(matrix_);
  matrix_->add_option("--party", record_.party, "institution, vendor or cloud")->required();
  matrix_->add_option("--name", record_.name, "The party's name, e.g. the vendor's company");
  matrix_->add_option("--note", record_.note, "Free text");
  pattern_ = assess_->add_subcommand("pattern", "The reference pattern I-IV and what applies");
  pattern_->add_option("--location", location_,
                       "Where the systems run: on-premises, vendor-cloud or both");
  pattern_->add_flag("--system-staff", system_staff_, "Staff dedicated to running the systems");
  pattern_->add_flag("--only-online-eligibility", only_online_eligibility_,
                     "Paper charts; only the online eligibility-confirmation system");
  pattern_->add_flag("--e-signatures", e_signatures_, "Electronic signatures are used");
  pattern_->add_flag("--digitises-paper", digitises_paper_, "Paper records are digitised");
  pattern_->add_flag("--vendor-contract", vendor_contract_, "A contract with a system vendor");
  pattern_->add_flag("--pharmacy", pharmacy_, "The facility is a pharmacy");
  pattern_->add_option("--guideline", guideline_, "Guideline version: 6.0 (default) or 7.0");
  pattern_->add_option("--data-dir", data_dir_, "Record the result in DIR/compliance/");
  pattern_->add_flag("--json", json_, "Machine-readable output");
}

std::optional<core::Status> AssessCommands::Dispatch(core::Env& env) {
  if (assess_ == nullptr || !assess_->parsed()) return std::nullopt;
  if (attest_->parsed()) return Attest(env);
  if (matrix_->parsed()) return Matrix(env);
  if (!pattern_->parsed()) return Report(env);
  MAMORI_ASSIGN_OR_RETURN(compliance::SystemLocation location, LocationNamed(location_));
  MAMORI_ASSIGN_OR_RETURN(compliance::GuidelineVersion version,
                          compliance::ParseGuidelineVersion(guideline_));
  compliance::PatternAnswers answers{
      .location = location,
      .dedicated_system_staff = system_staff_,
      .only_online_eligibility_with_paper_records = only_online_eligibility_,
      .uses_e_signatures = e_signatures_,
      .digitises_paper = digitises_paper_,
      .has_vendor_contract =
          vendor_contract_ || location != compliance::SystemLocation::kOnPremises,
      .pharmacy = pharmacy_};
  compliance::PatternAssessment a =
      compliance::AssessPattern(answers, compliance::Catalogue::Embedded(), version);
  json::object recorded = ToJson(a);
  recorded["answers"] = json::parse(compliance::EncodePatternAnswers(answers));
  std::string as_json = json::serialize(recorded);
  std::printf("%s", json_ ? (as_json + "\n").c_str() : Text(a).c_str());
  if (!data_dir_.empty()) {
    std::string dir = core::JoinPath(data_dir_, "compliance");
    MAMORI_RETURN_IF_ERROR(core::CreateDirs(env.fs(), dir, 0700));
    MAMORI_RETURN_IF_ERROR(core::WriteFileAtomically(env.fs(), core::JoinPath(dir, "pattern.json"),
                                                     as_json + "\n", 0600));
  }
  return core::Status::Ok();
}

core::Status AssessCommands::Report(core::Env& env) {
  if (report_.data_dir.empty()) {
    return core::InvalidArgumentError("give the data directory: mamori assess --data-dir DIR");
  }
  if (report_.format != "html" && report_.format != "pdf" && report_.format != "json") {
    return core::InvalidArgumentError("--format must be html, pdf or json");
  }
  MAMORI_ASSIGN_OR_RETURN(compliance::Language lang, compliance::ParseLanguage(report_.lang));
  compliance::AssessRequest request{.data_dir = report_.data_dir};
  MAMORI_ASSIGN_OR_RETURN(request.probe_options.version,
                          compliance::ParseGuidelineVersion(report_.guideline));
  request.probe_options.tls_handshake = !report_.no_handshake;
  request.probe_options.listen = report_.listen;
  if (report_.dormant_days < 1 || report_.backup_max_age_hours < 1) {
    return core::InvalidArgumentError(
        "--dormant-days and --backup-max-age-hours must be 1 or more");
  }
  request.probe_options.dormant_after = std::chrono::days(report_.dormant_days);
  request.probe_options.backup_max_age = std::chrono::hours(report_.backup_max_age_hours);
  for (const std::string& b : report_.backups) request.destinations.push_back({.path = b});
  for (const std::string& b : report_.offline_backups) {
    request.destinations.push_back({.path = b, .offline = true});
  }
  // The passphrase is optional: without it the keyless checks still run.
  std::unique_ptr<crypto::AeadKey> kek;
  core::Result<crypto::SecureBytes> passphrase =
      ObtainPassphrase(report_.passphrase_file, env, "Master key passphrase", false);
  if (passphrase.ok()) {
    MAMORI_ASSIGN_OR_RETURN(crypto::AeadKey k, UnlockMasterKey(report_.data_dir, *passphrase, env));
    kek = std::make_unique<crypto::AeadKey>(std::move(k));
    request.kek = kek.get();
  } else if (passphrase.status().code() == core::StatusCode::kInvalidArgument) {
    std::fprintf(stderr,
                 "mamori: no passphrase given; accounts, attestations and the signature are left "
                 "out (give --passphrase-file FILE)\n");
  } else {
    return passphrase.status();
  }
  std::unique_ptr<compliance::Host> host = compliance::SystemHost();
  MAMORI_ASSIGN_OR_RETURN(compliance::Assessment a,
                          compliance::AssessInstallation(request, *host, env));
  std::string bytes;
  if (report_.format == "pdf") {
    MAMORI_ASSIGN_OR_RETURN(bytes, compliance::RenderPdf(a, lang));
  } else {
    bytes = report_.format == "json" ? compliance::RenderJson(a, lang)
                                     : compliance::RenderHtml(a, lang);
  }
  if (report_.out.empty()) {
    std::fwrite(bytes.data(), 1, bytes.size(), stdout);
  } else {
    MAMORI_RETURN_IF_ERROR(WriteOut(env, report_.out, bytes));
    if (kek != nullptr) {
      MAMORI_ASSIGN_OR_RETURN(crypto::SigningKey key, compliance::ReportSigningKey(*kek));
      crypto::Ed25519Signature sig = key.Sign(crypto::AsBytes(bytes));
      MAMORI_RETURN_IF_ERROR(
          WriteOut(env, report_.out + ".sig",
                   std::string(reinterpret_cast<const char*>(sig.data()), sig.size())));
      MAMORI_RETURN_IF_ERROR(WriteOut(env, report_.out + ".pub.pem", key.PublicKey().ToPem()));
    }
    std::fprintf(stderr, "mamori: wrote %s%s\n", report_.out.c_str(),
                 kek != nullptr ? " with its signature (.sig) and public key (.pub.pem)" : "");
  }
  if (a.required_failure) {
    std::string ids;
    for (const compliance::Item& i : a.items) {
      if (i.state != compliance::ItemState::kFail) continue;
      ids += (ids.empty() ? "" : ", ") + i.row->id;
    }
    return core::FailedPreconditionError("required items fail: " + ids +
                                         "; the report lists the fix for each");
  }
  return core::Status::Ok();
}

core::Status AssessCommands::Attest(core::Env& env) {
  compliance::Attestation a{.requirement = record_.id,
                            .by = record_.by,
                            .at = env.clock().Now(),
                            .text = record_.text,
                            .vendor = record_.vendor,
                            .contract_ref = record_.contract};
  if (!record_.expires.empty()) {
    MAMORI_ASSIGN_OR_RETURN(a.expires, ParseDate(record_.expires));
  }
  for (const std::string& path : record_.files) {
    MAMORI_ASSIGN_OR_RETURN(std::string content, env.fs().ReadFile(path));
    a.files.push_back({.name = BaseName(path),
                       .sha256 = crypto::HexEncode(crypto::Sha256(crypto::AsBytes(content))),
                       .content = std::move(content)});
  }
  MAMORI_ASSIGN_OR_RETURN(OfflineStore o,
                          OpenOfflineStore(record_.data_dir, record_.passphrase_file, env));
  MAMORI_RETURN_IF_ERROR(compliance::SaveAttestation(*o.store, a));
  std::printf("mamori: %s attested by %s (recorded in the audit ledger)\n", a.requirement.c_str(),
              a.by.c_str());
  return core::Status::Ok();
}

core::Status AssessCommands::Matrix(core::Env& env) {
  MAMORI_ASSIGN_OR_RETURN(compliance::Party party, compliance::ParsePartyName(record_.party));
  compliance::MatrixEntry m{.requirement = record_.id,
                            .party = party,
                            .party_name = record_.name,
                            .note = record_.note,
                            .set_by = record_.by,
                            .set_at = env.clock().Now()};
  MAMORI_ASSIGN_OR_RETURN(OfflineStore o,
                          OpenOfflineStore(record_.data_dir, record_.passphrase_file, env));
  MAMORI_RETURN_IF_ERROR(compliance::SaveMatrixEntry(*o.store, m));
  std::printf("mamori: %s is now the %s's (recorded in the audit ledger)\n", m.requirement.c_str(),
              std::string(compliance::PartyName(party)).c_str());
  return core::Status::Ok();
}

}  // namespace mamori::cli
