// SPDX-License-Identifier: Apache-2.0
// The connection session. This is the one orchestrator of the http module and
// the largest file in it (STYLE.md rule 38): the connection's states, their
// deadlines and their transitions are kept in one place so that every path
// through a connection can be read, and reviewed for a missing deadline, in
// one sitting. Conversions, limits and TLS policy live in the small files
// beside it.
//
// States (phase_) and the deadline that guards each:
//   kHandshake  TLS handshake                     handshake_timeout -> close
//   kIdle       keep-alive wait for the 1st byte  idle_timeout      -> close silently
//   kHeader     request line + fields             header_timeout    -> 408, close
//   kBody       body                              body_timeout      -> 408, close
//   kHandling   the Handler runs on the pool      (none: handlers cannot be interrupted)
//   kWriting    response                          write_timeout     -> close
//   kLinger     FIN sent, reading what is left    kLingerTimeout    -> close
// Everything below runs on the socket's serial executor, except CallHandler(), which
// runs on the handler pool and touches only immutable state, and the Respond it
// gets, which may be called on any thread and only posts to that executor.
#include "http/internal/session.h"

#include <array>
#include <optional>
#include <string>

#include <boost/asio/post.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include "core/clock.h"
#include "core/logging.h"
#include "http/internal/access_log.h"
#include "http/internal/beast_messages.h"
#include "http/internal/request_id.h"
#include "http/internal/tls_context.h"
#include "http/operation_outcome.h"

namespace mamori::http::internal {
namespace {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using boost::system::error_code;
using tcp = asio::ip::tcp;

// How long a closing connection may take to send us its FIN, and how much of
// an unread body we swallow meanwhile so the kernel does not answer with a
// reset that would destroy our error response in flight.
constexpr std::chrono::milliseconds kLingerTimeout{2000};
constexpr size_t kLingerMaxBytes = 1024 * 1024;

class Session final : public Drainable, public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<SessionShared> shared, bool rejecting)
      : shared_(std::move(shared)),
        stream_(std::move(socket), shared_->tls),
        timer_(stream_.get_executor()),
        rejecting_(rejecting) {}

  ~Session() override { shared_->registry.Remove(registry_id_); }

  void Register() { registry_id_ = shared_->registry.Add(weak_from_this(), rejecting_); }

  void Run() {
    asio::post(stream_.get_executor(), [self = shared_from_this()] { self->StartHandshake(); });
  }

  void BeginDrain() override {
    asio::post(stream_.get_executor(), [self = shared_from_this()] { self->OnDrain(); });
  }

  void ForceClose() override {
    asio::post(stream_.get_executor(), [self = shared_from_this()] { self->CloseSocket(); });
  }

 private:
  enum class Phase { kHandshake, kIdle, kHeader, kBody, kHandling, kWriting, kLinger, kClosed };

  // ---- deadlines ----
  void ArmTimer(Phase phase, std::chrono::milliseconds timeout) {
    phase_ = phase;
    timed_out_ = false;
    uint64_t gen = ++timer_gen_;
    timer_.expires_after(timeout);
    timer_.async_wait([self = shared_from_this(), gen](error_code ec) {
      if (!ec) self->OnTimer(gen);
    });
  }

  void CancelTimer() {
    ++timer_gen_;
    timer_.cancel();
  }

  void OnTimer(uint64_t gen) {
    if (gen != timer_gen_) return;  // a later phase re-armed or cancelled it
    if (phase_ == Phase::kHeader || phase_ == Phase::kBody) {
      // Slowloris and slow-body senders: stop the read and answer 408. The
      // read completes with operation_aborted and sees timed_out_.
      timed_out_ = true;
      error_code ignored;
      stream_.lowest_layer().cancel(ignored);
      return;
    }
    CloseSocket();
  }

