// SPDX-License-Identifier: Apache-2.0
#pragma once
// Private to compliance: include "compliance/catalogue.h" instead.
//
// Strict parsing of one catalogue row (src/compliance/FORMAT.md) and of the enum
// spellings. Each returns kInvalidArgument naming the row and field.

#include <cstddef>
#include <string_view>

#include <boost/json.hpp>

#include "compliance/catalogue.h"
#include "core/status.h"

namespace mamori::compliance::internal {

core::Result<Pattern> ParsePattern(std::string_view text);
core::Result<Volume> ParseVolume(std::string_view text);
core::Result<Condition> ParseCondition(std::string_view text);
core::Result<VerificationType> ParseVerificationType(std::string_view text);

// Row `index` of "requirements". Checks every field on its own; IDs that must
// exist elsewhere (maps_to) and duplicate IDs are checked by Catalogue::Parse.
core::Result<Requirement> ParseRequirement(const boost::json::value& value, size_t index);

// True for "GOV-01" .. "CHK-99": a known prefix, a dash and two digits.
bool IsWellFormedId(std::string_view id);

}  // namespace mamori::compliance::internal
