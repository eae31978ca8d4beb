// SPDX-License-Identifier: Apache-2.0
#include "backup/repository.h"

#include <zstd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <thread>
#include <tuple>
#include <unordered_map>

#include <boost/json.hpp>

#include "backup/internal/manifest.h"
#include "crypto/hex.h"

namespace mamori::backup {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;
using internal::ChunkRef;
using internal::FileEntry;
using internal::Manifest;
using internal::PackObjectName;

constexpr std::string_view kConfigFormat = "mamori-backup/2";
// One object per chunk under chunks/ (until 2026-11-25): still read (list,
// verify, restore), never written to (repository.h).
constexpr std::string_view kOldConfigFormat = "mamori-backup/1";
constexpr uint8_t kCodecZstd = 1;
// zstd's first "fast" level (-1): on a database file (64 MB sample, 64 KiB
// blocks) it stored 0.1% more than level 1 at about twice the speed (553-597
// vs 245-333 MB/s), and level 3 was slower again for 0.2% less (PERFORMANCE.md).
constexpr int kZstdLevel = -1;

int64_t NowMicros(core::Env& env) {
  return std::chrono::duration_cast<std::chrono::microseconds>(env.clock().Now().time_since_epoch())
      .count();
}

std::string Sha256Hex(std::string_view bytes) {
  return crypto::HexEncode(crypto::Sha256(crypto::AsBytes(bytes)));
}

std::string ChunkAad(std::string_view id) { return "mamori/backup/chunk/" + std::string(id); }

using Config = internal::RepositoryConfig;

// A manifest of this repository: signed by its key, and of its format (a
// format-1 manifest in a format-2 repository, or the reverse, is damage).
core::Result<Manifest> ParseManifestOf(const Config& config, std::string_view bytes) {
  MAMORI_ASSIGN_OR_RETURN(Manifest m, internal::ParseManifest(bytes, config.public_key));
  if (m.format != config.format) {
    return core::DataLossError("manifest is of format " + std::to_string(m.format) +
                               ", the repository of format " + std::to_string(config.format));
  }
  return m;
}

// The object that holds a chunk's sealed blob: its pack, or (format 1) its
// own object chunks/ab/<id>.
std::string ObjectOf(const ChunkRef& c) {
  return c.pack.empty() ? internal::ChunkObjectName(c.id) : PackObjectName(c.pack);
}

// Where a blob is, for messages: "packs/ab/<pack> offset 196608 length 40321
// chunk <id>", or (format 1) "chunks/ab/<id>" as format 1 reported it.
std::string BlobLocation(const ChunkRef& c) {
  if (c.pack.empty()) return internal::ChunkObjectName(c.id);
  return PackObjectName(c.pack) + " offset " + std::to_string(c.offset) + " length " +
         std::to_string(c.length) + " chunk " + c.id;
}

// A chunk's sealed blob: a range of its pack, or (format 1) a whole object.
core::Result<std::string> ReadBlob(Destination& dest, const ChunkRef& c) {
  if (c.pack.empty()) return dest.Get(internal::ChunkObjectName(c.id));
  return dest.GetRange(PackObjectName(c.pack), c.offset, c.length);
}

// What the repository already holds: chunk id -> (stored sha, plain size),
// from every manifest that verifies.
core::Result<std::unordered_map<std::string, ChunkRef>> KnownChunks(
    Destination& dest, const crypto::VerifyingKey& key) {
  std::unordered_map<std::string, ChunkRef> known;
  MAMORI_ASSIGN_OR_RETURN(std::vector<std::string> names, dest.List("snapshots/"));
  for (const std::string& name : names) {
    MAMORI_ASSIGN_OR_RETURN(std::string bytes, dest.Get(name));
    auto manifest = internal::ParseManifest(bytes, key);
    if (!manifest.ok() || manifest->format != 2) continue;  // vouches for nothing
    for (const FileEntry& f : manifest->files) {
      for (const ChunkRef& c : f.chunks) known.emplace(c.id, c);
    }
  }
  return known;
}

core::Result<std::string> SealChunk(const BackupKeys& keys, std::string_view id,
                                    std::span<const uint8_t> plain, core::Env& env) {
  // One compression context per thread: making one per chunk costs more
  // than compressing a chunk at level 1 (it clears its tables).
  thread_local std::unique_ptr<ZSTD_CCtx, size_t (*)(ZSTD_CCtx*)> cctx(ZSTD_createCCtx(),
                                                                       ZSTD_freeCCtx);
  if (!cctx) return core::InternalError("zstd context allocation failed");
  std::string framed(1 + ZSTD_compressBound(plain.size()), '\0');
  framed[0] = static_cast<char>(kCodecZstd);
  size_t n = ZSTD_compressCCtx(cctx.get(), framed.data() + 1, framed.size() - 1, plain.data(),
                               plain.size(), kZstdLevel);
  if (ZSTD_isError(n)) return core::InternalError("zstd compression failed");
  framed.resize(1 + n);
  return crypto::Aead::Seal(keys.seal, crypto::AsBytes(framed), crypto::AsBytes(ChunkAad(id)),
                            env.random());
}

core::Result<std::string> OpenChunk(const BackupKeys& keys, const ChunkRef& ref,
                                    std::string_view stored) {
  auto framed =
      crypto::Aead::Open(keys.seal, crypto::AsBytes(stored), crypto::AsBytes(ChunkAad(ref.id)));
  if (!framed.ok()) return core::DataLossError("does not decrypt (tampered or wrong key)");
  if (framed->size() < 1 || framed->data()[0] != kCodecZstd) {
    return core::DataLossError("unknown chunk codec");
  }
  thread_local std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> dctx(ZSTD_createDCtx(),
                                                                       ZSTD_freeDCtx);
  if (!dctx) return core::InternalError("zstd context allocation failed");
  std::string plain(ref.size, '\0');
  size_t n = ZSTD_decompressDCtx(dctx.get(), plain.data(), plain.size(), framed->data() + 1,
                                 framed->size() - 1);
  if (ZSTD_isError(n) || n != ref.size) return core::DataLossError("does not decompress");
  crypto::HmacSha256Tag id = crypto::HmacSha256(keys.chunk_id, crypto::AsBytes(plain));
  if (crypto::HexEncode(id) != ref.id) return core::DataLossError("content does not match its id");
  return plain;
}

std::string NewSnapshotId(core::Env& env) {
  auto now = std::chrono::floor<std::chrono::seconds>(env.clock().Now());
  std::string stamp = core::FormatRfc3339(now);  // 2026-11-25T05:00:00Z
  std::string compact;
  for (char c : stamp.substr(0, stamp.find('.'))) {  // no fraction: whole seconds
    if (c != '-' && c != ':' && c != 'Z') compact.push_back(c == 'T' ? 't' : c);
  }
  compact.push_back('z');
  uint8_t r[4];
  env.random().Fill(r);
  return compact + "-" + crypto::HexEncode(r);
}

core::Result<Config> ReadConfig(Destination& dest) { return internal::ReadRepositoryConfig(dest); }

}  // namespace