  // ---- handshake ----
  void StartHandshake() {
    if (phase_ == Phase::kClosed) return;  // drained before it started
    error_code ec;
    tcp::endpoint peer = stream_.lowest_layer().remote_endpoint(ec);
    if (ec) return CloseSocket();
    conn_.remote_address = peer.address().to_string();
    conn_.remote_port = peer.port();
    ArmTimer(Phase::kHandshake, shared_->options.handshake_timeout);
    stream_.async_handshake(asio::ssl::stream_base::server,
                            [self = shared_from_this()](error_code e) { self->OnHandshake(e); });
  }

  void OnHandshake(error_code ec) {
    if (phase_ == Phase::kClosed) return;
    CancelTimer();
    if (ec) {
      // Scanners, old protocols, foreign client certificates: routine noise.
      core::LogDebug("TLS handshake failed: {}",
                     core::LogSafe::Vouch(ec.message(), "OpenSSL error text"));
      return CloseSocket();
    }
    conn_.client_certificate = VerifiedPeerCertificate(stream_.native_handle());
    if (draining_ || shared_->draining) return CloseSocket();
    if (rejecting_) return SendOverloaded();
    StartRequest();
  }

  // ---- reading a request ----
  void StartRequest() {
    parser_.emplace();
    ConfigureRequestParser(*parser_, shared_->limits);
    method_.clear();
    path_.clear();
    request_id_.clear();
    client_request_id_.clear();
    head_ = false;
    if (first_request_ || buffer_.size() > 0) return ReadHeader();
    // Keep-alive: wait for the first byte under the idle deadline, so that the
    // header deadline measures a client that started talking.
    ArmTimer(Phase::kIdle, shared_->options.idle_timeout);
    stream_.async_read_some(buffer_.prepare(4096),
                            [self = shared_from_this()](error_code e, size_t n) {
                              self->buffer_.commit(n);
                              self->OnFirstBytes(e);
                            });
  }

  void OnFirstBytes(error_code ec) {
    if (phase_ == Phase::kClosed) return;
    CancelTimer();
    if (ec) return CloseSocket();  // idle timeout or the client left: silent
    ReadHeader();
  }

