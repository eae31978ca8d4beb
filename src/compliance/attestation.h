// SPDX-License-Identifier: Apache-2.0
#pragma once

// Attestations and the 責任分界 responsibility matrix (issue 9).
//
// An attestation is a person's signed-off statement that an organisational
// requirement is met: who, when, free text, attached files, an expiry after
// which the item is unknown again, and, for an item a vendor or cloud
// contract covers (patterns II and IV), the vendor and the contract
// reference. It is stored as a sealed record (store.h Record, kind
// "compliance-attestation", key the requirement ID: encrypted at rest, backed
// up with the data) and recorded in the audit ledger in the same transaction
// (action "compliance-attest"), so the trail shows every attestation ever made
// even after a newer one replaces it.
//
// The matrix says who is responsible for each requirement: the institution,
// the system vendor or the cloud/service provider, with the party's name.
// Rows nobody set default from the reference pattern (assessment.h).
// Stored the same way (kind "compliance-matrix", action "compliance-matrix").
//
//   compliance::Attestation a{.requirement = "GOV-02", .by = "院長 山田", .text = "...",
//                             .at = env.clock().Now()};
//   MAMORI_RETURN_IF_ERROR(compliance::SaveAttestation(store, a));
//
// Thread-safety: values; the functions are as thread-safe as the store.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compliance/catalogue.h"
#include "core/clock.h"
#include "core/status.h"
#include "store/store.h"

namespace mamori::compliance {

inline constexpr char kAttestationKind[] = "compliance-attestation";
inline constexpr char kMatrixKind[] = "compliance-matrix";
// Largest attached file accepted (they live inside the sealed record).
inline constexpr size_t kMaxAttachmentBytes = 4 * 1024 * 1024;

struct AttachedFile {
  std::string name;     // base name only
  std::string sha256;   // hex, shown in the report
  std::string content;  // the bytes (sealed with the record)
};

struct Attestation {
  std::string requirement;  // catalogue ID
  std::string by;           // who attests (name and role, free text)
  core::Clock::WallTime at;
  std::string text;
  std::vector<AttachedFile> files;
  std::optional<core::Clock::WallTime> expires;
  // Covered by a vendor or cloud contract: whose attestation this is and the
  // contract it rests on. Both set or both empty.
  std::string vendor;
  std::string contract_ref;

  bool ExpiredAt(core::Clock::WallTime now) const { return expires && *expires <= now; }
};

enum class Party { kInstitution, kVendor, kCloud };
// "institution", "vendor", "cloud".
std::string_view PartyName(Party party);
core::Result<Party> ParsePartyName(std::string_view name);

struct MatrixEntry {
  std::string requirement;
  Party party = Party::kInstitution;
  std::string party_name;  // e.g. the vendor's company name; may be empty
  std::string note;
  std::string set_by;
  core::Clock::WallTime set_at;
};

std::string EncodeAttestation(const Attestation& a);
core::Result<Attestation> DecodeAttestation(std::string_view json);
std::string EncodeMatrixEntry(const MatrixEntry& m);
core::Result<MatrixEntry> DecodeMatrixEntry(std::string_view json);

// The expiry the catalogue gives an attestation of `row` made at `at` (its
// attestation's expiry_months), or nullopt when it names none.
std::optional<core::Clock::WallTime> DefaultExpiry(const Requirement& row,
                                                   core::Clock::WallTime at);

// Checks `a` (known ID, who, text, vendor with contract) and stores it
// (without an expiry, the catalogue's default for the row applies),
// replacing the requirement's previous attestation, with its ledger event in
// the same transaction. Errors: kInvalidArgument naming the field.
core::Status SaveAttestation(store::Store& store, const Attestation& a);
core::Status SaveMatrixEntry(store::Store& store, const MatrixEntry& m);

core::Result<std::vector<Attestation>> ListAttestations(store::Store& store);
core::Result<std::vector<MatrixEntry>> ListMatrix(store::Store& store);

}  // namespace mamori::compliance