core::Status internal::FormatOneIsReadOnly(Destination& dest) {
  return core::FailedPreconditionError(
      dest.Describe() +
      " holds format-1 backups (mamori-backup/1), which this mamori reads but does not add to; "
      "back up to a new destination; the old snapshots stay restorable here");
}

core::Result<internal::RepositoryConfig> internal::ReadRepositoryConfig(Destination& dest) {
  MAMORI_ASSIGN_OR_RETURN(std::string text, dest.Get("config"));
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return core::DataLossError("backup config is not JSON");
  const json::object& o = v.as_object();
  auto str = [&](const char* k) {
    const json::value* x = o.if_contains(k);
    return x && x->is_string() ? std::string(x->as_string()) : std::string();
  };
  int format = str("format") == kConfigFormat ? 2 : str("format") == kOldConfigFormat ? 1 : 0;
  if (format == 0) return core::DataLossError("not a mamori backup repository");
  auto pub = crypto::HexDecode(str("manifest_public_key"));
  auto wrapped = crypto::HexDecode(str("wrapped_keys"));
  if (!pub || !wrapped) return core::DataLossError("backup config keys are not hex");
  MAMORI_ASSIGN_OR_RETURN(crypto::VerifyingKey key, crypto::VerifyingKey::Import(*pub));
  Config config{.format = format,
                .repository = str("repository"),
                .public_key = key,
                .wrapped_keys = std::string(wrapped->begin(), wrapped->end())};
  if (std::string admin_hex = str("admin_public_key"); !admin_hex.empty()) {
    auto admin = crypto::HexDecode(admin_hex);
    if (!admin) return core::DataLossError("backup config admin key is not hex");
    MAMORI_ASSIGN_OR_RETURN(crypto::VerifyingKey admin_key, crypto::VerifyingKey::Import(*admin));
    config.admin_public_key = admin_key;
  }
  return config;
}

