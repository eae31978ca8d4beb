// SPDX-License-Identifier: Apache-2.0
#include "http/internal/request_parser.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>

namespace mamori::http::internal {

namespace bhttp = boost::beast::http;

namespace {

// End of input, as Beast's read loop signals it: nothing at all received is
// end_of_stream; part of a message is whatever put_eof() decides.
boost::system::error_code FinishInput(RequestParser& parser) {
  if (!parser.got_some()) return bhttp::error::end_of_stream;
  boost::system::error_code ec;
  parser.put_eof(ec);
  return ec;
}

}  // namespace

ParserLimits LimitsFrom(const ServerOptions& options) {
  return ParserLimits{options.max_header_bytes, options.max_body_bytes};
}

void ConfigureRequestParser(RequestParser& parser, const ParserLimits& limits) {
  size_t header = std::min<size_t>(limits.max_header_bytes, std::numeric_limits<uint32_t>::max());
  parser.header_limit(static_cast<uint32_t>(header));
  parser.body_limit(static_cast<uint64_t>(limits.max_body_bytes));
}

std::optional<ErrorAnswer> AnswerForReadError(const boost::system::error_code& ec, bool timed_out) {
  if (timed_out) return ErrorAnswer{408, IssueCode::kTimeout, "request not received in time"};
  if (ec == bhttp::error::header_limit || ec == bhttp::error::buffer_overflow) {
    return ErrorAnswer{431, IssueCode::kTooLong, "request header fields too large"};
  }
  if (ec == bhttp::error::body_limit) {
    return ErrorAnswer{413, IssueCode::kTooLong, "request body too large"};
  }
  // The peer closed before a full request: no one is left to answer.
  if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message) {
    return std::nullopt;
  }
  if (ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category()) {
    return ErrorAnswer{400, IssueCode::kInvalid, "malformed HTTP request"};
  }
  return std::nullopt;
}

boost::system::error_code FeedRequestBytes(RequestParser& parser, std::string_view bytes,
                                           size_t piece) {
  piece = std::max<size_t>(piece, 1);
  boost::system::error_code ec;
  std::string buffered;
  while (!parser.is_done()) {
    size_t take = std::min(piece, bytes.size());
    buffered.append(bytes.substr(0, take));
    bytes.remove_prefix(take);
    size_t used = parser.put(boost::asio::buffer(buffered), ec);
    buffered.erase(0, used);
    if (ec == bhttp::error::need_more) {
      ec = {};
    } else if (ec) {
      return ec;
    }
    if (take == 0 && used == 0 && !parser.is_done()) return FinishInput(parser);
  }
  return ec;
}

}  // namespace mamori::http::internal
