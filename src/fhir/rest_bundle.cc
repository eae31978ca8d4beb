// SPDX-License-Identifier: Apache-2.0
// Transaction and batch Bundles (FHIR R4 3.1.0.11). A transaction runs every
// entry in one store write (one savepoint: all or nothing); a batch runs each
// entry on its own. urn:uuid fullUrls of created resources are replaced by
// their new Type/id in every reference, and conditional references
// (Type?identifier=...) are resolved, inside the transaction.
//
// Design note: this is the longest file of the module (STYLE.md rule 38): the
// transaction is one ordered procedure (DELETE, POST, PUT, GET, then
// references), and splitting it would scatter that order.
#include <map>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "fhir/internal/rest/conditional.h"
#include "fhir/internal/rest/output.h"
#include "fhir/internal/rest/resource_util.h"
#include "fhir/internal/rest/write_plan.h"
#include "fhir/json_parser.h"
#include "fhir/rest_api.h"

namespace mamori::fhir {
namespace {

using internal::Outcome;
using internal::RecordWrite;

enum class Method { kDelete = 0, kPost = 1, kPut = 2, kGet = 3 };

struct Entry {
  size_t index = 0;
  Method method = Method::kGet;
  std::string full_url;
  std::string type;
  std::string id;        // from the URL (PUT, DELETE, GET)
  std::string criteria;  // conditional PUT/DELETE query
  std::string if_none_exist;
  std::string if_match;
  internal::WritePlan plan;  // POST and PUT
  // Results.
  std::string status;  // "201 Created", ...
  store::ResourceVersion written;
  bool has_version = false;
  std::string outcome;  // an OperationOutcome for a failed batch entry
};

// The resources a transaction wrote, for its audit event.
std::vector<AuditedChange> ChangesOf(const std::vector<Entry>& entries) {
  std::vector<AuditedChange> changes;
  for (const Entry& e : entries) {
    if (!e.has_version) continue;
    changes.push_back({e.written.type, e.written.id, e.plan.compartment});
  }
  return changes;
}

std::string EntryPrefix(const Entry& e) { return "Bundle.entry[" + std::to_string(e.index) + "]"; }

std::string GetString(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

// Parses entry.request into method, type, id and criteria.
std::optional<RestResponse> ParseRequest(const boost::json::object& request, Entry& e) {
  std::string method = GetString(request, "method");
  std::string url = GetString(request, "url");
  if (method == "POST")
    e.method = Method::kPost;
  else if (method == "PUT")
    e.method = Method::kPut;
  else if (method == "DELETE")
    e.method = Method::kDelete;
  else if (method == "GET")
    e.method = Method::kGet;
  else
    return Outcome(400, "error", "not-supported", "request.method must be GET, POST, PUT or DELETE",
                   EntryPrefix(e) + ".request.method");
  size_t q = url.find('?');
  std::string path = url.substr(0, q);
  if (q != std::string::npos) e.criteria = url.substr(q + 1);
  size_t slash = path.find('/');
  e.type = path.substr(0, slash);
  if (slash != std::string::npos) e.id = path.substr(slash + 1);
  e.if_none_exist = GetString(request, "ifNoneExist");
  e.if_match = GetString(request, "ifMatch");
  bool needs_id =
      (e.method == Method::kGet || e.method == Method::kDelete || e.method == Method::kPut) &&
      e.criteria.empty();
  if (e.type.empty() || (needs_id && !internal::IsValidId(e.id)) ||
      (e.method == Method::kPost && !e.id.empty())) {
    return Outcome(400, "error", "invalid", "request.url is not a supported form for this method",
                   EntryPrefix(e) + ".request.url");
  }
  return std::nullopt;
}

// Rewrites validation expressions ("Patient.gender") as paths within the
// Bundle ("Bundle.entry[1].resource.gender").
RestResponse InEntry(RestResponse r, const Entry& e) {
  const std::string open = "\"expression\":[\"";
  const std::string base = open + EntryPrefix(e) + ".resource";
  for (size_t at = r.body.find(open); at != std::string::npos; at = r.body.find(open, at + 1)) {
    size_t start = at + open.size();
    size_t type_end = start + e.type.size();
    bool typed = r.body.compare(start, e.type.size(), e.type) == 0 && type_end < r.body.size() &&
                 (r.body[type_end] == '.' || r.body[type_end] == '"');
    r.body.replace(at, open.size() + (typed ? e.type.size() : 0), typed ? base : base + ".");
    at += base.size();
  }
  return r;
}

std::optional<RestResponse> ParseEntry(boost::json::object& raw, bool transaction,
                                       store::Store& store, Entry& e) {
  const boost::json::value* request = raw.if_contains("request");
  if (request == nullptr || !request->is_object()) {
    return Outcome(400, "error", "required", "every entry needs a request",
                   EntryPrefix(e) + ".request");
  }
  if (auto bad = ParseRequest(request->get_object(), e)) return bad;
  e.full_url = GetString(raw, "fullUrl");
  if (e.method == Method::kPost || e.method == Method::kPut) {
    boost::json::value* resource = raw.if_contains("resource");
    if (resource == nullptr || !resource->is_object()) {
      return Outcome(400, "error", "required", "POST and PUT entries need a resource",
                     EntryPrefix(e) + ".resource");
    }
    if (auto bad = internal::PrepareParsed(e.type, std::move(resource->get_object()), transaction,
                                           store, e.plan)) {
      return InEntry(*bad, e);
    }
    if (e.method == Method::kPut && e.criteria.empty()) {
      if (auto bad = internal::CheckBodyId(e.plan, e.id)) return InEntry(*bad, e);
    }
  }
  return std::nullopt;
}

// Replaces every "reference" string found in `map` (urn:uuid fullUrls and
// resolved conditional references).
void RewriteReferences(boost::json::value& node, const std::map<std::string, std::string>& map) {
  if (node.is_array()) {
    for (auto& item : node.get_array()) RewriteReferences(item, map);
  } else if (node.is_object()) {
    for (auto& [key, value] : node.get_object()) {
      if (key == "reference" && value.is_string()) {
        auto it = map.find(std::string(value.get_string()));
        if (it != map.end()) value = it->second;
      } else {
        RewriteReferences(value, map);
      }
    }
  }
}

// Collects conditional references (Type?query) used anywhere in `node`.
void CollectConditional(const boost::json::value& node, std::vector<std::string>& out) {
  if (node.is_array()) {
    for (const auto& item : node.get_array()) CollectConditional(item, out);
  } else if (node.is_object()) {
    for (const auto& [key, value] : node.get_object()) {
      if (key == "reference" && value.is_string()) {
        std::string_view ref = value.get_string();
        if (ref.find('?') != std::string_view::npos && ref.find("://") == std::string_view::npos) {
          out.emplace_back(ref);
        }
      } else {
        CollectConditional(value, out);
      }
    }
  }
}

class TransactionRunner {
 public:
  TransactionRunner(std::vector<Entry>& entries, store::Store& store, core::Env& env)
      : entries_(entries), store_(store), env_(env) {}

  // The body of the store write. Fails (rolling back everything) on the
  // first entry that fails, naming it.
  core::Status Run(store::Transaction& tx) {
    refs_.clear();
    for (Entry& e : entries_) MAMORI_RETURN_IF_ERROR(AssignId(tx, e).With(EntryPrefix(e)));
    for (Entry& e : entries_)
      MAMORI_RETURN_IF_ERROR(ResolveConditional(tx, e).With(EntryPrefix(e)));
    for (Method m : {Method::kDelete, Method::kPost, Method::kPut, Method::kGet}) {
      for (Entry& e : entries_) {
        if (e.method == m) MAMORI_RETURN_IF_ERROR(Execute(tx, e).With(EntryPrefix(e)));
      }
    }
    return core::Status::Ok();
  }

 private:
  // Decides each entry's target id (matching If-None-Exist and conditional
  // updates) and maps its fullUrl to Type/id.
  core::Status AssignId(store::Transaction& tx, Entry& e) {
    e.status.clear();
    if (e.method == Method::kPost) {
      if (!e.if_none_exist.empty()) {
        MAMORI_ASSIGN_OR_RETURN(
            auto c, internal::ParseCriteria(internal::SplitQuery(e.if_none_exist), store_));
        MAMORI_ASSIGN_OR_RETURN(auto ids, internal::Match(tx, e.type, c));
        if (ids.size() > 1)
          return core::FailedPreconditionError("ifNoneExist matches several resources");
        if (ids.size() == 1) {
          e.id = ids[0];
          e.status = "200 OK";  // matched: nothing is created
        }
      }
      if (e.id.empty()) e.id = internal::NewResourceId(env_);
    } else if (e.method == Method::kPut && !e.criteria.empty()) {
      MAMORI_ASSIGN_OR_RETURN(auto c,
                              internal::ParseCriteria(internal::SplitQuery(e.criteria), store_));
      MAMORI_ASSIGN_OR_RETURN(auto ids, internal::Match(tx, e.type, c));
      if (ids.size() > 1)
        return core::FailedPreconditionError("the criteria match several resources");
      e.id = ids.empty() ? internal::NewResourceId(env_) : ids[0];
    }
    if (!e.full_url.empty() && !e.id.empty()) refs_[e.full_url] = e.type + "/" + e.id;
    return core::Status::Ok();
  }

  core::Status ResolveConditional(store::Transaction& tx, Entry& e) {
    if (e.method != Method::kPost && e.method != Method::kPut) return core::Status::Ok();
    std::vector<std::string> conditional;
    CollectConditional(boost::json::value(e.plan.resource), conditional);
    for (const std::string& ref : conditional) {
      if (refs_.count(ref)) continue;
      size_t q = ref.find('?');
      std::string type = ref.substr(0, q);
      MAMORI_ASSIGN_OR_RETURN(
          auto c, internal::ParseCriteria(internal::SplitQuery(ref.substr(q + 1)), store_));
      MAMORI_ASSIGN_OR_RETURN(auto ids, internal::Match(tx, type, c));
      if (ids.size() != 1) {
        return core::FailedPreconditionError("a conditional reference matches " +
                                             std::to_string(ids.size()) + " resources, not 1");
      }
      refs_[ref] = type + "/" + ids[0];
    }
    return core::Status::Ok();
  }

  core::Status Execute(store::Transaction& tx, Entry& e) {
    switch (e.method) {
      case Method::kDelete: {
        MAMORI_ASSIGN_OR_RETURN(auto current, tx.ReadCurrent(e.type, e.id));
        if (current.has_value() && !current.value().deleted) {
          MAMORI_ASSIGN_OR_RETURN(e.written, tx.Put({.type = e.type, .id = e.id, .deleted = true}));
          e.has_version = true;
        }
        e.status = "204 No Content";
        return core::Status::Ok();
      }
      case Method::kPost:
        if (!e.status.empty()) return core::Status::Ok();  // ifNoneExist matched
        return Write(tx, e, "201 Created");
      case Method::kPut: {
        MAMORI_ASSIGN_OR_RETURN(auto current, tx.ReadCurrent(e.type, e.id));
        int64_t current_version = current.has_value() ? current.value().version : 0;
        if (!e.if_match.empty() && internal::ParseVersionTag(e.if_match) != current_version) {
          return core::AbortedError("version conflict: ifMatch does not name the current version");
        }
        bool created = !current.has_value() || current.value().deleted;
        return Write(tx, e, created ? "201 Created" : "200 OK");
      }
      case Method::kGet: {
        MAMORI_ASSIGN_OR_RETURN(auto current, tx.ReadCurrent(e.type, e.id));
        if (!current.has_value())
          return core::NotFoundError(e.type + "/" + e.id + " does not exist");
        e.written = std::move(*current);
        e.has_version = true;
        e.status = e.written.deleted ? "410 Gone" : "200 OK";
        return core::Status::Ok();
      }
    }
    return core::InternalError("unknown method");
  }

  core::Status Write(store::Transaction& tx, Entry& e, const char* status) {
    boost::json::value resource(std::move(e.plan.resource));
    RewriteReferences(resource, refs_);
    e.plan.resource = std::move(resource.get_object());
    e.plan.id = e.id;
    e.plan.compartment = internal::PatientCompartmentOf(e.type, e.id, e.plan.resource);
    if (!refs_.empty()) MAMORI_RETURN_IF_ERROR(internal::IndexPlan(e.plan));  // references changed
    MAMORI_ASSIGN_OR_RETURN(store::NewVersion version, internal::MakeNewVersion(e.plan));
    MAMORI_ASSIGN_OR_RETURN(e.written, tx.Put(version));
    e.has_version = true;
    e.status = status;
    return core::Status::Ok();
  }

  std::vector<Entry>& entries_;
  store::Store& store_;
  core::Env& env_;
  std::map<std::string, std::string> refs_;
};

boost::json::object ResponseEntry(const Entry& e, const std::string& base_url) {
  boost::json::object response{{"status", e.status}};
  if (e.has_version) {
    response["location"] =
        e.written.type + "/" + e.written.id + "/_history/" + std::to_string(e.written.version);
    response["etag"] = "W/\"" + std::to_string(e.written.version) + "\"";
    response["lastModified"] = core::FormatRfc3339(e.written.last_updated);
  }
  if (!e.outcome.empty()) response["outcome"] = boost::json::parse(e.outcome);
  boost::json::object entry{{"response", std::move(response)}};
  if (e.has_version && !e.written.deleted) {
    entry["fullUrl"] = base_url + "/" + e.written.type + "/" + e.written.id;
    if (e.method == Method::kGet) {
      auto resource = ParseResourceJson(e.written.json);
      if (resource.ok()) entry["resource"] = std::move(*resource);
    }
  }
  return entry;
}

}  // namespace

RestResponse RestApi::ProcessBundle(const RestRequest& req) {
  internal::Format format;
  if (auto bad = internal::ParseFormat(req, format)) return *bad;
  core::Result<boost::json::object> parsed = ParseResourceJson(req.body);
  if (!parsed.ok()) return Outcome(400, "error", "structure", parsed.status().message());
  std::string type = GetString(*parsed, "type");
  if (GetString(*parsed, "resourceType") != "Bundle" ||
      (type != "transaction" && type != "batch")) {
    return Outcome(400, "error", "invalid", "POST to the base needs a transaction or batch Bundle",
                   "Bundle.type");
  }
  bool transaction = type == "transaction";
  std::vector<Entry> entries;
  boost::json::value* raw_entries = parsed->if_contains("entry");
  if (raw_entries != nullptr && raw_entries->is_array()) {
    for (auto& raw : raw_entries->get_array()) {
      Entry e;
      e.index = entries.size();
      if (!raw.is_object())
        return Outcome(400, "error", "structure", "an entry is not an object", EntryPrefix(e));
      if (auto bad = ParseEntry(raw.get_object(), transaction, store_, e)) {
        if (transaction) return *bad;
        e.status = std::to_string(bad->status);
        e.outcome = bad->body;
      }
      entries.push_back(std::move(e));
    }
  }
  if (transaction) {
    TransactionRunner runner(entries, store_, env_);
    core::Status s = store_.Write([&](store::Transaction& tx) -> core::Status {
      MAMORI_RETURN_IF_ERROR(runner.Run(tx));
      return RecordWrite(req, tx, 200, ChangesOf(entries));
    });
    if (!s.ok()) return internal::ErrorOutcome(s);
  } else {
    for (Entry& e : entries) {
      if (!e.outcome.empty()) continue;
      std::vector<Entry> one;
      one.push_back(std::move(e));
      TransactionRunner runner(one, store_, env_);
      core::Status s = store_.Write([&](store::Transaction& tx) { return runner.Run(tx); });
      e = std::move(one[0]);
      if (!s.ok()) {
        RestResponse err = internal::ErrorOutcome(s);
        e.status = std::to_string(err.status);
        e.outcome = err.body;
        e.has_version = false;
      }
    }
  }
  boost::json::array out;
  for (const Entry& e : entries) out.push_back(ResponseEntry(e, req.base_url));
  boost::json::object bundle{{"resourceType", "Bundle"},
                             {"type", transaction ? "transaction-response" : "batch-response"},
                             {"entry", std::move(out)}};
  return RestResponse{.status = 200,
                      .body = internal::RenderObject(bundle, format),
                      .content_type = internal::kFhirJson};
}

}  // namespace mamori::fhir
