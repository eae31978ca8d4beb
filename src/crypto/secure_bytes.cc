// SPDX-License-Identifier: Apache-2.0
#include "crypto/secure_bytes.h"

#include <algorithm>
#include <ostream>

#include <openssl/crypto.h>

namespace mamori::crypto {

SecureBytes::SecureBytes(size_t size)
    : data_(size == 0 ? nullptr : new uint8_t[size]()), size_(size) {}

SecureBytes::SecureBytes(std::span<const uint8_t> bytes) : SecureBytes(bytes.size()) {
  std::copy(bytes.begin(), bytes.end(), data_.get());
}

SecureBytes::SecureBytes(SecureBytes&& other) noexcept
    : data_(std::move(other.data_)), size_(other.size_) {
  other.size_ = 0;
}

SecureBytes& SecureBytes::operator=(SecureBytes&& other) noexcept {
  if (this != &other) {
    Clear();  // the old secret must not outlive the assignment
    data_ = std::move(other.data_);
    size_ = other.size_;
    other.size_ = 0;
  }
  return *this;
}

SecureBytes::~SecureBytes() { Clear(); }

void SecureBytes::Clear() {
  if (data_ != nullptr) OPENSSL_cleanse(data_.get(), size_);
  data_.reset();
  size_ = 0;
}

void PrintTo(const SecureBytes& bytes, std::ostream* os) {
  *os << "SecureBytes(" << bytes.size() << " bytes)";
}

bool ConstantTimeEquals(std::span<const uint8_t> a, std::span<const uint8_t> b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace mamori::crypto
