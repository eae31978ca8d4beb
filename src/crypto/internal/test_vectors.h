// SPDX-License-Identifier: Apache-2.0
#pragma once

// Private to crypto's tests: loads the published vectors in
// shared/data/vectors (shared/data/README.md section 1) with Boost.JSON.
// Header-only, because MAMORI_SHARED_DIR is defined for test targets only.
//
//   boost::json::value root = test_vectors::Load("wycheproof/aes_gcm_test.json");
//   for (const test_vectors::WycheproofCase& c : test_vectors::WycheproofCases(root)) {
//     std::vector<uint8_t> key = test_vectors::Hex(c.group, "key");  // or c.test
//   }
//
// A file that is missing or does not parse fails the test; each test also
// asserts how many cases it ran, so an empty load cannot pass silently.

#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "crypto/internal/hex.h"

namespace mamori::crypto::test_vectors {

// Parses shared/data/vectors/<relative_path>; a null value (and a test
// failure) if it cannot be read or parsed.
inline boost::json::value Load(std::string_view relative_path) {
  std::string path = std::string(MAMORI_SHARED_DIR) + "/data/vectors/" + std::string(relative_path);
  std::ifstream in(path, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof()) ADD_FAILURE() << "cannot read " << path;
  boost::system::error_code ec;
  boost::json::value root = boost::json::parse(text, ec);
  if (ec) {
    ADD_FAILURE() << "cannot parse " << path << ": " << ec.message();
    return nullptr;
  }
  return root;
}

// Decodes hex, failing the test on malformed input.
inline std::vector<uint8_t> Hex(std::string_view hex) {
  auto bytes = internal::HexDecode(hex);
  if (!bytes) {
    ADD_FAILURE() << "bad hex in vector file: " << hex;
    return {};
  }
  return *bytes;
}

// The hex string field `name` of `object`, decoded.
inline std::vector<uint8_t> Hex(const boost::json::object& object, std::string_view name) {
  const boost::json::value* field = object.if_contains(name);
  if (field == nullptr || !field->is_string()) {
    ADD_FAILURE() << "vector has no string field " << name;
    return {};
  }
  return Hex(std::string_view(field->get_string()));
}

// One Wycheproof test with its group (group fields: keySize, ivSize, tagSize,
// publicKey; test fields: tcId, msg, ..., result).
struct WycheproofCase {
  const boost::json::object* group;
  const boost::json::object* test;
  int64_t tc_id;
  std::string result;  // "valid", "invalid" or "acceptable"
};

inline std::vector<WycheproofCase> WycheproofCases(const boost::json::value& root) {
  std::vector<WycheproofCase> cases;
  if (!root.is_object()) return cases;
  for (const boost::json::value& group : root.at("testGroups").as_array()) {
    for (const boost::json::value& test : group.at("tests").as_array()) {
      const boost::json::object& t = test.as_object();
      cases.push_back({&group.as_object(), &t, t.at("tcId").as_int64(),
                       std::string(t.at("result").as_string())});
    }
  }
  return cases;
}

// An integer field of a group or test object, e.g. "keySize".
inline int64_t Int(const boost::json::object& object, std::string_view name) {
  return object.at(name).as_int64();
}

}  // namespace mamori::crypto::test_vectors
