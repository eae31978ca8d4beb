// SPDX-License-Identifier: Apache-2.0
#pragma once
// Private to fhir: include "fhir/rest_api.h" instead.
//
// The work a write does before it enters the store's transaction (parse,
// check the type, validate, compute index entries), so the group-commit
// thread only stamps, seals and inserts.

#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "core/env.h"
#include "fhir/internal/rest/output.h"
#include "fhir/rest_api.h"
#include "store/store.h"

namespace mamori::fhir::internal {

struct WritePlan {
  std::string type;
  std::string id;
  std::string compartment;
  boost::json::object resource;
  // Index entries of the content (all but _id and _lastUpdated, which
  // MakeNewVersion adds once the id is known).
  std::vector<store::IndexEntry> index;
  store::Store* store = nullptr;  // for the index key
};

// 404 for an unknown or unsupported type; 405 for AuditEvent, which only the
// ledger writes.
std::optional<RestResponse> CheckWritableType(const std::string& type);
std::optional<RestResponse> CheckReadableType(const std::string& type);

// Parses and validates `body` as a `type` resource into `plan` (type,
// resource, index). Returns the error response, or nullopt on success.
std::optional<RestResponse> PrepareWrite(const std::string& type, const std::string& body,
                                         store::Store& store, WritePlan& plan);
// The same for a resource already parsed (Bundle entries). `conditional_refs`
// allows conditional references, as transactions do.
std::optional<RestResponse> PrepareParsed(const std::string& type, boost::json::object resource,
                                          bool conditional_refs, store::Store& store,
                                          WritePlan& plan);

// 400 unless the body's id equals the URL's.
std::optional<RestResponse> CheckBodyId(const WritePlan& plan, const std::string& id);

// Recomputes plan.index from plan.resource (after a transaction rewrote its
// references). Errors: the store's.
core::Status IndexPlan(WritePlan& plan);

// The store write for a plan; the render stamps id and meta. Errors: the
// store's, from hashing the id entries.
core::Result<store::NewVersion> MakeNewVersion(const WritePlan& plan);

// PUT [type]?criteria: no match creates, one match updates it, several 412.
RestResponse ConditionalUpdate(const std::string& type, const RestRequest& req,
                               const Format& format, WritePlan& plan, store::Store& store,
                               core::Env& env);

// Calls req.audit (if set) inside the write's transaction (fhir::WriteAudit);
// defined in rest_api.cc.
core::Status RecordWrite(const RestRequest& req, store::Transaction& tx, int status,
                         const std::vector<AuditedChange>& changes);

}  // namespace mamori::fhir::internal
