// SPDX-License-Identifier: Apache-2.0
#pragma once

// Asking an RFC 3161 time-stamp authority (TSA) over HTTP(S), RFC 3161
// section 3.4: POST the DER query as application/timestamp-query, read the
// DER reply. libcurl does the HTTP (and TLS for https URLs, verified against
// the system's CAs).
//
//   MAMORI_ASSIGN_OR_RETURN(std::string reply, PostTimestampQuery(url, query));

#include <string>
#include <string_view>

#include "core/status.h"

namespace mamori::cli {

// Errors: kUnavailable (no answer within 30 s, or an HTTP status other than
// 200) with the TSA's URL and the cause; kInvalidArgument for a URL that is
// not http(s).
core::Result<std::string> PostTimestampQuery(const std::string& url, std::string_view query);

}  // namespace mamori::cli
