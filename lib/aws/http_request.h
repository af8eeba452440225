// lib/aws: the HTTP request as AWS request signing sees it.
//
// HttpRequest is shared by the signer (a client builds one, signs it, and
// hands it to its HTTP library) and the verifier (a server fills one from the
// request it received). Path and query are kept exactly as they appear on
// the wire, percent-encoded as the client sent them; headers keep their
// order, spelling and duplicates. SigV4 canonicalises all of it
// (sigv4.h), so nothing here normalises.
#ifndef ENVELOPE_LIB_AWS_HTTP_REQUEST_H_
#define ENVELOPE_LIB_AWS_HTTP_REQUEST_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "envelope/error.hpp"

namespace envelope::aws {

// Header is one header line: the name as sent (any case) and the value after
// the colon, untrimmed (SigV4 trims and folds whitespace itself).
struct Header {
  std::string name;
  std::string value;
  friend bool operator==(const Header&, const Header&) = default;
};

// QueryParam is one `name=value` pair of the query string, both still
// percent-encoded as on the wire. A pair without `=` has an empty value.
struct QueryParam {
  std::string name;
  std::string value;
  friend bool operator==(const QueryParam&, const QueryParam&) = default;
};

// HttpRequest is a request line, headers and body.
struct HttpRequest {
  std::string method;             // "GET", "POST", ...
  std::string path;               // "/", "/a%20b/", as on the wire, no query
  std::vector<QueryParam> query;  // in wire order
  std::vector<Header> headers;    // in wire order, duplicates kept
  std::string body;               // the bytes after the headers

  // Target returns path plus "?" and the formatted query when there is one.
  std::string Target() const;

  // HeaderValues returns the values of every header named `name` (ASCII
  // case-insensitive), in order.
  std::vector<std::string_view> HeaderValues(std::string_view name) const;
  // HasHeader reports whether a header named `name` is present.
  bool HasHeader(std::string_view name) const;
  // RemoveHeaders deletes every header named `name`; returns how many.
  size_t RemoveHeaders(std::string_view name);

  friend bool operator==(const HttpRequest&, const HttpRequest&) = default;
};

// EqualsIgnoreCase compares ASCII strings without regard to letter case.
bool EqualsIgnoreCase(std::string_view a, std::string_view b) noexcept;

// ToLowerAscii returns `s` with A-Z mapped to a-z (other bytes unchanged).
std::string ToLowerAscii(std::string_view s);

// IsHeaderName reports whether `name` is an HTTP token (RFC 9110 tchar+),
// the only header names the signer and verifier accept.
bool IsHeaderName(std::string_view name) noexcept;

// ParseQuery splits a raw query string ("a=1&b=&c") at '&' and at the first
// '=' of each piece, skipping empty pieces. Nothing is decoded.
std::vector<QueryParam> ParseQuery(std::string_view raw);

// FormatQuery joins pairs as "name=value&..." (always with '=').
std::string FormatQuery(const std::vector<QueryParam>& query);

// SplitTarget fills `path` and `query` of `request` from a request target
// ("/p?q"), the form HTTP servers hand over.
void SplitTarget(std::string_view target, HttpRequest& request);

// ParseRawRequest reads the HTTP/1.1 text form of a request used by the AWS
// SigV4 test suite (and handy for debugging): "METHOD TARGET HTTP/1.1", then
// "Name:value" lines (a line starting with a space or tab continues the
// previous value after a "\n"), an empty line, and the body. Lines end in
// "\n" or "\r\n" and hold no other CR; a missing empty line means an empty
// body. The target may contain spaces but must have a path; the version is
// the last word. Fails with `invalid_argument` for a malformed request line
// or header line.
[[nodiscard]] Result<HttpRequest> ParseRawRequest(std::string_view text);

// FormatRawRequest writes the form ParseRawRequest reads, with "\n" line
// ends and "HTTP/1.1"; ParseRawRequest(FormatRawRequest(r)) == r for every
// request that ParseRawRequest returned.
std::string FormatRawRequest(const HttpRequest& request);

}  // namespace envelope::aws

#endif  // ENVELOPE_LIB_AWS_HTTP_REQUEST_H_
