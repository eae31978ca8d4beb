// SPDX-License-Identifier: Apache-2.0

#include "compliance/catalogue.h"

#include <algorithm>
#include <array>
#include <utility>

#include "compliance/internal/catalogue_rows.h"
#include "compliance/internal/embedded_catalogue.h"
#include "compliance/internal/json_reader.h"
#include "core/check.h"
#include "core/logging.h"

namespace mamori::compliance {
namespace {

constexpr std::string_view kFormat = "mamori-compliance-catalogue/1";

template <typename Enum, size_t N>
std::string_view NameOf(const std::array<std::string_view, N>& names, Enum value) {
  auto i = static_cast<size_t>(value);
  MAMORI_CHECK(i < N);
  return names[i];
}

constexpr std::array<std::string_view, 4> kPatternNames = {"I", "II", "III", "IV"};
constexpr std::array<std::string_view, 2> kVersionNames = {"6.0", "7.0"};
constexpr std::array<std::string_view, 5> kVolumeNames = {"経営", "企画", "シス", "emergency",
                                                          "checklist"};
constexpr std::array<std::string_view, 12> kConditionKeys = {"",
                                                             "contract",
                                                             "e-signature",
                                                             "paper-digitisation",
                                                             "vendor",
                                                             "external-destination",
                                                             "remote-access",
                                                             "patient-access",
                                                             "remote-maintenance",
                                                             "mobile-devices",
                                                             "iot-devices",
                                                             "pharmacy"};
constexpr std::array<std::string_view, 3> kVerificationNames = {"test", "probe", "attest"};

core::Status ParseGuidelineVersions(const boost::json::array& versions) {
  std::vector<GuidelineVersion> seen;
  for (size_t i = 0; i < versions.size(); ++i) {
    std::string where = "guideline_versions[" + std::to_string(i) + "]";
    if (!versions[i].is_object()) return core::InvalidArgumentError(where + ": expected an object");
    internal::ObjectReader r(versions[i].get_object(), where);
    MAMORI_ASSIGN_OR_RETURN(std::string id, r.String("id"));
    MAMORI_ASSIGN_OR_RETURN(GuidelineVersion v, ParseGuidelineVersion(id));
    if (std::ranges::find(seen, v) != seen.end()) return r.Error("id", "duplicate version");
    seen.push_back(v);
    MAMORI_RETURN_IF_ERROR(r.String("title").status());
    MAMORI_RETURN_IF_ERROR(r.String("published").status());
    MAMORI_RETURN_IF_ERROR(r.StringArray("volumes").status());
    MAMORI_RETURN_IF_ERROR(r.OptionalString("note").status());
    MAMORI_RETURN_IF_ERROR(r.Finish());
  }
  return core::Status::Ok();
}

core::Status CheckMappedIds(const std::vector<Requirement>& rows,
                            const std::unordered_map<std::string, size_t>& index) {
  for (const Requirement& row : rows) {
    for (const std::string& target : row.maps_to) {
      if (!index.contains(target)) {
        return core::InvalidArgumentError(row.id + ": maps_to names unknown ID '" + target + "'");
      }
    }
  }
  return core::Status::Ok();
}

}  // namespace

std::string_view PatternName(Pattern pattern) { return NameOf(kPatternNames, pattern); }
std::string_view GuidelineVersionName(GuidelineVersion v) { return NameOf(kVersionNames, v); }
std::string_view VolumeName(Volume volume) { return NameOf(kVolumeNames, volume); }
std::string_view ConditionKey(Condition condition) { return NameOf(kConditionKeys, condition); }
std::string_view VerificationTypeName(VerificationType t) { return NameOf(kVerificationNames, t); }

core::Result<GuidelineVersion> ParseGuidelineVersion(std::string_view text) {
  for (size_t i = 0; i < kVersionNames.size(); ++i) {
    if (kVersionNames[i] == text) return static_cast<GuidelineVersion>(i);
  }
  return core::InvalidArgumentError("unknown guideline version '" + std::string(text) +
                                    "' (expected 6.0 or 7.0)");
}

namespace internal {

core::Result<Pattern> ParsePattern(std::string_view text) {
  for (size_t i = 0; i < kPatternNames.size(); ++i) {
    if (kPatternNames[i] == text) return static_cast<Pattern>(i);
  }
  return core::InvalidArgumentError("unknown pattern '" + std::string(text) + "'");
}

core::Result<Volume> ParseVolume(std::string_view text) {
  for (size_t i = 0; i < kVolumeNames.size(); ++i) {
    if (kVolumeNames[i] == text) return static_cast<Volume>(i);
  }
  return core::InvalidArgumentError("unknown volume '" + std::string(text) + "'");
}

core::Result<Condition> ParseCondition(std::string_view text) {
  // Index 0 (kNone) is spelt by leaving the field out, never by "".
  for (size_t i = 1; i < kConditionKeys.size(); ++i) {
    if (kConditionKeys[i] == text) return static_cast<Condition>(i);
  }
  return core::InvalidArgumentError("unknown condition '" + std::string(text) + "'");
}

core::Result<VerificationType> ParseVerificationType(std::string_view text) {
  for (size_t i = 0; i < kVerificationNames.size(); ++i) {
    if (kVerificationNames[i] == text) return static_cast<VerificationType>(i);
  }
  return core::InvalidArgumentError("unknown verification type '" + std::string(text) + "'");
}

}  // namespace internal

bool Requirement::InVersion(GuidelineVersion version) const {
  return std::ranges::find(versions, version) != versions.end();
}

core::Result<Catalogue> Catalogue::Parse(std::string_view json) {
  MAMORI_ASSIGN_OR_RETURN(boost::json::value root, internal::ParseJson(json));
  if (!root.is_object()) return core::InvalidArgumentError("catalogue: expected a JSON object");
  internal::ObjectReader r(root.get_object(), "catalogue");
  MAMORI_ASSIGN_OR_RETURN(std::string format, r.String("format"));
  if (format != kFormat) return r.Error("format", "expected " + std::string(kFormat));
  MAMORI_RETURN_IF_ERROR(r.OptionalString("generated_by").status());
  Catalogue cat;
  MAMORI_ASSIGN_OR_RETURN(std::string default_version, r.String("default_version"));
  MAMORI_ASSIGN_OR_RETURN(cat.default_version_, ParseGuidelineVersion(default_version));
  MAMORI_ASSIGN_OR_RETURN(const boost::json::array* versions, r.Array("guideline_versions"));
  MAMORI_RETURN_IF_ERROR(ParseGuidelineVersions(*versions));
  MAMORI_ASSIGN_OR_RETURN(const boost::json::array* rows, r.Array("requirements"));
  MAMORI_RETURN_IF_ERROR(r.Finish());
  if (rows->empty()) return r.Error("requirements", "no rows");
  for (size_t i = 0; i < rows->size(); ++i) {
    MAMORI_ASSIGN_OR_RETURN(Requirement row, internal::ParseRequirement((*rows)[i], i));
    if (!cat.index_.emplace(row.id, cat.rows_.size()).second) {
      return core::InvalidArgumentError("requirements[" + std::to_string(i) + "]: duplicate ID '" +
                                        row.id + "'");
    }
    cat.rows_.push_back(std::move(row));
  }
  MAMORI_RETURN_IF_ERROR(CheckMappedIds(cat.rows_, cat.index_));
  return cat;
}

const Catalogue& Catalogue::Embedded() {
  static const Catalogue* const kEmbedded = [] {
    core::Result<Catalogue> cat = Parse(internal::EmbeddedCatalogueJson());
    if (!cat.ok()) core::LogError("embedded compliance catalogue: {}", cat.status());
    // The data is compiled in and tested: failing to load it is a build defect.
    MAMORI_CHECK(cat.ok());
    return new Catalogue(std::move(cat).value());
  }();
  return *kEmbedded;
}

const Requirement* Catalogue::Find(std::string_view id) const {
  auto it = index_.find(std::string(id));
  return it == index_.end() ? nullptr : &rows_[it->second];
}

std::vector<const Requirement*> Catalogue::ForVersion(GuidelineVersion version) const {
  std::vector<const Requirement*> out;
  for (const Requirement& row : rows_) {
    if (!row.withdrawn && row.InVersion(version)) out.push_back(&row);
  }
  return out;
}

}  // namespace mamori::compliance
