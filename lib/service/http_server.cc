#include "service/http_server.h"

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
#include <type_traits>
#include <unordered_map>

#include "service/beast_request.h"

namespace envelope::service {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

const std::string* HttpRequest::Header(std::string_view name) const {
  for (const HttpHeader& header : headers) {
    if (beast::iequals(header.name, name)) return &header.value;
  }
  return nullptr;
}

namespace {

// Session is what Stop needs of a connection, whatever its stream type.
class Session {
 public:
  virtual ~Session() = default;
  // Interrupt closes the connection unless a request of it is with the
  // Handler (that one is answered first, then the connection closes).
  virtual void Interrupt() = 0;
};

// State is shared by the server and every connection: options, handler,
// the io_context and TLS context their sockets belong to, and the counts
// that Stop waits on. Connections hold it by shared_ptr, so it outlives any
// of them: a connection kept alive by a Respond that a Handler still holds
// after Stop closes its socket against a live io_context.
struct State {
  explicit State(unsigned thread_count) : ioc(static_cast<int>(thread_count)) {}

  HttpServerOptions options;
  Handler handler;
  std::optional<ssl::context> tls;  // before ioc: sockets go first
  net::io_context ioc;

  std::mutex mu;
  std::condition_variable idle;
  bool stopping = false;
  uint64_t next_id = 0;
  std::unordered_map<uint64_t, std::weak_ptr<Session>> sessions;

  bool Stopping() {
    std::lock_guard lock(mu);
    return stopping;
  }

  // Admit reserves a connection slot, or refuses while stopping or full.
  std::optional<uint64_t> Admit() {
    std::lock_guard lock(mu);
    if (stopping || sessions.size() >= options.max_connections) return std::nullopt;
    const uint64_t id = next_id++;
    sessions.emplace(id, std::weak_ptr<Session>());
    return id;
  }
  void Register(uint64_t id, std::weak_ptr<Session> session) {
    std::lock_guard lock(mu);
    sessions[id] = std::move(session);
  }
  void Release(uint64_t id) {
    std::lock_guard lock(mu);
    sessions.erase(id);
    if (sessions.empty()) idle.notify_all();
  }

  HttpResponse ProtocolError(unsigned status, std::string_view message) const {
    if (options.protocol_error) return options.protocol_error(status, message);
    HttpResponse response;
    response.status = status;
    response.headers.push_back({"Content-Type", "text/plain"});
    response.body = std::string(message) + "\n";
    return response;
  }
};

// Connection serves one accepted socket: an optional TLS handshake, then
// requests one after the other (HTTP/1.1 keep-alive), each read whole under
// the limits, handed to the Handler and answered in order. Every step runs
// on the connection's strand.
template <class Stream>
class Connection : public Session, public std::enable_shared_from_this<Connection<Stream>> {
 public:
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

  template <class... Args>
  Connection(std::shared_ptr<State> state, uint64_t id, std::string remote_address,
             uint16_t remote_port, Args&&... stream_args)
      : state_(std::move(state)),
        id_(id),
        remote_address_(std::move(remote_address)),
        remote_port_(remote_port),
        stream_(std::forward<Args>(stream_args)...),
        executor_(stream_.get_executor()) {}

  ~Connection() override { state_->Release(id_); }

  void Begin() {
    net::dispatch(executor_, [self = this->shared_from_this()] { self->Handshake(); });
  }

  void Interrupt() override {
    net::post(executor_, [self = this->shared_from_this()] {
      self->interrupted_ = true;
      if (!self->with_handler_ && !self->closed_) beast::get_lowest_layer(self->stream_).cancel();
    });
  }

 private:
  beast::tcp_stream& Socket() { return beast::get_lowest_layer(stream_); }

  void Handshake() {
    if constexpr (kTls) {
      Socket().expires_after(state_->options.handshake_timeout);
      stream_.async_handshake(ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                if (ec) return self->Close();
                                self->ReadHeader();
                              });
    } else {
      ReadHeader();
    }
  }

