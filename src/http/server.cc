// SPDX-License-Identifier: Apache-2.0
// Server and its implementation, internal::ServerCore: the io_context and its
// network threads, the listening socket, the accept loop with the connection
// limit, signal handling and the graceful drain. Connections are in
// internal/session.cc.
#include "http/server.h"

#include <algorithm>
#include <condition_variable>
#include <csignal>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "core/logging.h"
#include "http/internal/session.h"
#include "http/internal/tls_context.h"

namespace mamori::http {
namespace internal {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;
using tcp = asio::ip::tcp;

// Beyond this many connections being answered 503 at once, further ones are
// closed without a handshake: a flood must not buy TLS work from us.
constexpr size_t kMaxRejectingConnections = 64;
// Back-off after a failed accept (EMFILE, ENOBUFS) so the loop cannot spin.
constexpr std::chrono::milliseconds kAcceptRetryDelay{50};

size_t DefaultThreads(size_t configured, size_t factor, size_t minimum) {
  if (configured > 0) return configured;
  size_t hw = std::max<unsigned>(1, std::thread::hardware_concurrency());
  return std::max(minimum, hw * factor);
}

core::Status ValidateOptions(const ServerOptions& o) {
  auto positive = [](std::chrono::milliseconds d) { return d.count() > 0; };
  if (o.max_header_bytes < 1024) {
    return core::InvalidArgumentError("max_header_bytes must be at least 1024");
  }
  if (o.max_body_bytes == 0) return core::InvalidArgumentError("max_body_bytes must be positive");
  if (o.max_connections == 0) return core::InvalidArgumentError("max_connections must be positive");
  if (o.retry_after_seconds < 0) {
    return core::InvalidArgumentError("retry_after_seconds must not be negative");
  }
  if (!positive(o.handshake_timeout) || !positive(o.header_timeout) || !positive(o.body_timeout) ||
      !positive(o.write_timeout) || !positive(o.idle_timeout) || o.drain_timeout.count() < 0) {
    return core::InvalidArgumentError("server timeouts must be positive");
  }
  return core::Status::Ok();
}

// Runs `fn` on `executor` and waits for it. REQUIRES: not on that executor.
template <typename Executor, typename Fn>
void RunAndWait(const Executor& executor, Fn fn) {
  std::promise<void> done;
  asio::post(executor, [&] {
    fn();
    done.set_value();
  });
  done.get_future().wait();
}

}  // namespace

class ServerCore {
 public:
  // One io_context per network thread, like nginx's workers: a connection
  // lives on one context and its single thread, so it needs no strand and
  // its handlers never contend for a shared scheduler lock. Context 0 also
  // runs the acceptor and the signal set.
  ServerCore(std::shared_ptr<SessionShared> shared, size_t threads)
      : shared_(std::move(shared)),
        threads_count_(threads),
        contexts_(MakeContexts(threads)),
        acceptor_(contexts_[0]->get_executor()),
        retry_timer_(acceptor_.get_executor()) {}

  ~ServerCore() { Shutdown(); }

  core::Status Listen() {
    error_code ec;
    asio::ip::address address = asio::ip::make_address(shared_->options.listen_address, ec);
    if (ec) return core::InvalidArgumentError("listen_address is not an IP address");
    tcp::endpoint endpoint(address, shared_->options.port);
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      return core::UnavailableError("cannot listen on " + shared_->options.listen_address + ":" +
                                    std::to_string(shared_->options.port) + ": " + ec.message());
    }
    port_ = acceptor_.local_endpoint(ec).port();
    return core::Status::Ok();
  }

  core::Status Start() {
    std::lock_guard lock(mu_);
    if (state_ != State::kCreated) {
      return core::FailedPreconditionError("server already started or stopped");
    }
    state_ = State::kRunning;
    for (auto& context : contexts_) work_.emplace_back(context->get_executor());
    asio::post(acceptor_.get_executor(), [this] { DoAccept(); });
    for (auto& context : contexts_) {
      threads_.emplace_back([c = context.get()] { c->run(); });
    }
    core::LogInfo(
        "https listening on {} port {} ({} network threads, mutual TLS {})",
        core::LogSafe::Vouch(shared_->options.listen_address, "config value"), port_,
        threads_count_,
        shared_->options.client_ca_path.empty() ? core::LogSafe("off") : core::LogSafe("on"));
    return core::Status::Ok();
  }

