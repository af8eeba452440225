#include "service/kms_service.h"

#include <algorithm>

#include "aws/error_shapes.h"
#include "aws/http_request.h"
#include "aws/sigv4_verify.h"
#include "crypto/random.h"
#include "kms/audit_deferral.h"

namespace envelope::service {
namespace {

// Route is one API the server speaks: its X-Amz-Target prefix and the
// SigV4 service name its requests are signed for.
struct Route {
  std::string_view prefix;
  std::string_view service;
  std::string_view internal_error;  // the API's error type for a server fault
};
constexpr Route kRoutes[] = {{"TrentService.", "kms", "KMSInternalException"},
                             {"AmazonSSM.", "ssm", "InternalServerError"},
                             {"secretsmanager.", "secretsmanager", "InternalServiceError"}};

const Route* FindRoute(const std::string* target) {
  if (target == nullptr) return nullptr;
  for (const Route& r : kRoutes) {
    if (target->starts_with(r.prefix)) return &r;
  }
  return nullptr;
}
constexpr char kContentType[] = "application/x-amz-json-1.1";
constexpr size_t kMaxUserAgent = 256;

// Printable keeps what an audit line may quote of a client's text: visible
// ASCII and spaces, at most kMaxUserAgent bytes; anything else becomes '?'.
std::string Printable(std::string_view text) {
  std::string out(text.substr(0, kMaxUserAgent));
  std::replace_if(
      out.begin(), out.end(), [](char c) { return c < 0x20 || c > 0x7e; }, '?');
  return out;
}

HttpResponse JsonResponse(int status, std::string body, const std::string& request_id) {
  HttpResponse response;
  response.status = static_cast<unsigned>(status);
  response.headers.push_back({"x-amzn-RequestId", request_id});
  response.headers.push_back({"Content-Type", kContentType});
  response.body = std::move(body);
  return response;
}

HttpResponse ErrorResponse(std::string_view type, std::string_view message,
                           const std::string& request_id) {
  const aws::AwsErrorShape* shape = aws::FindAwsErrorShape(type);
  return JsonResponse(shape ? shape->http_status : 400, aws::RenderJsonError(type, message),
                      request_id);
}

aws::HttpRequest ToAws(const HttpRequest& request) {
  aws::HttpRequest out;
  out.method = request.method;
  aws::SplitTarget(request.target, out);
  out.headers.reserve(request.headers.size());
  for (const HttpHeader& h : request.headers) out.headers.push_back({h.name, h.value});
  out.body = request.body;
  return out;
}

}  // namespace

KmsService::KmsService(kms::Kms& kms, KmsServiceOptions options)
    : kms_(kms),
      options_(std::move(options)),
      api_(kms, options_.api),
      ssm_(kms, options_.api),
      secrets_(kms, options_.api) {}

HttpResponse KmsService::ProtocolError(unsigned status, std::string_view message) const noexcept {
  try {
    const std::string_view type = status >= 500 ? "InternalFailure" : "SerializationException";
    HttpResponse response = ErrorResponse(type, message, crypto::RandomUuid());
    response.status = status;
    return response;
  } catch (...) {
    HttpResponse response;
    response.status = 500;
    return response;
  }
}

HttpResponse KmsService::Handle(const HttpRequest& request) noexcept {
  try {
    const std::string request_id = crypto::RandomUuid();
    kms::RequestCaller caller;
    caller.source_ip = request.remote_address;
    caller.request_id = request_id;
    caller.secure_transport = request.secure;
    if (const std::string* agent = request.Header("User-Agent"))
      caller.user_agent = Printable(*agent);

    // Refused records a request that never reached a key operation.
    auto refused = [&](std::string_view operation, std::string_view type,
                       const std::string& message) {
      kms::ScopedRequestCaller scope(caller);
      const Error error(ErrorCode::invalid_argument, std::string(type) + ": " + message);
      // An audit failure must not turn a refusal into success or hide it;
      // the refusal is answered either way.
      (void)kms_.AuditRefusedRequest(operation, error);
      return ErrorResponse(type, message, request_id);
    };

    // Shape: POST / with a TrentService, AmazonSSM or secretsmanager target.
    const std::string* target = request.Header("X-Amz-Target");
    const Route* route = FindRoute(target);
    if (request.method != "POST" || route == nullptr) {
      return refused("UnknownOperation", "UnknownOperationException",
                     "expected POST with X-Amz-Target: TrentService.<Operation>, "
                     "AmazonSSM.<Operation> or secretsmanager.<Operation>");
    }
    const std::string operation = Printable(target->substr(route->prefix.size()));

    // Authenticate.
    const auto now = std::chrono::time_point_cast<std::chrono::seconds>(
        options_.clock ? options_.clock() : std::chrono::system_clock::now());
    aws::VerifyConfig verify;
    verify.region = options_.api.region;
    verify.service = std::string(route->service);
    verify.allow_presigned = false;
    auto principal = aws::VerifyRequest(
        ToAws(request), verify,
        [&](std::string_view access_key_id) { return kms_.AccessKeySecret(access_key_id); }, now);
    if (!principal) {
      const aws::AwsError e = aws::ToAwsError(principal.error());
      return refused(operation, e.type, e.message);
    }
    caller.access_key_id = principal->access_key_id;
    if (options_.throttle_first > 0 && throttled_.fetch_add(1) < options_.throttle_first) {
      return refused(operation, "ThrottlingException", "Rate exceeded");
    }

    // Dispatch, with every audit line naming the caller.
    kms::ScopedRequestCaller scope(caller);
    KmsApiResult result = route->service == "kms" ? api_.Call(operation, request.body)
                          : route->service == "ssm"
                              ? ssm_.Call(operation, request.body, caller.access_key_id)
                              : secrets_.Call(operation, request.body);
    if (!result.error_type.empty() && !result.reached_kms) {
      const Error error(ErrorCode::invalid_argument,
                        result.error_type + ": " + result.error_message);
      (void)kms_.AuditRefusedRequest(operation, error);
    }
    return JsonResponse(result.http_status, std::move(result.body), request_id);
  } catch (...) {
    return ProtocolError(500, "internal error");
  }
}

void KmsService::HandleAsync(const HttpRequest& request, Respond respond) noexcept {
  const Route* route = FindRoute(request.Header("X-Amz-Target"));
  const std::string_view internal_error = route ? route->internal_error : "InternalFailure";
  kms::ScopedAuditDeferral deferral;
  HttpResponse response = Handle(request);
  deferral.Then([respond = std::move(respond), response = std::move(response),
                 internal_error](Result<void> durable) mutable {
    if (durable) return respond(std::move(response));
    // The answer was computed but its audit line is not on disk: it must
    // not leave (no unaudited key use); the client sees a server fault.
    std::string request_id;
    for (const HttpHeader& h : response.headers) {
      if (h.name == "x-amzn-RequestId") request_id = h.value;
    }
    SecureZero(std::span(reinterpret_cast<uint8_t*>(response.body.data()), response.body.size()));
    HttpResponse failure;
    try {
      failure = JsonResponse(
          500, aws::RenderJsonError(internal_error, "the audit log cannot be written"), request_id);
    } catch (...) {
      failure.status = 500;
    }
    respond(std::move(failure));
  });
}

}  // namespace envelope::service
