// HttpRequest and its text form (the SigV4 test suite's request.txt).
#include "aws/http_request.h"

#include <doctest/doctest.h>

namespace envelope::aws {
namespace {

TEST_CASE("ParseRawRequest: request line, headers, continuation lines, body") {
  auto r = ParseRawRequest(
      "POST /a b/?x=1&y HTTP/1.1\r\nHost:example.com\nMy-Header: v1\n  v2\n\nbody\n\nmore");
  REQUIRE(r);
  CHECK(r->method == "POST");
  CHECK(r->path == "/a b/");
  CHECK(r->query == std::vector<QueryParam>{{"x", "1"}, {"y", ""}});
  CHECK(r->headers == std::vector<Header>{{"Host", "example.com"}, {"My-Header", " v1\n  v2"}});
  CHECK(r->body == "body\n\nmore");
  CHECK(r->Target() == "/a b/?x=1&y=");
  CHECK(r->HeaderValues("my-header") == std::vector<std::string_view>{" v1\n  v2"});

  auto no_body = ParseRawRequest("GET / HTTP/1.1\nHost:h\n");
  REQUIRE(no_body);
  CHECK(no_body->body.empty());
  CHECK(FormatRawRequest(*no_body) == "GET / HTTP/1.1\nHost:h\n\n");
}

TEST_CASE("ParseRawRequest: malformed requests are refused") {
  for (const std::string_view bad :
       {"", "GET /\n", "GET  HTTP/1.1\n", "GET / FTP/1\n", "G(T / HTTP/1.1\n",
        "GET / HTTP/1.1\n continuation first\n", "GET / HTTP/1.1\nNo colon\n",
        "GET / HTTP/1.1\n:pseudo:x\n", "GET / HTTP/1.1\nBad Name:x\n", "GET ?x HTTP/1.1\n",
        "GET /\r HTTP/1.1\n", "GET / HTTP/1.1\nH:v\r\r\n", "GET / HTTP/1.1\nH:v\r",
        "GET / HTTP/1.1\nH:a\rb\n"}) {
    CAPTURE(bad);
    auto r = ParseRawRequest(bad);
    CHECK(!r);
    if (!r) CHECK(r.error().code() == ErrorCode::invalid_argument);
  }
}

TEST_CASE("FormatRawRequest: parse after format gives the same request") {
  for (const std::string_view text :
       {"GET / HTTP/1.1\nHost:h\n", "POST /?a=b&=c&d HTTP/1.1\nA: x\n\t y\nB:\n\n\nbody\n",
        "PUT /x%20y HTTP/1.0\r\nH:v\r\n\r\n"}) {
    CAPTURE(text);
    auto r = ParseRawRequest(text);
    REQUIRE(r);
    auto again = ParseRawRequest(FormatRawRequest(*r));
    REQUIRE(again);
    CHECK(*again == *r);
  }
}

TEST_CASE("HttpRequest: header lookup ignores case, removal removes all") {
  HttpRequest r;
  r.headers = {{"A", "1"}, {"b", "2"}, {"a", "3"}};
  CHECK(r.HasHeader("B"));
  CHECK(!r.HasHeader("c"));
  CHECK(r.HeaderValues("a") == std::vector<std::string_view>{"1", "3"});
  CHECK(r.RemoveHeaders("A") == 2);
  CHECK(r.headers == std::vector<Header>{{"b", "2"}});
  CHECK(EqualsIgnoreCase("X-Amz-Date", "x-amz-date"));
  CHECK(!EqualsIgnoreCase("x-amz-date", "x-amz-dat"));
  CHECK(IsHeaderName("x-amz-date"));
  CHECK(!IsHeaderName("a;b"));
  CHECK(!IsHeaderName(""));
}

TEST_CASE("SplitTarget and ParseQuery: nothing is decoded, empty pieces skipped") {
  HttpRequest r;
  SplitTarget("/p%20q?a=%20&&b=c=d&", r);
  CHECK(r.path == "/p%20q");
  CHECK(r.query == std::vector<QueryParam>{{"a", "%20"}, {"b", "c=d"}});
  SplitTarget("/only", r);
  CHECK(r.query.empty());
  CHECK(FormatQuery({{"a", ""}, {"", "b"}}) == "a=&=b");
}

}  // namespace
}  // namespace envelope::aws
