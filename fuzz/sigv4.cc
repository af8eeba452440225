// fuzz target sigv4: SigV4 verification (lib/aws/sigv4_verify), the
// Authorization header parser, the raw request codec and ARNs.
//
// Input: one flags byte, then a request in the text form of the SigV4 test
// suite ("METHOD TARGET HTTP/1.1", "Name:value" lines, empty line, body);
// the seeds are the suite's signed requests. Flags: bit 0 normalize the
// path, bit 1 sign the request first (with bit 2 presigned, bit 3 signed
// body, bit 4 a session token, bit 5 the token left unsigned), bit 6 accept
// an unsigned session token. Properties:
//  - ParseRawRequest(FormatRawRequest(r)) == r;
//  - a parsed Authorization header formats to one that parses to the same
//    value; a parsed ARN formats to the same bytes, and ClassifyKeyId agrees
//    with ParseKmsArn, IsKmsKeyId and IsKmsAliasName;
//  - VerifyRequest never accepts a request unless SignRequest (or
//    PresignRequest), given the same request, key, time, scope and signed
//    headers, computes exactly the signature the request carries; a
//    rejection is one of the four authentication exceptions;
//  - with bit 1, what SignRequest or PresignRequest signed verifies, and
//    so does (or is rejected, by the property above) a one-byte change of
//    its path, query, a header, the body or the method.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "aws/arn.h"
#include "aws/error_shapes.h"
#include "aws/sigv4_auth.h"
#include "aws/sigv4_sign.h"
#include "aws/sigv4_verify.h"
#include "aws/uri.h"
#include "fuzz_util.h"

namespace {

using namespace envelope;
using namespace envelope::aws;

constexpr std::string_view kAkid = "AKIDEXAMPLE";
constexpr std::string_view kSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr std::string_view kToken = "AQoDYXdzEPT//////////wEXAMPLE+token==";

SecretBytes Secret() {
  auto s =
      SecretBytes::CopyFrom({reinterpret_cast<const uint8_t*>(kSecret.data()), kSecret.size()});
  FUZZ_CHECK(s.has_value());
  return std::move(*s);
}

Result<SecretBytes> Lookup(std::string_view id) {
  if (id == kAkid) return Secret();
  return MakeError(ErrorCode::not_found, "no such access key");
}

AmzTime Now() { return *ParseAmzDate("20150830T123600Z"); }

void CheckArn(std::string_view text) {
  if (auto arn = ParseArn(text)) FUZZ_CHECK(arn->ToString() == text);
  if (auto kms = ParseKmsArn(text)) FUZZ_CHECK(kms->ToString() == text);
  auto ref = ClassifyKeyId(text);
  if (!ref) {
    FUZZ_CHECK(ref.error().code() == ErrorCode::not_found);
    return;
  }
  switch (ref->form) {
    case KeyIdForm::key_id:
      FUZZ_CHECK(IsKmsKeyId(text) && !ref->arn);
      break;
    case KeyIdForm::alias_name:
      FUZZ_CHECK(IsKmsAliasName(text) && !ref->arn);
      break;
    case KeyIdForm::key_arn:
    case KeyIdForm::alias_arn:
      FUZZ_CHECK(ref->arn && ref->arn->ToString() == text && ref->arn->name == ref->name);
      break;
  }
}

void CheckAuthorizationParse(std::string_view value) {
  auto auth = ParseAuthorization(value);
  if (!auth) {
    FUZZ_CHECK(ToAwsError(auth.error()).type == kIncompleteSignature);
    return;
  }
  auto again = ParseAuthorization(FormatAuthorization(*auth));
  FUZZ_CHECK(again.has_value() && *again == *auth);
}

std::optional<std::string> QueryValue(const HttpRequest& r, std::string_view name) {
  for (const QueryParam& p : r.query) {
    if (UriDecode(p.name) == name) return UriDecode(p.value);
  }
  return std::nullopt;
}

bool HasControl(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return true;
  }
  return false;
}

