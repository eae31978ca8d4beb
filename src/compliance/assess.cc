// SPDX-License-Identifier: Apache-2.0
#include "compliance/assess.h"

#include <sstream>

#include <boost/json.hpp>

namespace mamori::compliance {
namespace {

namespace json = boost::json;

const char* LocationKey(SystemLocation l) {
  switch (l) {
    case SystemLocation::kOnPremises:
      return "on-premises";
    case SystemLocation::kVendorCloud:
      return "vendor-cloud";
    case SystemLocation::kBoth:
      return "both";
  }
  return "on-premises";
}

// The boolean answers by name, in one table for both directions.
std::vector<std::pair<const char*, bool PatternAnswers::*>> Flags() {
  return {{"dedicated_system_staff", &PatternAnswers::dedicated_system_staff},
          {"only_online_eligibility_with_paper_records",
           &PatternAnswers::only_online_eligibility_with_paper_records},
          {"uses_e_signatures", &PatternAnswers::uses_e_signatures},
          {"digitises_paper", &PatternAnswers::digitises_paper},
          {"has_vendor_contract", &PatternAnswers::has_vendor_contract},
          {"external_destinations", &PatternAnswers::external_destinations},
          {"remote_access", &PatternAnswers::remote_access},
          {"patient_access", &PatternAnswers::patient_access},
          {"remote_maintenance", &PatternAnswers::remote_maintenance},
          {"mobile_devices", &PatternAnswers::mobile_devices},
          {"iot_devices", &PatternAnswers::iot_devices},
          {"pharmacy", &PatternAnswers::pharmacy}};
}

std::vector<DestinationSpec> ReadDestinations(const std::string& text) {
  std::vector<DestinationSpec> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.pop_back();
    if (line.empty() || line.front() == '#') continue;
    if (line.starts_with("offline ")) {
      out.push_back({.path = line.substr(8), .offline = true});
    } else {
      out.push_back({.path = line});
    }
  }
  return out;
}

}  // namespace

std::string EncodePatternAnswers(const PatternAnswers& a) {
  json::object o{{"location", LocationKey(a.location)}};
  for (auto [name, member] : Flags()) o[name] = a.*member;
  return json::serialize(o);
}

core::Result<PatternAnswers> DecodePatternAnswers(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return core::InvalidArgumentError("pattern answers do not parse");
  const json::object& o = v.as_object();
  PatternAnswers a;
  const json::value* loc = o.if_contains("location");
  std::string location = loc != nullptr && loc->is_string() ? std::string(loc->as_string()) : "";
  if (location == "on-premises") {
    a.location = SystemLocation::kOnPremises;
  } else if (location == "vendor-cloud") {
    a.location = SystemLocation::kVendorCloud;
  } else if (location == "both") {
    a.location = SystemLocation::kBoth;
  } else {
    return core::InvalidArgumentError("pattern answers have no valid location");
  }
  for (auto [name, member] : Flags()) {
    if (const json::value* b = o.if_contains(name); b != nullptr && b->is_bool()) {
      a.*member = b->as_bool();
    }
  }
  return a;
}

core::Result<Assessment> AssessInstallation(const AssessRequest& request, Host& host,
                                            core::Env& env) {
  ReadOptions read{.data_dir = request.data_dir,
                   .destinations = request.destinations,
                   .kek = request.kek,
                   .open_store = request.open_store};
  if (auto text = env.fs().ReadFile(core::JoinPath(request.data_dir, kDestinationsFile));
      text.ok()) {
    for (DestinationSpec& d : ReadDestinations(*text)) read.destinations.push_back(std::move(d));
  }
  PatternAnswers answers{.location = SystemLocation::kOnPremises, .dedicated_system_staff = true};
  bool recorded = false;
  if (auto text = env.fs().ReadFile(core::JoinPath(request.data_dir, kPatternFile)); text.ok()) {
    boost::system::error_code ec;
    json::value v = json::parse(*text, ec);
    if (!ec && v.is_object() && v.as_object().contains("answers")) {
      MAMORI_ASSIGN_OR_RETURN(answers,
                              DecodePatternAnswers(json::serialize(v.as_object().at("answers"))));
      recorded = true;
    }
  }
  MAMORI_ASSIGN_OR_RETURN(Installation installation, ReadInstallation(read, env));
  core::Clock::WallTime now = env.clock().Now();
  ProbeContext context{.options = request.probe_options, .now = now, .host = host};
  PatternAssessment pattern =
      AssessPattern(answers, Catalogue::Embedded(), request.probe_options.version);
  Assessment a = Evaluate(pattern, installation, RunProbes(installation, context), now);
  a.pattern_recorded = recorded;
  return a;
}

}  // namespace mamori::compliance
