// SPDX-License-Identifier: Apache-2.0
#include "crypto/timestamp.h"

#include <ctime>

#include <openssl/ts.h>

#include "crypto/hash.h"
#include "crypto/internal/openssl_util.h"

namespace mamori::crypto {
namespace {

using internal::OpenSslPtr;
using TsReqPtr = OpenSslPtr<TS_REQ, TS_REQ_free>;
using TsRespPtr = OpenSslPtr<TS_RESP, TS_RESP_free>;
using TsVerifyCtxPtr = OpenSslPtr<TS_VERIFY_CTX, TS_VERIFY_CTX_free>;
using MsgImprintPtr = OpenSslPtr<TS_MSG_IMPRINT, TS_MSG_IMPRINT_free>;
using AlgorPtr = OpenSslPtr<X509_ALGOR, X509_ALGOR_free>;

// Replies larger than this are not time-stamp replies.
constexpr size_t kMaxReplySize = 64 * 1024;

std::string Der(TS_REQ* req) {
  int n = i2d_TS_REQ(req, nullptr);
  internal::CheckOpenSsl(n > 0, "i2d_TS_REQ");
  std::string der(static_cast<size_t>(n), '\0');
  auto* out = reinterpret_cast<unsigned char*>(der.data());
  i2d_TS_REQ(req, &out);
  return der;
}

template <typename T, T* (*Decode)(T**, const unsigned char**, long)>
T* ParseDer(std::string_view der) {
  const auto* in = reinterpret_cast<const unsigned char*>(der.data());
  T* parsed = Decode(nullptr, &in, static_cast<long>(der.size()));
  if (parsed != nullptr && in != reinterpret_cast<const unsigned char*>(der.data()) + der.size()) {
    return nullptr;  // trailing bytes: not exactly one structure
  }
  return parsed;
}

std::string Hex(const ASN1_INTEGER* serial) {
  internal::BnPtr bn(ASN1_INTEGER_to_BN(serial, nullptr));
  if (!bn) return "";
  char* text = BN_bn2hex(bn.get());
  std::string out = text != nullptr ? text : "";
  OPENSSL_free(text);
  return out;
}

}  // namespace

core::Result<std::string> TimestampQuery(std::span<const uint8_t> data, core::Random& random) {
  Sha256Digest digest = Sha256(data);
  AlgorPtr algorithm(X509_ALGOR_new());
  internal::CheckOpenSsl(
      algorithm != nullptr &&
          X509_ALGOR_set0(algorithm.get(), OBJ_nid2obj(NID_sha256), V_ASN1_NULL, nullptr) == 1,
      "X509_ALGOR_set0");
  MsgImprintPtr imprint(TS_MSG_IMPRINT_new());
  internal::CheckOpenSsl(
      imprint != nullptr && TS_MSG_IMPRINT_set_algo(imprint.get(), algorithm.get()) == 1 &&
          TS_MSG_IMPRINT_set_msg(imprint.get(), digest.data(), static_cast<int>(digest.size())) ==
              1,
      "TS_MSG_IMPRINT");
  uint8_t nonce_bytes[8];
  random.Fill(nonce_bytes);
  nonce_bytes[0] &= 0x7f;  // a positive INTEGER
  internal::BnPtr nonce_bn(BN_bin2bn(nonce_bytes, sizeof(nonce_bytes), nullptr));
  internal::Asn1IntegerPtr nonce(BN_to_ASN1_INTEGER(nonce_bn.get(), nullptr));
  TsReqPtr req(TS_REQ_new());
  internal::CheckOpenSsl(
      req != nullptr && nonce != nullptr && TS_REQ_set_version(req.get(), 1) == 1 &&
          TS_REQ_set_msg_imprint(req.get(), imprint.get()) == 1 &&
          TS_REQ_set_nonce(req.get(), nonce.get()) == 1 && TS_REQ_set_cert_req(req.get(), 1) == 1,
      "TS_REQ");
  return Der(req.get());
}

core::Result<TimestampInfo> VerifyTimestampReply(std::string_view reply,
                                                 std::span<const uint8_t> data,
                                                 const std::string& ca_file,
                                                 std::string_view query) {
  if (reply.empty() || reply.size() > kMaxReplySize) {
    return core::InvalidArgumentError("not an RFC 3161 time-stamp reply (size)");
  }
  TsRespPtr resp(ParseDer<TS_RESP, d2i_TS_RESP>(reply));
  if (!resp) {
    internal::ClearOpenSslErrors();
    return core::InvalidArgumentError("not an RFC 3161 time-stamp reply");
  }
  OpenSslPtr<X509_STORE, X509_STORE_free> store(X509_STORE_new());
  if (!store || X509_STORE_load_file(store.get(), ca_file.c_str()) != 1) {
    internal::ClearOpenSslErrors();
    return core::InvalidArgumentError("cannot read the time-stamp authority's CA file " + ca_file);
  }
  TsVerifyCtxPtr ctx;
  if (!query.empty()) {
    TsReqPtr req(ParseDer<TS_REQ, d2i_TS_REQ>(query));
    if (!req) return core::InvalidArgumentError("not an RFC 3161 time-stamp query");
    // Version, signature, imprint (of the query) and nonce.
    ctx.reset(TS_REQ_to_TS_VERIFY_CTX(req.get(), nullptr));
  } else {
    ctx.reset(TS_VERIFY_CTX_new());
  }
  internal::CheckOpenSsl(ctx != nullptr, "TS_VERIFY_CTX");
  // The imprint is checked against the data itself, not a stored digest.
  int flags = TS_VFY_VERSION | TS_VFY_SIGNATURE | TS_VFY_DATA;
  if (!query.empty()) flags |= TS_VFY_NONCE;
  TS_VERIFY_CTX_set_flags(ctx.get(), flags);
  TS_VERIFY_CTX_set_data(ctx.get(), BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
  TS_VERIFY_CTX_set_store(ctx.get(), store.release());
  if (TS_RESP_verify_response(ctx.get(), resp.get()) != 1) {
    internal::ClearOpenSslErrors();
    return core::DataLossError(
        "the time-stamp reply does not verify (other data, an untrusted signer, or another "
        "request's nonce)");
  }
  TS_TST_INFO* info = TS_RESP_get_tst_info(resp.get());
  std::tm tm{};
  if (info == nullptr || ASN1_TIME_to_tm(TS_TST_INFO_get_time(info), &tm) != 1) {
    return core::DataLossError("the time-stamp reply has no readable time");
  }
  return TimestampInfo{.time = core::Clock::WallTime(std::chrono::seconds(timegm(&tm))),
                       .serial = Hex(TS_TST_INFO_get_serial(info))};
}

}  // namespace mamori::crypto
