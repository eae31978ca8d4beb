// SPDX-License-Identifier: Apache-2.0
#include "cli/assess_command.h"

#include <cstdio>

#include <boost/json.hpp>

#include "compliance/catalogue.h"
#include "compliance/pattern.h"
#include "core/file_system.h"

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

}  // namespace

void AssessCommands::Register(CLI::App& app) {
  assess_ = app.add_subcommand("assess", "Compliance with the MHLW guideline (issue 9)");
  assess_->require_subcommand(1);
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
  std::string as_json = json::serialize(ToJson(a));
  std::printf("%s", json_ ? (as_json + "\n").c_str() : Text(a).c_str());
  if (!data_dir_.empty()) {
    std::string dir = core::JoinPath(data_dir_, "compliance");
    MAMORI_RETURN_IF_ERROR(core::CreateDirs(env.fs(), dir, 0700));
    MAMORI_RETURN_IF_ERROR(core::WriteFileAtomically(env.fs(), core::JoinPath(dir, "pattern.json"),
                                                     as_json + "\n", 0600));
  }
  return core::Status::Ok();
}

}  // namespace mamori::cli
