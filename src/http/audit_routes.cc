// SPDX-License-Identifier: Apache-2.0
// The audit log's public read side over HTTP (issue 6): the latest signed
// tree head, the public key that verifies it, and inclusion and consistency
// proofs (wire format in src/ledger/FORMAT.md "HTTP"). Proofs reveal hashes
// and encrypted leaves only, never an event's plaintext (DESIGN invariant 4).
// Access is restricted to the auditor role once the identity issue lands
// (GUIDELINE SYS-54); until then these routes answer like every other route.
#include <charconv>
#include <memory>
#include <optional>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <openssl/evp.h>

#include "core/form_decode.h"
#include "crypto/secure_bytes.h"
#include "fhir/audit_event_view.h"
#include "http/audit.h"
#include "http/fhir_routes.h"
#include "http/operation_outcome.h"
#include "ledger/hash.h"
#include "ledger/proof.h"
#include "ledger/tree_head.h"

namespace mamori::http {
namespace {

std::string Base64(std::span<const uint8_t> bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes.data(),
                          static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}
std::string Base64(std::string_view bytes) { return Base64(crypto::AsBytes(bytes)); }

std::string Hex(std::span<const uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (uint8_t b : bytes) {
    out += kDigits[b >> 4];
    out += kDigits[b & 15];
  }
  return out;
}

// A decimal query parameter; nullopt when absent, malformed or out of range.
std::optional<uint64_t> NumberParam(const Request& request, std::string_view name) {
  for (const auto& [key, value] : core::SplitFormQuery(request.query)) {
    if (key != name) continue;
    uint64_t n = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
    if (ec != std::errc() || end != value.data() + value.size() || value.empty()) return {};
    return n;
  }
  return {};
}

Response BadRequest(std::string_view why) {
  return OperationOutcomeResponse(400, IssueCode::kInvalid, why);
}

Response StoreError(const core::Status& s) {
  if (s.code() == core::StatusCode::kInvalidArgument) return BadRequest(s.message());
  return OperationOutcomeResponse(503, IssueCode::kTransient, "the audit log is unavailable");
}

boost::json::array ProofJson(const std::vector<ledger::Hash>& proof) {
  boost::json::array out;
  for (const ledger::Hash& h : proof) out.emplace_back(Base64(h));
  return out;
}

// The newest stored head, or a fresh one when none has been issued yet.
core::Result<std::string> LatestHead(store::Store& store) {
  MAMORI_ASSIGN_OR_RETURN(std::vector<std::string> heads, store.TreeHeads());
  if (!heads.empty()) return heads.back();
  return store.IssueTreeHead();
}

Response Sth(store::Store& store, const Request& request) {
  core::Result<std::string> bytes = LatestHead(store);
  if (!bytes.ok()) return StoreError(bytes.status());
  if (request.headers.Get("Accept").value_or("") == "application/octet-stream") {
    Response r;
    r.status = 200;
    r.content_type = "application/octet-stream";
    r.body = std::move(*bytes);
    return r;
  }
  core::Result<ledger::SignedTreeHead> sth = ledger::SignedTreeHead::Parse(crypto::AsBytes(*bytes));
  if (!sth.ok()) return StoreError(core::DataLossError("stored tree head does not parse"));
  const ledger::TreeHead& h = sth->head();
  boost::json::object o{{"tree_size", h.tree_size},         {"timestamp_ms", h.timestamp_ms},
                        {"root_hash", Base64(h.root_hash)}, {"log_id", Hex(h.log_id)},
                        {"key_id", Hex(sth->key_id())},     {"sth", Base64(*bytes)}};
  return Response::Json(200, boost::json::serialize(o));
}

Response Inclusion(store::Store& store, const Request& request) {
  std::optional<uint64_t> index = NumberParam(request, "leaf_index");
  std::optional<uint64_t> size = NumberParam(request, "tree_size");
  if (!index || !size) return BadRequest("leaf_index and tree_size must be decimal numbers");
  if (*index >= *size || *size > store.AuditTreeSize()) {
    return BadRequest("leaf_index must be below tree_size, and tree_size at most the log's size");
  }
  core::Result<std::vector<ledger::Hash>> proof =
      ledger::InclusionProof(store.AuditNodes(), *index, *size);
  if (!proof.ok()) return StoreError(proof.status());
  core::Result<std::vector<std::string>> leaf = store.AuditLeaves(*index, *index + 1);
  if (!leaf.ok()) return StoreError(leaf.status());
  boost::json::object o{{"leaf_index", *index},
                        {"tree_size", *size},
                        {"leaf", Base64((*leaf)[0])},
                        {"proof", ProofJson(*proof)}};
  return Response::Json(200, boost::json::serialize(o));
}

Response Consistency(store::Store& store, const Request& request) {
  std::optional<uint64_t> first = NumberParam(request, "first");
  std::optional<uint64_t> second = NumberParam(request, "second");
  if (!first || !second) return BadRequest("first and second must be decimal numbers");
  if (*first == 0 || *first > *second || *second > store.AuditTreeSize()) {
    return BadRequest("need 0 < first <= second <= the log's size");
  }
  core::Result<std::vector<ledger::Hash>> proof =
      ledger::ConsistencyProof(store.AuditNodes(), *first, *second);
  if (!proof.ok()) return StoreError(proof.status());
  boost::json::object o{{"first", *first}, {"second", *second}, {"proof", ProofJson(*proof)}};
  return Response::Json(200, boost::json::serialize(o));
}

}  // namespace

core::Status RegisterAuditRoutes(Router& router, store::Store& store) {
  store::Store* s = &store;
  MAMORI_RETURN_IF_ERROR(router.Add(
      "GET", "/audit/sth", [s](const Request& r, const PathParams&) { return Sth(*s, r); }));
  MAMORI_RETURN_IF_ERROR(
      router.Add("GET", "/audit/public-key", [s](const Request&, const PathParams&) {
        Response r;
        r.status = 200;
        r.content_type = "application/x-pem-file";
        r.body = s->AuditPublicKey().ToPem();
        return r;
      }));
  MAMORI_RETURN_IF_ERROR(
      router.Add("GET", "/audit/proof/inclusion",
                 [s](const Request& r, const PathParams&) { return Inclusion(*s, r); }));
  MAMORI_RETURN_IF_ERROR(
      router.Add("GET", "/audit/proof/consistency",
                 [s](const Request& r, const PathParams&) { return Consistency(*s, r); }));
  // The ledger as FHIR AuditEvent (read-only; the gate lets auditors only).
  auto view = std::make_shared<fhir::AuditEventView>(store);
  MAMORI_RETURN_IF_ERROR(
      router.Add("GET", "/fhir/AuditEvent", [view](const Request& r, const PathParams&) {
        return ToResponse(view->Search(ToRestRequest(r)));
      }));
  return router.Add("GET", "/fhir/AuditEvent/{id}", [view](const Request& r, const PathParams& p) {
    return ToResponse(view->Read(std::string(p.Get("id")), ToRestRequest(r)));
  });
}

}  // namespace mamori::http
