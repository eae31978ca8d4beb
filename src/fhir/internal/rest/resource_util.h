// SPDX-License-Identifier: Apache-2.0
#pragma once
// Private to fhir: include "fhir/rest_api.h" instead.
//
// Small pure functions the interactions share: ids, the patient compartment
// of a resource, and stamping id/meta into a version's JSON.

#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "core/clock.h"
#include "core/env.h"
#include "core/random.h"
#include "fhir/internal/primitive_format.h"

namespace mamori::fhir::internal {

// A new server-assigned id: a time-ordered UUID (version 7: 48 bits of
// milliseconds, then 74 random bits), 36 characters. Time order keeps the
// store's B-tree inserts local (random v4 ids touched a new page per insert);
// the creation time it shows is also in meta.lastUpdated.
std::string NewResourceId(core::Env& env);

// IsValidId (FHIR id syntax) comes from fhir/internal/primitive_format.h.

// The Patient whose compartment holds `resource` (of `type`, with `id`): the
// resource itself for a Patient, else the first Patient reference found
// through the compartment's search parameters (patient, subject, then the
// others). Empty when it belongs to no patient (Practitioner, Organization).
std::string PatientCompartmentOf(const std::string& type, const std::string& id,
                                 const boost::json::object& resource);

// Sets resourceType, id, meta.versionId and meta.lastUpdated (keeping the
// client's meta.profile, tag and security) and returns the serialised JSON.
std::string StampVersion(const boost::json::object& resource, const std::string& type,
                         const std::string& id, int64_t version, core::Clock::WallTime updated);

// Parses a FHIR instant or dateTime with a zone ("2026-01-02T03:04:05.678Z",
// "...+09:00") or a date ("2026-01-02", as midnight UTC). nullopt if malformed.
std::optional<core::Clock::WallTime> ParseInstant(std::string_view text);

// Parses `W/"3"` or `"3"` (If-Match, If-None-Match); 0 when malformed.
int64_t ParseVersionTag(std::string_view etag);

}  // namespace mamori::fhir::internal
