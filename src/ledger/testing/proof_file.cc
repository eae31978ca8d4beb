// SPDX-License-Identifier: Apache-2.0
#include "ledger/testing/proof_file.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>

#include <boost/json.hpp>

#include "ledger/proof.h"

namespace mamori::ledger::testing {
namespace {

namespace json = boost::json;

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

core::Status Missing(std::string_view field) {
  return core::InvalidArgumentError("probe has no valid field " + std::string(field));
}

core::Result<uint64_t> Number(const json::object& o, std::string_view field) {
  const json::value* v = o.if_contains(field);
  if (v == nullptr) return Missing(field);
  boost::system::error_code ec;
  uint64_t n = v->to_number<uint64_t>(ec);
  if (ec) return Missing(field);
  return n;
}

core::Result<Bytes> Base64Field(const json::object& o, std::string_view field) {
  const json::value* v = o.if_contains(field);
  if (v == nullptr || !v->is_string()) return Missing(field);
  std::optional<Bytes> bytes = Base64Decode(std::string_view(v->get_string()));
  if (!bytes) return Missing(field);
  return *bytes;
}

core::Result<std::vector<Bytes>> ProofField(const json::object& o) {
  const json::value* v = o.if_contains("proof");
  if (v == nullptr) return Missing("proof");
  std::vector<Bytes> proof;
  if (v->is_null()) return proof;
  if (!v->is_array()) return Missing("proof");
  for (const json::value& item : v->get_array()) {
    if (!item.is_string()) return Missing("proof");
    std::optional<Bytes> bytes = Base64Decode(std::string_view(item.get_string()));
    if (!bytes) return Missing("proof");
    proof.push_back(std::move(*bytes));
  }
  return proof;
}

core::Status ReadCommon(const json::object& o, ProofFile& file) {
  MAMORI_ASSIGN_OR_RETURN(file.proof, ProofField(o));
  const json::value* desc = o.if_contains("desc");
  if (desc == nullptr || !desc->is_string()) return Missing("desc");
  file.desc = std::string(desc->get_string());
  const json::value* want_err = o.if_contains("wantErr");
  if (want_err == nullptr || !want_err->is_bool()) return Missing("wantErr");
  file.want_err = want_err->get_bool();
  if (const json::value* code = o.if_contains("wantCode")) {
    if (!code->is_string()) return Missing("wantCode");
    file.want_code = CodeFromName(std::string_view(code->get_string()));
    if (!file.want_code) return Missing("wantCode");
  }
  return core::Status::Ok();
}

std::vector<ByteView> Views(const std::vector<Bytes>& proof) {
  return std::vector<ByteView>(proof.begin(), proof.end());
}

std::string Quoted(std::string_view text) { return json::serialize(json::string(text)); }

}  // namespace

core::Result<ProofFile> ReadProofFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return core::NotFoundError("cannot read " + path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  boost::system::error_code ec;
  json::value root = json::parse(text, ec);
  if (ec || !root.is_object()) return core::InvalidArgumentError(path + " is not a JSON object");
  const json::object& o = root.get_object();
  ProofFile file;
  if (o.contains("leafIdx")) {
    file.kind = ProofFile::Kind::kInclusion;
    MAMORI_ASSIGN_OR_RETURN(file.leaf_index, Number(o, "leafIdx"));
    MAMORI_ASSIGN_OR_RETURN(file.tree_size, Number(o, "treeSize"));
    MAMORI_ASSIGN_OR_RETURN(file.root, Base64Field(o, "root"));
    MAMORI_ASSIGN_OR_RETURN(file.leaf_hash, Base64Field(o, "leafHash"));
  } else {
    file.kind = ProofFile::Kind::kConsistency;
    MAMORI_ASSIGN_OR_RETURN(file.size1, Number(o, "size1"));
    MAMORI_ASSIGN_OR_RETURN(file.size2, Number(o, "size2"));
    MAMORI_ASSIGN_OR_RETURN(file.root1, Base64Field(o, "root1"));
    MAMORI_ASSIGN_OR_RETURN(file.root2, Base64Field(o, "root2"));
  }
  MAMORI_RETURN_IF_ERROR(ReadCommon(o, file));
  return file;
}

std::string FormatProofFile(const ProofFile& file) {
  std::string out = "{\n";
  auto line = [&out](std::string_view key, const std::string& value) {
    out += "  \"" + std::string(key) + "\": " + value + ",\n";
  };
  if (file.kind == ProofFile::Kind::kInclusion) {
    line("leafIdx", std::to_string(file.leaf_index));
    line("treeSize", std::to_string(file.tree_size));
    line("root", Quoted(Base64Encode(file.root)));
    line("leafHash", Quoted(Base64Encode(file.leaf_hash)));
  } else {
    line("size1", std::to_string(file.size1));
    line("size2", std::to_string(file.size2));
    line("root1", Quoted(Base64Encode(file.root1)));
    line("root2", Quoted(Base64Encode(file.root2)));
  }
  std::string proof = "[";
  for (size_t i = 0; i < file.proof.size(); ++i) {
    proof += (i == 0 ? "\n    " : ",\n    ") + Quoted(Base64Encode(file.proof[i]));
  }
  proof += file.proof.empty() ? "]" : "\n  ]";
  line("proof", proof);
  line("desc", Quoted(file.desc));
  line("wantErr", file.want_err ? "true" : "false");
  out += "  \"wantCode\": " + Quoted(CodeName(file.want_code.value_or(core::StatusCode::kOk))) +
         "\n}\n";
  return out;
}

core::Status VerifyProofFile(const ProofFile& file) {
  const std::vector<ByteView> proof = Views(file.proof);
  if (file.kind == ProofFile::Kind::kInclusion) {
    return VerifyInclusion(file.leaf_index, file.tree_size, ByteView(file.leaf_hash), proof,
                           ByteView(file.root));
  }
  return VerifyConsistency(file.size1, file.size2, proof, ByteView(file.root1),
                           ByteView(file.root2));
}

std::vector<std::string> ListJsonFiles(const std::string& dir) {
  std::vector<std::string> files;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file() && it->path().extension() == ".json") {
      files.push_back(it->path().string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string CodeName(core::StatusCode code) { return std::string(core::StatusCodeName(code)); }

std::optional<core::StatusCode> CodeFromName(std::string_view name) {
  for (core::StatusCode code :
       {core::StatusCode::kOk, core::StatusCode::kInvalidArgument, core::StatusCode::kDataLoss}) {
    if (core::StatusCodeName(code) == name) return code;
  }
  return std::nullopt;
}

std::optional<Bytes> HexDecode(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  Bytes out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    const int hi = digit(hex[i]);
    const int lo = digit(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<uint8_t>(hi * 16 + lo));
  }
  return out;
}

std::string Base64Encode(std::span<const uint8_t> bytes) {
  std::string out;
  for (size_t i = 0; i < bytes.size(); i += 3) {
    uint32_t chunk = uint32_t{bytes[i]} << 16;
    if (i + 1 < bytes.size()) chunk |= uint32_t{bytes[i + 1]} << 8;
    if (i + 2 < bytes.size()) chunk |= bytes[i + 2];
    out += kAlphabet[(chunk >> 18) & 63];
    out += kAlphabet[(chunk >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(chunk >> 6) & 63] : '=';
    out += i + 2 < bytes.size() ? kAlphabet[chunk & 63] : '=';
  }
  return out;
}

std::optional<Bytes> Base64Decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  Bytes out;
  for (size_t i = 0; i < text.size(); i += 4) {
    uint32_t chunk = 0;
    int pad = 0;
    for (size_t j = 0; j < 4; ++j) {
      const char c = text[i + j];
      uint32_t value = 0;
      if (c == '=' && i + 4 == text.size() && j >= 2) {
        ++pad;
      } else {
        const char* p = std::find(kAlphabet, kAlphabet + 64, c);
        if (p == kAlphabet + 64 || pad > 0) return std::nullopt;
        value = static_cast<uint32_t>(p - kAlphabet);
      }
      chunk = (chunk << 6) | value;
    }
    out.push_back(static_cast<uint8_t>(chunk >> 16));
    if (pad < 2) out.push_back(static_cast<uint8_t>(chunk >> 8));
    if (pad < 1) out.push_back(static_cast<uint8_t>(chunk));
  }
  return out;
}

}  // namespace mamori::ledger::testing
