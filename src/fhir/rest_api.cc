// SPDX-License-Identifier: Apache-2.0
// Create, read, vread, update and delete. History, Bundles and the
// CapabilityStatement live in rest_history.cc, rest_bundle.cc, capability.cc.
#include "fhir/rest_api.h"

#include <charconv>

#include <boost/json/object.hpp>

#include "fhir/definitions.h"
#include "fhir/internal/rest/conditional.h"
#include "fhir/internal/rest/output.h"
#include "fhir/internal/rest/resource_util.h"
#include "fhir/internal/rest/write_plan.h"
#include "fhir/json_parser.h"
#include "fhir/validator.h"

namespace mamori::fhir {

using internal::ErrorOutcome;
using internal::Format;
using internal::Outcome;
using internal::RecordWrite;

namespace internal {
core::Status RecordWrite(const RestRequest& req, store::Transaction& tx, int status,
                         const std::vector<AuditedChange>& changes) {
  return req.audit ? req.audit->InTransaction(tx, status, changes) : core::Status::Ok();
}
}  // namespace internal

RestApi::RestApi(store::Store& store, core::Env& env, RestOptions options)
    : store_(store), env_(env), options_(options) {}

RestResponse RestApi::Create(const std::string& type, const RestRequest& req) {
  Format format;
  if (auto bad = internal::ParseFormat(req, format)) return *bad;
  internal::WritePlan plan;
  if (auto bad = internal::PrepareWrite(type, req.body, store_, plan)) return *bad;
  plan.id = internal::NewResourceId(env_);
  plan.compartment = internal::PatientCompartmentOf(type, plan.id, plan.resource);
  std::optional<internal::Criteria> condition;
  if (!req.if_none_exist.empty()) {
    auto parsed = internal::ParseCriteria(internal::SplitQuery(req.if_none_exist), store_);
    if (!parsed.ok()) return Outcome(400, "error", "invalid", parsed.status().message());
    condition = std::move(*parsed);
  }

  store::ResourceVersion written;
  std::string existing;
  core::Status s = store_.Write([&](store::Transaction& tx) -> core::Status {
    if (condition) {
      MAMORI_ASSIGN_OR_RETURN(auto ids, internal::Match(tx, type, *condition));
      if (ids.size() > 1)
        return core::FailedPreconditionError("If-None-Exist matches several resources");
      if (ids.size() == 1) {
        existing = ids[0];
        return core::Status::Ok();
      }
    }
    MAMORI_ASSIGN_OR_RETURN(store::NewVersion version, internal::MakeNewVersion(plan));
    MAMORI_ASSIGN_OR_RETURN(written, tx.Put(version));
    return RecordWrite(req, tx, 201, {{type, written.id, plan.compartment}});
  });
  if (!s.ok()) return ErrorOutcome(s);
  if (!existing.empty()) {
    // Conditional create matched: 200 with the existing resource, nothing written.
    auto current = store_.Read(type, existing);
    if (!current.ok()) return ErrorOutcome(current.status());
    RestResponse r{.status = 200};
    internal::AddVersionHeaders(*current, req.base_url, true, r);
    internal::ApplyPreferReturn(req, *current, format, r);
    return r;
  }
  RestResponse r{.status = 201};
  internal::AddVersionHeaders(written, req.base_url, true, r);
  internal::ApplyPreferReturn(req, written, format, r);
  return r;
}

RestResponse RestApi::Read(const std::string& type, const std::string& id, const RestRequest& req) {
  Format format;
  if (auto bad = internal::ParseFormat(req, format)) return *bad;
  if (auto bad = internal::CheckReadableType(type)) return *bad;
  if (!internal::IsValidId(id)) return Outcome(404, "error", "not-found", "no such resource");
  core::Result<store::ResourceVersion> v = store_.Read(type, id);
  if (!v.ok()) return ErrorOutcome(v.status());
  if (v->deleted) {
    RestResponse gone = Outcome(410, "error", "deleted", type + "/" + id + " was deleted");
    internal::AddVersionHeaders(*v, req.base_url, false, gone);
    return gone;
  }
  RestResponse r{.status = 200};
  internal::AddVersionHeaders(*v, req.base_url, false, r);
  if (!req.if_none_match.empty() && internal::ParseVersionTag(req.if_none_match) == v->version) {
    r.status = 304;
    return r;
  }
  r.body = internal::RenderResource(v->json, format);
  r.content_type = internal::kFhirJson;
  return r;
}

RestResponse RestApi::VRead(const std::string& type, const std::string& id,
                            const std::string& version, const RestRequest& req) {
  Format format;
  if (auto bad = internal::ParseFormat(req, format)) return *bad;
  if (auto bad = internal::CheckReadableType(type)) return *bad;
  int64_t n = internal::ParseVersionTag(version);
  if (!internal::IsValidId(id) || n == 0) {
    return Outcome(404, "error", "not-found", "no such resource version");
  }
  core::Result<store::ResourceVersion> v = store_.ReadVersion(type, id, n);
  if (!v.ok()) return ErrorOutcome(v.status());
  if (v->deleted) {
    return Outcome(410, "error", "deleted",
                   type + "/" + id + " version " + version + " is a deletion");
  }
  RestResponse r{.status = 200,
                 .body = internal::RenderResource(v->json, format),
                 .content_type = internal::kFhirJson};
  internal::AddVersionHeaders(*v, req.base_url, false, r);
  return r;
}

RestResponse RestApi::Update(const std::string& type, const std::string& id,
                             const RestRequest& req) {
  Format format;
  if (auto bad = internal::ParseFormat(req, format)) return *bad;
  internal::WritePlan plan;
  if (auto bad = internal::PrepareWrite(type, req.body, store_, plan)) return *bad;
  if (id.empty()) return internal::ConditionalUpdate(type, req, format, plan, store_, env_);
  if (auto bad = internal::CheckBodyId(plan, id)) return *bad;
  plan.id = id;
  plan.compartment = internal::PatientCompartmentOf(type, id, plan.resource);
  int64_t expected = 0;
  if (!req.if_match.empty()) {
    expected = internal::ParseVersionTag(req.if_match);
    if (expected == 0) return Outcome(400, "error", "invalid", "If-Match must be W/\"<version>\"");
  }
  store::ResourceVersion written;
  bool created = false;
  core::Status s = store_.Write([&](store::Transaction& tx) -> core::Status {
    MAMORI_ASSIGN_OR_RETURN(auto current, tx.ReadCurrent(type, id));
    int64_t current_version = current.has_value() ? current.value().version : 0;
    if (expected != 0 && current_version != expected) {
      return core::AbortedError("version conflict: If-Match names version " +
                                std::to_string(expected) + ", the current version is " +
                                std::to_string(current_version));
    }
    created = !current.has_value() || current.value().deleted;
    MAMORI_ASSIGN_OR_RETURN(store::NewVersion version, internal::MakeNewVersion(plan));
    MAMORI_ASSIGN_OR_RETURN(written, tx.Put(version));
    return RecordWrite(req, tx, created ? 201 : 200, {{type, id, plan.compartment}});
  });
  if (!s.ok()) return ErrorOutcome(s);
  RestResponse r{.status = created ? 201 : 200};
  internal::AddVersionHeaders(written, req.base_url, created, r);
  internal::ApplyPreferReturn(req, written, format, r);
  return r;
}

RestResponse RestApi::Delete(const std::string& type, const std::string& id,
                             const RestRequest& req) {
  if (auto bad = internal::CheckWritableType(type)) return *bad;
  if (!internal::IsValidId(id)) return Outcome(404, "error", "not-found", "no such resource");
  int64_t expected = req.if_match.empty() ? 0 : internal::ParseVersionTag(req.if_match);
  if (!req.if_match.empty() && expected == 0) {
    return Outcome(400, "error", "invalid", "If-Match must be W/\"<version>\"");
  }
  core::Status s = store_.Write([&](store::Transaction& tx) -> core::Status {
    MAMORI_ASSIGN_OR_RETURN(auto current, tx.ReadCurrent(type, id));
    int64_t current_version = current.has_value() ? current.value().version : 0;
    if (expected != 0 && current_version != expected) {
      return core::AbortedError("version conflict on delete");
    }
    if (!current.has_value() || current.value().deleted) return core::Status::Ok();  // idempotent
    MAMORI_RETURN_IF_ERROR(tx.Put({.type = type, .id = id, .deleted = true}).status());
    return RecordWrite(req, tx, 204, {{type, id, type == "Patient" ? id : ""}});
  });
  if (!s.ok()) return ErrorOutcome(s);
  return RestResponse{.status = 204};
}

}  // namespace mamori::fhir
