// SPDX-License-Identifier: Apache-2.0
#include "compliance/attestation.h"

#include <boost/json.hpp>

#include "compliance/catalogue.h"
#include "crypto/hash.h"
#include "crypto/hex.h"
#include "crypto/secure_bytes.h"
#include "ledger/audit_event.h"

namespace mamori::compliance {
namespace {

namespace json = boost::json;

int64_t Ms(core::Clock::WallTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
core::Clock::WallTime FromMs(int64_t ms) {
  return core::Clock::WallTime(std::chrono::milliseconds(ms));
}

core::Result<json::object> ParseObject(std::string_view text, const char* what) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return core::DataLossError(std::string(what) + " does not parse");
  return v.as_object();
}

std::string Str(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : "";
}
int64_t Int(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_int64() ? v->as_int64() : 0;
}

// Records who did what to which requirement in the ledger, in `tx`.
core::Status Audit(store::Transaction& tx, const std::string& action, const std::string& by,
                   const std::string& requirement) {
  ledger::AuditEvent e{.time_ms = static_cast<uint64_t>(Ms(tx.Now())),
                       .user = by,
                       .role = "cli",
                       .action = action,
                       .method = "CLI",
                       .route = "mamori assess",
                       .resource_type = "Requirement",
                       .resource_id = requirement};
  return tx.AppendAudit(ledger::ToJson(e)).status();
}

core::Status PutWithAudit(store::Store& store, const char* kind, const std::string& key,
                          const std::string& body, const std::string& action,
                          const std::string& by) {
  return store.Write([&](store::Transaction& tx) -> core::Status {
    MAMORI_ASSIGN_OR_RETURN(std::optional<store::Record> old, store.GetRecord(kind, key));
    MAMORI_RETURN_IF_ERROR(tx.PutRecord(kind, key, body, old ? old->version : 0).status());
    return Audit(tx, action, by, key);
  });
}

}  // namespace

std::optional<core::Clock::WallTime> DefaultExpiry(const Requirement& row,
                                                   core::Clock::WallTime at) {
  for (const Verification& v : row.verification) {
    if (v.type == VerificationType::kAttest && v.expiry_months) {
      return at + std::chrono::months(*v.expiry_months);
    }
  }
  return std::nullopt;
}

std::string_view PartyName(Party party) {
  switch (party) {
    case Party::kInstitution:
      return "institution";
    case Party::kVendor:
      return "vendor";
    case Party::kCloud:
      return "cloud";
  }
  return "institution";
}

core::Result<Party> ParsePartyName(std::string_view name) {
  if (name == "institution") return Party::kInstitution;
  if (name == "vendor") return Party::kVendor;
  if (name == "cloud") return Party::kCloud;
  return core::InvalidArgumentError("the party must be institution, vendor or cloud");
}

std::string EncodeAttestation(const Attestation& a) {
  json::array files;
  for (const AttachedFile& f : a.files) {
    files.push_back(json::object{{"name", f.name},
                                 {"sha256", f.sha256},
                                 {"content", crypto::HexEncode(crypto::AsBytes(f.content))}});
  }
  json::object o{{"requirement", a.requirement},
                 {"by", a.by},
                 {"at_ms", Ms(a.at)},
                 {"text", a.text},
                 {"files", files},
                 {"vendor", a.vendor},
                 {"contract_ref", a.contract_ref}};
  if (a.expires) o["expires_ms"] = Ms(*a.expires);
  return json::serialize(o);
}

core::Result<Attestation> DecodeAttestation(std::string_view text) {
  MAMORI_ASSIGN_OR_RETURN(json::object o, ParseObject(text, "an attestation record"));
  Attestation a{.requirement = Str(o, "requirement"),
                .by = Str(o, "by"),
                .at = FromMs(Int(o, "at_ms")),
                .text = Str(o, "text"),
                .vendor = Str(o, "vendor"),
                .contract_ref = Str(o, "contract_ref")};
  if (o.contains("expires_ms")) a.expires = FromMs(Int(o, "expires_ms"));
  if (const json::value* files = o.if_contains("files"); files != nullptr && files->is_array()) {
    for (const json::value& f : files->as_array()) {
      if (!f.is_object()) continue;
      auto bytes = crypto::HexDecode(Str(f.as_object(), "content"));
      a.files.push_back({.name = Str(f.as_object(), "name"),
                         .sha256 = Str(f.as_object(), "sha256"),
                         .content = bytes ? std::string(bytes->begin(), bytes->end()) : ""});
    }
  }
  if (a.requirement.empty()) return core::DataLossError("an attestation record has no requirement");
  return a;
}

std::string EncodeMatrixEntry(const MatrixEntry& m) {
  return json::serialize(json::object{{"requirement", m.requirement},
                                      {"party", PartyName(m.party)},
                                      {"party_name", m.party_name},
                                      {"note", m.note},
                                      {"set_by", m.set_by},
                                      {"set_at_ms", Ms(m.set_at)}});
}

core::Result<MatrixEntry> DecodeMatrixEntry(std::string_view text) {
  MAMORI_ASSIGN_OR_RETURN(json::object o, ParseObject(text, "a matrix record"));
  MatrixEntry m{.requirement = Str(o, "requirement"),
                .party_name = Str(o, "party_name"),
                .note = Str(o, "note"),
                .set_by = Str(o, "set_by"),
                .set_at = FromMs(Int(o, "set_at_ms"))};
  core::Result<Party> party = ParsePartyName(Str(o, "party"));
  if (!party.ok()) return core::DataLossError("a matrix record has an unknown party");
  m.party = *party;
  return m;
}

core::Status SaveAttestation(store::Store& store, const Attestation& given) {
  const Requirement* row = Catalogue::Embedded().Find(given.requirement);
  if (row == nullptr) {
    return core::InvalidArgumentError("unknown requirement ID " + given.requirement +
                                      " (see the report for the IDs)");
  }
  Attestation a = given;
  if (!a.expires) a.expires = DefaultExpiry(*row, a.at);
  if (a.by.empty()) return core::InvalidArgumentError("an attestation needs --by NAME");
  if (a.text.empty()) return core::InvalidArgumentError("an attestation needs --text");
  if (a.vendor.empty() != a.contract_ref.empty()) {
    return core::InvalidArgumentError(
        "a vendor's attestation needs both --vendor NAME and --contract REF");
  }
  for (const AttachedFile& f : a.files) {
    if (f.content.size() > kMaxAttachmentBytes) {
      return core::InvalidArgumentError("attached file " + f.name + " is larger than 4 MiB");
    }
  }
  if (a.expires && *a.expires <= a.at) {
    return core::InvalidArgumentError("--expires must be after the attestation date");
  }
  return PutWithAudit(store, kAttestationKind, a.requirement, EncodeAttestation(a),
                      "compliance-attest", a.by);
}

core::Status SaveMatrixEntry(store::Store& store, const MatrixEntry& m) {
  if (Catalogue::Embedded().Find(m.requirement) == nullptr) {
    return core::InvalidArgumentError("unknown requirement ID " + m.requirement);
  }
  if (m.set_by.empty()) return core::InvalidArgumentError("a matrix change needs --by NAME");
  return PutWithAudit(store, kMatrixKind, m.requirement, EncodeMatrixEntry(m), "compliance-matrix",
                      m.set_by);
}

core::Result<std::vector<Attestation>> ListAttestations(store::Store& store) {
  MAMORI_ASSIGN_OR_RETURN(std::vector<store::Record> records, store.ListRecords(kAttestationKind));
  std::vector<Attestation> out;
  for (const store::Record& r : records) {
    MAMORI_ASSIGN_OR_RETURN(Attestation a, DecodeAttestation(r.body));
    out.push_back(std::move(a));
  }
  return out;
}

core::Result<std::vector<MatrixEntry>> ListMatrix(store::Store& store) {
  MAMORI_ASSIGN_OR_RETURN(std::vector<store::Record> records, store.ListRecords(kMatrixKind));
  std::vector<MatrixEntry> out;
  for (const store::Record& r : records) {
    MAMORI_ASSIGN_OR_RETURN(MatrixEntry m, DecodeMatrixEntry(r.body));
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace mamori::compliance
