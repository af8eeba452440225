// lib/service: one HTTP/1.1 request parsed from bytes, by the same Beast
// parser and limits the server reads with (http_server.h). The server reads
// from sockets asynchronously; this entry point serves the request-path fuzz
// target and tests that start from raw bytes.
#ifndef ENVELOPE_LIB_SERVICE_HTTP_PARSE_H_
#define ENVELOPE_LIB_SERVICE_HTTP_PARSE_H_

#include <cstddef>
#include <string_view>

#include "envelope/error.hpp"
#include "service/http_server.h"

namespace envelope::service {

// ParseHttpRequest parses exactly one request from `bytes` (a request that
// ends before its announced body does is `truncated`; bytes after it are
// ignored, as the next pipelined request). Header and body limits as in
// HttpServerOptions: `limit_exceeded`; anything else malformed: `malformed`.
[[nodiscard]] Result<HttpRequest> ParseHttpRequest(std::string_view bytes, size_t max_header_bytes,
                                                   size_t max_body_bytes);

}  // namespace envelope::service

#endif  // ENVELOPE_LIB_SERVICE_HTTP_PARSE_H_
