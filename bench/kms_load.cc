// kms_load: a load generator for `envelope kms serve`. N keep-alive HTTPS
// connections, each on its own thread, send SigV4-signed AWS KMS requests
// (GenerateDataKey or Decrypt) back to back for a fixed time and record each
// request's latency. Prints one line of JSON: requests, errors, requests
// per second, p50/p90/p99/max latency in milliseconds.
//
//   ENVELOPE_LOAD_SECRET_FILE=secret kms_load --url https://127.0.0.1:PORT
//     --ca tls-cert.pem --access-key-id AKIA... --key-id KEY
//     --op GenerateDataKey|Decrypt --connections 64 --seconds 10
//
// The secret access key comes from the file named by
// ENVELOPE_LOAD_SECRET_FILE, never from the command line. A run with any
// error exits 1 (the first error is printed).
//
// bench/ may use Boost.Beast and OpenSSL directly (this is a client, built
// only with the service).
#include <algorithm>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "aws/http_request.h"
#include "aws/sigv4_sign.h"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

struct Options {
  std::string host = "127.0.0.1";
  std::string port;
  std::string ca;
  std::string access_key_id;
  std::string key_id;
  std::string op = "GenerateDataKey";
  std::string region = "us-east-1";
  int connections = 1;
  double seconds = 5;
};

struct Shared {
  Options options;
  envelope::aws::Credentials credentials;
  std::string decrypt_blob;  // base64, for Decrypt
  std::atomic<bool> failed{false};
  std::mutex mu;
  std::string first_error;
  std::vector<double> latencies_ms;  // merged at the end
  uint64_t errors = 0;
};

void Fail(Shared& shared, const std::string& what) {
  std::lock_guard<std::mutex> lock(shared.mu);
  ++shared.errors;
  if (shared.first_error.empty()) shared.first_error = what;
  shared.failed = true;
}

// Connection is one keep-alive TLS connection.
class Connection {
 public:
  Connection(Shared& shared, asio::ssl::context& tls) : shared_(shared), stream_(ioc_, tls) {}

  bool Open() {
    beast::error_code ec;
    tcp::resolver resolver(ioc_);
    auto endpoints = resolver.resolve(shared_.options.host, shared_.options.port, ec);
    if (!ec) beast::get_lowest_layer(stream_).connect(endpoints, ec);
    if (!ec) {
      beast::get_lowest_layer(stream_).socket().set_option(tcp::no_delay(true), ec);
      SSL_set_tlsext_host_name(stream_.native_handle(), shared_.options.host.c_str());
      stream_.handshake(asio::ssl::stream_base::client, ec);
    }
    if (ec) Fail(shared_, "connect: " + ec.message());
    return !ec;
  }

  // Call sends `operation` with `body` and returns the response body, or
  // nullopt after recording the failure.
  std::optional<std::string> Call(const std::string& operation, const std::string& body) {
    envelope::aws::HttpRequest req;
    req.method = "POST";
    req.path = "/";
    req.headers = {{"Host", shared_.options.host + ":" + shared_.options.port},
                   {"Content-Type", "application/x-amz-json-1.1"},
                   {"X-Amz-Target", "TrentService." + operation}};
    req.body = body;
    envelope::aws::SigningParams params;
    params.region = shared_.options.region;
    params.service = "kms";
    params.time =
        std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
    if (auto signed_req = envelope::aws::SignRequest(req, shared_.credentials, params);
        !signed_req) {
      Fail(shared_, "sign: " + signed_req.error().ToString());
      return std::nullopt;
    }
    http::request<http::string_body> out{http::verb::post, "/", 11};
    for (const auto& h : req.headers) out.set(h.name, h.value);
    out.body() = req.body;
    out.prepare_payload();
    beast::error_code ec;
    http::write(stream_, out, ec);
    http::response<http::string_body> in;
    if (!ec) http::read(stream_, buffer_, in, ec);
    if (ec) {
      Fail(shared_, operation + ": " + ec.message());
      return std::nullopt;
    }
    if (in.result_int() != 200) {
      Fail(shared_, operation + ": HTTP " + std::to_string(in.result_int()) + " " + in.body());
      return std::nullopt;
    }
    return std::move(in.body());
  }

 private:
  Shared& shared_;
  asio::io_context ioc_;
  beast::ssl_stream<beast::tcp_stream> stream_;
  beast::flat_buffer buffer_;
};

std::string RequestBody(const Shared& shared) {
  if (shared.options.op == "Decrypt") {
    return json{{"CiphertextBlob", shared.decrypt_blob}, {"KeyId", shared.options.key_id}}.dump();
  }
  return json{{"KeyId", shared.options.key_id}, {"KeySpec", "AES_256"}}.dump();
}

void Worker(Shared& shared, asio::ssl::context& tls, Clock::time_point start,
            Clock::time_point end) {
  Connection conn(shared, tls);
  if (!conn.Open()) return;
  const std::string body = RequestBody(shared);
  std::vector<double> mine;
  mine.reserve(65536);
  while (!shared.failed && Clock::now() < end) {
    const auto t0 = Clock::now();
    if (!conn.Call(shared.options.op, body)) break;
    const auto t1 = Clock::now();
    if (t0 >= start) mine.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
  }
  std::lock_guard<std::mutex> lock(shared.mu);
  shared.latencies_ms.insert(shared.latencies_ms.end(), mine.begin(), mine.end());
}