  void ReadHeader() {
    first_request_ = false;
    ArmTimer(Phase::kHeader, shared_->options.header_timeout);
    bhttp::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](error_code e, size_t) { self->OnHeader(e); });
  }

  void OnHeader(error_code ec) {
    if (phase_ == Phase::kClosed) return;
    CancelTimer();
    started_ = shared_->env.clock().Monotonic();
    if (parser_->is_header_done()) {
      method_ = std::string(parser_->get().method_string());
      std::string query;
      SplitTarget(parser_->get().target(), path_, query);
    }
    if (ec) return OnReadError(ec);
    if (parser_->is_done()) return Dispatch();
    ReadBody();
  }

  void ReadBody() {
    ArmTimer(Phase::kBody, shared_->options.body_timeout);
    auto expect = parser_->get()[bhttp::field::expect];
    if (!EqualsIgnoreCase(expect, "100-continue")) return ReadBodyBytes();
    // The client waits for this before sending a large body (curl, .NET).
    continue_.emplace(bhttp::status::continue_, parser_->get().version());
    bhttp::async_write(stream_, *continue_, [self = shared_from_this()](error_code e, size_t) {
      if (self->phase_ == Phase::kClosed) return;
      if (e) return self->OnReadError(e);
      self->ReadBodyBytes();
    });
  }

  void ReadBodyBytes() {
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = shared_from_this()](error_code e, size_t) { self->OnBody(e); });
  }

  void OnBody(error_code ec) {
    if (phase_ == Phase::kClosed) return;
    CancelTimer();
    if (ec) return OnReadError(ec);
    Dispatch();
  }

  void OnReadError(error_code ec) {
    std::optional<ErrorAnswer> answer = AnswerForReadError(ec, timed_out_);
    if (!answer) return CloseSocket();
    request_id_ = NewRequestId(shared_->env.random());
    version_ = parser_->is_header_done() ? parser_->get().version() : 11;
    SendResponse(OperationOutcomeResponse(answer->http_status, answer->issue, answer->diagnostics),
                 /*must_close=*/true);
  }

  // ---- handling ----
  void Dispatch() {
    phase_ = Phase::kHandling;
    BeastRequest wire = parser_->release();
    version_ = wire.version();
    keep_alive_ = wire.keep_alive();
    head_ = wire.method() == bhttp::verb::head;
    request_id_ = NewRequestId(shared_->env.random());
    if (auto it = wire.find("X-Request-Id");
        it != wire.end() && IsWellFormedClientRequestId(it->value())) {
      client_request_id_ = std::string(it->value());
    }
    if (path_.empty() || path_[0] != '/') {
      // Only origin-form targets ("/path?query"): absolute-form and "*" would
      // let a request name another host (request smuggling through proxies).
      return SendResponse(
          OperationOutcomeResponse(400, IssueCode::kInvalid, "request target must start with /"),
          /*must_close=*/true);
    }
    Request request = ToRequest(std::move(wire), conn_, request_id_);
    Respond respond = Responder();
    if (shared_->options.run_inline && shared_->options.run_inline(request)) {
      // A handler that never blocks: run it on this connection's thread, no hand-off.
      return CallHandler(request, std::move(respond));
    }
    asio::post(shared_->handler_pool, [self = shared_from_this(), request = std::move(request),
                                       respond = std::move(respond)]() mutable {
      // Force-closed while queued: nobody to answer (OnHandled drops it).
      if (self->closed_) return respond(Response::Empty(503));
      self->CallHandler(request, std::move(respond));
    });
  }

  // The Respond given to the handler. Its first call posts the response to
  // this connection's executor; until then it holds the session, and the
  // request counts as in flight so that Shutdown keeps the network threads
  // until the answer is posted (an async handler may answer from the store's
  // committer thread after a group commit).
  Respond Responder() {
    struct Answer {
      std::shared_ptr<Session> session;
      std::atomic<bool> given{false};
    };
    shared_->in_flight.Begin();
    auto answer = std::make_shared<Answer>();
    answer->session = shared_from_this();
    return [answer](Response response) {
      if (answer->given.exchange(true)) return;  // answered already (then threw)
      std::shared_ptr<Session> self = std::move(answer->session);
      std::shared_ptr<SessionShared> shared = self->shared_;
      auto executor = self->stream_.get_executor();
      asio::post(executor, [self = std::move(self), response = std::move(response)]() mutable {
        self->OnHandled(std::move(response));
      });
      shared->in_flight.End();
    };
  }

  // Runs on the handler pool (or inline). The exception boundary of STYLE.md
  // rule 25: a throwing handler must neither kill a thread nor leak its
  // message (which could quote a request body) into a log line or the
  // response.
  void CallHandler(const Request& request, Respond respond) const {
    core::LogSafe id = core::LogSafe::Vouch(request.request_id, "random request id");
    try {
      shared_->handler(request, respond);
      return;
    } catch (const std::exception&) {
      core::LogError("ALERT handler threw an exception; request {} answered 500", id);
    } catch (...) {
      core::LogError("ALERT handler threw a non-exception; request {} answered 500", id);
    }
    // Ignored if the handler answered before it threw.
    respond(OperationOutcomeResponse(
        500, IssueCode::kException,
        "the server could not complete the request; request id " + request.request_id));
  }

  void OnHandled(Response response) {
    if (phase_ == Phase::kClosed) return;
    SendResponse(std::move(response), /*must_close=*/false);
  }

  // ---- writing ----
  void SendOverloaded() {
    request_id_ = NewRequestId(shared_->env.random());
    started_ = shared_->env.clock().Monotonic();
    Response r =
        OperationOutcomeResponse(503, IssueCode::kTransient, "too many connections; retry later");
    r.headers.Set("Retry-After", std::to_string(shared_->options.retry_after_seconds));
    SendResponse(std::move(r), /*must_close=*/true);
  }

  void SendResponse(Response response, bool must_close) {
    bool close = must_close || !keep_alive_ || draining_ || shared_->draining;
    ResponseContext ctx{request_id_,
                        client_request_id_,
                        core::FormatHttpDate(shared_->env.clock().Now()),
                        version_,
                        !close,
                        head_};
    response_.emplace(ToBeastResponse(std::move(response), ctx));
    status_ = static_cast<int>(response_->result_int());
    bytes_ = response_->body().size();
    ArmTimer(Phase::kWriting, shared_->options.write_timeout);
    bhttp::async_write(
        stream_, *response_,
        [self = shared_from_this(), close](error_code e, size_t) { self->OnWritten(e, close); });
  }

  void OnWritten(error_code ec, bool close) {
    if (phase_ == Phase::kClosed) return;
    CancelTimer();
    auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
        shared_->env.clock().Monotonic() - started_);
    if (shared_->options.access_log) {
      LogAccess({method_, path_, status_, bytes_, micros.count(), request_id_});
    }
    response_.reset();
    continue_.reset();
    if (ec) return CloseSocket();
    if (close) return LingerClose();
    StartRequest();
  }

  // ---- closing ----
  void OnDrain() {
    draining_ = true;
    bool nothing_started = phase_ == Phase::kHandshake || phase_ == Phase::kIdle ||
                           (phase_ == Phase::kHeader && buffer_.size() == 0);
    if (nothing_started) CloseSocket();
  }

  // Half-closes after the last response and reads until the peer's FIN, so
  // that unread request bytes do not make the kernel reset the connection
  // before the client has read our answer (RFC 9112 section 9.6). No TLS
  // close_notify: Content-Length delimits every response, so truncation is
  // detectable without it (RFC 9112 section 9.8).
  void LingerClose() {
    error_code ignored;
    stream_.lowest_layer().shutdown(tcp::socket::shutdown_send, ignored);
    ArmTimer(Phase::kLinger, kLingerTimeout);
    LingerRead();
  }

  void LingerRead() {
    stream_.next_layer().async_read_some(asio::buffer(linger_buf_),
                                         [self = shared_from_this()](error_code e, size_t n) {
                                           if (self->phase_ == Phase::kClosed) return;
                                           self->linger_bytes_ += n;
                                           if (e || self->linger_bytes_ > kLingerMaxBytes)
                                             return self->CloseSocket();
                                           self->LingerRead();
                                         });
  }

  void CloseSocket() {
    if (phase_ == Phase::kClosed) return;
    phase_ = Phase::kClosed;
    closed_ = true;
    CancelTimer();
    error_code ignored;
    stream_.lowest_layer().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.lowest_layer().close(ignored);
  }

  const std::shared_ptr<SessionShared> shared_;
  asio::ssl::stream<tcp::socket> stream_;
  asio::steady_timer timer_;
  const bool rejecting_;
  uint64_t registry_id_ = 0;

  Phase phase_ = Phase::kHandshake;
  uint64_t timer_gen_ = 0;
  bool timed_out_ = false;
  bool draining_ = false;
  bool first_request_ = true;
  std::atomic<bool> closed_{false};  // read by the handler pool

  ConnectionInfo conn_;
  boost::beast::flat_buffer buffer_;
  std::optional<RequestParser> parser_;
  std::optional<bhttp::response<bhttp::empty_body>> continue_;
  std::optional<BeastResponse> response_;
  std::array<char, 4096> linger_buf_{};
  size_t linger_bytes_ = 0;

  // The request in flight, for the response and the access log.
  std::string method_;
  std::string path_;
  std::string request_id_;
  std::string client_request_id_;
  unsigned version_ = 11;
  bool keep_alive_ = true;
  bool head_ = false;
  int status_ = 0;
  size_t bytes_ = 0;
  core::Clock::MonoTime started_{};
};

}  // namespace

void StartSession(tcp::socket socket, std::shared_ptr<SessionShared> shared, bool reject) {
  auto session = std::make_shared<Session>(std::move(socket), std::move(shared), reject);
  session->Register();
  session->Run();
}

}  // namespace mamori::http::internal