core::Status InitRepository(Destination& dest, const BackupKeys& keys, const crypto::AeadKey& kek,
                            core::Env& env, const std::optional<crypto::VerifyingKey>& admin) {
  MAMORI_ASSIGN_OR_RETURN(bool exists, dest.Exists("config"));
  std::string public_hex = crypto::HexEncode(keys.signing.PublicKey().Raw());
  if (exists) {
    MAMORI_ASSIGN_OR_RETURN(Config config, ReadConfig(dest));
    if (crypto::HexEncode(config.public_key.Raw()) != public_hex) {
      return core::FailedPreconditionError(
          dest.Describe() + " holds another installation's backups; choose another destination");
    }
    return core::Status::Ok();
  }
  MAMORI_ASSIGN_OR_RETURN(std::string wrapped, keys.Wrap(kek, env.random()));
  uint8_t id[16];
  env.random().Fill(id);
  json::object config{{"format", kConfigFormat},
                      {"repository", crypto::HexEncode(id)},
                      {"manifest_public_key", public_hex},
                      {"wrapped_keys", crypto::HexEncode(crypto::AsBytes(wrapped))},
                      {"created_us", NowMicros(env)}};
  if (admin) config["admin_public_key"] = crypto::HexEncode(admin->Raw());
  return dest.PutNew("config", json::serialize(config) + "\n");
}

core::Result<BackupKeys> OpenRepositoryKeys(Destination& dest, const crypto::AeadKey& kek) {
  MAMORI_ASSIGN_OR_RETURN(Config config, ReadConfig(dest));
  MAMORI_ASSIGN_OR_RETURN(BackupKeys keys, BackupKeys::Unwrap(kek, config.wrapped_keys));
  if (keys.signing.PublicKey().Raw() != config.public_key.Raw()) {
    return core::DataLossError("backup config's public key does not match its keys");
  }
  return keys;
}

namespace {

// One chunk's result from a worker: its manifest entry (with the location of
// the blob if the repository already had it), and the sealed blob if not.
struct ChunkOutcome {
  ChunkRef ref;
  std::string blob;  // empty if the repository already holds the chunk
};

// Names a chunk and, unless the repository already has it, compresses and
// seals it. Runs on worker threads: `known` is only read here (it is updated
// between batches, on the ordering thread). An unchanged chunk costs only the
// HMAC.
core::Result<ChunkOutcome> SealPiece(const BackupKeys& keys,
                                     const std::unordered_map<std::string, ChunkRef>& known,
                                     std::span<const uint8_t> piece, core::Env& env) {
  std::string id = crypto::HexEncode(crypto::HmacSha256(keys.chunk_id, piece));
  if (auto found = known.find(id); found != known.end()) return ChunkOutcome{.ref = found->second};
  ChunkOutcome out{.ref = {.id = id, .size = piece.size()}};
  MAMORI_ASSIGN_OR_RETURN(out.blob, SealChunk(keys, id, piece, env));
  out.ref.stored_sha = Sha256Hex(out.blob);
  out.ref.length = out.blob.size();
  return out;
}

// A run of chunks cut from one file, owning its bytes so that it can be
// sealed on workers while the next batch is read and cut.
struct Batch {
  std::vector<uint8_t> bytes;
  std::vector<std::span<const uint8_t>> pieces;
};

// Runs SealPiece over a batch on `workers` threads; results in order.
core::Result<std::vector<ChunkOutcome>> SealBatch(
    const BackupKeys& keys, const std::unordered_map<std::string, ChunkRef>& known,
    const Batch& batch, size_t workers, core::Env& env) {
  std::vector<core::Result<ChunkOutcome>> results(batch.pieces.size(),
                                                  core::Result<ChunkOutcome>(ChunkOutcome{}));
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < batch.pieces.size(); i = next++) {
      results[i] = SealPiece(keys, known, batch.pieces[i], env);
    }
  };
  std::vector<std::thread> threads;
  for (size_t w = 1; w < workers; ++w) threads.emplace_back(work);
  work();
  for (std::thread& t : threads) t.join();
  std::vector<ChunkOutcome> out;
  out.reserve(results.size());
  for (auto& r : results) {
    MAMORI_RETURN_IF_ERROR(r.status());
    out.push_back(*std::move(r));
  }
  return out;
}

