// SPDX-License-Identifier: Apache-2.0
#include "cli/tsa_client.h"

#include <memory>

#include <curl/curl.h>

namespace mamori::cli {
namespace {

constexpr long kTimeoutSeconds = 30;
constexpr size_t kMaxReply = 64 * 1024;

size_t Collect(char* data, size_t size, size_t count, void* out) {
  auto* reply = static_cast<std::string*>(out);
  if (reply->size() + size * count > kMaxReply) return 0;  // curl then fails the transfer
  reply->append(data, size * count);
  return size * count;
}

}  // namespace

core::Result<std::string> PostTimestampQuery(const std::string& url, std::string_view query) {
  if (!url.starts_with("http://") && !url.starts_with("https://")) {
    return core::InvalidArgumentError("--tsa must be an http:// or https:// URL");
  }
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) return core::InternalError("cannot start libcurl");
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headers(
      curl_slist_append(nullptr, "Content-Type: application/timestamp-query"), curl_slist_free_all);
  std::string reply;
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_POST, 1L);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, query.data());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(query.size()));
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, Collect);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &reply);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, kTimeoutSeconds);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  CURLcode code = curl_easy_perform(c);
  if (code != CURLE_OK) {
    return core::UnavailableError("the time-stamp authority " + url +
                                  " did not answer: " + curl_easy_strerror(code));
  }
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  if (status != 200) {
    return core::UnavailableError("the time-stamp authority " + url + " answered HTTP " +
                                  std::to_string(status));
  }
  return reply;
}

}  // namespace mamori::cli