// CheckAccepted: the signature `request` carries is the one the signer
// computes for it.
void CheckAccepted(const HttpRequest& request, const Principal& who, const VerifyConfig& config) {
  FUZZ_CHECK(who.access_key_id == kAkid);
  FUZZ_CHECK(who.scope.region == config.region && who.scope.service == config.service);
  const std::string token = who.session_token.value_or("");
  if (HasControl(token)) return;  // the signer refuses such tokens; nothing to compare
  const Credentials credentials{std::string(kAkid), Secret(), token};
  SigningParams params;
  params.region = who.scope.region;
  params.service = who.scope.service;
  params.time = who.request_time;
  params.canonical = config.canonical;
  params.omit_session_token = who.session_token && !who.session_token_signed;
  const auto content = request.HeaderValues("x-amz-content-sha256");
  if (!content.empty()) params.payload_hash = std::string(content[0]);
  Authorization claimed;
  HttpRequest copy = request;
  Result<SigningResult> signed_again = MakeError(ErrorCode::internal, "unset");
  if (who.presigned) {
    FUZZ_CHECK(ParseSignedHeaders(*QueryValue(request, kQuerySignedHeaders), claimed));
    params.signed_headers = claimed.signed_headers;
    const long expires = std::stol(*QueryValue(request, kQueryExpires));
    signed_again = PresignRequest(copy, credentials, params, std::chrono::seconds(expires));
    claimed.signature = *QueryValue(request, kQuerySignature);
  } else {
    auto auth = ParseAuthorization(request.HeaderValues("authorization").at(0));
    FUZZ_CHECK(auth.has_value());
    claimed = *auth;
    params.signed_headers = claimed.signed_headers;
    params.sign_body = !content.empty();
    signed_again = SignRequest(copy, credentials, params);
  }
  FUZZ_CHECK(signed_again.has_value());
  FUZZ_CHECK(signed_again->signature == claimed.signature);
}

// Verify checks one request and the properties of the answer.
bool Verify(const HttpRequest& request, const VerifyConfig& config) {
  auto who = VerifyRequest(request, config, Lookup, Now());
  if (!who) {
    const std::string type = ToAwsError(who.error()).type;
    FUZZ_CHECK(type == kIncompleteSignature || type == kInvalidSignature ||
               type == kUnrecognizedClient || type == kMissingAuthenticationToken);
    return false;
  }
  CheckAccepted(request, *who, config);
  return true;
}

void Mutate(HttpRequest& r, uint64_t h) {
  const uint8_t delta = static_cast<uint8_t>(1 + (h >> 8) % 255);
  auto flip = [&](std::string& s) {
    if (s.empty()) {
      s.push_back(static_cast<char>(delta));
    } else {
      s[(h >> 16) % s.size()] ^= static_cast<char>(delta);
    }
  };
  switch (h % 5) {
    case 0:
      flip(r.path);
      break;
    case 1:
      flip(r.body);
      break;
    case 2:
      flip(r.method);
      break;
    case 3:
      if (r.query.empty()) r.query.push_back({"a", ""});
      flip(r.query[(h >> 24) % r.query.size()].value);
      break;
    default:
      flip(r.headers[(h >> 24) % r.headers.size()].value);
      break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::FuzzInput input(data, size);
  const uint8_t flags = input.U8();
  const auto rest = input.Rest();
  const std::string_view text(reinterpret_cast<const char*>(rest.data()), rest.size());

  if (text.size() <= 4096) CheckArn(text);
  auto parsed = ParseRawRequest(text);
  if (!parsed) return 0;
  auto reparsed = ParseRawRequest(FormatRawRequest(*parsed));
  FUZZ_CHECK(reparsed.has_value() && *reparsed == *parsed);
  for (const Header& h : parsed->headers) {
    CheckAuthorizationParse(h.value);
    CheckArn(h.value);
  }

  VerifyConfig config;
  config.region = "us-east-1";
  config.service = "service";
  config.canonical.normalize_path = (flags & 1) != 0;
  config.allow_unsigned_session_token = (flags & 64) != 0;
  if ((flags & 2) == 0) {
    Verify(*parsed, config);
    return 0;
  }

  // Sign it ourselves: what the signer produces must verify.
  HttpRequest request = *parsed;
  const bool presign = (flags & 4) != 0;
  const bool token = (flags & 16) != 0;
  const Credentials credentials{std::string(kAkid), Secret(), token ? std::string(kToken) : ""};
  SigningParams params;
  params.region = config.region;
  params.service = config.service;
  params.time = Now();
  params.canonical = config.canonical;
  params.sign_body = (flags & 8) != 0;
  params.omit_session_token = (flags & 32) != 0;
  config.allow_unsigned_session_token |= params.omit_session_token;
  if (presign) request.RemoveHeaders("x-amz-content-sha256");
  auto signed_result =
      presign ? PresignRequest(request, credentials, params, std::chrono::seconds(3600))
              : SignRequest(request, credentials, params);
  if (!signed_result) {
    FUZZ_CHECK(signed_result.error().code() == ErrorCode::invalid_argument);
    return 0;
  }
  FUZZ_CHECK(Verify(request, config));
  Mutate(request, fuzz::Mix(rest));
  Verify(request, config);
  return 0;
}
