// lib/capi: the C API (include/envelope/envelope.h) over the C++ library.
//
// Every exported function runs its body through Guard, the one place where
// Result errors and C++ exceptions (std::bad_alloc from a container, for
// one) become an envelope_status plus the thread's last-error message.
// Nothing else in lib/capi catches.
#ifndef ENVELOPE_LIB_CAPI_CAPI_INTERNAL_H_
#define ENVELOPE_LIB_CAPI_CAPI_INTERNAL_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "envelope/envelope.h"
#include "envelope/error.hpp"
#include "envelope/io.hpp"
#include "envelope/keyring.hpp"
#include "envelope/kms.hpp"
#include "envelope/materials.hpp"
#include "envelope/message.hpp"

// The handles: C structs that own C++ objects.
struct envelope_kms {
  std::shared_ptr<envelope::kms::Kms> kms;
};

struct envelope_keyring {
  std::shared_ptr<const envelope::Keyring> keyring;
  std::shared_ptr<const envelope::CryptoMaterialsManager> cmm;
};

struct envelope_reader {
  // The file the reader reads through, then one of the two readers;
  // members are destroyed in reverse order, so the reader goes first.
  std::unique_ptr<envelope::PositionedSource> file;
  std::unique_ptr<envelope::RandomAccessDecryptor> message;
  std::unique_ptr<envelope::PositionedSource> chunked;
  uint64_t size = 0;
};

namespace envelope::capi {

// SetError records `error` as the thread's last error and returns its status.
envelope_status SetError(const Error& error) noexcept;

// StatusOf maps an ErrorCode to its C status.
envelope_status StatusOf(ErrorCode code) noexcept;

// Guard runs `body` (returning Result<void>) and turns its outcome, or any
// exception it throws, into a status: the C API's one boundary.
template <typename Body>
envelope_status Guard(Body&& body) noexcept {
  try {
    Result<void> result = body();
    if (!result) return SetError(result.error());
    return ENVELOPE_OK;
  } catch (const std::bad_alloc&) {
    return SetError(Error(ErrorCode::internal, "out of memory"));
  } catch (...) {
    return SetError(Error(ErrorCode::internal, "unexpected exception"));
  }
}

// Require fails with `invalid_argument` "<what> is null" when `ok` is false.
Result<void> Require(bool ok, const char* what);

// Bytes views (data, len) as a span; a null `data` with len 0 is empty.
Result<std::span<const uint8_t>> Bytes(const uint8_t* data, size_t len, const char* what);

// Context builds an encryption context from C pairs.
Result<EncryptionContext> Context(const envelope_context_pair* pairs, size_t len);

// Hand copies `bytes` into a malloc'ed buffer for the caller.
Result<void> Hand(std::span<const uint8_t> bytes, uint8_t** out, size_t* out_len);

// CallbackSink sends every write to a C callback; a non-zero return is `io`.
class CallbackSink final : public Sink {
 public:
  CallbackSink(envelope_sink_fn fn, void* user) : fn_(fn), user_(user) {}
  Result<void> Write(std::span<const uint8_t> data) override;

 private:
  envelope_sink_fn fn_;
  void* user_;
};

}  // namespace envelope::capi

#endif  // ENVELOPE_LIB_CAPI_CAPI_INTERNAL_H_
