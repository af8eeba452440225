// HttpServer: plain and TLS round trips, keep-alive, limits, timeouts,
// the connection cap and a graceful stop, with a Beast client in the test.
#include "service/http_server.h"

#include <doctest/doctest.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

#include "crypto/tls_certificate.h"

namespace envelope::service {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

// Echo answers with what it received, so tests can check the request's parts.
void Echo(HttpRequest request, Respond respond) {
  HttpResponse response;
  response.headers.push_back({"X-Method", request.method});
  response.headers.push_back({"X-Target", request.target});
  response.headers.push_back({"X-Remote", request.remote_address});
  response.headers.push_back({"X-Secure", request.secure ? "yes" : "no"});
  const std::string* probe = request.Header("x-probe");
  response.headers.push_back({"X-Probe", probe ? *probe : "-"});
  response.body = request.body;
  respond(std::move(response));
}

std::unique_ptr<HttpServer> StartOrFail(HttpServerOptions options, Handler handler) {
  auto server = HttpServer::Start(std::move(options), std::move(handler));
  REQUIRE_MESSAGE(server.has_value(), (server ? "" : server.error().ToString()));
  return std::move(*server);
}

// PlainClient is one kept-alive connection to the server.
struct PlainClient {
  explicit PlainClient(uint16_t port) : socket(ioc) {
    socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  }
  http::response<http::string_body> Post(const std::string& body, bool keep_alive = true) {
    http::request<http::string_body> request(http::verb::post, "/", 11);
    request.set(http::field::host, "127.0.0.1");
    request.set("X-Probe", "probe-value");
    request.keep_alive(keep_alive);
    request.body() = body;
    request.prepare_payload();
    http::write(socket, request);
    http::response<http::string_body> response;
    http::read(socket, buffer, response);
    return response;
  }
  // Closed reports whether the server has closed the connection (reads EOF
  // or a reset), giving up after 10 s.
  bool Closed() {
    socket.non_blocking(false);
    struct timeval tv = {10, 0};
    setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char byte;
    beast::error_code ec;
    socket.read_some(net::buffer(&byte, 1), ec);
    return ec == net::error::eof || ec == net::error::connection_reset;
  }
  net::io_context ioc;
  tcp::socket socket;
  beast::flat_buffer buffer;
};

HttpServerOptions Loopback() {
  HttpServerOptions options;
  options.threads = 2;
  return options;
}

TEST_CASE("HttpServer: plain http on loopback, several requests on one connection") {
  auto server = StartOrFail(Loopback(), Echo);
  CHECK(server->port() != 0);
  CHECK(server->url() == "http://127.0.0.1:" + std::to_string(server->port()));
  PlainClient client(server->port());
  for (int i = 0; i < 3; ++i) {
    auto response = client.Post("body " + std::to_string(i));
    CHECK(response.result_int() == 200);
    CHECK(response.body() == "body " + std::to_string(i));
    CHECK(response["X-Method"] == "POST");
    CHECK(response["X-Target"] == "/");
    CHECK(response["X-Remote"] == "127.0.0.1");
    CHECK(response["X-Secure"] == "no");
    CHECK(response["X-Probe"] == "probe-value");
    CHECK(response.keep_alive());
  }
  auto last = client.Post("bye", false);
  CHECK_FALSE(last.keep_alive());
  CHECK(client.Closed());
  server->Stop();
}

TEST_CASE("HttpServer: plain http is refused on an address that is not loopback") {
  HttpServerOptions options;
  options.address = "0.0.0.0";
  auto server = HttpServer::Start(std::move(options), Echo);
  REQUIRE_FALSE(server.has_value());
  CHECK(server.error().code() == ErrorCode::invalid_argument);
  CHECK(server.error().message().find("loopback") != std::string::npos);

  HttpServerOptions unparsable;
  unparsable.address = "not-an-address";
  auto bad = HttpServer::Start(std::move(unparsable), Echo);
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().code() == ErrorCode::invalid_argument);
}

TEST_CASE("HttpServer: a port in use is an io error") {
  auto first = StartOrFail(Loopback(), Echo);
  HttpServerOptions options = Loopback();
  options.port = first->port();
  auto second = HttpServer::Start(std::move(options), Echo);
  REQUIRE_FALSE(second.has_value());
  CHECK(second.error().code() == ErrorCode::io);
}

