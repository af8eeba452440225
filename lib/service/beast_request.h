// lib/service: a request as Beast's parser holds it, turned into ours. Only
// the two places that run Beast's parser (http_server.cc, http_parse.cc)
// include this header.
#ifndef ENVELOPE_LIB_SERVICE_BEAST_REQUEST_H_
#define ENVELOPE_LIB_SERVICE_BEAST_REQUEST_H_

#include <boost/beast/http.hpp>
#include <string>
#include <utility>

#include "service/http_server.h"

namespace envelope::service {

// FromBeast moves method, target, headers (in order) and body of `message`
// into an HttpRequest; the caller sets where it came from.
inline HttpRequest FromBeast(
    boost::beast::http::request<boost::beast::http::string_body>& message) {
  HttpRequest request;
  request.method = std::string(message.method_string());
  request.target = std::string(message.target());
  for (const auto& field : message) {
    request.headers.push_back({std::string(field.name_string()), std::string(field.value())});
  }
  request.body = std::move(message.body());
  return request;
}

}  // namespace envelope::service

#endif  // ENVELOPE_LIB_SERVICE_BEAST_REQUEST_H_
