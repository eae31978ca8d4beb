// SPDX-License-Identifier: Apache-2.0
#include "compliance/assessment.h"

#include <algorithm>
#include <map>

#include "compliance/internal/report_text.h"

namespace mamori::compliance {
namespace {

// Worse first: how a checklist row combines the rows it maps to.
int Severity(ItemState s) {
  switch (s) {
    case ItemState::kFail:
      return 5;
    case ItemState::kUnknown:
      return 4;
    case ItemState::kAttested:
      return 3;
    case ItemState::kCoveredByContract:
      return 2;
    case ItemState::kPass:
      return 1;
    case ItemState::kNotApplicable:
      return 0;
  }
  return 4;
}

bool OnlyTests(const Requirement& row) {
  for (const Verification& v : row.verification) {
    if (v.type != VerificationType::kTest) return false;
  }
  return !row.verification.empty();
}

const char kAttestFixJa[] = "責任者が mamori assess attest で確認結果を登録してください";
const char kAttestFixEn[] = "Record an attestation: mamori assess attest ID --by NAME --text ...";

void ApplyAttestation(Item& item, const Attestation* a, core::Clock::WallTime now,
                      bool probes_all_pass, bool any_probe) {
  if (a == nullptr) {
    if (any_probe && probes_all_pass) {
      item.state = ItemState::kPass;
    } else if (!any_probe && OnlyTests(*item.row) && item.row->kind == Kind::kTechnical) {
      item.state = ItemState::kPass;
      item.evidence.push_back(
          {"mamori に組込み: " + item.row->mamori, "built in: " + item.row->mamori});
      item.evidence.push_back({"テストで確認: " + item.row->verification_text,
                               "guarded by tests: " + item.row->verification_text});
    } else {
      item.state = ItemState::kUnknown;
      if (!any_probe) item.evidence.push_back({"確認の記録なし", "no attestation recorded"});
      item.fix_ja = kAttestFixJa;
      item.fix_en = kAttestFixEn;
    }
    return;
  }
  Attestation shown = *a;
  for (AttachedFile& f : shown.files) f.content.clear();
  item.attestation = shown;
  std::string when = core::FormatRfc3339(a->at);
  Fact line{a->by + " が " + when + " に確認: " + a->text,
            "attested by " + a->by + " on " + when + ": " + a->text};
  if (!a->vendor.empty()) {
    line.ja += "（事業者 " + a->vendor + "、契約 " + a->contract_ref + "）";
    line.en += " (vendor " + a->vendor + ", contract " + a->contract_ref + ")";
  }
  for (const AttachedFile& f : a->files) {
    line.ja += "／添付 " + f.name + " sha256 " + f.sha256;
    line.en += "; file " + f.name + " sha256 " + f.sha256;
  }
  item.evidence.push_back(line);
  if (a->ExpiredAt(now)) {
    std::string expired = core::FormatRfc3339(*a->expires);
    item.evidence.push_back(
        {"確認の記録は " + expired + " に期限切れ", "the attestation expired on " + expired});
    item.state = any_probe && probes_all_pass ? ItemState::kPass : ItemState::kUnknown;
    if (item.state == ItemState::kUnknown) {
      item.fix_ja = kAttestFixJa;
      item.fix_en = kAttestFixEn;
    }
    return;
  }
  if (!a->vendor.empty() && item.applicability == Applicability::kContractMayCover) {
    item.state = ItemState::kCoveredByContract;
    item.owner = Party::kVendor;
    item.owner_name = a->vendor;
  } else if (any_probe && probes_all_pass) {
    item.state = ItemState::kPass;
  } else {
    item.state = ItemState::kAttested;
  }
}

}  // namespace

std::string_view ItemStateName(ItemState state) {
  switch (state) {
    case ItemState::kPass:
      return "pass";
    case ItemState::kFail:
      return "fail";
    case ItemState::kUnknown:
      return "unknown";
    case ItemState::kAttested:
      return "attested";
    case ItemState::kCoveredByContract:
      return "covered-by-contract";
    case ItemState::kNotApplicable:
      return "not-applicable";
  }
  return "unknown";
}

const Item* Assessment::Find(std::string_view id) const {
  for (const Item& i : items) {
    if (i.row->id == id) return &i;
  }
  return nullptr;
}

Assessment Evaluate(const PatternAssessment& pattern, const Installation& installation,
                    std::vector<ProbeResult> probes, core::Clock::WallTime now) {
  Assessment out{.version = pattern.version,
                 .pattern = pattern.pattern,
                 .at = now,
                 .data_dir = installation.data_dir,
                 .probes = std::move(probes),
                 .ledger = installation.ledger};
  std::map<std::string, std::vector<const ProbeResult*>> by_id;
  for (const ProbeResult& p : out.probes) {
    for (const std::string& id : p.ids) by_id[id].push_back(&p);
  }
  std::map<std::string, const Attestation*> attested;
  for (const Attestation& a : installation.attestations) attested[a.requirement] = &a;
  std::map<std::string, const MatrixEntry*> matrix;
  for (const MatrixEntry& m : installation.matrix) matrix[m.requirement] = &m;

  std::map<std::string, size_t> position;
  // Two passes: rows first, then checklist rows, which read the rows' states.
  for (int pass = 0; pass < 2; ++pass) {
    for (const RowApplicability& ra : pattern.rows) {
      const Requirement& row = *ra.row;
      bool checklist = !row.maps_to.empty();
      if ((pass == 0) == checklist) continue;
      Item item{.row = &row,
                .applicability = ra.applicability,
                .applicability_reason = ra.reason,
                .owner = ra.applicability == Applicability::kContractMayCover
                             ? Party::kVendor
                             : Party::kInstitution};
      if (ra.applicability == Applicability::kNotApplicable) {
        item.state = ItemState::kNotApplicable;
        if (!ra.reason.empty()) item.evidence.push_back({"対象外: " + ra.reason, ra.reason});
      } else {
        bool any_probe = false, all_pass = true, any_fail = false;
        for (const ProbeResult* p : by_id[row.id]) {
          any_probe = true;
          item.probes.push_back(p->probe);
          all_pass = all_pass && p->outcome == Outcome::kPass;
          for (const Fact& e : p->evidence) {
            item.evidence.push_back({p->probe + ": " + e.ja, p->probe + ": " + e.en});
          }
          if (p->outcome == Outcome::kFail) {
            any_fail = true;
            if (!item.fix_ja.empty()) {
              item.fix_ja += " / ";
              item.fix_en += " / ";
            }
            item.fix_ja += p->fix_ja;
            item.fix_en += p->fix_en;
          }
        }
        if (checklist && !any_probe) {
          // The worst of the mapped rows decides.
          ItemState worst = ItemState::kNotApplicable;
          for (const std::string& id : row.maps_to) {
            auto it = position.find(id);
            if (it == position.end()) continue;
            const Item& mapped = out.items[it->second];
            item.evidence.push_back({id + ": " + internal::StateLabel(mapped.state, Language::kJa),
                                     id + ": " + std::string(ItemStateName(mapped.state))});
            if (Severity(mapped.state) > Severity(worst)) worst = mapped.state;
            if (mapped.state == ItemState::kFail) {
              item.fix_ja = mapped.fix_ja;
              item.fix_en = mapped.fix_en;
            }
          }
          item.state = worst == ItemState::kNotApplicable ? ItemState::kUnknown : worst;
          const Attestation* a = attested.count(row.id) ? attested[row.id] : nullptr;
          if (item.state != ItemState::kFail && a != nullptr && !a->ExpiredAt(now)) {
            ApplyAttestation(item, a, now, false, false);
          } else if (item.state == ItemState::kUnknown && item.fix_ja.empty()) {
            item.fix_ja = kAttestFixJa;
            item.fix_en = kAttestFixEn;
          }
        } else if (any_fail) {
          item.state = ItemState::kFail;
          if (attested.count(row.id)) {
            item.evidence.push_back({"確認の記録はあるが、検査で不備を検出",
                                     "an attestation exists, but the probe sees the item broken"});
          }
        } else {
          ApplyAttestation(item, attested.count(row.id) ? attested[row.id] : nullptr, now, all_pass,
                           any_probe);
          if (item.state == ItemState::kUnknown && item.fix_ja.empty()) {
            for (const ProbeResult* p : by_id[row.id]) {
              if (p->outcome != Outcome::kUnknown) continue;
              item.fix_ja = p->fix_ja;
              item.fix_en = p->fix_en;
            }
          }
        }
      }
      if (auto m = matrix.find(row.id); m != matrix.end()) {
        item.owner = m->second->party;
        item.owner_name = m->second->party_name;
        item.owner_is_default = false;
      }
      position[row.id] = out.items.size();
      out.items.push_back(std::move(item));
    }
  }
  // PLAN-02 (責任分界の整理): what the matrix says, and in II/IV which rows the
  // vendor may carry but nobody has confirmed (no matrix entry, no vendor
  // attestation). Evidence only: the item's state stays its attestation's.
  if (auto p = position.find("PLAN-02"); p != position.end()) {
    Item& plan02 = out.items[p->second];
    int explicit_rows = 0, default_rows = 0;
    std::vector<std::string> unconfirmed;
    for (const Item& i : out.items) {
      if (i.state == ItemState::kNotApplicable) continue;
      (i.owner_is_default ? default_rows : explicit_rows) += 1;
      if (i.applicability == Applicability::kContractMayCover && i.owner_is_default &&
          i.state != ItemState::kCoveredByContract) {
        unconfirmed.push_back(i.row->id);
      }
    }
    plan02.evidence.push_back({"責任分界表: 明示 " + std::to_string(explicit_rows) +
                                   " 項目、既定 " + std::to_string(default_rows) + " 項目",
                               "responsibility matrix: " + std::to_string(explicit_rows) +
                                   " rows set, " + std::to_string(default_rows) + " by default"});
    if (!unconfirmed.empty()) {
      std::string ids;
      for (size_t k = 0; k < unconfirmed.size() && k < 10; ++k) {
        ids += (k == 0 ? "" : ", ") + unconfirmed[k];
      }
      if (unconfirmed.size() > 10) ids += ", ...";
      std::string n = std::to_string(unconfirmed.size());
      plan02.evidence.push_back(
          {"契約で事業者が担い得るが未確認の項目 " + n + " 件: " + ids,
           n + " rows the vendor contract may cover are not confirmed: " + ids});
    }
  }
  // Back to catalogue order.
  std::map<std::string, size_t> order;
  for (size_t i = 0; i < pattern.rows.size(); ++i) order[pattern.rows[i].row->id] = i;
  std::sort(out.items.begin(), out.items.end(),
            [&](const Item& a, const Item& b) { return order[a.row->id] < order[b.row->id]; });
  std::map<Volume, AreaScore> areas;
  for (const Item& i : out.items) {
    AreaScore& s = areas[i.row->volume];
    s.volume = i.row->volume;
    if (i.state == ItemState::kNotApplicable) continue;
    ++s.applicable;
    if (i.state == ItemState::kFail) {
      ++s.failing;
      out.required_failure = true;
    } else if (i.state == ItemState::kUnknown) {
      ++s.unknown;
    } else {
      ++s.satisfied;
    }
  }
  for (auto& [v, s] : areas) out.areas.push_back(s);
  return out;
}

}  // namespace mamori::compliance
