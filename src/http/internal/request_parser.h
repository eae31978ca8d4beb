// SPDX-License-Identifier: Apache-2.0
#pragma once
// Private to http: include "http/server.h" instead.
//
// The request parser configuration and error mapping, shared by the server's
// connection session and by http_request_fuzz_test so that the fuzz target
// exercises exactly the limits production uses (STYLE.md rule 32).
//
//   RequestParser parser;
//   ConfigureRequestParser(parser, LimitsFrom(options));
//   ... http::async_read_header(stream, buffer, parser, ...);
//   if (auto answer = AnswerForReadError(ec, timed_out)) SendError(*answer);
//
// Thread-safety: pure functions; a parser belongs to one connection.

#include <cstddef>
#include <optional>
#include <string_view>

#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/system/error_code.hpp>

#include "http/operation_outcome.h"
#include "http/server.h"

namespace mamori::http::internal {

using RequestParser = boost::beast::http::request_parser<boost::beast::http::string_body>;

struct ParserLimits {
  size_t max_header_bytes = 16 * 1024;
  size_t max_body_bytes = 16 * 1024 * 1024;
};

// The limits of `options` (max_header_bytes, max_body_bytes).
ParserLimits LimitsFrom(const ServerOptions& options);

// Sets the header limit (request line plus fields, -> 431) and the body limit
// (Content-Length or the sum of chunks, -> 413). REQUIRES: nothing parsed yet.
void ConfigureRequestParser(RequestParser& parser, const ParserLimits& limits);

// The error answer for a failed request read.
struct ErrorAnswer {
  int http_status;
  IssueCode issue;
  std::string_view diagnostics;  // a fixed sentence, never request bytes
};

// 408 when `timed_out`; 431 for the header limit; 413 for the body limit; 400
// for any other HTTP syntax error. nullopt when the peer went away or the
// transport failed (end of stream, reset, TLS error): nothing to answer.
std::optional<ErrorAnswer> AnswerForReadError(const boost::system::error_code& ec, bool timed_out);

// Feeds `bytes` to `parser` in pieces of at most `piece` bytes, buffering as
// Beast's read loop does, and signals end of input at the end. Returns the
// parser's first error, or success when a complete request was parsed.
// Used by the fuzz target; the server reads through Beast's async_read.
boost::system::error_code FeedRequestBytes(RequestParser& parser, std::string_view bytes,
                                           size_t piece);

}  // namespace mamori::http::internal