TEST_CASE("HttpServer: https with a generated certificate that the client trusts") {
  auto credentials = crypto::GenerateSelfSignedCertificate();
  REQUIRE(credentials.has_value());
  REQUIRE(crypto::CheckTlsCredentials(credentials->certificate_pem, credentials->private_key_pem));
  HttpServerOptions options = Loopback();
  auto key_copy = credentials->private_key_pem.Clone();
  REQUIRE(key_copy.has_value());
  options.tls = TlsServerCredentials{credentials->certificate_pem, std::move(*key_copy)};
  auto server = StartOrFail(std::move(options), Echo);
  CHECK(server->url() == "https://127.0.0.1:" + std::to_string(server->port()));

  auto connect = [&](bool trust) {
    net::io_context ioc;
    ssl::context ctx(ssl::context::tls_client);
    if (trust) ctx.add_certificate_authority(net::buffer(credentials->certificate_pem));
    ctx.set_verify_mode(ssl::verify_peer);
    beast::ssl_stream<beast::tcp_stream> stream(ioc, ctx);
    stream.set_verify_callback(ssl::host_name_verification("localhost"));
    beast::get_lowest_layer(stream).connect(
        tcp::endpoint(net::ip::make_address("127.0.0.1"), server->port()));
    beast::error_code ec;
    stream.handshake(ssl::stream_base::client, ec);
    if (ec) return std::string("handshake failed");
    http::request<http::string_body> request(http::verb::post, "/kms", 11);
    request.set(http::field::host, "localhost");
    request.body() = "over tls";
    request.prepare_payload();
    http::write(stream, request);
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    http::read(stream, buffer, response);
    CHECK(response["X-Secure"] == "yes");
    CHECK(response["X-Target"] == "/kms");
    return response.body();
  };
  CHECK(connect(true) == "over tls");
  CHECK(connect(false) == "handshake failed");
  server->Stop();
}

TEST_CASE("HttpServer: credentials that do not fit are refused at start") {
  auto a = crypto::GenerateSelfSignedCertificate();
  auto b = crypto::GenerateSelfSignedCertificate();
  REQUIRE(a.has_value());
  REQUIRE(b.has_value());
  auto mismatch = crypto::CheckTlsCredentials(a->certificate_pem, b->private_key_pem);
  REQUIRE_FALSE(mismatch.has_value());
  CHECK(mismatch.error().message().find("does not belong") != std::string::npos);
  auto no_cert = crypto::CheckTlsCredentials("not a certificate", a->private_key_pem);
  REQUIRE_FALSE(no_cert.has_value());
  CHECK(no_cert.error().code() == ErrorCode::invalid_argument);

  HttpServerOptions options = Loopback();
  options.tls = TlsServerCredentials{"not a certificate", std::move(a->private_key_pem)};
  auto server = HttpServer::Start(std::move(options), Echo);
  REQUIRE_FALSE(server.has_value());
  CHECK(server.error().code() == ErrorCode::invalid_argument);
}

TEST_CASE("HttpServer: the certificate generator refuses names it cannot certify") {
  crypto::SelfSignedRequest request;
  request.dns_names = {"localhost,DNS:evil.example"};
  CHECK_FALSE(crypto::GenerateSelfSignedCertificate(request).has_value());
  request.dns_names = {"localhost"};
  request.ip_addresses = {"300.1.1.1"};
  CHECK_FALSE(crypto::GenerateSelfSignedCertificate(request).has_value());
  request.ip_addresses = {};
  request.dns_names = {};
  CHECK_FALSE(crypto::GenerateSelfSignedCertificate(request).has_value());
}

// RawExchange sends `bytes` on a new connection and reads one response.
http::response<http::string_body> RawExchange(uint16_t port, const std::string& bytes,
                                              bool* closed_after = nullptr) {
  PlainClient client(port);
  net::write(client.socket, net::buffer(bytes));
  http::response<http::string_body> response;
  beast::error_code ec;
  http::read(client.socket, client.buffer, response, ec);
  REQUIRE_FALSE(ec);
  if (closed_after) *closed_after = client.Closed();
  return response;
}

TEST_CASE("HttpServer: limits and malformed requests never reach the handler") {
  std::atomic<int> handled{0};
  HttpServerOptions options = Loopback();
  options.max_body_bytes = 1000;
  options.max_header_bytes = 2000;
  auto server = StartOrFail(std::move(options), [&](HttpRequest request, Respond respond) {
    ++handled;
    Echo(std::move(request), std::move(respond));
  });
  bool closed = false;

  auto big_body = RawExchange(
      server->port(),
      "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1001\r\n\r\n" + std::string(1001, 'a'),
      &closed);
  CHECK(big_body.result_int() == 413);
  CHECK(closed);

  auto big_header = RawExchange(
      server->port(), "POST / HTTP/1.1\r\nHost: x\r\nX-Pad: " + std::string(3000, 'p') + "\r\n\r\n",
      &closed);
  CHECK(big_header.result_int() == 431);
  CHECK(closed);

  auto garbage = RawExchange(server->port(), "NOT HTTP AT ALL\r\n\r\n", &closed);
  CHECK(garbage.result_int() == 400);
  CHECK(closed);

  auto bad_length = RawExchange(
      server->port(), "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n", &closed);
  CHECK(bad_length.result_int() == 400);
  CHECK(closed);

  CHECK(handled.load() == 0);
  auto fine =
      RawExchange(server->port(), "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nok");
  CHECK(fine.result_int() == 200);
  CHECK(handled.load() == 1);
}

