// lib/aws: URI encoding and path normalization as SigV4 defines them.
#ifndef ENVELOPE_LIB_AWS_URI_H_
#define ENVELOPE_LIB_AWS_URI_H_

#include <string>
#include <string_view>

namespace envelope::aws {

// UriEncode percent-encodes every byte of `s` except the unreserved
// characters A-Z a-z 0-9 '-' '.' '_' '~' (and '/' when `keep_slash`), with
// upper-case hex digits: SigV4's one encoding for paths, query names and
// query values. A space becomes "%20", never '+'.
std::string UriEncode(std::string_view s, bool keep_slash);

// UriDecode turns every "%XY" (X, Y hex digits, either case) into its byte.
// A '%' not followed by two hex digits stays a literal '%', and '+' stays
// '+': decoding never fails, so signer and verifier agree on any input.
std::string UriDecode(std::string_view s);

// NormalizePath removes "." and ".." segments (RFC 3986 section 5.2.4) and
// empty segments ("//"), keeping a trailing '/' (also after a final "." or
// ".."); ".." at the root stays at the root. "" and "/" give "/". Examples:
// "//example//" -> "/example/", "/a/b/../.." -> "/", "/./x" -> "/x".
std::string NormalizePath(std::string_view path);

}  // namespace envelope::aws

#endif  // ENVELOPE_LIB_AWS_URI_H_