// Appends sealed blobs to write-once pack objects of about `target` bytes.
// A full pack is written (one fsync) on a background thread while the next
// one fills; at most one write is in flight, which bounds memory to two packs.
class PackWriter {
 public:
  PackWriter(Destination& dest, size_t target, core::Random& random)
      : dest_(dest), target_(target), random_(random) {}
  ~PackWriter() {
    if (pending_.valid()) pending_.wait();
  }

  // Places `blob` in the current pack and records where in `ref`.
  core::Status Add(ChunkRef& ref, std::string_view blob) {
    if (pack_.empty()) {
      uint8_t id[32];
      random_.Fill(id);
      pack_ = crypto::HexEncode(id);
      buffer_.reserve(target_ + blob.size());
    }
    ref.pack = pack_;
    ref.offset = buffer_.size();
    ref.length = blob.size();
    buffer_.append(blob);
    ++packed_;
    if (buffer_.size() >= target_) return Seal();
    return core::Status::Ok();
  }

  // Writes the last pack and waits for every write.
  core::Status Finish() {
    if (!buffer_.empty()) MAMORI_RETURN_IF_ERROR(Seal());
    return Wait();
  }

  uint64_t packs() const { return packs_; }

 private:
  core::Status Wait() {
    if (!pending_.valid()) return core::Status::Ok();
    return pending_.get();
  }
  core::Status Seal() {
    MAMORI_RETURN_IF_ERROR(Wait());
    pending_ =
        std::async(std::launch::async,
                   [&dest = dest_, name = internal::PackObjectName(pack_),
                    bytes = std::move(buffer_)] { return dest.PutNewUnflushed(name, bytes); });
    buffer_ = std::string();
    pack_.clear();
    ++packs_;
    return core::Status::Ok();
  }

  Destination& dest_;
  const size_t target_;
  core::Random& random_;
  std::string pack_;    // hex id of the pack being filled, or ""
  std::string buffer_;  // its bytes so far
  std::future<core::Status> pending_;
  uint64_t packs_ = 0, packed_ = 0;
};

// Bytes read per batch: a few MiB, so that sealing one batch on the workers
// overlaps reading and cutting the next (two batches are held at a time).
constexpr size_t kBatchBytes = 8 << 20;

// Reads the next batch of `in`: the carried-over tail of the previous one,
// then up to kBatchBytes more, cut at content-defined boundaries; the bytes
// after the last cut (less than max_size, unless at the end) are carried.
core::Result<Batch> CutBatch(std::ifstream& in, const std::string& path, const Chunker& chunker,
                             std::vector<uint8_t>& carry, bool& eof) {
  Batch batch;
  batch.bytes.swap(carry);
  carry.clear();
  size_t old = batch.bytes.size();
  if (!eof) {
    size_t want = std::max(kBatchBytes, chunker.params().max_size * 2);
    batch.bytes.resize(old + want);
    in.read(reinterpret_cast<char*>(batch.bytes.data() + old), static_cast<std::streamsize>(want));
    batch.bytes.resize(old + static_cast<size_t>(in.gcount()));
    if (in.bad()) return core::UnavailableError("cannot read " + path);
    eof = in.eof();
  }
  size_t at = 0;
  const size_t max = chunker.params().max_size;
  while (at < batch.bytes.size() && (eof || batch.bytes.size() - at >= max)) {
    std::span<const uint8_t> rest(batch.bytes.data() + at, batch.bytes.size() - at);
    size_t cut = chunker.NextBoundary(rest);
    batch.pieces.push_back(rest.first(cut));
    at += cut;
  }
  carry.assign(batch.bytes.begin() + static_cast<std::ptrdiff_t>(at), batch.bytes.end());
  return batch;
}

}  // namespace