  void Shutdown() {
    std::lock_guard serial(shutdown_mu_);
    {
      std::lock_guard lock(mu_);
      if (state_ == State::kStopped) return;
      if (state_ == State::kCreated) {
        state_ = State::kStopped;
        error_code ignored;
        acceptor_.close(ignored);
        return;
      }
      state_ = State::kStopping;
    }
    shared_->draining = true;
    RunAndWait(acceptor_.get_executor(), [this] {
      error_code ignored;
      acceptor_.close(ignored);  // new connects are now refused by the kernel
      retry_timer_.cancel();
    });
    Drain();
    shared_->handler_pool.join();  // handlers cannot be interrupted; wait for them
    // Answers still to come (a group commit in progress) are posted to the
    // network threads: keep them running until the last one is posted.
    shared_->in_flight.WaitUntilNone();
    work_.clear();
    for (auto& context : contexts_) context->stop();
    for (std::thread& t : threads_) t.join();
    threads_.clear();
    std::lock_guard lock(mu_);
    state_ = State::kStopped;
    if (signals_ && !signal_fired_) {
      signal_fired_ = true;
      signal_promise_.set_value(0);
    }
    core::LogInfo("https server stopped");
  }

  core::Status RunUntilSignal() {
    bool created;
    {
      std::lock_guard lock(mu_);
      created = state_ == State::kCreated;
    }
    if (created) MAMORI_RETURN_IF_ERROR(Start());
    {
      std::lock_guard lock(mu_);
      if (state_ != State::kRunning) return core::FailedPreconditionError("server is stopping");
      signals_.emplace(*contexts_[0], SIGINT, SIGTERM);
      signals_->async_wait([this](error_code ec, int signal) {
        std::lock_guard inner(mu_);
        if (signal_fired_) return;
        signal_fired_ = true;
        signal_promise_.set_value(ec ? 0 : signal);
      });
      signals_ready_.notify_all();
    }
    int signal = signal_promise_.get_future().get();
    if (signal != 0) core::LogInfo("signal {} received; draining connections", signal);
    Shutdown();
    return core::Status::Ok();
  }

  void WaitForSignalHandlerForTest() {
    std::unique_lock lock(mu_);
    signals_ready_.wait(lock, [this] { return signals_.has_value(); });
  }

  uint16_t port() const { return port_; }

 private:
  enum class State { kCreated, kRunning, kStopping, kStopped };

  static std::vector<std::unique_ptr<asio::io_context>> MakeContexts(size_t n) {
    std::vector<std::unique_ptr<asio::io_context>> contexts;
    for (size_t i = 0; i < std::max<size_t>(1, n); ++i) {
      contexts.push_back(std::make_unique<asio::io_context>(1));
    }
    return contexts;
  }

  void DoAccept() {
    // Round robin over the contexts; each connection stays on its context.
    asio::io_context& target = *contexts_[next_context_++ % contexts_.size()];
    acceptor_.async_accept(target.get_executor(), [this](error_code ec, auto socket) {
      OnAccept(ec, tcp::socket(std::move(socket)));
    });
  }

