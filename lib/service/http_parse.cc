#include "service/http_parse.h"

#include <boost/asio/buffer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "service/beast_request.h"

namespace envelope::service {

namespace beast = boost::beast;
namespace http = beast::http;

Result<HttpRequest> ParseHttpRequest(std::string_view bytes, size_t max_header_bytes,
                                     size_t max_body_bytes) {
  http::request_parser<http::string_body> parser;
  parser.eager(true);
  parser.header_limit(static_cast<uint32_t>(max_header_bytes));
  parser.body_limit(max_body_bytes);
  beast::error_code ec;
  size_t used = 0;
  while (!parser.is_done() && used < bytes.size()) {
    const size_t n = parser.put(boost::asio::buffer(bytes.data() + used, bytes.size() - used), ec);
    if (ec == http::error::need_more) {
      ec = {};
      break;
    }
    if (ec) break;
    if (n == 0) break;
    used += n;
  }
  if (!ec && !parser.is_done()) {
    // put_eof wants a parser that has seen the start of a message (Beast
    // asserts it): an input without a complete start line is cut short.
    if (!parser.got_some()) {
      return MakeError(ErrorCode::truncated, "http request: ends before its start line does");
    }
    parser.put_eof(ec);
    if (!ec && !parser.is_done()) ec = http::error::partial_message;
  }
  if (ec == http::error::header_limit || ec == http::error::body_limit) {
    return MakeError(ErrorCode::limit_exceeded, "http request: " + ec.message());
  }
  if (ec == http::error::partial_message) {
    return MakeError(ErrorCode::truncated, "http request: ends before it is complete");
  }
  if (ec) return MakeError(ErrorCode::malformed, "http request: " + ec.message());
  HttpRequest request = FromBeast(parser.get());
  request.remote_address = "127.0.0.1";
  return request;
}

}  // namespace envelope::service
