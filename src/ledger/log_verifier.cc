// SPDX-License-Identifier: Apache-2.0
#include "ledger/log_verifier.h"

#include <algorithm>

#include "ledger/hash.h"
#include "ledger/leaf.h"
#include "ledger/tree_head.h"

namespace mamori::ledger {

void LogVerifier::Report(std::string kind, uint64_t index, std::string what) {
  problems_.push_back({std::move(kind), index, std::move(what)});
}

void LogVerifier::AddRow(uint64_t stored_index, std::span<const uint8_t> bytes,
                         std::span<const uint8_t> stored_hash) {
  const uint64_t expected = tree_.size();
  if (stored_index > expected) {
    // Rows [expected, stored_index) were deleted. The row is appended where it
    // now sits, so every head over the gap fails too.
    Report("leaf", expected,
           "missing (rows jump from " + std::to_string(expected) + " to " +
               std::to_string(stored_index) + ")");
  }
  Hash leaf_hash = HashLeaf(bytes);
  core::Result<Leaf> leaf = DecodeLeaf(bytes);
  if (!leaf.ok()) {
    Report("leaf", stored_index, "does not decode: " + leaf.status().message());
  } else if (leaf->sequence != stored_index) {
    Report("leaf", stored_index,
           "carries sequence " + std::to_string(leaf->sequence) + " (moved or swapped)");
  }
  if (stored_hash.empty()) {
    Report("leaf", stored_index, "its recorded hash (ledger_node level 0) is missing");
  } else if (stored_hash.size() != kHashSize ||
             !std::equal(stored_hash.begin(), stored_hash.end(), leaf_hash.begin())) {
    Report("leaf", stored_index, "differs from its recorded hash (altered)");
  }
  tree_.Append(leaf_hash);
}

void LogVerifier::AddHead(std::span<const uint8_t> sth, const std::string& origin) {
  heads_.push_back({std::string(sth.begin(), sth.end()), origin});
}

void LogVerifier::CheckHead(const PendingHead& pending, uint64_t& last_good_size) {
  ++heads_checked_;
  core::Result<SignedTreeHead> sth = SignedTreeHead::Parse(std::span<const uint8_t>(
      reinterpret_cast<const uint8_t*>(pending.bytes.data()), pending.bytes.size()));
  if (!sth.ok()) {
    Report("head", 0, pending.origin + " head does not parse: " + sth.status().message());
    return;
  }
  const uint64_t size = sth->head().tree_size;
  core::Status signature = sth->Verify(key_);
  if (!signature.ok()) {
    Report("head", size, pending.origin + " head: " + signature.message());
    return;
  }
  if (size > tree_.size()) {
    Report("head", size,
           pending.origin + " head covers " + std::to_string(size) + " leaves but the log holds " +
               std::to_string(tree_.size()) + " (truncated)");
    return;
  }
  core::Result<Hash> root = tree_.RootAt(size);
  if (!root.ok() || *root != sth->head().root_hash) {
    Report("head", size,
           pending.origin + " head's root differs from the stored leaves: leaves in [" +
               std::to_string(last_good_size) + ", " + std::to_string(size) +
               ") were changed, removed or reordered");
    return;
  }
  last_good_size = std::max(last_good_size, size);
}

std::vector<LogProblem> LogVerifier::Finish() {
  std::stable_sort(heads_.begin(), heads_.end(), [](const PendingHead& a, const PendingHead& b) {
    auto size = [](const PendingHead& h) {
      auto p = SignedTreeHead::Parse(std::span<const uint8_t>(
          reinterpret_cast<const uint8_t*>(h.bytes.data()), h.bytes.size()));
      return p.ok() ? p->head().tree_size : 0;
    };
    return size(a) < size(b);
  });
  uint64_t last_good_size = 0;
  for (const PendingHead& head : heads_) CheckHead(head, last_good_size);
  return problems_;
}

}  // namespace mamori::ledger