core::Result<SnapshotSummary> CreateSnapshot(Destination& dest, const BackupKeys& keys,
                                             const SnapshotOptions& options, core::Env& env) {
  auto started = env.clock().Monotonic();
  MAMORI_ASSIGN_OR_RETURN(Config config, ReadConfig(dest));
  if (config.format == 1) return internal::FormatOneIsReadOnly(dest);
  MAMORI_ASSIGN_OR_RETURN(auto known, KnownChunks(dest, config.public_key));
  Chunker chunker(keys.seed(), options.chunker);
  // The pipeline: this thread reads and cuts batch N+1 while workers (one per
  // core) name, compress and seal batch N; then this thread places batch N's
  // new blobs into packs in order (the manifest keeps file order), and a
  // background thread writes each full pack.
  size_t workers = std::max<size_t>(1, std::thread::hardware_concurrency());
  SnapshotSummary summary{.id = NewSnapshotId(env)};
  Manifest manifest{.snapshot = summary.id,
                    .created_us = NowMicros(env),
                    .repository = config.repository,
                    .key_file = options.key_file};
  uint64_t total = 0;
  for (const SourceFile& f : options.files) {
    std::error_code ec;
    total += fs::file_size(f.path, ec);
  }
  PackWriter packs(dest, std::max<size_t>(1, options.pack_size), env.random());
  for (const SourceFile& source : options.files) {
    std::ifstream in(source.path, std::ios::binary);
    if (!in) return core::UnavailableError("cannot read " + source.path);
    FileEntry entry{.name = source.name};
    std::vector<uint8_t> carry;
    bool eof = false;
    MAMORI_ASSIGN_OR_RETURN(Batch current, CutBatch(in, source.path, chunker, carry, eof));
    while (!current.pieces.empty()) {
      auto sealing = std::async(std::launch::async,
                                [&] { return SealBatch(keys, known, current, workers, env); });
      core::Result<Batch> next = eof && carry.empty()
                                     ? core::Result<Batch>(Batch{})
                                     : CutBatch(in, source.path, chunker, carry, eof);
      core::Result<std::vector<ChunkOutcome>> outcomes = sealing.get();
      MAMORI_RETURN_IF_ERROR(next.status());
      MAMORI_RETURN_IF_ERROR(outcomes.status());
      for (ChunkOutcome& o : *outcomes) {
        if (!o.blob.empty()) {
          if (auto found = known.find(o.ref.id); found != known.end()) {
            o.ref = found->second;  // the same content earlier in this run
          } else {
            MAMORI_RETURN_IF_ERROR(packs.Add(o.ref, o.blob));
            summary.bytes_written += o.blob.size();
            summary.bytes_new += o.ref.size;
            ++summary.chunks_new;
            known.emplace(o.ref.id, o.ref);
          }
        }
        ++summary.chunks;
        summary.bytes_read += o.ref.size;
        entry.size += o.ref.size;
        entry.chunks.push_back(std::move(o.ref));
        if (options.progress && summary.chunks % 16 == 0) {
          options.progress(summary.bytes_read, total);
        }
      }
      if (options.progress) options.progress(summary.bytes_read, total);
      current = *std::move(next);
    }
    manifest.files.push_back(std::move(entry));
    ++summary.files;
  }
  MAMORI_RETURN_IF_ERROR(packs.Finish());
  summary.packs_new = packs.packs();
  std::string bytes = internal::SerializeManifest(manifest, keys.signing);
  // Every pack durable before the manifest that names them.
  MAMORI_RETURN_IF_ERROR(dest.Flush());
  MAMORI_RETURN_IF_ERROR(dest.PutNew("snapshots/" + summary.id + ".manifest", bytes));
  summary.bytes_written += bytes.size();
  summary.duration =
      std::chrono::duration_cast<std::chrono::milliseconds>(env.clock().Monotonic() - started);
  return summary;
}

