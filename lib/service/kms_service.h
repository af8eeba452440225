// lib/service: one KMS request through the pipeline.
//
//   HTTP request -> shape (POST, X-Amz-Target: TrentService.<Operation>, or
//                   AmazonSSM.<Operation> for parameters, signed for "ssm",
//                   secretsmanager.<Operation>, signed for "secretsmanager")
//                -> authenticate (SigV4 against the keystore's access keys)
//                -> dispatch (KmsApi: AWS KMS JSON shapes over the Kms;
//                   SsmApi: SSM's over the keystore's parameters;
//                   SecretsApi: Secrets Manager's over its secrets)
//                -> audit (the Kms's own lines, with this request's caller;
//                   a line of its own for a request refused before any key
//                   operation ran)
//                -> respond (AWS JSON 1.1, x-amzn-RequestId)
//
// Each stage is its own unit (lib/aws sigv4_verify.h, kms_api.h); this file
// joins them. It does no I/O of its own beyond the Kms's.
#ifndef ENVELOPE_LIB_SERVICE_KMS_SERVICE_H_
#define ENVELOPE_LIB_SERVICE_KMS_SERVICE_H_

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "envelope/kms.hpp"
#include "service/http_server.h"
#include "service/kms_api.h"
#include "service/secrets_api.h"
#include "service/ssm_api.h"

namespace envelope::service {

// KmsServiceOptions configure the pipeline.
struct KmsServiceOptions {
  KmsApiConfig api;
  // clock gives the time requests are checked against (SigV4 allows 5
  // minutes of skew); empty means the system clock.
  std::function<std::chrono::system_clock::time_point()> clock;
  // throttle_first answers the first N authenticated requests with
  // ThrottlingException (a test switch for clients' retries; 0: off).
  int throttle_first = 0;
};

// KmsService answers AWS KMS requests from a Kms that must outlive it.
// Handle may be called from several threads at once.
class KmsService {
 public:
  KmsService(kms::Kms& kms, KmsServiceOptions options);

  // Handle runs one request through the pipeline and returns once its
  // audit lines are durable. It never throws.
  HttpResponse Handle(const HttpRequest& request) noexcept;

  // HandleAsync runs one request through the pipeline on this thread and
  // calls `respond` once its audit lines are durable: at once if they
  // already are, else from the thread that writes their group commit (so
  // no thread waits for the flush). If the lines cannot be written the
  // answer is withheld and `respond` gets a 500 of the API's internal-error
  // type instead. It never throws.
  void HandleAsync(const HttpRequest& request, Respond respond) noexcept;

  // ProtocolError is the answer for what the HTTP layer refuses itself
  // (HttpServerOptions::protocol_error), in AWS's error shape.
  HttpResponse ProtocolError(unsigned status, std::string_view message) const noexcept;

 private:
  kms::Kms& kms_;
  KmsServiceOptions options_;
  KmsApi api_;
  SsmApi ssm_;
  SecretsApi secrets_;
  std::atomic<int> throttled_{0};
};

}  // namespace envelope::service

#endif  // ENVELOPE_LIB_SERVICE_KMS_SERVICE_H_
