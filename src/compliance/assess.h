// SPDX-License-Identifier: Apache-2.0
#pragma once

// compliance::AssessInstallation: the whole assessment of one data directory
// in one call, for `mamori assess` and for GET /admin/assessment (issue 9).
//
// It reads what the installation recorded for the assessment:
//   DIR/compliance/pattern.json   the reference pattern answers (written by
//                                 `mamori assess pattern --data-dir DIR`); when
//                                 absent, pattern I is assumed and the report
//                                 says so
//   DIR/compliance/destinations   backup destinations, one path a line;
//                                 "offline PATH" marks an offline generation
// then reads the installation (installation.h), runs every probe and
// evaluates every item.
//
//   MAMORI_ASSIGN_OR_RETURN(compliance::Assessment a,
//       compliance::AssessInstallation({.data_dir = dir, .kek = &kek}, *host, env));

#include <optional>
#include <string>
#include <vector>

#include "compliance/assessment.h"
#include "compliance/installation.h"
#include "compliance/pattern.h"
#include "compliance/probe.h"

namespace mamori::compliance {

inline constexpr char kPatternFile[] = "compliance/pattern.json";
inline constexpr char kDestinationsFile[] = "compliance/destinations";

struct AssessRequest {
  std::string data_dir;
  // Besides those in DIR/compliance/destinations.
  std::vector<DestinationSpec> destinations;
  const crypto::AeadKey* kek = nullptr;
  store::Store* open_store = nullptr;  // see ReadOptions::open_store
  ProbeOptions probe_options;
};

core::Result<Assessment> AssessInstallation(const AssessRequest& request, Host& host,
                                            core::Env& env);

// The answers as recorded in pattern.json's "answers" object.
std::string EncodePatternAnswers(const PatternAnswers& answers);
// Errors: kInvalidArgument when the text is not such an object.
core::Result<PatternAnswers> DecodePatternAnswers(std::string_view json);

}  // namespace mamori::compliance
