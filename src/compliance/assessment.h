// SPDX-License-Identifier: Apache-2.0
#pragma once

// compliance::Assessment: every catalogue row that applies to the
// installation's reference pattern, with its state and the evidence behind it
// (issue 9), ready for the report (report.h).
//
// Item states:
//   pass                 a probe saw it met (or mamori enforces it by
//                        construction and its tests guard it)
//   fail                 a probe saw it broken; the evidence names what
//   unknown              nobody has shown it yet (no probe answer, no current
//                        attestation, or the attestation expired)
//   attested             a person attested it and the attestation is current
//   covered-by-contract  patterns II and IV: the vendor attested it under a
//                        named contract (shows whose it is)
//   not-applicable       the pattern or a feature not in use excludes it
// A checklist row (CHK-) takes the worst state of the rows it maps to, unless
// its own probe or attestation says more.
//
//   compliance::Assessment a = compliance::Evaluate(pattern, installation,
//                                                   compliance::RunProbes(installation, ctx), now);
//   if (a.required_failure) return 1;  // monitoring
//
// Thread-safety: a value.

#include <optional>
#include <string>
#include <vector>

#include "compliance/attestation.h"
#include "compliance/catalogue.h"
#include "compliance/installation.h"
#include "compliance/pattern.h"
#include "compliance/probe.h"

namespace mamori::compliance {

enum class ItemState { kPass, kFail, kUnknown, kAttested, kCoveredByContract, kNotApplicable };
// "pass", "fail", "unknown", "attested", "covered-by-contract", "not-applicable".
std::string_view ItemStateName(ItemState state);

struct Item {
  const Requirement* row = nullptr;
  Applicability applicability = Applicability::kRequired;
  std::string applicability_reason;
  ItemState state = ItemState::kUnknown;
  std::vector<Fact> evidence;
  std::string fix_ja, fix_en;  // for fail and unknown
  std::vector<std::string> probes;
  std::optional<Attestation> attestation;  // the current or expired one, without file contents
  // 責任分界: who answers for this row.
  Party owner = Party::kInstitution;
  std::string owner_name;
  bool owner_is_default = true;
};

struct AreaScore {
  Volume volume = Volume::kGovernance;
  int satisfied = 0;  // pass, attested, covered-by-contract
  int failing = 0;
  int unknown = 0;
  int applicable = 0;
};

struct Assessment {
  GuidelineVersion version = kDefaultGuidelineVersion;
  Pattern pattern = Pattern::kI;
  bool pattern_recorded = false;  // from DIR/compliance/pattern.json, else assumed
  core::Clock::WallTime at;
  std::string data_dir;
  std::vector<ProbeResult> probes;
  std::vector<Item> items;  // catalogue order, every active row of `version`
  std::vector<AreaScore> areas;
  LedgerState ledger;  // problems and heads, for the report's tree head section
  bool required_failure = false;

  const Item* Find(std::string_view id) const;
};

Assessment Evaluate(const PatternAssessment& pattern, const Installation& installation,
                    std::vector<ProbeResult> probes, core::Clock::WallTime now);

}  // namespace mamori::compliance
