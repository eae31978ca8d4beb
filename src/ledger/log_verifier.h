// SPDX-License-Identifier: Apache-2.0
#pragma once

// ledger::LogVerifier: recomputes the audit log from its stored rows and
// checks every tree head against it, reporting every problem with its
// location instead of stopping at the first (STYLE.md rule 12; GUIDELINE
// PLAN-10, SYS-54). No key but the log's public key is needed: leaf hashes
// cover the ciphertext. `mamori audit verify` feeds it from the database
// (store::ReadAuditLog) and from an exported head file.
//
//   ledger::LogVerifier v(public_key);
//   for (each row in index order) v.AddRow(row.index, leaf_bytes, stored_level0_hash);
//   for (each stored head) v.AddHead(sth_bytes, "stored");
//   v.AddHead(exported_sth, "exported");        // catches truncate-and-re-append
//   for (const ledger::LogProblem& p : v.Finish()) print(p.index, p.what);
//
// What each tampering looks like:
//   a changed leaf byte  -> "leaf i: differs from its recorded hash" (and the
//                           heads over it no longer match);
//   a deleted row        -> "leaf i: missing";
//   two swapped rows     -> "leaf i: carries sequence j" for both;
//   a rewritten tail     -> a head (stored or exported) whose root differs,
//                           with the range of leaves that changed.
//
// Not thread-safe; one verification per object. Memory: 64 bytes per leaf.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "crypto/signature.h"
#include "ledger/in_memory_tree.h"

namespace mamori::ledger {

struct LogProblem {
  // "leaf" (index = the leaf index) or "head" (index = the head's tree size).
  std::string kind;
  uint64_t index = 0;
  std::string what;
};

class LogVerifier {
 public:
  explicit LogVerifier(crypto::VerifyingKey key) : key_(std::move(key)) {}

  // One stored leaf row, in ascending `stored_index` order. `stored_hash` is
  // the row's recorded leaf hash (ledger_node level 0), empty if missing.
  void AddRow(uint64_t stored_index, std::span<const uint8_t> leaf,
              std::span<const uint8_t> stored_hash);
  // A serialized tree head to check once every row is in; `origin` names
  // where it came from in reports ("stored", "exported").
  void AddHead(std::span<const uint8_t> sth, const std::string& origin);

  // Checks the heads (in order of tree size) and returns every problem.
  std::vector<LogProblem> Finish();

  uint64_t leaves() const { return tree_.size(); }
  size_t heads_checked() const { return heads_checked_; }

 private:
  struct PendingHead {
    std::string bytes;
    std::string origin;
  };
  void CheckHead(const PendingHead& head, uint64_t& last_good_size);
  void Report(std::string kind, uint64_t index, std::string what);

  crypto::VerifyingKey key_;
  InMemoryTree tree_;
  std::vector<PendingHead> heads_;
  std::vector<LogProblem> problems_;
  size_t heads_checked_ = 0;
};

}  // namespace mamori::ledger
