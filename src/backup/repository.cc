// SPDX-License-Identifier: Apache-2.0
#include "backup/repository.h"

#include <zstd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include <boost/json.hpp>

#include "backup/internal/manifest.h"
#include "crypto/hex.h"

namespace mamori::backup {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;
using internal::ChunkObjectName;
using internal::ChunkRef;
using internal::FileEntry;
using internal::Manifest;

constexpr std::string_view kConfigFormat = "mamori-backup/1";
constexpr uint8_t kCodecZstd = 1;
constexpr int kZstdLevel = 3;

int64_t NowMicros(core::Env& env) {
  return std::chrono::duration_cast<std::chrono::microseconds>(env.clock().Now().time_since_epoch())
      .count();
}

std::string Sha256Hex(std::string_view bytes) {
  return crypto::HexEncode(crypto::Sha256(crypto::AsBytes(bytes)));
}

std::string ChunkAad(std::string_view id) { return "mamori/backup/chunk/" + std::string(id); }

using Config = internal::RepositoryConfig;

// What the repository already holds: chunk id -> (stored sha, plain size),
// from every manifest that verifies.
core::Result<std::map<std::string, ChunkRef>> KnownChunks(Destination& dest,
                                                          const crypto::VerifyingKey& key) {
  std::map<std::string, ChunkRef> known;
  MAMORI_ASSIGN_OR_RETURN(std::vector<std::string> names, dest.List("snapshots/"));
  for (const std::string& name : names) {
    MAMORI_ASSIGN_OR_RETURN(std::string bytes, dest.Get(name));
    auto manifest = internal::ParseManifest(bytes, key);
    if (!manifest.ok()) continue;  // a bad manifest vouches for nothing
    for (const FileEntry& f : manifest->files) {
      for (const ChunkRef& c : f.chunks) known.emplace(c.id, c);
    }
  }
  return known;
}

core::Result<std::string> SealChunk(const BackupKeys& keys, std::string_view id,
                                    std::span<const uint8_t> plain, core::Env& env) {
  std::string framed(1 + ZSTD_compressBound(plain.size()), '\0');
  framed[0] = static_cast<char>(kCodecZstd);
  size_t n =
      ZSTD_compress(framed.data() + 1, framed.size() - 1, plain.data(), plain.size(), kZstdLevel);
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
  std::string plain(ref.size, '\0');
  size_t n = ZSTD_decompress(plain.data(), plain.size(), framed->data() + 1, framed->size() - 1);
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
  if (str("format") != kConfigFormat) return core::DataLossError("not a mamori backup repository");
  auto pub = crypto::HexDecode(str("manifest_public_key"));
  auto wrapped = crypto::HexDecode(str("wrapped_keys"));
  if (!pub || !wrapped) return core::DataLossError("backup config keys are not hex");
  MAMORI_ASSIGN_OR_RETURN(crypto::VerifyingKey key, crypto::VerifyingKey::Import(*pub));
  Config config{.repository = str("repository"),
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

// One chunk's result: its manifest entry and, if it was stored now, the
// stored size.
struct ChunkOutcome {
  ChunkRef ref;
  bool stored_now = false;
  uint64_t stored_bytes = 0;
};

// Names, seals and stores one chunk unless the repository has it. Runs on
// worker threads: `known` is only read here (it is updated between batches).
core::Result<ChunkOutcome> StoreChunk(Destination& dest, const BackupKeys& keys,
                                      const std::map<std::string, ChunkRef>& known,
                                      std::span<const uint8_t> piece, core::Env& env) {
  std::string id = crypto::HexEncode(crypto::HmacSha256(keys.chunk_id, piece));
  ChunkOutcome out{.ref = {.id = id, .size = piece.size()}};
  if (auto found = known.find(id); found != known.end()) {
    out.ref.stored_sha = found->second.stored_sha;
    return out;
  }
  MAMORI_ASSIGN_OR_RETURN(std::string sealed, SealChunk(keys, id, piece, env));
  out.ref.stored_sha = Sha256Hex(sealed);
  core::Status put = dest.PutNewUnflushed(ChunkObjectName(id), sealed);
  if (put.code() == core::StatusCode::kAlreadyExists) {
    // Left by an interrupted backup, or the same content twice in one batch:
    // use what is stored, after checking it.
    MAMORI_ASSIGN_OR_RETURN(std::string stored, dest.Get(ChunkObjectName(id)));
    MAMORI_RETURN_IF_ERROR(OpenChunk(keys, out.ref, stored).status());
    out.ref.stored_sha = Sha256Hex(stored);
    return out;
  }
  MAMORI_RETURN_IF_ERROR(put);
  out.stored_now = true;
  out.stored_bytes = sealed.size();
  return out;
}

// Runs StoreChunk over `pieces` on `workers` threads; results in order.
core::Result<std::vector<ChunkOutcome>> StoreBatch(
    Destination& dest, const BackupKeys& keys, const std::map<std::string, ChunkRef>& known,
    const std::vector<std::span<const uint8_t>>& pieces, size_t workers, core::Env& env) {
  std::vector<core::Result<ChunkOutcome>> results(pieces.size(),
                                                  core::Result<ChunkOutcome>(ChunkOutcome{}));
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < pieces.size(); i = next++) {
      results[i] = StoreChunk(dest, keys, known, pieces[i], env);
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

// Chunks per batch: enough to keep every core busy, few enough to bound memory
// (at most kBatch x max_size bytes are held).
constexpr size_t kBatch = 32;
constexpr size_t kMinWorkers = 8;

}  // namespace

core::Result<SnapshotSummary> CreateSnapshot(Destination& dest, const BackupKeys& keys,
                                             const SnapshotOptions& options, core::Env& env) {
  auto started = env.clock().Monotonic();
  MAMORI_ASSIGN_OR_RETURN(Config config, ReadConfig(dest));
  MAMORI_ASSIGN_OR_RETURN(auto known, KnownChunks(dest, config.public_key));
  Chunker chunker(keys.seed(), options.chunker);
  // Hashing, compressing, sealing and storing chunks runs on worker threads;
  // chunking and the manifest stay in order on this thread. Storing a chunk
  // mostly waits for its fsync, so there are more workers than cores (at
  // least 8): concurrent fsyncs keep the disk busy and share journal commits.
  size_t workers = std::max<size_t>(kMinWorkers, std::thread::hardware_concurrency());
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
  const size_t window = (kBatch + 1) * options.chunker.max_size;
  std::vector<uint8_t> buffer;
  for (const SourceFile& source : options.files) {
    std::ifstream in(source.path, std::ios::binary);
    if (!in) return core::UnavailableError("cannot read " + source.path);
    FileEntry entry{.name = source.name};
    buffer.clear();
    bool eof = false;
    while (!eof || !buffer.empty()) {
      // Enough bytes for a whole batch of content-defined cuts.
      if (!eof && buffer.size() < window) {
        size_t old = buffer.size();
        buffer.resize(window);
        in.read(reinterpret_cast<char*>(buffer.data() + old),
                static_cast<std::streamsize>(window - old));
        buffer.resize(old + static_cast<size_t>(in.gcount()));
        if (in.bad()) return core::UnavailableError("cannot read " + source.path);
        eof = in.eof();
      }
      if (buffer.empty()) break;
      // Cut up to kBatch chunks, each with max_size bytes after it (or the end).
      std::vector<std::span<const uint8_t>> pieces;
      size_t at = 0;
      while (pieces.size() < kBatch && at < buffer.size() &&
             (eof || buffer.size() - at >= options.chunker.max_size)) {
        std::span<const uint8_t> rest(buffer.data() + at, buffer.size() - at);
        size_t cut = chunker.NextBoundary(rest);
        pieces.push_back(rest.first(cut));
        at += cut;
      }
      MAMORI_ASSIGN_OR_RETURN(std::vector<ChunkOutcome> outcomes,
                              StoreBatch(dest, keys, known, pieces, workers, env));
      for (ChunkOutcome& o : outcomes) {
        if (o.stored_now) {
          summary.bytes_written += o.stored_bytes;
          summary.bytes_new += o.ref.size;
          ++summary.chunks_new;
        }
        known.emplace(o.ref.id, o.ref);
        ++summary.chunks;
        summary.bytes_read += o.ref.size;
        entry.size += o.ref.size;
        entry.chunks.push_back(std::move(o.ref));
      }
      buffer.erase(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(at));
      if (options.progress) options.progress(summary.bytes_read, total);
    }
    manifest.files.push_back(std::move(entry));
    ++summary.files;
  }
  std::string bytes = internal::SerializeManifest(manifest, keys.signing);
  // Every chunk durable before the manifest that names them.
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
    auto manifest = internal::ParseManifest(bytes, config.public_key);
    if (manifest.ok()) {
      info.signature_ok = manifest->snapshot == id;
      info.created_us = manifest->created_us;
      info.files = manifest->files.size();
      for (const FileEntry& f : manifest->files) info.bytes += f.size;
    }
    out.push_back(info);
  }
  return out;
}

core::Result<VerifyReport> Verify(Destination& dest, const std::optional<std::string>& snapshot,
                                  const std::function<void(uint64_t, uint64_t)>& progress) {
  MAMORI_ASSIGN_OR_RETURN(Config config, ReadConfig(dest));
  MAMORI_ASSIGN_OR_RETURN(std::vector<std::string> names, dest.List("snapshots/"));
  uint64_t total_refs = 0, refs_done = 0;
  if (progress) {
    // A first pass for the total; manifests are small next to the chunks.
    for (const std::string& name : names) {
      if (snapshot && *snapshot != fs::path(name).stem().string()) continue;
      auto bytes = dest.Get(name);
      if (!bytes.ok()) continue;
      auto m = internal::ParseManifest(*bytes, config.public_key);
      if (!m.ok()) continue;
      for (const FileEntry& f : m->files) total_refs += f.chunks.size();
    }
  }
  VerifyReport report;
  report.problems = dest.CheckContainer();
  std::map<std::string, std::string> checked;  // object -> "" if fine, else reason
  for (const std::string& name : names) {
    std::string id = fs::path(name).stem().string();
    if (snapshot && *snapshot != id) continue;
    ++report.snapshots;
    MAMORI_ASSIGN_OR_RETURN(std::string bytes, dest.Get(name));
    auto manifest = internal::ParseManifest(bytes, config.public_key);
    if (!manifest.ok()) {
      report.problems.push_back({name, std::string(manifest.status().message())});
      continue;
    }
    if (manifest->snapshot != id) {
      report.problems.push_back({name, "manifest belongs to snapshot " + manifest->snapshot});
    }
    for (const FileEntry& f : manifest->files) {
      uint64_t offset = 0;
      for (size_t i = 0; i < f.chunks.size(); ++i) {
        const ChunkRef& c = f.chunks[i];
        std::string object = ChunkObjectName(c.id);
        auto it = checked.find(object);
        if (it == checked.end()) {
          auto stored = dest.Get(object);
          std::string reason;
          if (!stored.ok()) {
            reason = stored.status().code() == core::StatusCode::kNotFound
                         ? "missing"
                         : std::string(stored.status().message());
          } else {
            report.bytes_checked += stored->size();
            if (Sha256Hex(*stored) != c.stored_sha) reason = "content changed (hash differs)";
          }
          ++report.chunks_checked;
          it = checked.emplace(object, reason).first;
        }
        if (!it->second.empty()) {
          report.problems.push_back({"snapshot " + id + " file " + f.name + " chunk " +
                                         std::to_string(i) + " (offset " + std::to_string(offset) +
                                         "): " + object,
                                     it->second});
        }
        offset += c.size;
        if (progress && (++refs_done % 16 == 0 || refs_done == total_refs)) {
          progress(refs_done, total_refs);
        }
      }
    }
  }
  if (snapshot && report.snapshots == 0) return core::NotFoundError("no snapshot " + *snapshot);
  return report;
}

core::Result<std::string> SnapshotKeyFile(Destination& dest, const std::string& snapshot) {
  MAMORI_ASSIGN_OR_RETURN(Config config, ReadConfig(dest));
  MAMORI_ASSIGN_OR_RETURN(std::string bytes, dest.Get("snapshots/" + snapshot + ".manifest"));
  MAMORI_ASSIGN_OR_RETURN(Manifest m, internal::ParseManifest(bytes, config.public_key));
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
      auto stored = dest.Get(ChunkObjectName(c.id));
      core::Result<std::string> plain =
          stored.ok() ? OpenChunk(keys, c, *stored) : core::Result<std::string>(stored.status());
      if (!plain.ok()) {
        out.close();
        fs::remove(tmp, ec);
        return core::DataLossError("file " + f.name + " chunk " + std::to_string(i) + " (offset " +
                                   std::to_string(offset) +
                                   "): " + std::string(plain.status().message()));
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
