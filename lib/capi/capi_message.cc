// The C API for messages: one shot, streaming, random access.
#include <memory>
#include <new>
#include <utility>

#include "capi/capi_internal.h"

using envelope::ErrorCode;
using envelope::MakeError;
using envelope::Result;
using envelope::capi::Guard;
using envelope::capi::Require;

// A streaming handle owns its sink adapter; the keyring (and so the CMM)
// belongs to the caller and must outlive it.
struct envelope_encryptor {
  std::unique_ptr<envelope::capi::CallbackSink> sink;
  std::unique_ptr<envelope::MessageEncryptor> encryptor;
};

struct envelope_decryptor {
  std::unique_ptr<envelope::capi::CallbackSink> sink;
  std::unique_ptr<envelope::MessageDecryptor> decryptor;
};

extern "C" {

envelope_status envelope_encrypt(const envelope_keyring* keyring, const uint8_t* plaintext,
                                 size_t plaintext_len, const envelope_context_pair* context,
                                 size_t context_len, uint8_t** out, size_t* out_len) {
  return Guard([&]() -> Result<void> {
    ENVELOPE_RETURN_IF_ERROR(Require(keyring != nullptr, "keyring"));
    ENVELOPE_RETURN_IF_ERROR(Require(out != nullptr && out_len != nullptr, "out"));
    auto data = envelope::capi::Bytes(plaintext, plaintext_len, "plaintext");
    ENVELOPE_RETURN_IF_ERROR(data);
    envelope::EncryptOptions options;
    auto ctx = envelope::capi::Context(context, context_len);
    ENVELOPE_RETURN_IF_ERROR(ctx);
    options.context = std::move(*ctx);
    auto message = envelope::Encrypt(*data, *keyring->cmm, options);
    ENVELOPE_RETURN_IF_ERROR(message);
    return envelope::capi::Hand(*message, out, out_len);
  });
}

envelope_status envelope_decrypt(const envelope_keyring* keyring, const uint8_t* message,
                                 size_t message_len, const envelope_context_pair* context,
                                 size_t context_len, uint8_t** out, size_t* out_len) {
  return Guard([&]() -> Result<void> {
    ENVELOPE_RETURN_IF_ERROR(Require(keyring != nullptr, "keyring"));
    ENVELOPE_RETURN_IF_ERROR(Require(out != nullptr && out_len != nullptr, "out"));
    auto data = envelope::capi::Bytes(message, message_len, "message");
    ENVELOPE_RETURN_IF_ERROR(data);
    envelope::DecryptOptions options;
    auto ctx = envelope::capi::Context(context, context_len);
    ENVELOPE_RETURN_IF_ERROR(ctx);
    options.reproduced_context = std::move(*ctx);
    auto result = envelope::Decrypt(*data, *keyring->cmm, options);
    ENVELOPE_RETURN_IF_ERROR(result);
    auto handed = envelope::capi::Hand(result->plaintext, out, out_len);
    envelope::SecureZero(result->plaintext);
    return handed;
  });
}

envelope_status envelope_encryptor_new(const envelope_keyring* keyring,
                                       const envelope_context_pair* context, size_t context_len,
                                       envelope_sink_fn sink, void* user,
                                       envelope_encryptor** out) {
  return Guard([&]() -> Result<void> {
    ENVELOPE_RETURN_IF_ERROR(Require(keyring != nullptr, "keyring"));
    ENVELOPE_RETURN_IF_ERROR(Require(sink != nullptr, "sink"));
    ENVELOPE_RETURN_IF_ERROR(Require(out != nullptr, "out"));
    envelope::EncryptOptions options;
    auto ctx = envelope::capi::Context(context, context_len);
    ENVELOPE_RETURN_IF_ERROR(ctx);
    options.context = std::move(*ctx);
    auto handle = std::make_unique<envelope_encryptor>();
    handle->sink = std::make_unique<envelope::capi::CallbackSink>(sink, user);
    auto encryptor = envelope::MessageEncryptor::New(*keyring->cmm, options, *handle->sink);
    ENVELOPE_RETURN_IF_ERROR(encryptor);
    handle->encryptor = std::move(*encryptor);
    *out = handle.release();
    return {};
  });
}

envelope_status envelope_encryptor_update(envelope_encryptor* encryptor, const uint8_t* data,
                                          size_t len) {
  return Guard([&]() -> Result<void> {
    ENVELOPE_RETURN_IF_ERROR(Require(encryptor != nullptr, "encryptor"));
    auto bytes = envelope::capi::Bytes(data, len, "data");
    ENVELOPE_RETURN_IF_ERROR(bytes);
    return encryptor->encryptor->Update(*bytes);
  });
}

envelope_status envelope_encryptor_finish(envelope_encryptor* encryptor) {
  return Guard([&]() -> Result<void> {
    ENVELOPE_RETURN_IF_ERROR(Require(encryptor != nullptr, "encryptor"));
    return encryptor->encryptor->Finish();
  });
}

void envelope_encryptor_free(envelope_encryptor* encryptor) { delete encryptor; }

envelope_status envelope_decryptor_new(const envelope_keyring* keyring,
                                       const envelope_context_pair* context, size_t context_len,
                                       envelope_sink_fn sink, void* user,
                                       envelope_decryptor** out) {
  return Guard([&]() -> Result<void> {
    ENVELOPE_RETURN_IF_ERROR(Require(keyring != nullptr, "keyring"));
    ENVELOPE_RETURN_IF_ERROR(Require(sink != nullptr, "sink"));
    ENVELOPE_RETURN_IF_ERROR(Require(out != nullptr, "out"));
    envelope::DecryptOptions options;
    auto ctx = envelope::capi::Context(context, context_len);
    ENVELOPE_RETURN_IF_ERROR(ctx);
    options.reproduced_context = std::move(*ctx);
    auto handle = std::make_unique<envelope_decryptor>();
    handle->sink = std::make_unique<envelope::capi::CallbackSink>(sink, user);
    auto decryptor = envelope::MessageDecryptor::New(*keyring->cmm, options, *handle->sink);
    ENVELOPE_RETURN_IF_ERROR(decryptor);
    handle->decryptor = std::move(*decryptor);
    *out = handle.release();
    return {};
  });
}

envelope_status envelope_decryptor_update(envelope_decryptor* decryptor, const uint8_t* data,
                                          size_t len) {
  return Guard([&]() -> Result<void> {
    ENVELOPE_RETURN_IF_ERROR(Require(decryptor != nullptr, "decryptor"));
    auto bytes = envelope::capi::Bytes(data, len, "data");
    ENVELOPE_RETURN_IF_ERROR(bytes);
    return decryptor->decryptor->Update(*bytes);
  });
}

envelope_status envelope_decryptor_finish(envelope_decryptor* decryptor) {
  return Guard([&]() -> Result<void> {
    ENVELOPE_RETURN_IF_ERROR(Require(decryptor != nullptr, "decryptor"));
    return decryptor->decryptor->Finish();
  });
}

void envelope_decryptor_free(envelope_decryptor* decryptor) { delete decryptor; }

envelope_status envelope_reader_open_fd(const envelope_keyring* keyring, int fd,
                                        const envelope_context_pair* context, size_t context_len,
                                        envelope_reader** out) {
  return Guard([&]() -> Result<void> {
    ENVELOPE_RETURN_IF_ERROR(Require(keyring != nullptr, "keyring"));
    ENVELOPE_RETURN_IF_ERROR(Require(out != nullptr, "out"));
    if (fd < 0) return MakeError(ErrorCode::invalid_argument, "c api: fd is negative");
    envelope::DecryptOptions options;
    auto ctx = envelope::capi::Context(context, context_len);
    ENVELOPE_RETURN_IF_ERROR(ctx);
    options.reproduced_context = std::move(*ctx);
    auto handle = std::make_unique<envelope_reader>();
    handle->file = std::make_unique<envelope::FdPositionedSource>(fd);
    auto reader = envelope::RandomAccessDecryptor::New(*handle->file, *keyring->cmm, options);
    ENVELOPE_RETURN_IF_ERROR(reader);
    handle->message = std::move(*reader);
    handle->size = handle->message->plaintext_size();
    *out = handle.release();
    return {};
  });
}

envelope_status envelope_reader_size(envelope_reader* reader, uint64_t* size) {
  return Guard([&]() -> Result<void> {
    ENVELOPE_RETURN_IF_ERROR(Require(reader != nullptr, "reader"));
    ENVELOPE_RETURN_IF_ERROR(Require(size != nullptr, "size"));
    *size = reader->size;
    return {};
  });
}

envelope_status envelope_reader_read_at(envelope_reader* reader, uint64_t offset, uint8_t* out,
                                        size_t len) {
  return Guard([&]() -> Result<void> {
    ENVELOPE_RETURN_IF_ERROR(Require(reader != nullptr, "reader"));
    ENVELOPE_RETURN_IF_ERROR(Require(out != nullptr || len == 0, "out"));
    // One rule for both kinds of reader: the whole range or an error.
    if (offset > reader->size || len > reader->size - offset) {
      return MakeError(ErrorCode::invalid_argument, "c api: read past the end of the plaintext");
    }
    if (len == 0) return {};
    std::span<uint8_t> range(out, len);
    if (reader->message) return envelope::ReadExactAt(*reader->message, offset, range);
    return envelope::ReadExactAt(*reader->chunked, offset, range);
  });
}

void envelope_reader_free(envelope_reader* reader) { delete reader; }

}  // extern "C"