  void OnAccept(error_code ec, tcp::socket socket) {
    if (!acceptor_.is_open()) return;
    if (ec) {
      core::LogWarn("accept failed: {}", core::LogSafe::Vouch(ec.message(), "system error text"));
      retry_timer_.expires_after(kAcceptRetryDelay);
      retry_timer_.async_wait([this](error_code e) {
        if (!e && acceptor_.is_open()) DoAccept();
      });
      return;
    }
    // Nagle's algorithm would hold the last segment of a response that spans
    // several TLS records until the client's delayed ACK (about 40 ms):
    // responses are written whole, so send at once.
    error_code nodelay_ec;
    socket.set_option(tcp::no_delay(true), nodelay_ec);
    bool over_limit = shared_->registry.active() >= shared_->options.max_connections;
    if (over_limit && shared_->registry.rejecting() >= kMaxRejectingConnections) {
      error_code ignored;
      socket.close(ignored);
    } else {
      StartSession(std::move(socket), shared_, over_limit);
    }
    DoAccept();
  }

  // Closes idle connections, waits for the rest up to drain_timeout, then
  // closes whatever is left.
  void Drain() {
    for (const auto& connection : shared_->registry.Snapshot()) connection->BeginDrain();
    if (shared_->registry.WaitUntilEmpty(shared_->options.drain_timeout)) return;
    core::LogWarn("drain timeout passed with {} connections open; closing them",
                  static_cast<uint64_t>(shared_->registry.active()));
    for (const auto& connection : shared_->registry.Snapshot()) connection->ForceClose();
  }

  const std::shared_ptr<SessionShared> shared_;
  const size_t threads_count_;
  std::vector<std::unique_ptr<asio::io_context>> contexts_;
  size_t next_context_ = 0;  // acceptor's thread only
  tcp::acceptor acceptor_;
  asio::steady_timer retry_timer_;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  std::vector<std::thread> threads_;
  uint16_t port_ = 0;

  std::mutex shutdown_mu_;  // serialises Shutdown() calls
  std::mutex mu_;
  std::condition_variable signals_ready_;
  State state_ MAMORI_GUARDED_BY(mu_) = State::kCreated;
  std::optional<asio::signal_set> signals_ MAMORI_GUARDED_BY(mu_);
  bool signal_fired_ MAMORI_GUARDED_BY(mu_) = false;
  std::promise<int> signal_promise_;
};

}  // namespace internal

core::Result<std::unique_ptr<Server>> Server::Create(ServerOptions options, core::Env& env,
                                                     Handler handler) {
  if (!handler) return core::InvalidArgumentError("server handler is empty");
  return CreateAsync(std::move(options), env,
                     [handler = std::move(handler)](const Request& request, Respond respond) {
                       respond(handler(request));
                     });
}

core::Result<std::unique_ptr<Server>> Server::CreateAsync(ServerOptions options, core::Env& env,
                                                          AsyncHandler handler) {
  MAMORI_RETURN_IF_ERROR(internal::ValidateOptions(options));
  if (!handler) return core::InvalidArgumentError("server handler is empty");
  internal::TlsFiles files{options.cert_chain_path, options.key_path, options.client_ca_path,
                           options.require_client_certificate};
  MAMORI_ASSIGN_OR_RETURN(internal::SslCtxPtr ctx,
                          internal::BuildServerTlsContext(files, env.fs()));
  boost::asio::ssl::context tls(ctx.release());  // takes ownership
  size_t threads = internal::DefaultThreads(options.threads, 1, 1);
  size_t handler_threads = internal::DefaultThreads(options.handler_threads, 32, 64);
  auto shared = std::make_shared<internal::SessionShared>(options, env, std::move(handler),
                                                          std::move(tls), handler_threads);
  auto core = std::make_shared<internal::ServerCore>(std::move(shared), threads);
  MAMORI_RETURN_IF_ERROR(core->Listen());
  return std::unique_ptr<Server>(new Server(std::move(core)));
}

Server::Server(std::shared_ptr<internal::ServerCore> core) : core_(std::move(core)) {}

Server::~Server() { Shutdown(); }

core::Status Server::Start() { return core_->Start(); }

void Server::Shutdown() { core_->Shutdown(); }

core::Status Server::RunUntilSignal() { return core_->RunUntilSignal(); }

uint16_t Server::port() const { return core_->port(); }

void Server::WaitForSignalHandlerForTest() { core_->WaitForSignalHandlerForTest(); }

}  // namespace mamori::http
