// SPDX-License-Identifier: Apache-2.0
#pragma once
// Private to http: include "http/server.h" instead.
//
// Request ids: 128 random bits from core::Random as 32 lowercase hex digits,
// sent as X-Request-Id on every response and written in the access log, so an
// operator can match a client's report to a log line without either side
// revealing anything about the request.
//
// A client may send its own X-Request-Id. It is never used as ours (a client
// could forge or repeat it to confuse the log); when it is well formed
// ([A-Za-z0-9-]{1,64}) it is echoed back as X-Client-Request-Id.
//
// Thread-safety: pure functions; Random::Fill is thread-safe.

#include <string>
#include <string_view>

#include "core/random.h"

namespace mamori::http::internal {

// 32 lowercase hex digits from 16 bytes of `random`.
std::string NewRequestId(core::Random& random);

// Whether a client-sent id is safe to echo: 1 to 64 of [A-Za-z0-9-].
bool IsWellFormedClientRequestId(std::string_view id);

}  // namespace mamori::http::internal