core::Result<std::vector<SnapshotInfo>> ListSnapshots(Destination& dest) {
  MAMORI_ASSIGN_OR_RETURN(Config config, ReadConfig(dest));
  MAMORI_ASSIGN_OR_RETURN(std::vector<std::string> names, dest.List("snapshots/"));
  std::vector<SnapshotInfo> out;
  for (const std::string& name : names) {
    std::string id = fs::path(name).stem().string();
    SnapshotInfo info{.id = id};
    MAMORI_ASSIGN_OR_RETURN(std::string bytes, dest.Get(name));
    auto manifest = ParseManifestOf(config, bytes);
    if (manifest.ok()) {
      info.signature_ok = manifest->snapshot == id;
      info.created_us = manifest->created_us;
      info.files = manifest->files.size();
      for (const FileEntry& f : manifest->files) info.bytes += f.size;
    }
    out.push_back(info);
  }
  // Oldest first by creation time: ids name whole seconds plus a random
  // suffix, so two snapshots of one second would otherwise list in random
  // order and "the newest" could be the older one.
  std::stable_sort(out.begin(), out.end(), [](const SnapshotInfo& x, const SnapshotInfo& y) {
    return x.created_us < y.created_us;
  });
  return out;
}

core::Result<VerifyReport> Verify(Destination& dest, const std::optional<std::string>& snapshot,
                                  const std::function<void(uint64_t, uint64_t)>& progress) {
  MAMORI_ASSIGN_OR_RETURN(Config config, ReadConfig(dest));
  MAMORI_ASSIGN_OR_RETURN(std::vector<std::string> names, dest.List("snapshots/"));
  VerifyReport report;
  report.problems = dest.CheckContainer();
  // First every manifest, then every pack they reference, read once each.
  std::vector<std::pair<std::string, Manifest>> manifests;  // snapshot id, manifest
  for (const std::string& name : names) {
    std::string id = fs::path(name).stem().string();
    if (snapshot && *snapshot != id) continue;
    ++report.snapshots;
    MAMORI_ASSIGN_OR_RETURN(std::string bytes, dest.Get(name));
    auto manifest = ParseManifestOf(config, bytes);
    if (!manifest.ok()) {
      report.problems.push_back({name, std::string(manifest.status().message())});
      continue;
    }
    if (manifest->snapshot != id) {
      report.problems.push_back({name, "manifest belongs to snapshot " + manifest->snapshot});
    }
    manifests.emplace_back(id, *std::move(manifest));
  }
  if (snapshot && report.snapshots == 0) return core::NotFoundError("no snapshot " + *snapshot);
  // object (pack, or format-1 chunk object) -> (offset, length, sha) of each
  // blob -> "" if fine, else why not; and how many references each object
  // serves (for progress). A format-1 chunk is its whole object (0, 0, sha).
  using BlobKey = std::tuple<uint64_t, uint64_t, std::string>;
  std::map<std::string, std::map<BlobKey, std::string>> packs;
  std::map<std::string, uint64_t> refs_per_pack;
  uint64_t total_refs = 0, refs_done = 0;
  for (const auto& [id, m] : manifests) {
    for (const FileEntry& f : m.files) {
      for (const ChunkRef& c : f.chunks) {
        packs[ObjectOf(c)].emplace(BlobKey{c.offset, c.length, c.stored_sha}, "");
        ++refs_per_pack[ObjectOf(c)];
        ++total_refs;
      }
    }
  }
  for (auto& [pack, blobs] : packs) {
    auto stored = dest.Get(pack);
    const bool whole = pack.starts_with("chunks/");
    for (auto& [blob, reason] : blobs) {
      const auto& [offset, length, sha] = blob;
      ++report.chunks_checked;
      if (!stored.ok()) {
        reason = stored.status().code() == core::StatusCode::kNotFound
                     ? "missing"
                     : std::string(stored.status().message());
      } else if (whole) {
        report.bytes_checked += stored->size();
        if (Sha256Hex(*stored) != sha) reason = "content changed (hash differs)";
      } else if (offset > stored->size() || length > stored->size() - offset) {
        reason = "missing (the pack is cut short at byte " + std::to_string(stored->size()) + ")";
      } else {
        report.bytes_checked += length;
        if (Sha256Hex(std::string_view(*stored).substr(offset, length)) != sha) {
          reason = "content changed (hash differs)";
        }
      }
    }
    refs_done += refs_per_pack[pack];
    if (progress) progress(refs_done, total_refs);
  }
  for (const auto& [id, m] : manifests) {
    for (const FileEntry& f : m.files) {
      uint64_t offset = 0;
      for (size_t i = 0; i < f.chunks.size(); ++i) {
        const ChunkRef& c = f.chunks[i];
        const std::string& reason = packs[ObjectOf(c)][BlobKey{c.offset, c.length, c.stored_sha}];
        if (!reason.empty()) {
          report.problems.push_back({"snapshot " + id + " file " + f.name + " chunk " +
                                         std::to_string(i) + " (offset " + std::to_string(offset) +
                                         "): " + BlobLocation(c),
                                     reason});
        }
        offset += c.size;
      }
    }
  }
  return report;
}

