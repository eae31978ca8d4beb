// SPDX-License-Identifier: Apache-2.0
#include "backup/retention.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>

#include <boost/json.hpp>

#include "backup/internal/manifest.h"
#include "crypto/hex.h"

namespace mamori::backup {
namespace {

namespace json = boost::json;
using internal::PackObjectName;

constexpr int64_t kMicrosPerDay = 86'400'000'000;

int64_t DayOf(int64_t us) { return us >= 0 ? us / kMicrosPerDay : (us + 1) / kMicrosPerDay - 1; }

// ISO weeks start on Monday; 1970-01-01 was a Thursday, so day 4 is Monday.
int64_t WeekOf(int64_t us) {
  int64_t day = DayOf(us) - 4;
  return day >= 0 ? day / 7 : (day + 1) / 7 - 1;
}

int64_t MonthOf(int64_t us) {
  std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{DayOf(us)}}};
  return static_cast<int>(ymd.year()) * 12 + static_cast<int>(static_cast<unsigned>(ymd.month()));
}

std::string NowStamp(core::Env& env) {
  std::string stamp =
      core::FormatRfc3339(std::chrono::floor<std::chrono::seconds>(env.clock().Now()));
  std::string compact;
  for (char c : stamp.substr(0, stamp.find('.'))) {
    if (c != '-' && c != ':' && c != 'Z') compact.push_back(c == 'T' ? 't' : c);
  }
  uint8_t r[4];
  env.random().Fill(r);
  return compact + "z-" + crypto::HexEncode(r);
}

}  // namespace

std::set<std::string> RetainedSnapshots(const std::vector<SnapshotInfo>& snapshots,
                                        const RetentionPolicy& policy) {
  std::vector<const SnapshotInfo*> newest_first;
  for (const SnapshotInfo& s : snapshots) {
    if (s.signature_ok) newest_first.push_back(&s);
  }
  std::stable_sort(
      newest_first.begin(), newest_first.end(), [](const SnapshotInfo* a, const SnapshotInfo* b) {
        return a->created_us != b->created_us ? a->created_us > b->created_us : a->id > b->id;
      });
  std::set<std::string> kept;
  for (int i = 0; i < policy.last && i < static_cast<int>(newest_first.size()); ++i) {
    kept.insert(newest_first[i]->id);
  }
  auto keep_buckets = [&](int count, int64_t (*bucket)(int64_t)) {
    int used = 0;
    std::optional<int64_t> previous;
    for (const SnapshotInfo* s : newest_first) {
      if (used >= count) break;
      int64_t b = bucket(s->created_us);
      if (previous && *previous == b) continue;
      previous = b;
      kept.insert(s->id);
      ++used;
    }
  };
  keep_buckets(policy.daily, DayOf);
  keep_buckets(policy.weekly, WeekOf);
  keep_buckets(policy.monthly, MonthOf);
  return kept;
}

core::Result<PruneReport> Prune(PrunableDestination& dest, const AdminKey& admin,
                                const RetentionPolicy& policy, bool dry_run, core::Env& env) {
  MAMORI_ASSIGN_OR_RETURN(internal::RepositoryConfig config, internal::ReadRepositoryConfig(dest));
  if (config.format == 1) {
    return core::FailedPreconditionError(
        dest.Describe() +
        " holds format-1 backups (mamori-backup/1), which this mamori does not prune; keep the "
        "destination as it is until its snapshots are no longer needed, then remove it whole");
  }
  if (!config.admin_public_key) {
    return core::PermissionDeniedError(
        dest.Describe() +
        " was created without an admin key and cannot be pruned; start a new destination with "
        "--admin-public-key");
  }
  if (admin.key.PublicKey().Raw() != config.admin_public_key->Raw()) {
    return core::PermissionDeniedError("this is not the admin key of " + dest.Describe() +
                                       "; nothing was removed");
  }
  MAMORI_ASSIGN_OR_RETURN(std::vector<SnapshotInfo> snapshots, ListSnapshots(dest));
  for (const SnapshotInfo& s : snapshots) {
    if (!s.signature_ok) {
      return core::FailedPreconditionError("snapshot " + s.id +
                                           "'s manifest does not verify; nothing was removed; "
                                           "run `mamori backup verify` first");
    }
  }
  std::set<std::string> keep = RetainedSnapshots(snapshots, policy);
  PruneReport report;
  // A pack goes only when no chunk in it is referenced by a kept snapshot;
  // a pack that kept snapshots still use stays whole (no repacking yet).
  using Blob = std::pair<uint64_t, uint64_t>;                // offset, length
  std::map<std::string, std::set<Blob>> needed, candidates;  // pack -> blobs
  for (const SnapshotInfo& s : snapshots) {
    MAMORI_ASSIGN_OR_RETURN(std::string bytes, dest.Get("snapshots/" + s.id + ".manifest"));
    MAMORI_ASSIGN_OR_RETURN(internal::Manifest m,
                            internal::ParseManifest(bytes, config.public_key));
    bool kept = keep.contains(s.id);
    (kept ? report.kept : report.removed).push_back(s.id);
    for (const internal::FileEntry& f : m.files) {
      for (const internal::ChunkRef& c : f.chunks) {
        (kept ? needed : candidates)[c.pack].emplace(c.offset, c.length);
      }
    }
  }
  std::vector<std::string> packs;
  uint64_t chunks_in_removed_packs = 0;
  for (const auto& [pack, blobs] : candidates) {
    auto used = needed.find(pack);
    if (used == needed.end()) {
      packs.push_back(PackObjectName(pack));
      chunks_in_removed_packs += blobs.size();
      continue;
    }
    for (const Blob& b : blobs) {
      if (!used->second.contains(b)) {
        ++report.chunks_kept_unreferenced;
        report.bytes_kept_unreferenced += b.second;
      }
    }
  }
  // Packs no manifest references (an interrupted backup's) stay: a backup
  // running now may be about to reference them.
  if (dry_run || report.removed.empty()) {
    report.packs_removed = packs.size();
    report.chunks_removed = chunks_in_removed_packs;
    return report;
  }
  // The signed record first, so that a prune cut short is still accounted for.
  json::array removed;
  for (const std::string& id : report.removed) removed.push_back(json::value(id));
  std::string body = json::serialize(json::object{
                         {"prune", "mamori-backup/1"},
                         {"time_us", std::chrono::duration_cast<std::chrono::microseconds>(
                                         env.clock().Now().time_since_epoch())
                                         .count()},
                         {"removed", removed},
                         {"policy", json::object{{"last", policy.last},
                                                 {"daily", policy.daily},
                                                 {"weekly", policy.weekly},
                                                 {"monthly", policy.monthly}}}}) +
                     "\n";
  crypto::Ed25519Signature sig = admin.key.Sign(crypto::AsBytes(body));
  MAMORI_RETURN_IF_ERROR(dest.PutNew(
      "prunes/" + NowStamp(env) + ".json",
      body + json::serialize(json::object{{"signature", crypto::HexEncode(sig)}}) + "\n"));
  // Manifests before chunks: a snapshot is never left pointing at removed chunks.
  for (const std::string& id : report.removed) {
    MAMORI_RETURN_IF_ERROR(dest.Remove("snapshots/" + id + ".manifest"));
  }
  for (const std::string& p : packs) {
    core::Status s = dest.Remove(p);
    if (s.code() == core::StatusCode::kNotFound) continue;
    MAMORI_RETURN_IF_ERROR(s);
    ++report.packs_removed;
  }
  report.chunks_removed = chunks_in_removed_packs;
  return report;
}

}  // namespace mamori::backup
