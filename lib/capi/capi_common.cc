// The C API's shared pieces: errors, buffers, contexts, the callback sink.
#include <cstdlib>
#include <cstring>
#include <string>

#include "capi/capi_internal.h"
#include "envelope/secret.hpp"
#include "envelope/version.hpp"

namespace envelope::capi {
namespace {

// The last error of this thread, as envelope_last_error returns it.
thread_local std::string last_error;

}  // namespace

envelope_status StatusOf(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::invalid_argument:
      return ENVELOPE_INVALID_ARGUMENT;
    case ErrorCode::auth_failed:
      return ENVELOPE_AUTH_FAILED;
    case ErrorCode::truncated:
      return ENVELOPE_TRUNCATED;
    case ErrorCode::malformed:
      return ENVELOPE_MALFORMED;
    case ErrorCode::unsupported:
      return ENVELOPE_UNSUPPORTED;
    case ErrorCode::key_state:
      return ENVELOPE_KEY_STATE;
    case ErrorCode::not_found:
      return ENVELOPE_NOT_FOUND;
    case ErrorCode::limit_exceeded:
      return ENVELOPE_LIMIT_EXCEEDED;
    case ErrorCode::io:
      return ENVELOPE_IO;
    case ErrorCode::internal:
      return ENVELOPE_INTERNAL;
  }
  return ENVELOPE_INTERNAL;
}

envelope_status SetError(const Error& error) noexcept {
  try {
    last_error = error.message();
  } catch (...) {
    last_error.clear();  // no memory for the message: the status still says it
  }
  return StatusOf(error.code());
}

Result<void> Require(bool ok, const char* what) {
  if (!ok)
    return MakeError(ErrorCode::invalid_argument, std::string("c api: ") + what + " is null");
  return {};
}

Result<std::span<const uint8_t>> Bytes(const uint8_t* data, size_t len, const char* what) {
  if (data == nullptr && len != 0) {
    return MakeError(ErrorCode::invalid_argument, std::string("c api: ") + what + " is null");
  }
  if (len == 0) return std::span<const uint8_t>();
  return std::span<const uint8_t>(data, len);
}

Result<EncryptionContext> Context(const envelope_context_pair* pairs, size_t len) {
  EncryptionContext context;
  if (len == 0) return context;
  if (pairs == nullptr) return MakeError(ErrorCode::invalid_argument, "c api: context is null");
  for (size_t i = 0; i < len; ++i) {
    if (pairs[i].key == nullptr || pairs[i].value == nullptr) {
      return MakeError(ErrorCode::invalid_argument,
                       "c api: context pair " + std::to_string(i) + " has a null key or value");
    }
    if (!context.emplace(pairs[i].key, pairs[i].value).second) {
      return MakeError(ErrorCode::invalid_argument,
                       "c api: context key '" + std::string(pairs[i].key) + "' given twice");
    }
  }
  return context;
}

Result<void> Hand(std::span<const uint8_t> bytes, uint8_t** out, size_t* out_len) {
  // malloc(0) may return null: always ask for at least one byte.
  auto* buffer = static_cast<uint8_t*>(std::malloc(bytes.empty() ? 1 : bytes.size()));
  if (buffer == nullptr) return MakeError(ErrorCode::internal, "out of memory");
  if (!bytes.empty()) std::memcpy(buffer, bytes.data(), bytes.size());
  *out = buffer;
  *out_len = bytes.size();
  return {};
}

Result<void> CallbackSink::Write(std::span<const uint8_t> data) {
  if (data.empty()) return {};
  if (fn_(user_, data.data(), data.size()) != 0) {
    return MakeError(ErrorCode::io, "c api: the sink callback failed");
  }
  return {};
}

}  // namespace envelope::capi

using envelope::capi::Guard;

extern "C" {

const char* envelope_last_error(void) { return envelope::capi::last_error.c_str(); }

const char* envelope_status_name(int status) {
  if (status == ENVELOPE_OK) return "ok";
  using envelope::ErrorCode;
  for (ErrorCode code :
       {ErrorCode::invalid_argument, ErrorCode::auth_failed, ErrorCode::truncated,
        ErrorCode::malformed, ErrorCode::unsupported, ErrorCode::key_state, ErrorCode::not_found,
        ErrorCode::limit_exceeded, ErrorCode::io, ErrorCode::internal}) {
    // ErrorCodeName returns views of string literals: NUL-terminated.
    if (envelope::capi::StatusOf(code) == status) return envelope::ErrorCodeName(code).data();
  }
  return "unknown";
}

const char* envelope_version(void) { return envelope::Version(); }

void envelope_buffer_free(uint8_t* buffer, size_t len) {
  if (buffer == nullptr) return;
  envelope::SecureZero(std::span<uint8_t>(buffer, len));
  std::free(buffer);
}

void envelope_string_free(char* s) { std::free(s); }

}  // extern "C"