core::Result<std::string> SnapshotKeyFile(Destination& dest, const std::string& snapshot) {
  MAMORI_ASSIGN_OR_RETURN(Config config, ReadConfig(dest));
  MAMORI_ASSIGN_OR_RETURN(std::string bytes, dest.Get("snapshots/" + snapshot + ".manifest"));
  MAMORI_ASSIGN_OR_RETURN(Manifest m, ParseManifestOf(config, bytes));
  return m.key_file;
}

core::Result<RestoreSummary> RestoreSnapshot(
    Destination& dest, const BackupKeys& keys, const std::string& snapshot,
    const std::string& target_dir, core::Env& env,
    const std::function<void(uint64_t, uint64_t)>& progress) {
  auto started = env.clock().Monotonic();
  std::error_code ec;
  if (fs::exists(target_dir, ec) && !fs::is_empty(target_dir, ec)) {
    return core::FailedPreconditionError(target_dir +
                                         " is not empty; restore into a new directory");
  }
  MAMORI_ASSIGN_OR_RETURN(std::string bytes, dest.Get("snapshots/" + snapshot + ".manifest"));
  MAMORI_ASSIGN_OR_RETURN(Manifest m, internal::ParseManifest(bytes, keys.signing.PublicKey()));
  if (m.snapshot != snapshot) return core::DataLossError("manifest names another snapshot");
  RestoreSummary summary;
  uint64_t total = 0, written = 0;
  for (const FileEntry& f : m.files) total += f.size;
  for (const FileEntry& f : m.files) {
    if (f.name.empty() || f.name.front() == '/' || f.name.find("..") != std::string::npos) {
      return core::DataLossError("manifest names an unsafe path");
    }
    fs::path final_path = fs::path(target_dir) / f.name;
    fs::create_directories(final_path.parent_path(), ec);
    if (ec) return core::UnavailableError("cannot create " + final_path.parent_path().string());
    fs::path tmp = final_path;
    tmp += ".restoring";
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return core::UnavailableError("cannot write " + tmp.string());
    uint64_t offset = 0;
    for (size_t i = 0; i < f.chunks.size(); ++i) {
      const ChunkRef& c = f.chunks[i];
      auto stored = ReadBlob(dest, c);
      core::Result<std::string> plain =
          stored.ok() ? OpenChunk(keys, c, *stored) : core::Result<std::string>(stored.status());
      if (!plain.ok()) {
        out.close();
        fs::remove(tmp, ec);
        return core::DataLossError("file " + f.name + " chunk " + std::to_string(i) + " (offset " +
                                   std::to_string(offset) + "): " + BlobLocation(c) + ": " +
                                   std::string(plain.status().message()));
      }
      out.write(plain->data(), static_cast<std::streamsize>(plain->size()));
      offset += c.size;
      written += c.size;
      if (progress && (i % 32 == 31 || written == total)) progress(written, total);
    }
    out.close();
    if (!out) return core::UnavailableError("cannot write " + tmp.string());
    fs::permissions(tmp, fs::perms::owner_read | fs::perms::owner_write, ec);
    fs::rename(tmp, final_path, ec);
    if (ec) return core::UnavailableError("cannot rename " + tmp.string());
    summary.bytes += f.size;
    ++summary.files;
  }
  summary.duration =
      std::chrono::duration_cast<std::chrono::milliseconds>(env.clock().Monotonic() - started);
  return summary;
}

