// SPDX-License-Identifier: Apache-2.0
#pragma once

// fhir::RestApi: the FHIR R4 RESTful API over a store::Store, without the
// transport. http maps routes to these methods; tests call them directly.
//
// Interactions: create (with If-None-Exist on _id), read, vread, update (also
// update-as-create with a client id; If-Match version checks, 412 on
// conflict), delete (a tombstone version; a later read answers 410),
// history (instance, type, system; _since, _count, stable paging), and
// transaction and batch Bundles (transaction atomic; urn:uuid references
// resolved), and search (rest_search.cc, issue 5). Every response body is FHIR JSON: a resource, a
// Bundle or an OperationOutcome whose diagnostics never contain submitted values (DESIGN invariants
// 5 and 7). _format, _pretty, _summary and _elements apply to every body.
//
//   fhir::RestApi api(store, env);
//   fhir::RestRequest req{.base_url = "https://h/fhir", .body = json};
//   fhir::RestResponse r = api.Create("Patient", req);   // 201, Location, ETag
//
// Thread-safety: all methods may be called concurrently.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/env.h"
#include "store/store.h"

namespace mamori::fhir {

// One resource a write changed, as its audit event names it.
struct AuditedChange {
  std::string type;
  std::string id;
  std::string patient;  // the patient compartment; "" outside every compartment
};

// The audit hook of FHIR writes (issue 6). RestApi calls it once inside the
// store transaction of a write that changes resources, after the last Put,
// so the change and its audit event commit together or not at all (DESIGN
// invariant 2). An error fails the body: nothing of it commits and the
// request is answered with that error (kUnavailable: 503). Requests that
// change nothing (reads, failures, a conditional create that matched) are
// not reported here; the caller records them itself.
class WriteAudit {
 public:
  virtual ~WriteAudit() = default;
  // `status` is the HTTP status the write answers with once committed.
  virtual core::Status InTransaction(store::Transaction& tx, int status,
                                     const std::vector<AuditedChange>& changes) = 0;
};

struct RestRequest {
  // "https://host:port/fhir", for Location headers and Bundle fullUrls.
  std::string base_url;
  // Decoded query parameters in order (name, value).
  std::vector<std::pair<std::string, std::string>> query;
  // Header values ("" when absent).
  std::string if_match;
  std::string if_none_exist;
  std::string if_none_match;
  std::string prefer;
  std::string accept;
  std::string content_type;
  std::string body;
  // Borrowed; null records nothing (tests, import).
  WriteAudit* audit = nullptr;
};

struct RestResponse {
  int status = 200;
  // ETag, Location, Last-Modified, Content-Location, ...
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // "application/fhir+json; charset=utf-8" for FHIR bodies; empty without body.
  std::string content_type;
};

struct RestOptions {
  // Default and largest _count of history pages. Defaults 50 and 1000.
  size_t default_page_size = 50;
  size_t max_page_size = 1000;
};

class RestApi {
 public:
  // Borrows `store` and `env`; both must outlive the RestApi.
  RestApi(store::Store& store, core::Env& env, RestOptions options = {});

  RestResponse Capabilities(const RestRequest& req);
  RestResponse Create(const std::string& type, const RestRequest& req);
  RestResponse Read(const std::string& type, const std::string& id, const RestRequest& req);
  RestResponse VRead(const std::string& type, const std::string& id, const std::string& version,
                     const RestRequest& req);
  RestResponse Update(const std::string& type, const std::string& id, const RestRequest& req);
  RestResponse Delete(const std::string& type, const std::string& id, const RestRequest& req);
  // type empty: system history; id empty: type history.
  RestResponse History(const std::string& type, const std::string& id, const RestRequest& req);
  // POST [base] with a transaction or batch Bundle.
  RestResponse ProcessBundle(const RestRequest& req);
  // GET [type]?params, and POST [type]/_search with a form body (rest_search.cc).
  RestResponse Search(const std::string& type, const RestRequest& req);
  // GET [base]?params (optionally _type=A,B): the same search on several types,
  // one page in resource-key order.
  RestResponse SearchSystem(const RestRequest& req);
  // GET Patient/[id]/[type]?params: the search within one patient's compartment.
  RestResponse SearchCompartment(const std::string& patient_id, const std::string& type,
                                 const RestRequest& req);
  // GET Patient/[id]/$everything?_since=&_type=&_count=: the patient and every
  // resource of its compartment (rest_search.cc), one searchset page in
  // resource-key order with a next link. Other parameters are a 400.
  RestResponse Everything(const std::string& patient_id, const RestRequest& req);

 private:
  struct SearchScope {
    std::string type;         // empty: a system search
    std::string path;         // "/Observation", "/Patient/123/Observation" or "" (system)
    std::string patient_id;   // set for compartment searches
    bool everything = false;  // Patient/[id]/$everything: every compartment type
  };
  RestResponse RunSearchRequest(const SearchScope& scope, const RestRequest& req);

  store::Store& store_;
  core::Env& env_;
  RestOptions options_;
};

}  // namespace mamori::fhir