  void ReadHeader() {
    if (interrupted_ || state_->Stopping()) return Close();
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(state_->options.max_header_bytes));
    parser_->body_limit(state_->options.max_body_bytes);
    Socket().expires_after(state_->options.idle_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = this->shared_from_this()](beast::error_code ec, size_t) {
                              if (ec) return self->ReadFailed(ec);
                              self->ReadBody();
                            });
  }

  void ReadBody() {
    Socket().expires_after(state_->options.request_timeout);
    if (parser_->is_done()) return Dispatch();
    http::async_read(stream_, buffer_, *parser_,
                     [self = this->shared_from_this()](beast::error_code ec, size_t) {
                       if (ec) return self->ReadFailed(ec);
                       self->Dispatch();
                     });
  }

  // ReadFailed answers what the client deserves to hear (limits, malformed
  // requests) and closes; a vanished, silent or interrupted client is
  // simply closed.
  void ReadFailed(beast::error_code ec) {
    if (ec == http::error::header_limit) {
      return Answer(state_->ProtocolError(431, "request header too large"), false);
    }
    if (ec == http::error::body_limit) {
      return Answer(state_->ProtocolError(413, "request body too large"), false);
    }
    if (ec.category() == http::make_error_code(http::error::bad_method).category() &&
        ec != http::error::end_of_stream && ec != http::error::partial_message) {
      return Answer(state_->ProtocolError(400, "malformed http request"), false);
    }
    Close();
  }

  void Dispatch() {
    keep_alive_ = parser_->get().keep_alive();
    HttpRequest request = FromBeast(parser_->get());
    request.remote_address = remote_address_;
    request.remote_port = remote_port_;
    request.secure = kTls;
    parser_.reset();

    with_handler_ = true;
    Socket().expires_never();  // the Handler's own bounds apply now
    auto answered = std::make_shared<std::atomic<bool>>(false);
    Respond respond = [self = this->shared_from_this(), answered](HttpResponse response) {
      if (answered->exchange(true)) return;
      net::post(self->executor_, [self, response = std::move(response)]() mutable {
        self->Answer(std::move(response), self->keep_alive_);
      });
    };
    try {
      state_->handler(std::move(request), respond);
    } catch (const std::exception&) {
      keep_alive_ = false;
      respond(state_->ProtocolError(500, "internal error"));
    } catch (...) {
      keep_alive_ = false;
      respond(state_->ProtocolError(500, "internal error"));
    }
  }

  void Answer(HttpResponse answer, bool keep_alive) {
    response_.emplace();
    response_->version(11);
    response_->result(answer.status);
    for (HttpHeader& header : answer.headers) response_->insert(header.name, header.value);
    response_->body() = std::move(answer.body);
    response_->keep_alive(keep_alive && !interrupted_ && !state_->Stopping());
    response_->prepare_payload();
    Socket().expires_after(state_->options.write_timeout);
    http::async_write(stream_, *response_,
                      [self = this->shared_from_this()](beast::error_code ec, size_t) {
                        self->with_handler_ = false;
                        const bool again = !ec && self->response_->keep_alive();
                        self->response_.reset();
                        if (!again) return self->Close();
                        self->ReadHeader();
                      });
  }

  void Close() {
    if (closed_) return;
    closed_ = true;
    beast::error_code ignored;
    if constexpr (kTls) {
      Socket().expires_after(std::chrono::seconds(2));
      stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) {
        beast::error_code unused;
        self->Socket().socket().close(unused);
      });
    } else {
      Socket().socket().shutdown(tcp::socket::shutdown_send, ignored);
      Socket().socket().close(ignored);
    }
  }

  std::shared_ptr<State> state_;
  const uint64_t id_;
  const std::string remote_address_;
  const uint16_t remote_port_;
  Stream stream_;
  const net::any_io_executor executor_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<http::response<http::string_body>> response_;
  bool keep_alive_ = false;
  bool with_handler_ = false;
  bool interrupted_ = false;
  bool closed_ = false;
};

using PlainConnection = Connection<beast::tcp_stream>;
using TlsConnection = Connection<beast::ssl_stream<beast::tcp_stream>>;

}  // namespace

struct HttpServer::Impl {
  explicit Impl(std::shared_ptr<State> s)
      : state(std::move(s)),
        ioc(state->ioc),
        tls(state->tls),
        work(ioc.get_executor()),
        acceptor(net::make_strand(ioc)) {}

  void Accept() {
    acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
      if (ec == net::error::operation_aborted || !acceptor.is_open()) return;
      if (!ec) Serve(std::move(socket));
      Accept();
    });
  }

  void Serve(tcp::socket socket) {
    const std::optional<uint64_t> id = state->Admit();
    if (!id) {
      beast::error_code ignored;
      socket.close(ignored);
      return;
    }
    beast::error_code ec;
    const tcp::endpoint remote = socket.remote_endpoint(ec);
    const std::string address = ec ? std::string() : remote.address().to_string();
    const uint16_t remote_port = ec ? 0 : remote.port();
    std::shared_ptr<Session> session;
    if (tls) {
      auto connection = std::make_shared<TlsConnection>(state, *id, address, remote_port,
                                                        std::move(socket), *tls);
      session = connection;
      state->Register(*id, session);
      connection->Begin();
    } else {
      auto connection =
          std::make_shared<PlainConnection>(state, *id, address, remote_port, std::move(socket));
      session = connection;
      state->Register(*id, session);
      connection->Begin();
    }
  }

  std::shared_ptr<State> state;
  net::io_context& ioc;
  std::optional<ssl::context>& tls;
  // work keeps the threads running while every connection waits for its
  // Handler (no socket operation pending), as during Stop.
  net::executor_work_guard<net::io_context::executor_type> work;
  tcp::acceptor acceptor;
  std::vector<std::thread> threads;
  uint16_t port = 0;
  std::string host;
  bool stopped = false;
};