TEST_CASE("HttpServer: protocol errors take the shape the protocol above asks for") {
  HttpServerOptions options = Loopback();
  options.max_body_bytes = 10;
  options.protocol_error = [](unsigned status, std::string_view message) {
    HttpResponse response;
    response.status = status;
    response.headers.push_back({"x-amzn-RequestId", "fixed-id"});
    response.body = "{\"message\":\"" + std::string(message) + "\"}";
    return response;
  };
  auto server = StartOrFail(std::move(options), Echo);
  auto response = RawExchange(
      server->port(), "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\n01234567890");
  CHECK(response.result_int() == 413);
  CHECK(response["x-amzn-RequestId"] == "fixed-id");
  CHECK(response.body() == "{\"message\":\"request body too large\"}");
}

TEST_CASE("HttpServer: a handler that throws gets a 500 and the connection closes") {
  auto server = StartOrFail(Loopback(),
                            [](HttpRequest, Respond) { throw std::runtime_error("handler bug"); });
  bool closed = false;
  auto response = RawExchange(server->port(),
                              "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", &closed);
  CHECK(response.result_int() == 500);
  CHECK(response.body().find("handler bug") == std::string::npos);
  CHECK(closed);
}

TEST_CASE("HttpServer: silent and slow clients are disconnected") {
  HttpServerOptions options = Loopback();
  options.idle_timeout = std::chrono::milliseconds(200);
  options.request_timeout = std::chrono::milliseconds(200);
  auto server = StartOrFail(std::move(options), Echo);
  {
    PlainClient silent(server->port());
    CHECK(silent.Closed());
  }
  {
    // The header arrives, the announced body never does.
    PlainClient slow(server->port());
    net::write(
        slow.socket,
        net::buffer(std::string("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")));
    CHECK(slow.Closed());
  }
}

TEST_CASE("HttpServer: connections beyond the cap are closed at once") {
  HttpServerOptions options = Loopback();
  options.max_connections = 2;
  auto server = StartOrFail(std::move(options), Echo);
  PlainClient a(server->port());
  PlainClient b(server->port());
  CHECK(a.Post("a").result_int() == 200);
  CHECK(b.Post("b").result_int() == 200);
  PlainClient c(server->port());
  CHECK(c.Closed());
  CHECK(a.Post("a again").body() == "a again");
}

TEST_CASE(
    "HttpServer: Stop answers the request in flight, closes idle connections, refuses new ones") {
  std::mutex mu;
  std::condition_variable cv;
  std::optional<Respond> pending;
  auto server = StartOrFail(Loopback(), [&](HttpRequest request, Respond respond) {
    if (request.body == "hold") {
      std::lock_guard lock(mu);
      pending = std::move(respond);
      cv.notify_all();
      return;
    }
    Echo(std::move(request), std::move(respond));
  });
  const uint16_t port = server->port();
  PlainClient idle(port);
  CHECK(idle.Post("warm up").result_int() == 200);

  auto held = std::async(std::launch::async, [port] {
    PlainClient client(port);
    return client.Post("hold");
  });
  {
    std::unique_lock lock(mu);
    REQUIRE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return pending.has_value(); }));
  }
  auto stopping = std::async(std::launch::async, [&] { server->Stop(std::chrono::seconds(10)); });
  CHECK(idle.Closed());
  {
    std::lock_guard lock(mu);
    HttpResponse response;
    response.body = "answered while stopping";
    (*pending)(std::move(response));
  }
  auto response = held.get();
  CHECK(response.result_int() == 200);
  CHECK(response.body() == "answered while stopping");
  CHECK_FALSE(response.keep_alive());
  stopping.get();

  net::io_context ioc;
  tcp::socket socket(ioc);
  beast::error_code ec;
  socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port), ec);
  CHECK(ec);
  // The Respond kept here holds its connection past the server: dropping
  // it after the server is gone must be safe too.
  server.reset();
  pending.reset();
}

}  // namespace
}  // namespace envelope::service
