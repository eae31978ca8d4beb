// SPDX-License-Identifier: Apache-2.0
#pragma once

// The reference pattern (参照パターン I-IV) and what it makes an institution
// read and meet (GUIDELINE.md section 6, the overview slides
// 「医療機関等の特性に応じたガイドライン参照箇所」). `mamori assess pattern`
// collects PatternAnswers (interactively or from flags) and calls
// AssessPattern; everything here is a pure function of its arguments.
//
// Borrows the Catalogue: a PatternAssessment points into it and must not
// outlive it. Thread-safe (no state).
//
// Example:
//   compliance::PatternAnswers a{.location = compliance::SystemLocation::kVendorCloud,
//                                .dedicated_system_staff = false};
//   compliance::PatternAssessment p = compliance::AssessPattern(
//       a, compliance::Catalogue::Embedded(), compliance::GuidelineVersion::k6_0);
//   // p.pattern == Pattern::kIV; p.rows says, per requirement, required /
//   // contract may cover (needs the vendor's attestation) / not applicable.

#include <string>
#include <string_view>
#include <vector>

#include "compliance/catalogue.h"
#include "core/status.h"

namespace mamori::compliance {

// Where the institution's medical information systems run.
enum class SystemLocation {
  kOnPremises,   // held and run by the institution (オンプレミス型)
  kVendorCloud,  // used without holding them (クラウドサービス型)
  kBoth,         // a mixed estate, e.g. an on-premise レセコン and a cloud EMR
};

struct PatternAnswers {
  SystemLocation location = SystemLocation::kOnPremises;
  // Staff dedicated to running the systems (システム運用専任の担当者).
  bool dedicated_system_staff = false;
  // Charts on paper; the only system reaching medical information is the
  // online eligibility-confirmation system (オンライン資格確認), with billing.
  // The overview puts such an institution in II or IV whatever the location.
  bool only_online_eligibility_with_paper_records = false;
  // Conditional chapters: 企画 14 / シス 15 and 企画 16 / シス 16.
  bool uses_e_signatures = false;
  bool digitises_paper = false;
  // A contract with a system vendor or service provider. Implied by any cloud use.
  bool has_vendor_contract = false;
  // Rows that apply only where a feature is used. Default true: a question not
  // asked keeps the row in, which is the stricter reading.
  bool external_destinations = true;
  bool remote_access = true;
  bool patient_access = true;
  bool remote_maintenance = true;
  bool mobile_devices = true;
  bool iot_devices = true;
  // The facility is a pharmacy (薬局確認用 form, CHK-40).
  bool pharmacy = false;
};

// II and IV for clouds and the online-eligibility case, else I or III; a mixed
// estate gets the stricter pattern (I or III) for the shared volumes.
Pattern DeterminePattern(const PatternAnswers& answers);

// How a pattern reads a part of the guideline.
enum class Reading {
  kRead,                      // read and meet in full
  kMaySimplifyUnderContract,  // may be simplified where the vendor contract covers it
  kNotNeeded,                 // a conditional chapter for a feature not in use
};
std::string_view ReadingName(Reading reading);

// How `pattern` reads one section of 経営 (kGovernance), 企画 (kManagement) or
// シス (kControl). `section` is a chapter ("5"), a section ("12.3", "4.4") or a
// chapter with a 遵守事項 ("15 ⑥"). A whole chapter that mixes read and
// simplifiable parts ("15", "12") is kRead. kInvalidArgument for another
// volume or a section that does not parse.
core::Result<Reading> ReadingFor(Pattern pattern, const PatternAnswers& answers, Volume volume,
                                 std::string_view section);

// One line of the reading list printed by `mamori assess pattern`.
struct ChapterReading {
  Volume volume = Volume::kGovernance;
  std::string chapters;  // e.g. "all", "4.4", "15 (遵守事項 other than ④⑥⑦⑧⑬)"
  Reading reading = Reading::kRead;
  std::string note;
};
std::vector<ChapterReading> ReadingList(Pattern pattern, const PatternAnswers& answers);

// Whether one requirement row binds the institution under a pattern.
enum class Applicability {
  kRequired,          // the institution meets it (evidence or its own attestation)
  kContractMayCover,  // the vendor contract may carry it; needs the vendor's attestation
  kNotApplicable,     // a condition that does not hold (reason says which)
};
std::string_view ApplicabilityName(Applicability applicability);

struct RowApplicability {
  const Requirement* row = nullptr;
  Applicability applicability = Applicability::kRequired;
  std::string reason;  // for kContractMayCover and kNotApplicable
};
RowApplicability Classify(const Requirement& row, Pattern pattern, const PatternAnswers& answers);

struct PatternAssessment {
  Pattern pattern = Pattern::kI;
  // III and IV read 「担当者」 as 「企画管理者」.
  bool read_tantousha_as_kikaku_kanrisha = false;
  // The overview asks these institutions to confirm the pattern with their vendor.
  bool confirm_pattern_with_vendor = false;
  bool mixed_estate = false;
  GuidelineVersion version = kDefaultGuidelineVersion;
  std::vector<ChapterReading> reading_list;
  std::vector<RowApplicability> rows;  // every active row of `version`, in catalogue order
};
PatternAssessment AssessPattern(const PatternAnswers& answers, const Catalogue& catalogue,
                                GuidelineVersion version);

}  // namespace mamori::compliance
