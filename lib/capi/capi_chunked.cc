// The C API for the C2SP chunked format.
#include <memory>
#include <new>
#include <utility>
#include <vector>

#include "capi/capi_internal.h"
#include "envelope/chunked.hpp"

using envelope::ErrorCode;
using envelope::MakeError;
using envelope::Result;
using envelope::capi::Guard;
using envelope::capi::Require;

// A chunked stream owns its sink adapter and one of the two directions.
struct envelope_chunked_stream {
  std::unique_ptr<envelope::capi::CallbackSink> sink;
  std::unique_ptr<envelope::ChunkedEncryptor> encryptor;
  std::unique_ptr<envelope::ChunkedDecryptor> decryptor;
};

namespace {

// Options builds the chunked options from the C context bytes.
Result<envelope::ChunkedOptions> Options(const uint8_t* context, size_t context_len) {
  auto bytes = envelope::capi::Bytes(context, context_len, "context");
  ENVELOPE_RETURN_IF_ERROR(bytes);
  envelope::ChunkedOptions options;
  options.context.assign(bytes->begin(), bytes->end());
  return options;
}

// OneShot runs ChunkedEncrypt or ChunkedDecrypt and hands the result out.
Result<void> OneShot(bool encrypt, const uint8_t* key, size_t key_len, const uint8_t* input,
                     size_t input_len, const uint8_t* context, size_t context_len, uint8_t** out,
                     size_t* out_len) {
  ENVELOPE_RETURN_IF_ERROR(Require(out != nullptr && out_len != nullptr, "out"));
  auto key_bytes = envelope::capi::Bytes(key, key_len, "key");
  ENVELOPE_RETURN_IF_ERROR(key_bytes);
  auto data = envelope::capi::Bytes(input, input_len, encrypt ? "plaintext" : "ciphertext");
  ENVELOPE_RETURN_IF_ERROR(data);
  auto options = Options(context, context_len);
  ENVELOPE_RETURN_IF_ERROR(options);
  auto result = encrypt ? envelope::ChunkedEncrypt(envelope::KeyView(*key_bytes), *data, *options)
                        : envelope::ChunkedDecrypt(envelope::KeyView(*key_bytes), *data, *options);
  ENVELOPE_RETURN_IF_ERROR(result);
  auto handed = envelope::capi::Hand(*result, out, out_len);
  envelope::SecureZero(*result);
  return handed;
}

}  // namespace

extern "C" {

envelope_status envelope_chunked_encrypt(const uint8_t* key, size_t key_len,
                                         const uint8_t* plaintext, size_t plaintext_len,
                                         const uint8_t* context, size_t context_len, uint8_t** out,
                                         size_t* out_len) {
  return Guard([&] {
    return OneShot(true, key, key_len, plaintext, plaintext_len, context, context_len, out,
                   out_len);
  });
}

envelope_status envelope_chunked_decrypt(const uint8_t* key, size_t key_len,
                                         const uint8_t* ciphertext, size_t ciphertext_len,
                                         const uint8_t* context, size_t context_len, uint8_t** out,
                                         size_t* out_len) {
  return Guard([&] {
    return OneShot(false, key, key_len, ciphertext, ciphertext_len, context, context_len, out,
                   out_len);
  });
}

envelope_status envelope_chunked_stream_new(int encrypt, const uint8_t* key, size_t key_len,
                                            const uint8_t* context, size_t context_len,
                                            envelope_sink_fn sink, void* user,
                                            envelope_chunked_stream** out) {
  return Guard([&]() -> Result<void> {
    ENVELOPE_RETURN_IF_ERROR(Require(sink != nullptr, "sink"));
    ENVELOPE_RETURN_IF_ERROR(Require(out != nullptr, "out"));
    auto key_bytes = envelope::capi::Bytes(key, key_len, "key");
    ENVELOPE_RETURN_IF_ERROR(key_bytes);
    auto options = Options(context, context_len);
    ENVELOPE_RETURN_IF_ERROR(options);
    auto handle = std::make_unique<envelope_chunked_stream>();
    handle->sink = std::make_unique<envelope::capi::CallbackSink>(sink, user);
    if (encrypt != 0) {
      auto encryptor =
          envelope::ChunkedEncryptor::New(envelope::KeyView(*key_bytes), *handle->sink, *options);
      ENVELOPE_RETURN_IF_ERROR(encryptor);
      handle->encryptor = std::move(*encryptor);
    } else {
      auto decryptor =
          envelope::ChunkedDecryptor::New(envelope::KeyView(*key_bytes), *handle->sink, *options);
      ENVELOPE_RETURN_IF_ERROR(decryptor);
      handle->decryptor = std::move(*decryptor);
    }
    *out = handle.release();
    return {};
  });
}

envelope_status envelope_chunked_stream_update(envelope_chunked_stream* stream, const uint8_t* data,
                                               size_t len) {
  return Guard([&]() -> Result<void> {
    ENVELOPE_RETURN_IF_ERROR(Require(stream != nullptr, "stream"));
    auto bytes = envelope::capi::Bytes(data, len, "data");
    ENVELOPE_RETURN_IF_ERROR(bytes);
    return stream->encryptor ? stream->encryptor->Write(*bytes) : stream->decryptor->Write(*bytes);
  });
}

envelope_status envelope_chunked_stream_finish(envelope_chunked_stream* stream) {
  return Guard([&]() -> Result<void> {
    ENVELOPE_RETURN_IF_ERROR(Require(stream != nullptr, "stream"));
    return stream->encryptor ? stream->encryptor->Finish() : stream->decryptor->Finish();
  });
}

void envelope_chunked_stream_free(envelope_chunked_stream* stream) { delete stream; }

envelope_status envelope_chunked_reader_open_fd(const uint8_t* key, size_t key_len, int fd,
                                                const uint8_t* context, size_t context_len,
                                                envelope_reader** out) {
  return Guard([&]() -> Result<void> {
    ENVELOPE_RETURN_IF_ERROR(Require(out != nullptr, "out"));
    if (fd < 0) return MakeError(ErrorCode::invalid_argument, "c api: fd is negative");
    auto key_bytes = envelope::capi::Bytes(key, key_len, "key");
    ENVELOPE_RETURN_IF_ERROR(key_bytes);
    auto options = Options(context, context_len);
    ENVELOPE_RETURN_IF_ERROR(options);
    auto handle = std::make_unique<envelope_reader>();
    handle->file = std::make_unique<envelope::FdPositionedSource>(fd);
    auto reader = envelope::ChunkedRandomAccessReader::New(envelope::KeyView(*key_bytes),
                                                           *handle->file, *options);
    ENVELOPE_RETURN_IF_ERROR(reader);
    // Size() authenticates the final chunk, so a truncated file fails here.
    auto size = (*reader)->Size();
    ENVELOPE_RETURN_IF_ERROR(size);
    handle->size = *size;
    handle->chunked = std::move(*reader);
    *out = handle.release();
    return {};
  });
}

}  // extern "C"
