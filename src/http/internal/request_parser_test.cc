// SPDX-License-Identifier: Apache-2.0
#include "http/internal/request_parser.h"

#include <boost/asio/error.hpp>
#include <boost/beast/http/error.hpp>
#include <gtest/gtest.h>

namespace mamori::http::internal {
namespace {

namespace bhttp = boost::beast::http;

boost::system::error_code Feed(std::string_view bytes, size_t piece,
                               ParserLimits limits = {1024, 64}) {
  RequestParser parser;
  ConfigureRequestParser(parser, limits);
  return FeedRequestBytes(parser, bytes, piece);
}

TEST(RequestParserTest, ValidRequestParsesWhateverThePieceSize) {
  const std::string request = "POST /x?y=1 HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello";
  for (size_t piece : {size_t{1}, size_t{3}, size_t{17}, request.size()}) {
    RequestParser parser;
    ConfigureRequestParser(parser, ParserLimits{1024, 64});
    EXPECT_FALSE(FeedRequestBytes(parser, request, piece)) << piece;
    ASSERT_TRUE(parser.is_done());
    EXPECT_EQ(parser.get().body(), "hello");
    EXPECT_EQ(parser.get().target(), "/x?y=1");
  }
}

TEST(RequestParserTest, HeaderOverLimitIsHeaderLimit) {
  std::string request = "GET / HTTP/1.1\r\nX: " + std::string(2000, 'a') + "\r\n\r\n";
  EXPECT_EQ(Feed(request, 4096), bhttp::error::header_limit);
  EXPECT_EQ(Feed(request, 100), bhttp::error::header_limit);
}

TEST(RequestParserTest, ContentLengthOverLimitFailsAtTheHeader) {
  EXPECT_EQ(Feed("POST / HTTP/1.1\r\nContent-Length: 65\r\n\r\n", 4096), bhttp::error::body_limit);
}

TEST(RequestParserTest, ChunkedBodyOverLimitIsBodyLimit) {
  std::string request = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n28\r\n" +
                        std::string(40, 'x') + "\r\n28\r\n" + std::string(40, 'x') +
                        "\r\n0\r\n\r\n";
  EXPECT_EQ(Feed(request, 4096), bhttp::error::body_limit);
}

TEST(RequestParserTest, TruncatedRequestIsPartialMessage) {
  EXPECT_EQ(Feed("GET / HTTP/1.1\r\nHost:", 4096), bhttp::error::partial_message);
}

// Found by mutating the corpus: no bytes at all must not reach put_eof().
TEST(RequestParserTest, EmptyInputIsEndOfStream) {
  EXPECT_EQ(Feed("", 1), bhttp::error::end_of_stream);
  EXPECT_FALSE(AnswerForReadError(Feed("", 1), false).has_value());
}

TEST(RequestParserTest, LimitsComeFromServerOptions) {
  ServerOptions o;
  o.max_header_bytes = 2048;
  o.max_body_bytes = 99;
  ParserLimits l = LimitsFrom(o);
  EXPECT_EQ(l.max_header_bytes, 2048u);
  EXPECT_EQ(l.max_body_bytes, 99u);
}

TEST(AnswerForReadErrorTest, MapsLimitsSyntaxAndTimeouts) {
  EXPECT_EQ(AnswerForReadError(bhttp::error::header_limit, false)->http_status, 431);
  EXPECT_EQ(AnswerForReadError(bhttp::error::buffer_overflow, false)->http_status, 431);
  EXPECT_EQ(AnswerForReadError(bhttp::error::body_limit, false)->http_status, 413);
  EXPECT_EQ(AnswerForReadError(bhttp::error::bad_method, false)->http_status, 400);
  EXPECT_EQ(AnswerForReadError(bhttp::error::bad_obs_fold, false)->http_status, 400);
  EXPECT_EQ(AnswerForReadError(bhttp::error::bad_chunk, false)->http_status, 400);
  EXPECT_EQ(AnswerForReadError(boost::asio::error::operation_aborted, true)->http_status, 408);
  EXPECT_EQ(AnswerForReadError(boost::asio::error::operation_aborted, true)->issue,
            IssueCode::kTimeout);
}

TEST(AnswerForReadErrorTest, PeerThatLeftGetsNoAnswer) {
  EXPECT_FALSE(AnswerForReadError(bhttp::error::end_of_stream, false).has_value());
  EXPECT_FALSE(AnswerForReadError(bhttp::error::partial_message, false).has_value());
  EXPECT_FALSE(AnswerForReadError(boost::asio::error::connection_reset, false).has_value());
  EXPECT_FALSE(AnswerForReadError(boost::asio::error::eof, false).has_value());
}

}  // namespace
}  // namespace mamori::http::internal