Result<std::unique_ptr<HttpServer>> HttpServer::Start(HttpServerOptions options, Handler handler) {
  beast::error_code ec;
  const net::ip::address address = net::ip::make_address(options.address, ec);
  if (ec) {
    return MakeError(ErrorCode::invalid_argument,
                     "listen address \"" + options.address + "\" is not an ip address");
  }
  if (!options.tls && !address.is_loopback()) {
    return MakeError(ErrorCode::invalid_argument,
                     "plain http is only served on a loopback address, not on " + options.address +
                         "; hint: serve https (key material never crosses a network in the clear)");
  }
  if (!handler) return MakeError(ErrorCode::invalid_argument, "http server: no handler");
  unsigned thread_count = options.threads;
  if (thread_count == 0) thread_count = std::max(1u, std::thread::hardware_concurrency());

  auto state = std::make_shared<State>(thread_count);
  state->handler = std::move(handler);
  const bool use_tls = options.tls.has_value();
  std::optional<TlsServerCredentials> credentials = std::move(options.tls);
  state->options = std::move(options);
  auto impl = std::make_unique<Impl>(state);

  if (use_tls) {
    impl->tls.emplace(ssl::context::tls_server);
    ssl::context& ctx = *impl->tls;
    ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                        ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                        ssl::context::single_dh_use,
                    ec);
    if (!ec) ctx.use_certificate_chain(net::buffer(credentials->certificate_pem), ec);
    if (ec) {
      return MakeError(ErrorCode::invalid_argument,
                       "tls: the certificate chain is not usable: " + ec.message());
    }
    ctx.use_private_key(
        net::buffer(credentials->private_key_pem.data(), credentials->private_key_pem.size()),
        ssl::context::pem, ec);
    if (ec) {
      // OpenSSL's reason only (never the key's bytes).
      return MakeError(ErrorCode::invalid_argument,
                       "tls: the private key is not usable: " + ec.message());
    }
  }

  const tcp::endpoint endpoint(address, state->options.port);
  tcp::acceptor& acceptor = impl->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec && address.is_v6()) acceptor.set_option(net::ip::v6_only(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return MakeError(ErrorCode::io, "cannot listen on " + state->options.address + ":" +
                                        std::to_string(state->options.port) + ": " + ec.message());
  }
  impl->port = acceptor.local_endpoint(ec).port();
  impl->host = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
  impl->Accept();
  try {
    for (unsigned i = 0; i < thread_count; ++i) {
      impl->threads.emplace_back([ioc = &impl->ioc] { ioc->run(); });
    }
  } catch (const std::exception& e) {
    impl->ioc.stop();
    for (std::thread& t : impl->threads) t.join();
    return MakeError(ErrorCode::internal,
                     std::string("http server: cannot start threads: ") + e.what());
  }
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() { Stop(std::chrono::seconds(2)); }

uint16_t HttpServer::port() const noexcept { return impl_->port; }

std::string HttpServer::url() const {
  return std::string(impl_->tls ? "https://" : "http://") + impl_->host + ":" +
         std::to_string(impl_->port);
}

void HttpServer::Stop(std::chrono::milliseconds grace) {
  if (impl_->stopped) return;
  impl_->stopped = true;
  State& state = *impl_->state;
  std::vector<std::shared_ptr<Session>> live;
  {
    std::lock_guard lock(state.mu);
    state.stopping = true;
    for (auto& [id, weak] : state.sessions) {
      if (auto session = weak.lock()) live.push_back(std::move(session));
    }
  }
  net::post(impl_->acceptor.get_executor(), [impl = impl_.get()] {
    beast::error_code ignored;
    impl->acceptor.close(ignored);
  });
  for (auto& session : live) session->Interrupt();
  live.clear();  // the connections' own references decide when they go
  {
    std::unique_lock lock(state.mu);
    state.idle.wait_for(lock, grace, [&] { return state.sessions.empty(); });
  }
  impl_->work.reset();
  impl_->ioc.stop();
  for (std::thread& t : impl_->threads) t.join();
  impl_->threads.clear();
}

}  // namespace envelope::service
