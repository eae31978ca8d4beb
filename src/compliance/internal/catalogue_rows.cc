// SPDX-License-Identifier: Apache-2.0

#include "compliance/internal/catalogue_rows.h"

#include <algorithm>
#include <array>
#include <set>
#include <utility>

#include "compliance/internal/json_reader.h"

namespace mamori::compliance::internal {
namespace {

struct Prefix {
  std::string_view prefix;
  Volume volume;
};
constexpr std::array<Prefix, 5> kPrefixes = {{{"GOV", Volume::kGovernance},
                                              {"PLAN", Volume::kManagement},
                                              {"SYS", Volume::kControl},
                                              {"EMG", Volume::kEmergency},
                                              {"CHK", Volume::kChecklist}}};
constexpr std::array<std::string_view, 12> kModules = {"core",       "crypto", "store",  "ledger",
                                                       "fhir",       "auth",   "policy", "backup",
                                                       "compliance", "http",   "cli",    "web"};
constexpr std::array<std::string_view, 3> kForms = {"医療機関確認用", "事業者確認用", "薬局確認用"};
// An attestation older than ten years is not an expiry but a typo.
constexpr int64_t kMaxExpiryMonths = 120;

const Prefix* PrefixOf(std::string_view id) {
  for (const Prefix& p : kPrefixes) {
    if (id.size() == p.prefix.size() + 3 && id.starts_with(p.prefix) && id[p.prefix.size()] == '-')
      return &p;
  }
  return nullptr;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

template <size_t N>
bool OneOf(const std::array<std::string_view, N>& set, std::string_view s) {
  return std::ranges::find(set, s) != set.end();
}

// Source markers: [T], [Q …], [O], [D], [M], [S] (GUIDELINE "Source markers").
bool IsSourceMarker(std::string_view s) {
  if (s.empty() || std::string_view("TQODMS").find(s[0]) == std::string_view::npos) return false;
  return s.size() == 1 || s[1] == ' ';
}

core::Status NonEmpty(ObjectReader& r, std::string_view key, const std::string& value) {
  return value.empty() ? r.Error(key, "empty") : core::Status::Ok();
}

core::Result<PatternClause> ParseClause(const boost::json::value& v, const std::string& where) {
  if (!v.is_object()) return core::InvalidArgumentError(where + ": expected an object");
  ObjectReader r(v.get_object(), where);
  PatternClause clause;
  MAMORI_ASSIGN_OR_RETURN(std::vector<std::string> names, r.StringArray("patterns"));
  if (names.empty()) return r.Error("patterns", "empty");
  for (const std::string& name : names) {
    MAMORI_ASSIGN_OR_RETURN(Pattern p, ParsePattern(name));
    if (std::ranges::find(clause.patterns, p) != clause.patterns.end()) {
      return r.Error("patterns", "pattern " + name + " listed twice");
    }
    clause.patterns.push_back(p);
  }
  MAMORI_ASSIGN_OR_RETURN(std::optional<std::string> key, r.OptionalString("condition"));
  MAMORI_ASSIGN_OR_RETURN(std::optional<std::string> text, r.OptionalString("condition_text"));
  if (key.has_value() != text.has_value()) {
    return r.Error("condition", "condition and condition_text go together");
  }
  if (key) {
    auto condition = ParseCondition(*key);
    if (!condition.ok()) return r.Error("condition", condition.status().message());
    clause.condition = *condition;
    clause.condition_text = *std::move(text);
  }
  MAMORI_RETURN_IF_ERROR(r.Finish());
  return clause;
}

core::Result<Verification> ParseVerification(const boost::json::value& v,
                                             const std::string& where) {
  if (!v.is_object()) return core::InvalidArgumentError(where + ": expected an object");
  ObjectReader r(v.get_object(), where);
  Verification out;
  MAMORI_ASSIGN_OR_RETURN(std::string type, r.String("type"));
  auto parsed = ParseVerificationType(type);
  if (!parsed.ok()) return r.Error("type", parsed.status().message());
  out.type = *parsed;
  MAMORI_ASSIGN_OR_RETURN(out.text, r.String("text"));
  MAMORI_ASSIGN_OR_RETURN(std::optional<int64_t> months, r.OptionalInt("expiry_months"));
  MAMORI_ASSIGN_OR_RETURN(std::optional<bool> is_default,
                          r.OptionalBool("expiry_is_mamori_default"));
  if (months && out.type != VerificationType::kAttest) {
    return r.Error("expiry_months", "only attestations expire");
  }
  if (months && (*months < 1 || *months > kMaxExpiryMonths)) {
    return r.Error("expiry_months", "out of range 1..120");
  }
  if (is_default && !months) return r.Error("expiry_is_mamori_default", "without expiry_months");
  if (months) out.expiry_months = static_cast<int>(*months);
  out.expiry_is_mamori_default = is_default.value_or(false);
  MAMORI_RETURN_IF_ERROR(r.Finish());
  return out;
}

core::Status ReadIdentity(ObjectReader& r, Requirement& row) {
  MAMORI_ASSIGN_OR_RETURN(row.id, r.String("id"));
  if (!IsWellFormedId(row.id)) return r.Error("id", "malformed ID '" + row.id + "'");
  MAMORI_ASSIGN_OR_RETURN(std::string volume, r.String("volume"));
  auto parsed = ParseVolume(volume);
  if (!parsed.ok()) return r.Error("volume", parsed.status().message());
  row.volume = *parsed;
  if (PrefixOf(row.id)->volume != row.volume) return r.Error("volume", "does not match the ID");
  MAMORI_ASSIGN_OR_RETURN(row.chapter, r.String("chapter"));
  MAMORI_ASSIGN_OR_RETURN(row.sources, r.StringArray("sources"));
  if (row.sources.empty()) return r.Error("sources", "no source marker");
  for (const std::string& s : row.sources) {
    if (!IsSourceMarker(s)) return r.Error("sources", "not a source marker: '" + s + "'");
  }
  return core::Status::Ok();
}

core::Status ReadTexts(ObjectReader& r, Requirement& row) {
  MAMORI_ASSIGN_OR_RETURN(row.title_ja, r.String("title_ja"));
  MAMORI_ASSIGN_OR_RETURN(row.text_en, r.String("text_en"));
  MAMORI_ASSIGN_OR_RETURN(row.text_ja, r.String("text_ja"));
  MAMORI_RETURN_IF_ERROR(NonEmpty(r, "title_ja", row.title_ja));
  MAMORI_RETURN_IF_ERROR(NonEmpty(r, "text_en", row.text_en));
  return NonEmpty(r, "text_ja", row.text_ja);
}

core::Status ReadPatterns(ObjectReader& r, Requirement& row) {
  MAMORI_ASSIGN_OR_RETURN(row.patterns_text, r.String("patterns_text"));
  MAMORI_ASSIGN_OR_RETURN(const boost::json::array* clauses, r.Array("patterns"));
  if (clauses->empty()) return r.Error("patterns", "no clause");
  for (size_t i = 0; i < clauses->size(); ++i) {
    std::string where = r.where() + ".patterns[" + std::to_string(i) + "]";
    MAMORI_ASSIGN_OR_RETURN(PatternClause c, ParseClause((*clauses)[i], where));
    row.patterns.push_back(std::move(c));
  }
  MAMORI_ASSIGN_OR_RETURN(auto note, r.OptionalString("patterns_note"));
  row.patterns_note = note.value_or("");
  return core::Status::Ok();
}

core::Status ReadKindAndModules(ObjectReader& r, Requirement& row) {
  MAMORI_ASSIGN_OR_RETURN(std::string kind, r.String("kind"));
  if (kind == "technical") {
    row.kind = Kind::kTechnical;
  } else if (kind == "organisational") {
    row.kind = Kind::kOrganisational;
  } else if (kind == "both") {
    row.kind = Kind::kBoth;
  } else {
    return r.Error("kind", "expected technical, organisational or both");
  }
  MAMORI_ASSIGN_OR_RETURN(row.modules, r.StringArray("modules"));
  for (const std::string& m : row.modules) {
    if (!OneOf(kModules, m)) return r.Error("modules", "unknown module '" + m + "'");
  }
  MAMORI_ASSIGN_OR_RETURN(row.mamori, r.String("mamori"));
  return core::Status::Ok();
}

core::Status ReadVerification(ObjectReader& r, Requirement& row) {
  MAMORI_ASSIGN_OR_RETURN(row.verification_text, r.String("verification_text"));
  MAMORI_ASSIGN_OR_RETURN(const boost::json::array* items, r.Array("verification"));
  // PLAN-08: no row may lack both a probe/test and an attestation.
  if (items->empty()) return r.Error("verification", "no verification");
  for (size_t i = 0; i < items->size(); ++i) {
    std::string where = r.where() + ".verification[" + std::to_string(i) + "]";
    MAMORI_ASSIGN_OR_RETURN(Verification v, ParseVerification((*items)[i], where));
    row.verification.push_back(std::move(v));
  }
  return core::Status::Ok();
}

core::Status ReadChecklist(ObjectReader& r, Requirement& row) {
  const bool chk = row.volume == Volume::kChecklist;
  MAMORI_ASSIGN_OR_RETURN(auto maps_to, r.OptionalStringArray("maps_to"));
  MAMORI_ASSIGN_OR_RETURN(auto forms, r.OptionalStringArray("checklist_forms"));
  MAMORI_ASSIGN_OR_RETURN(auto edition, r.OptionalString("checklist_edition"));
  if (!chk && maps_to) return r.Error("maps_to", "only checklist rows map to requirements");
  if (chk && (!maps_to || maps_to->empty())) return r.Error("maps_to", "missing");
  if (!chk && edition) return r.Error("checklist_edition", "only for checklist rows");
  if (chk && (!forms || forms->empty())) return r.Error("checklist_forms", "missing");
  for (const std::string& target : maps_to.value_or(std::vector<std::string>{})) {
    if (!IsWellFormedId(target)) return r.Error("maps_to", "malformed ID '" + target + "'");
  }
  for (const std::string& form : forms.value_or(std::vector<std::string>{})) {
    if (!OneOf(kForms, form)) return r.Error("checklist_forms", "unknown form '" + form + "'");
  }
  row.maps_to = maps_to.value_or(std::vector<std::string>{});
  row.checklist_forms = forms.value_or(std::vector<std::string>{});
  row.checklist_edition = edition.value_or("");
  return core::Status::Ok();
}

core::Status ReadVersions(ObjectReader& r, Requirement& row) {
  MAMORI_ASSIGN_OR_RETURN(std::vector<std::string> names, r.StringArray("versions"));
  if (names.empty()) return r.Error("versions", "empty");
  for (const std::string& name : names) {
    auto v = ParseGuidelineVersion(name);
    if (!v.ok()) return r.Error("versions", v.status().message());
    if (row.InVersion(*v)) return r.Error("versions", "version " + name + " listed twice");
    row.versions.push_back(*v);
  }
  MAMORI_ASSIGN_OR_RETURN(const boost::json::object* notes, r.OptionalObject("version_notes"));
  for (const auto& kv : notes ? *notes : boost::json::object{}) {
    auto v = ParseGuidelineVersion(kv.key());
    if (!v.ok()) return r.Error("version_notes", v.status().message());
    if (!row.InVersion(*v)) return r.Error("version_notes", "note for a version the row is not in");
    if (!kv.value().is_string()) return r.Error("version_notes", "expected strings");
    row.version_notes.emplace(*v, std::string(kv.value().get_string()));
  }
  MAMORI_ASSIGN_OR_RETURN(std::string status, r.String("status"));
  if (status != "active" && status != "withdrawn") {
    return r.Error("status", "expected active or withdrawn");
  }
  row.withdrawn = status == "withdrawn";
  return core::Status::Ok();
}

}  // namespace

bool IsWellFormedId(std::string_view id) {
  const Prefix* p = PrefixOf(id);
  return p != nullptr && IsDigit(id[id.size() - 2]) && IsDigit(id[id.size() - 1]);
}

core::Result<Requirement> ParseRequirement(const boost::json::value& value, size_t index) {
  std::string where = "requirements[" + std::to_string(index) + "]";
  if (!value.is_object()) return core::InvalidArgumentError(where + ": expected an object");
  const boost::json::object& obj = value.get_object();
  if (const auto* id = obj.if_contains("id"); id != nullptr && id->is_string()) {
    where += " (" + std::string(id->get_string()) + ")";
  }
  ObjectReader r(obj, std::move(where));
  Requirement row;
  MAMORI_RETURN_IF_ERROR(ReadIdentity(r, row));
  MAMORI_RETURN_IF_ERROR(ReadTexts(r, row));
  MAMORI_RETURN_IF_ERROR(ReadPatterns(r, row));
  MAMORI_RETURN_IF_ERROR(ReadKindAndModules(r, row));
  MAMORI_RETURN_IF_ERROR(ReadVerification(r, row));
  MAMORI_RETURN_IF_ERROR(ReadChecklist(r, row));
  MAMORI_RETURN_IF_ERROR(ReadVersions(r, row));
  MAMORI_RETURN_IF_ERROR(r.Finish());
  return row;
}

}  // namespace mamori::compliance::internal
