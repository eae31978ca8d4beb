// SPDX-License-Identifier: Apache-2.0
#include "http/request.h"

namespace mamori::http {

void SplitTarget(std::string_view target, std::string& path, std::string& query) {
  size_t q = target.find('?');
  path.assign(target.substr(0, q));
  query.assign(q == std::string_view::npos ? std::string_view() : target.substr(q + 1));
}

}  // namespace mamori::http
