// SPDX-License-Identifier: Apache-2.0
#include "http/export_routes.h"

#include <chrono>
#include <string>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "http/audit.h"
#include "http/auth_gate.h"
#include "http/fhir_routes.h"
#include "http/operation_outcome.h"
#include "http/status_mapping.h"
#include "ledger/audit_event.h"

namespace mamori::http {
namespace {

constexpr char kNdjson[] = "application/fhir+ndjson";

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : ",") + s;
  return out;
}

std::string Owner(const PathParams& params) {
  const Caller* caller = params.caller();
  return caller == nullptr ? "" : caller->principal.login_id;
}

Response Invalid(std::string_view why) {
  return OperationOutcomeResponse(400, IssueCode::kInvalid, why);
}

Response NoSuchJob() {
  return OperationOutcomeResponse(404, IssueCode::kNotFound, "no such export job");
}

// "Observation=120 Patient=3": how many of each type the export holds.
std::string Counts(const fhir::ExportPlan& plan) {
  std::string out;
  for (const auto& [type, n] : plan.counts) {
    out += (out.empty() ? "" : " ") + type + "=" + std::to_string(n);
  }
  return out.empty() ? "none" : out;
}

Response KickOff(fhir::ExportJobs& jobs, store::Store& store, core::Env& env,
                 fhir::ExportLevel level, const Request& request, const PathParams& params) {
  std::string_view prefer = request.headers.Get("Prefer").value_or("");
  if (prefer.find("respond-async") == std::string_view::npos) {
    return Invalid("$export is asynchronous: send Prefer: respond-async");
  }
  fhir::RestRequest rest = ToRestRequest(request);
  core::Result<fhir::ExportRequest> parsed =
      fhir::ParseExportRequest(level, std::string(params.Get("id")), rest.query);
  if (!parsed.ok()) return Invalid(parsed.status().message());
  std::string owner = Owner(params);
  if (owner.empty()) {
    return OperationOutcomeResponse(403, IssueCode::kForbidden, "$export needs a system client");
  }
  // The ledger record of the finished plan: the kick-off's who and where,
  // the types, and how many resources of each.
  ledger::AuditEvent record;
  if (params.audit() != nullptr) {
    params.audit()->event().resource_type = Join(parsed->types);
    record = params.audit()->event();
  }
  record.action = "export-complete";
  record.resource_type = Join(parsed->types);
  std::string url = rest.base_url + request.target.substr(std::string_view("/fhir").size());
  auto on_planned = [&store, &env, record](const std::string& job,
                                           const fhir::ExportPlan& plan) -> core::Status {
    ledger::AuditEvent e = record;
    e.time_ms = static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(env.clock().Now().time_since_epoch())
            .count());
    e.resource_id = job + " " + Counts(plan);
    e.outcome = "success";
    e.http_status = 200;
    e.reason.clear();
    std::string json = ledger::ToJson(e);
    return store.Write([&](store::Transaction& tx) { return tx.AppendAudit(json).status(); });
  };
  core::Result<std::string> job = jobs.Start(*std::move(parsed), owner, url, on_planned);
  if (!job.ok())
    return OperationOutcomeResponse(429, IssueCode::kThrottled, job.status().message());
  if (params.audit() != nullptr) params.audit()->event().resource_id = *job;
  Response r = Response::Empty(202);
  r.headers.Set("Content-Location", rest.base_url + "/$export-status/" + *job);
  return r;
}

