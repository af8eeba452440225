#include "aws/http_request.h"

#include <algorithm>

namespace envelope::aws {
namespace {

char LowerAscii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool IsTchar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

}  // namespace

bool EqualsIgnoreCase(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return LowerAscii(x) == LowerAscii(y);
         });
}

std::string ToLowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = LowerAscii(c);
  return out;
}

bool IsHeaderName(std::string_view name) noexcept {
  return !name.empty() && std::all_of(name.begin(), name.end(), IsTchar);
}

std::string HttpRequest::Target() const {
  if (query.empty()) return path;
  return path + "?" + FormatQuery(query);
}

std::vector<std::string_view> HttpRequest::HeaderValues(std::string_view name) const {
  std::vector<std::string_view> out;
  for (const Header& h : headers) {
    if (EqualsIgnoreCase(h.name, name)) out.push_back(h.value);
  }
  return out;
}

bool HttpRequest::HasHeader(std::string_view name) const {
  return std::any_of(headers.begin(), headers.end(),
                     [&](const Header& h) { return EqualsIgnoreCase(h.name, name); });
}

size_t HttpRequest::RemoveHeaders(std::string_view name) {
  const size_t before = headers.size();
  std::erase_if(headers, [&](const Header& h) { return EqualsIgnoreCase(h.name, name); });
  return before - headers.size();
}

std::vector<QueryParam> ParseQuery(std::string_view raw) {
  std::vector<QueryParam> out;
  while (!raw.empty()) {
    const size_t amp = raw.find('&');
    const std::string_view piece = raw.substr(0, amp);
    raw = amp == std::string_view::npos ? std::string_view() : raw.substr(amp + 1);
    if (piece.empty()) continue;
    const size_t eq = piece.find('=');
    if (eq == std::string_view::npos) {
      out.push_back({std::string(piece), ""});
    } else {
      out.push_back({std::string(piece.substr(0, eq)), std::string(piece.substr(eq + 1))});
    }
  }
  return out;
}

std::string FormatQuery(const std::vector<QueryParam>& query) {
  std::string out;
  for (const QueryParam& p : query) {
    if (!out.empty()) out += '&';
    out += p.name;
    out += '=';
    out += p.value;
  }
  return out;
}

void SplitTarget(std::string_view target, HttpRequest& request) {
  const size_t q = target.find('?');
  request.path = std::string(target.substr(0, q));
  request.query =
      q == std::string_view::npos ? std::vector<QueryParam>{} : ParseQuery(target.substr(q + 1));
}

Result<HttpRequest> ParseRawRequest(std::string_view text) {
  // NextLine takes one line off `text`, without its "\n" or "\r\n".
  auto next_line = [&text]() -> std::optional<std::string_view> {
    if (text.empty()) return std::nullopt;
    const size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (nl != std::string_view::npos && line.ends_with('\r')) line.remove_suffix(1);
    return line;
  };
  // A CR anywhere else in a line is refused (RFC 9112 section 2.2), so no
  // value ends in one and formatting cannot change a request.
  auto bare_cr = [] {
    return MakeError(ErrorCode::invalid_argument, "http request: a CR that does not end a line");
  };
  HttpRequest request;
  const auto first = next_line();
  if (!first) return MakeError(ErrorCode::invalid_argument, "http request: empty");
  if (first->find('\r') != std::string_view::npos) return bare_cr();
  const size_t sp1 = first->find(' ');
  const size_t sp2 = first->rfind(' ');
  if (sp1 == std::string_view::npos || sp2 <= sp1 + 1 ||
      !first->substr(sp2 + 1).starts_with("HTTP/")) {
    return MakeError(ErrorCode::invalid_argument,
                     "http request: the first line is not 'METHOD TARGET HTTP/1.1'");
  }
  request.method = std::string(first->substr(0, sp1));
  if (!IsHeaderName(request.method)) {
    return MakeError(ErrorCode::invalid_argument, "http request: the method is not a token");
  }
  SplitTarget(first->substr(sp1 + 1, sp2 - sp1 - 1), request);
  if (request.path.empty()) {
    return MakeError(ErrorCode::invalid_argument, "http request: the target has no path");
  }
  while (auto line = next_line()) {
    if (line->find('\r') != std::string_view::npos) return bare_cr();
    if (line->empty()) {
      request.body = std::string(text);
      return request;
    }
    if (line->front() == ' ' || line->front() == '\t') {
      if (request.headers.empty()) {
        return MakeError(ErrorCode::invalid_argument,
                         "http request: a continuation line before any header");
      }
      request.headers.back().value += '\n';
      request.headers.back().value += *line;
      continue;
    }
    const size_t colon = line->find(':');
    if (colon == std::string_view::npos || !IsHeaderName(line->substr(0, colon))) {
      return MakeError(ErrorCode::invalid_argument,
                       "http request: a header line is not 'Name:value'");
    }
    request.headers.push_back(
        {std::string(line->substr(0, colon)), std::string(line->substr(colon + 1))});
  }
  return request;
}

std::string FormatRawRequest(const HttpRequest& request) {
  std::string out = request.method + " " + request.Target() + " HTTP/1.1\n";
  for (const Header& h : request.headers) out += h.name + ":" + h.value + "\n";
  out += "\n";
  out += request.body;
  return out;
}

}  // namespace envelope::aws
