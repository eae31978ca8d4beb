// SPDX-License-Identifier: Apache-2.0
#pragma once
// Private to compliance: include "compliance/report.h" instead.
//
// The report's words in Japanese and English, shared by the HTML and PDF
// renderers.

#include <string>
#include <string_view>

#include "compliance/assessment.h"
#include "compliance/report.h"

namespace mamori::compliance::internal {

// The checklist forms in the order the report prints them.
inline constexpr const char* kForms[] = {"医療機関確認用", "薬局確認用", "事業者確認用"};

// The label `key` in `lang`; the key itself when unknown (visible in the
// golden files, so a missing label shows up in review).
std::string L(Language lang, std::string_view key);
std::string AreaName(Volume volume, Language lang);
std::string StateLabel(ItemState state, Language lang);
std::string PartyLabel(Party party, Language lang);

}  // namespace mamori::compliance::internal