Response Status(fhir::ExportJobs& jobs, const Request& request, const PathParams& params) {
  std::string job(params.Get("job"));
  core::Result<fhir::ExportJobs::Status> s = jobs.Get(job, Owner(params));
  if (!s.ok()) return NoSuchJob();
  if (params.audit() != nullptr) params.audit()->event().resource_id = job;
  using State = fhir::ExportJobs::State;
  if (s->state == State::kQueued || s->state == State::kRunning) {
    Response r = Response::Empty(202);
    r.headers.Set("X-Progress", s->progress);
    r.headers.Set("Retry-After", "1");
    return r;
  }
  if (s->state == State::kFailed) {
    return OperationOutcomeResponse(500, IssueCode::kException, s->error);
  }
  std::string base = ToRestRequest(request).base_url;
  boost::json::array output;
  for (size_t i = 0; i < s->plan->files.size(); ++i) {
    const fhir::ExportFile& f = s->plan->files[i];
    output.push_back(
        boost::json::object{{"type", f.type},
                            {"url", base + "/$export-file/" + job + "/" + std::to_string(i)},
                            {"count", static_cast<int64_t>(f.keys.size())}});
  }
  boost::json::object manifest{{"transactionTime", core::FormatRfc3339(s->plan->transaction_time)},
                               {"request", s->request_url},
                               {"requiresAccessToken", true},
                               {"output", std::move(output)},
                               {"error", boost::json::array{}}};
  return Response::Json(200, boost::json::serialize(manifest));
}

Response Cancel(fhir::ExportJobs& jobs, const PathParams& params) {
  std::string job(params.Get("job"));
  if (!jobs.Cancel(job, Owner(params)).ok()) return NoSuchJob();
  if (params.audit() != nullptr) params.audit()->event().resource_id = job;
  return Response::Empty(202);
}

Response Download(fhir::ExportJobs& jobs, store::Store& store, const PathParams& params) {
  std::string job(params.Get("job"));
  core::Result<fhir::ExportJobs::Status> s = jobs.Get(job, Owner(params));
  if (!s.ok() || s->plan == nullptr) return NoSuchJob();
  std::string_view index = params.Get("file");
  size_t n = 0;
  bool digits = !index.empty() && index.size() <= 9 &&
                index.find_first_not_of("0123456789") == std::string_view::npos;
  if (digits) n = std::stoul(std::string(index));
  if (!digits || n >= s->plan->files.size()) {
    return OperationOutcomeResponse(404, IssueCode::kNotFound, "no such export file");
  }
  const fhir::ExportFile& file = s->plan->files[n];
  std::string body;
  core::Result<int64_t> written = fhir::ReadExportFile(store, file, [&](std::string_view json) {
    body.append(json);
    body += '\n';
    return core::Status::Ok();
  });
  if (!written.ok()) return StatusResponse(written.status(), "");
  if (params.audit() != nullptr) {
    params.audit()->event().resource_type = file.type;
    params.audit()->event().resource_id =
        job + "/" + std::to_string(n) + " " + file.type + "=" + std::to_string(*written);
  }
  Response r;
  r.status = 200;
  r.content_type = kNdjson;
  r.body = std::move(body);
  return r;
}

}  // namespace

core::Status RegisterExportRoutes(Router& router, fhir::ExportJobs& jobs, store::Store& store,
                                  core::Env& env) {
  fhir::ExportJobs* j = &jobs;
  store::Store* st = &store;
  core::Env* e = &env;
  auto kick_off = [j, st, e](fhir::ExportLevel level) {
    return [j, st, e, level](const Request& request, const PathParams& params) {
      return KickOff(*j, *st, *e, level, request, params);
    };
  };
  MAMORI_RETURN_IF_ERROR(router.Add("GET", "/fhir/$export", kick_off(fhir::ExportLevel::kSystem)));
  MAMORI_RETURN_IF_ERROR(
      router.Add("GET", "/fhir/Patient/$export", kick_off(fhir::ExportLevel::kPatient)));
  MAMORI_RETURN_IF_ERROR(
      router.Add("GET", "/fhir/Group/{id}/$export", kick_off(fhir::ExportLevel::kGroup)));
  MAMORI_RETURN_IF_ERROR(router.Add("GET", "/fhir/$export-status/{job}",
                                    [j](const Request& request, const PathParams& params) {
                                      return Status(*j, request, params);
                                    }));
  MAMORI_RETURN_IF_ERROR(
      router.Add("DELETE", "/fhir/$export-status/{job}",
                 [j](const Request&, const PathParams& params) { return Cancel(*j, params); }));
  MAMORI_RETURN_IF_ERROR(router.Add(
      "GET", "/fhir/$export-file/{job}/{file}",
      [j, st](const Request&, const PathParams& params) { return Download(*j, *st, params); }));
  return core::Status::Ok();
}

}  // namespace mamori::http
