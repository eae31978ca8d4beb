// SPDX-License-Identifier: Apache-2.0
#include "backup/internal/manifest.h"

#include <boost/json.hpp>

#include "crypto/hex.h"
#include "crypto/secure_bytes.h"

namespace mamori::backup::internal {
namespace {

namespace json = boost::json;
constexpr std::string_view kFormat = "mamori-backup/2";
// One object per chunk (until 2026-11-25): read, never written by a backup.
constexpr std::string_view kFormat1 = "mamori-backup/1";

core::Status Bad(size_t line, std::string what) {
  return core::DataLossError("manifest line " + std::to_string(line) + ": " + what);
}

bool IsHex64(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

core::Result<FileEntry> ParseFile(const json::object& o, size_t line, int format) {
  FileEntry f;
  const json::value* name = o.if_contains("file");
  const json::value* size = o.if_contains("size");
  const json::value* chunks = o.if_contains("chunks");
  if (!name || !name->is_string() || !size || (!size->is_uint64() && !size->is_int64()) ||
      !chunks || !chunks->is_array()) {
    return Bad(line, "file record needs file, size and chunks");
  }
  f.name = std::string(name->as_string());
  f.size = size->to_number<uint64_t>();
  uint64_t total = 0;
  for (const json::value& c : chunks->as_array()) {
    auto is_count = [](const json::value& v) {
      return v.is_uint64() || (v.is_int64() && v.as_int64() >= 0);
    };
    if (format == 1) {
      // ["<id>",<plain size>,"<sha256 of the stored object chunks/ab/<id>>"]
      if (!c.is_array() || c.as_array().size() != 3) {
        return Bad(line, "chunk entry needs 3 members");
      }
      const json::array& a = c.as_array();
      if (!a[0].is_string() || !is_count(a[1]) || !a[2].is_string() || !IsHex64(a[0].as_string()) ||
          !IsHex64(a[2].as_string())) {
        return Bad(line, "chunk entry is malformed");
      }
      ChunkRef ref{.id = std::string(a[0].as_string()),
                   .size = a[1].to_number<uint64_t>(),
                   .stored_sha = std::string(a[2].as_string())};
      total += ref.size;
      f.chunks.push_back(std::move(ref));
      continue;
    }
    if (!c.is_array() || c.as_array().size() != 6) return Bad(line, "chunk entry needs 6 members");
    const json::array& a = c.as_array();
    if (!a[0].is_string() || !is_count(a[1]) || !a[2].is_string() || !a[3].is_string() ||
        !is_count(a[4]) || !is_count(a[5]) || !IsHex64(a[0].as_string()) ||
        !IsHex64(a[2].as_string()) || !IsHex64(a[3].as_string())) {
      return Bad(line, "chunk entry is malformed");
    }
    ChunkRef ref{.id = std::string(a[0].as_string()),
                 .size = a[1].to_number<uint64_t>(),
                 .stored_sha = std::string(a[2].as_string()),
                 .pack = std::string(a[3].as_string()),
                 .offset = a[4].to_number<uint64_t>(),
                 .length = a[5].to_number<uint64_t>()};
    total += ref.size;
    f.chunks.push_back(std::move(ref));
  }
  if (total != f.size) return Bad(line, "chunk sizes do not add up to the file size");
  return f;
}

}  // namespace

std::string PackObjectName(std::string_view pack) {
  return "packs/" + std::string(pack.substr(0, 2)) + "/" + std::string(pack);
}

std::string ChunkObjectName(std::string_view id) {
  return "chunks/" + std::string(id.substr(0, 2)) + "/" + std::string(id);
}

std::string SerializeManifest(const Manifest& m, const crypto::SigningKey& key) {
  std::string out;
  json::object header{{"manifest", m.format == 1 ? kFormat1 : kFormat},
                      {"snapshot", m.snapshot},
                      {"created_us", m.created_us},
                      {"repository", m.repository},
                      {"key_file", crypto::HexEncode(crypto::AsBytes(m.key_file))}};
  out += json::serialize(header) + "\n";
  uint64_t bytes = 0;
  for (const FileEntry& f : m.files) {
    json::array chunks;
    for (const ChunkRef& c : f.chunks) {
      if (m.format == 1) {
        chunks.push_back(json::array{c.id, c.size, c.stored_sha});
      } else {
        chunks.push_back(json::array{c.id, c.size, c.stored_sha, c.pack, c.offset, c.length});
      }
    }
    out += json::serialize(json::object{{"file", f.name}, {"size", f.size}, {"chunks", chunks}}) +
           "\n";
    bytes += f.size;
  }
  json::object final_record{{"files", m.files.size()}, {"bytes", bytes}};
  out += json::serialize(json::object{{"final", final_record}}) + "\n";
  crypto::Ed25519Signature sig = key.Sign(crypto::AsBytes(out));
  out += json::serialize(json::object{{"signature", crypto::HexEncode(sig)}}) + "\n";
  return out;
}

core::Result<Manifest> ParseManifest(std::string_view bytes, const crypto::VerifyingKey& key) {
  if (bytes.empty() || bytes.back() != '\n') return core::DataLossError("manifest is truncated");
  size_t last_start = bytes.rfind('\n', bytes.size() - 2);
  last_start = last_start == std::string_view::npos ? 0 : last_start + 1;
  std::string_view signed_part = bytes.substr(0, last_start);
  boost::system::error_code ec;
  json::value sig_line = json::parse(bytes.substr(last_start), ec);
  const json::value* sig_hex =
      !ec && sig_line.is_object() ? sig_line.as_object().if_contains("signature") : nullptr;
  if (sig_hex == nullptr || !sig_hex->is_string()) {
    return core::DataLossError("manifest has no signature line (truncated)");
  }
  auto sig = crypto::HexDecode(sig_hex->as_string());
  if (!sig || !key.Verify(crypto::AsBytes(signed_part), *sig)) {
    return core::DataLossError("manifest signature does not verify");
  }
  // Signed: now parse the records.
  Manifest m;
  bool saw_final = false;
  size_t line = 0, start = 0;
  while (start < signed_part.size()) {
    size_t end = signed_part.find('\n', start);
    std::string_view text = signed_part.substr(start, end - start);
    start = end + 1;
    ++line;
    json::value v = json::parse(text, ec);
    if (ec || !v.is_object()) return Bad(line, "not a JSON object");
    const json::object& o = v.as_object();
    if (saw_final) return Bad(line, "record after the final record");
    if (line == 1) {
      const json::value* format = o.if_contains("manifest");
      if (format && format->is_string() && format->as_string() == kFormat1) {
        m.format = 1;
      } else if (!format || !format->is_string() || format->as_string() != kFormat) {
        return Bad(line, "not a mamori-backup/2 or mamori-backup/1 manifest");
      }
      auto str = [&](const char* k) {
        const json::value* x = o.if_contains(k);
        return x && x->is_string() ? std::string(x->as_string()) : std::string();
      };
      m.snapshot = str("snapshot");
      m.repository = str("repository");
      const json::value* created = o.if_contains("created_us");
      if (!created || !created->is_int64()) return Bad(line, "created_us is missing");
      m.created_us = created->as_int64();
      auto key_file = crypto::HexDecode(str("key_file"));
      if (!key_file) return Bad(line, "key_file is not hex");
      m.key_file.assign(key_file->begin(), key_file->end());
      continue;
    }
    if (const json::value* fin = o.if_contains("final")) {
      if (!fin->is_object()) return Bad(line, "final record is malformed");
      const json::value* files = fin->as_object().if_contains("files");
      if (!files || !files->is_number() || files->to_number<uint64_t>() != m.files.size()) {
        return Bad(line, "final record counts a different number of files");
      }
      saw_final = true;
      continue;
    }
    MAMORI_ASSIGN_OR_RETURN(FileEntry f, ParseFile(o, line, m.format));
    m.files.push_back(std::move(f));
  }
  if (!saw_final) return core::DataLossError("manifest has no final record (truncated)");
  return m;
}

}  // namespace mamori::backup::internal
