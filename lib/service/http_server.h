// lib/service: the HTTP(S) front of the KMS service.
//
// HttpServer accepts connections on one address, reads HTTP/1.1 requests
// with Boost.Beast (no parser of our own), hands each complete request to a
// Handler and writes the Handler's answer back, keeping the connection open
// between requests when the client asks for it. It knows nothing of AWS,
// SigV4 or keys: those are the stages behind the Handler.
//
// Limits (HttpServerOptions): header and body sizes (431 and 413, then the
// connection is closed), the number of open connections (further ones are
// closed at once), the time a client may take to send a request and the
// time an idle keep-alive connection is kept. A malformed request gets a
// 400 and a closed connection; none of these reach the Handler.
//
// A Handler answers asynchronously: it calls `respond` exactly once, from
// any thread, when the answer may be sent (the KMS answers only once the
// change and its audit line are durable). Stop() finishes the requests
// already handed to the Handler, closes idle connections and refuses new
// ones.
#ifndef ENVELOPE_LIB_SERVICE_HTTP_SERVER_H_
#define ENVELOPE_LIB_SERVICE_HTTP_SERVER_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "envelope/error.hpp"
#include "envelope/secret.hpp"

namespace envelope::service {

// HttpHeader is one header line as received or to be sent.
struct HttpHeader {
  std::string name;
  std::string value;
};

// HttpRequest is one complete request.
struct HttpRequest {
  std::string method;               // "POST"
  std::string target;               // "/" or "/path?query"
  std::vector<HttpHeader> headers;  // in arrival order, duplicates kept
  std::string body;
  std::string remote_address;  // "127.0.0.1" or "::1"
  uint16_t remote_port = 0;
  bool secure = false;  // arrived over TLS

  // Header returns the value of the first header named `name` (compared
  // without regard to case), or nullptr.
  const std::string* Header(std::string_view name) const;
};

// HttpResponse is what a Handler answers.
struct HttpResponse {
  unsigned status = 200;
  std::vector<HttpHeader> headers;
  std::string body;
};

// Respond sends the answer to one request; call it exactly once.
using Respond = std::function<void(HttpResponse)>;

// Handler receives each complete request. It may call `respond` before it
// returns or later from another thread. An exception thrown by a Handler is
// answered with 500 and the connection closed.
using Handler = std::function<void(HttpRequest request, Respond respond)>;

// TlsServerCredentials are the PEM certificate chain and private key.
struct TlsServerCredentials {
  std::string certificate_pem;
  SecretBytes private_key_pem;
};

// HttpServerOptions configure Start.
struct HttpServerOptions {
  std::string address = "127.0.0.1";  // an IPv4 or IPv6 literal
  uint16_t port = 0;                  // 0 picks a free port
  // tls is required unless `address` is a loopback address.
  std::optional<TlsServerCredentials> tls;
  size_t max_header_bytes = 16 * 1024;
  size_t max_body_bytes = 1024 * 1024;
  size_t max_connections = 1024;
  std::chrono::milliseconds handshake_timeout{10'000};
  std::chrono::milliseconds request_timeout{30'000};  // from first header byte to last body byte
  std::chrono::milliseconds idle_timeout{60'000};     // keep-alive, waiting for the next request
  std::chrono::milliseconds write_timeout{30'000};
  unsigned threads = 0;  // 0: one per core
  // protocol_error shapes the answers the server gives on its own (400 for
  // a malformed request, 413, 431, 500 after a Handler threw), so that a
  // protocol above HTTP can use its error format and request ids. Empty:
  // a short text body.
  std::function<HttpResponse(unsigned status, std::string_view message)> protocol_error;
};

// HttpServer is a running server. Move-only through unique_ptr; the
// destructor stops it (with a short grace period) if Stop was not called.
class HttpServer {
 public:
  // Start binds and listens, then serves on its own threads. Fails with
  // `invalid_argument` for an address that does not parse or plain HTTP on
  // an address that is not loopback, `io` when the address cannot be bound
  // (in use, not ours), `invalid_argument` for TLS credentials OpenSSL
  // refuses.
  [[nodiscard]] static Result<std::unique_ptr<HttpServer>> Start(HttpServerOptions options,
                                                                 Handler handler);

  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;
  ~HttpServer();

  // port returns the bound port (the one picked when 0 was asked for).
  uint16_t port() const noexcept;
  // url returns "https://127.0.0.1:PORT" (brackets around IPv6 addresses).
  std::string url() const;

  // Stop stops accepting, closes connections that wait for a request, lets
  // the requests already handed to the Handler be answered for up to
  // `grace`, then closes what is left and joins the threads. Idempotent.
  void Stop(std::chrono::milliseconds grace = std::chrono::seconds(10));

  // Impl is the Beast/Asio side (http_server.cc).
  struct Impl;

 private:
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace envelope::service

#endif  // ENVELOPE_LIB_SERVICE_HTTP_SERVER_H_