namespace {

std::string DrillBody(const DrillRecord& d) {
  json::object o{{"drill", "mamori-backup/1"},
                 {"snapshot", d.snapshot},
                 {"started_us", d.started_us},
                 {"restore_ms", d.restore_duration.count()},
                 {"check_ms", d.check_duration.count()},
                 {"resources_checked", d.resources_checked},
                 {"versions_total", d.versions_total},
                 {"passed", d.passed},
                 {"detail", d.detail}};
  return json::serialize(o) + "\n";
}

}  // namespace

core::Status RecordDrill(Destination& dest, const BackupKeys& keys, const DrillRecord& drill,
                         core::Env& env) {
  std::string body = DrillBody(drill);
  crypto::Ed25519Signature sig = keys.signing.Sign(crypto::AsBytes(body));
  std::string record =
      body + json::serialize(json::object{{"signature", crypto::HexEncode(sig)}}) + "\n";
  return dest.PutNew("drills/" + NewSnapshotId(env) + ".json", record);
}

core::Result<std::vector<DrillRecord>> ListDrills(Destination& dest) {
  MAMORI_ASSIGN_OR_RETURN(Config config, ReadConfig(dest));
  MAMORI_ASSIGN_OR_RETURN(std::vector<std::string> names, dest.List("drills/"));
  std::vector<DrillRecord> out;
  for (const std::string& name : names) {
    MAMORI_ASSIGN_OR_RETURN(std::string text, dest.Get(name));
    size_t split = text.find('\n');
    if (split == std::string::npos) continue;
    std::string body = text.substr(0, split + 1);
    boost::system::error_code ec;
    json::value sig_line = json::parse(text.substr(split + 1), ec);
    const json::value* sig_hex =
        !ec && sig_line.is_object() ? sig_line.as_object().if_contains("signature") : nullptr;
    if (sig_hex == nullptr || !sig_hex->is_string()) continue;
    auto sig = crypto::HexDecode(sig_hex->as_string());
    if (!sig || !config.public_key.Verify(crypto::AsBytes(body), *sig)) continue;
    json::value v = json::parse(body, ec);
    if (ec || !v.is_object()) continue;
    const json::object& o = v.as_object();
    auto num = [&](const char* k) -> int64_t {
      const json::value* x = o.if_contains(k);
      return x && x->is_number() ? x->to_number<int64_t>() : 0;
    };
    const json::value* passed = o.if_contains("passed");
    const json::value* snapshot = o.if_contains("snapshot");
    const json::value* detail = o.if_contains("detail");
    out.push_back(
        {.snapshot = snapshot && snapshot->is_string() ? std::string(snapshot->as_string()) : "",
         .started_us = num("started_us"),
         .restore_duration = std::chrono::milliseconds(num("restore_ms")),
         .check_duration = std::chrono::milliseconds(num("check_ms")),
         .resources_checked = static_cast<uint64_t>(num("resources_checked")),
         .versions_total = static_cast<uint64_t>(num("versions_total")),
         .passed = passed && passed->is_bool() && passed->as_bool(),
         .detail = detail && detail->is_string() ? std::string(detail->as_string()) : ""});
  }
  return out;
}

}  // namespace mamori::backup
