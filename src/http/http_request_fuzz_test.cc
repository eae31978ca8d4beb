// SPDX-License-Identifier: Apache-2.0
// Fuzz target for the HTTP request line, header fields, chunked framing and
// size limits (STYLE.md rule 32). It runs the parser exactly as the server
// configures it (internal::ConfigureRequestParser with the production
// defaults, and with small limits so short inputs reach them), fed in the
// piece sizes the first byte selects, and checks that:
//   - nothing crashes, hangs or reads out of bounds (ASan in the clang job);
//   - every parse error the server would answer maps to 400, 413 or 431, and
//     a timeout maps to 408;
//   - a parsed request converts to http::Request with path + query == target.
#include <string>
#include <string_view>

#include "core/check.h"
#include "core/testing/fuzz.h"
#include "http/internal/beast_messages.h"
#include "http/internal/request_parser.h"
#include "http/server.h"

namespace {

using mamori::http::internal::AnswerForReadError;
using mamori::http::internal::ParserLimits;

void CheckAnswer(const boost::system::error_code& ec) {
  if (auto answer = AnswerForReadError(ec, /*timed_out=*/false)) {
    int s = answer->http_status;
    MAMORI_CHECK(s == 400 || s == 413 || s == 431);
  }
  MAMORI_CHECK(AnswerForReadError(ec, /*timed_out=*/true)->http_status == 408);
}

void CheckRequest(mamori::http::internal::RequestParser& parser) {
  mamori::http::Request req = mamori::http::internal::ToRequest(parser.release(), {}, "id");
  std::string rebuilt = req.path;
  if (req.target.find('?') != std::string::npos) rebuilt += "?" + req.query;
  MAMORI_CHECK(rebuilt == req.target);
}

void RunOnce(std::string_view bytes, const ParserLimits& limits, size_t piece) {
  mamori::http::internal::RequestParser parser;
  mamori::http::internal::ConfigureRequestParser(parser, limits);
  boost::system::error_code ec = mamori::http::internal::FeedRequestBytes(parser, bytes, piece);
  if (ec) return CheckAnswer(ec);
  if (parser.is_done()) CheckRequest(parser);
}

}  // namespace

MAMORI_FUZZ_TARGET(data, size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  size_t piece = bytes.empty() ? 1 : static_cast<unsigned char>(bytes[0]) % 64 + 1;
  ParserLimits production = mamori::http::internal::LimitsFrom(mamori::http::ServerOptions());
  RunOnce(bytes, production, bytes.size() + 1);
  RunOnce(bytes, production, piece);
  RunOnce(bytes, ParserLimits{1024, 256}, piece);
}
