// SPDX-License-Identifier: Apache-2.0
#pragma once

// SecureBytes: an owning buffer for secrets (keys, decrypted patient data,
// private-key PEM) that wipes itself with OPENSSL_cleanse when destroyed,
// cleared or assigned over (STYLE.md rule 20). It has no operator== (compare
// secrets with ConstantTimeEquals) and no operator<<; GoogleTest prints only
// its size. Copies are explicit (Clone()), so a secret is never duplicated by
// accident; a move transfers the one heap block and leaves the source empty.
//
// ConstantTimeEquals compares two byte strings in time that depends only on
// their lengths (CRYPTO_memcmp), for MACs, tags and tokens.
//
//   MAMORI_ASSIGN_OR_RETURN(crypto::SecureBytes json, crypto::Aead::Open(dek, env, aad));
//   Parse(crypto::AsStringView(json));           // borrow; json wipes itself at scope end
//   if (!crypto::ConstantTimeEquals(tag, expected)) return core::DataLossError("bad tag");
//
// Thread-safety: a value type; one object needs external synchronisation.

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <memory>
#include <span>
#include <string_view>

namespace mamori::crypto {

// Views any byte container, or text, as bytes. The views borrow: the argument
// must outlive them.
inline std::span<const uint8_t> AsBytes(std::string_view text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}
inline std::string_view AsStringView(std::span<const uint8_t> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

class SecureBytes {
 public:
  using value_type = uint8_t;
  using iterator = uint8_t*;
  using const_iterator = const uint8_t*;

  // An empty buffer.
  SecureBytes() = default;
  // `size` zero bytes.
  explicit SecureBytes(size_t size);
  // A copy of `bytes`. The caller remains responsible for wiping its source.
  explicit SecureBytes(std::span<const uint8_t> bytes);

  SecureBytes(SecureBytes&& other) noexcept;
  SecureBytes& operator=(SecureBytes&& other) noexcept;
  SecureBytes(const SecureBytes&) = delete;
  SecureBytes& operator=(const SecureBytes&) = delete;
  ~SecureBytes();

  // Secrets are compared with ConstantTimeEquals, never with ==.
  bool operator==(const SecureBytes&) const = delete;

  // An explicit deep copy.
  SecureBytes Clone() const { return SecureBytes(span()); }

  // Wipes the contents and leaves the buffer empty.
  void Clear();

  uint8_t* data() { return data_.get(); }
  const uint8_t* data() const { return data_.get(); }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  uint8_t* begin() { return data(); }
  uint8_t* end() { return data() + size_; }
  const uint8_t* begin() const { return data(); }
  const uint8_t* end() const { return data() + size_; }

  std::span<const uint8_t> span() const { return {data(), size_}; }
  std::span<uint8_t> mutable_span() { return {data(), size_}; }

 private:
  std::unique_ptr<uint8_t[]> data_;
  size_t size_ = 0;
};

inline std::string_view AsStringView(const SecureBytes& bytes) {
  return AsStringView(bytes.span());
}

// GoogleTest's printer hook: prints "SecureBytes(<n> bytes)", never the bytes.
void PrintTo(const SecureBytes& bytes, std::ostream* os);

// True when a and b have the same length and the same bytes. The time taken
// depends on the lengths only, never on where the first difference is, so a
// remote attacker cannot learn a secret tag byte by byte. Lengths are not
// secret: unequal lengths return false at once.
[[nodiscard]] bool ConstantTimeEquals(std::span<const uint8_t> a, std::span<const uint8_t> b);

}  // namespace mamori::crypto
