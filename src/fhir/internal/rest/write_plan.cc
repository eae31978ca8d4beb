// SPDX-License-Identifier: Apache-2.0
#include "fhir/internal/rest/write_plan.h"

#include "fhir/definitions.h"
#include "fhir/internal/rest/conditional.h"
#include "fhir/internal/rest/resource_util.h"
#include "fhir/internal/search/indexer.h"
#include "fhir/json_parser.h"
#include "fhir/validator.h"

namespace mamori::fhir::internal {
namespace {

// Echo a type from the URL only when it is a plain name (it is not patient
// data, but a URL segment could be anything).
std::string ShownType(const std::string& type) {
  bool plain = !type.empty() && type.size() <= 64 &&
               std::all_of(type.begin(), type.end(),
                           [](char c) { return std::isalnum(static_cast<unsigned char>(c)); });
  return plain ? type : "(not shown)";
}

}  // namespace

std::optional<RestResponse> CheckReadableType(const std::string& type) {
  if (!Definitions::R4().IsSupportedResourceType(type)) {
    return Outcome(404, "error", "not-supported",
                   "resource type " + ShownType(type) + " is not supported by this server");
  }
  return std::nullopt;
}

std::optional<RestResponse> CheckWritableType(const std::string& type) {
  if (auto bad = CheckReadableType(type)) return bad;
  if (type == "AuditEvent") {
    RestResponse r = Outcome(405, "error", "not-supported",
                             "AuditEvent is written by the audit ledger only and is read-only");
    r.headers.emplace_back("Allow", "GET");
    return r;
  }
  return std::nullopt;
}

std::optional<RestResponse> PrepareWrite(const std::string& type, const std::string& body,
                                         store::Store& store, WritePlan& plan) {
  if (auto bad = CheckWritableType(type)) return bad;
  core::Result<boost::json::object> parsed = ParseResourceJson(body);
  if (!parsed.ok()) return Outcome(400, "error", "structure", parsed.status().message());
  return PrepareParsed(type, std::move(*parsed), false, store, plan);
}

std::optional<RestResponse> PrepareParsed(const std::string& type, boost::json::object resource,
                                          bool conditional_refs, store::Store& store,
                                          WritePlan& plan) {
  if (auto bad = CheckWritableType(type)) return bad;
  const boost::json::value* rt = resource.if_contains("resourceType");
  if (rt == nullptr || !rt->is_string() || rt->get_string() != type) {
    return Outcome(400, "error", "invalid", "resourceType must be " + ShownType(type),
                   "resourceType");
  }
  std::vector<ValidationIssue> issues =
      Validate(resource, {.allow_conditional_references = conditional_refs});
  if (HasErrors(issues)) return IssuesOutcome(issues);
  plan.type = type;
  plan.resource = std::move(resource);
  plan.store = &store;
  core::Status indexed = IndexPlan(plan);
  if (!indexed.ok()) return ErrorOutcome(indexed);
  return std::nullopt;
}

std::optional<RestResponse> CheckBodyId(const WritePlan& plan, const std::string& id) {
  if (!IsValidId(id))
    return Outcome(400, "error", "invalid", "the id in the URL is not a valid FHIR id");
  const boost::json::value* body_id = plan.resource.if_contains("id");
  if (body_id == nullptr || !body_id->is_string() || body_id->get_string() != id) {
    return Outcome(400, "error", "invalid", "the resource id must equal the id in the URL", "id");
  }
  return std::nullopt;
}

core::Status IndexPlan(WritePlan& plan) {
  MAMORI_ASSIGN_OR_RETURN(plan.index, ContentEntries(plan.type, plan.resource, *plan.store));
  return core::Status::Ok();
}

core::Result<store::NewVersion> MakeNewVersion(const WritePlan& plan) {
  std::vector<store::IndexEntry> index = plan.index;
  MAMORI_RETURN_IF_ERROR(AppendIdentityEntries(plan.type, plan.id, *plan.store, index));
  return store::NewVersion{.type = plan.type,
                           .id = plan.id,
                           .compartment = plan.compartment,
                           .render =
                               [&plan](int64_t version, core::Clock::WallTime updated) {
                                 return StampVersion(plan.resource, plan.type, plan.id, version,
                                                     updated);
                               },
                           .index = std::move(index)};
}

RestResponse ConditionalUpdate(const std::string& type, const RestRequest& req,
                               const Format& format, WritePlan& plan, store::Store& store,
                               core::Env& env) {
  core::Result<Criteria> criteria = ParseCriteria(req.query, store);
  if (!criteria.ok()) return Outcome(400, "error", "invalid", criteria.status().message());
  const boost::json::value* body_id = plan.resource.if_contains("id");
  std::string given = body_id && body_id->is_string() ? std::string(body_id->get_string()) : "";
  store::ResourceVersion written;
  bool created = false;
  core::Status s = store.Write([&](store::Transaction& tx) -> core::Status {
    MAMORI_ASSIGN_OR_RETURN(auto ids, Match(tx, type, *criteria));
    if (ids.size() > 1)
      return core::FailedPreconditionError("the criteria match several resources");
    if (ids.size() == 1 && !given.empty() && given != ids[0]) {
      return core::InvalidArgumentError("the resource id differs from the matched resource");
    }
    created = ids.empty();
    plan.id = !ids.empty() ? ids[0] : (!given.empty() ? given : NewResourceId(env));
    if (!IsValidId(plan.id)) return core::InvalidArgumentError("the resource id is not valid");
    plan.compartment = PatientCompartmentOf(type, plan.id, plan.resource);
    MAMORI_ASSIGN_OR_RETURN(store::NewVersion version, MakeNewVersion(plan));
    MAMORI_ASSIGN_OR_RETURN(written, tx.Put(version));
    return RecordWrite(req, tx, created ? 201 : 200, {{type, plan.id, plan.compartment}});
  });
  if (!s.ok()) return ErrorOutcome(s);
  RestResponse r{.status = created ? 201 : 200};
  AddVersionHeaders(written, req.base_url, true, r);
  ApplyPreferReturn(req, written, format, r);
  return r;
}

}  // namespace mamori::fhir::internal