bool ParseArgs(int argc, char** argv, Options& o) {
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string name = argv[i];
    const std::string value = argv[i + 1];
    if (name == "--url") {
      const std::string prefix = "https://";
      if (value.rfind(prefix, 0) != 0) return false;
      const std::string rest = value.substr(prefix.size());
      const size_t colon = rest.rfind(':');
      if (colon == std::string::npos) return false;
      o.host = rest.substr(0, colon);
      o.port = rest.substr(colon + 1);
    } else if (name == "--ca") {
      o.ca = value;
    } else if (name == "--access-key-id") {
      o.access_key_id = value;
    } else if (name == "--key-id") {
      o.key_id = value;
    } else if (name == "--op") {
      o.op = value;
    } else if (name == "--region") {
      o.region = value;
    } else if (name == "--connections") {
      o.connections = std::atoi(value.c_str());
    } else if (name == "--seconds") {
      o.seconds = std::atof(value.c_str());
    } else {
      return false;
    }
  }
  return argc % 2 == 1 && !o.port.empty() && !o.ca.empty() && !o.access_key_id.empty() &&
         !o.key_id.empty() && o.connections > 0 && o.seconds > 0 &&
         (o.op == "GenerateDataKey" || o.op == "Decrypt");
}

double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const size_t i = std::min(sorted.size() - 1, static_cast<size_t>(p * sorted.size()));
  return sorted[i];
}

}  // namespace

int main(int argc, char** argv) {
  Shared shared;
  if (!ParseArgs(argc, argv, shared.options)) {
    std::cerr << "usage: ENVELOPE_LOAD_SECRET_FILE=FILE kms_load --url https://HOST:PORT --ca PEM "
                 "--access-key-id ID --key-id KEY [--op GenerateDataKey|Decrypt] "
                 "[--connections N] [--seconds S] [--region R]\n";
    return 2;
  }
  const char* secret_file = std::getenv("ENVELOPE_LOAD_SECRET_FILE");
  std::ifstream in(secret_file ? secret_file : "");
  std::string secret;
  if (!std::getline(in, secret) || secret.empty()) {
    std::cerr << "kms_load: set ENVELOPE_LOAD_SECRET_FILE to the file holding the secret key\n";
    return 2;
  }
  shared.credentials.access_key_id = shared.options.access_key_id;
  auto key = envelope::SecretBytes::CopyFrom(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(secret.data()), secret.size()));
  std::fill(secret.begin(), secret.end(), '\0');
  if (!key) {
    std::cerr << "kms_load: " << key.error().ToString() << "\n";
    return 2;
  }
  shared.credentials.secret_access_key = std::move(*key);

  asio::ssl::context tls(asio::ssl::context::tls_client);
  tls.set_verify_mode(asio::ssl::verify_peer);
  beast::error_code ec;
  tls.load_verify_file(shared.options.ca, ec);
  if (ec) {
    std::cerr << "kms_load: " << shared.options.ca << ": " << ec.message() << "\n";
    return 2;
  }

  if (shared.options.op == "Decrypt") {
    Connection setup(shared, tls);
    auto out = setup.Open() ? setup.Call("Encrypt", json{{"KeyId", shared.options.key_id},
                                                         {"Plaintext", "AAECAwQFBgcICQoLDA0ODw=="}}
                                                        .dump())
                            : std::nullopt;
    if (!out) {
      std::cerr << "kms_load: setup Encrypt failed: " << shared.first_error << "\n";
      return 1;
    }
    shared.decrypt_blob = json::parse(*out).at("CiphertextBlob").get<std::string>();
  }

  const auto start = Clock::now() + std::chrono::milliseconds(200);  // connections warm up
  const auto end = start + std::chrono::duration_cast<Clock::duration>(
                               std::chrono::duration<double>(shared.options.seconds));
  std::vector<std::thread> threads;
  for (int i = 0; i < shared.options.connections; ++i) {
    threads.emplace_back(Worker, std::ref(shared), std::ref(tls), start, end);
  }
  for (auto& t : threads) t.join();

  std::vector<double>& l = shared.latencies_ms;
  std::sort(l.begin(), l.end());
  const double elapsed = shared.options.seconds;
  json result = {{"op", shared.options.op},
                 {"connections", shared.options.connections},
                 {"seconds", elapsed},
                 {"requests", l.size()},
                 {"errors", shared.errors},
                 {"rps", static_cast<double>(l.size()) / elapsed},
                 {"p50_ms", Percentile(l, 0.50)},
                 {"p90_ms", Percentile(l, 0.90)},
                 {"p99_ms", Percentile(l, 0.99)},
                 {"max_ms", l.empty() ? 0.0 : l.back()}};
  std::cout << result.dump() << "\n";
  if (shared.errors != 0) {
    std::cerr << "kms_load: " << shared.errors << " errors; first: " << shared.first_error << "\n";
    return 1;
  }
  return 0;
}
