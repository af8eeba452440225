// Compile checks for envelope::KeyView (test/api/meson.build runs them).
//
// Built as is, this file must compile: it calls every public function that
// takes a raw key the right way, from a SecretBytes (implicit) and from plain
// bytes (explicit KeyView). Built with -DCASE_..., one call with a key and a
// data span swapped (or a plain span where a key goes) is added, and the
// compiler must reject the line after the case's EXPECT-ERROR marker. The control
// build keeps the test from passing for a wrong reason: the cases differ from
// it only in their one line.
#include <cstdint>
#include <span>
#include <vector>

#include "envelope/chunked.hpp"
#include "envelope/customer_key.hpp"
#include "envelope/hazmat/chunked_raw.hpp"
#include "envelope/keyring.hpp"
#include "envelope/secret.hpp"

namespace {

[[maybe_unused]] void Calls(const envelope::SecretBytes& key, std::span<const uint8_t> plaintext,
                            std::span<uint8_t> out, envelope::Sink& sink, envelope::Source& source,
                            envelope::PositionedSource& positioned) {
  using namespace envelope;
  const std::vector<uint8_t> raw(32, 7);
  const std::vector<uint8_t> nonce(12, 1);
  const std::span<const uint8_t> key_bytes = key.span();
  const std::span<const uint8_t> nonce_bytes = nonce;  // what callers passed before KeyView
  // The control: every key parameter, each spelling once.
  (void)ChunkedEncrypt(key, plaintext, out);
  (void)ChunkedEncrypt(KeyView(raw), plaintext);
  (void)ChunkedDecrypt(key, plaintext, out);
  (void)ChunkedDecrypt(KeyView(raw), plaintext);
  (void)ChunkedEncryptStream(key, source, sink);
  (void)ChunkedDecryptStream(key, source, sink);
  (void)ChunkedEncryptor::New(key, sink);
  (void)ChunkedDecryptor::New(key, sink);
  (void)ChunkedEncryptingReader::New(key, source);
  (void)ChunkedDecryptingReader::New(key, source);
  (void)ChunkedRandomAccessReader::New(key, positioned);
  (void)hazmat::RawChunkedEncrypt(key, nonce, plaintext, out);
  (void)hazmat::RawChunkedDecrypt(KeyView(raw), nonce, plaintext, out);
  (void)hazmat::NewRawChunkedEncryptor(key, nonce, sink);
  (void)NewRawAesKeyring("ns", "name", key);
  (void)NewRawAesKeyring("ns", "name", KeyView(raw));
  (void)NewCustomerKeyKeyring(key);
  (void)CustomerKeyMd5(KeyView(raw));

#if defined(CASE_CHUNKED_SWAPPED)
  // EXPECT-ERROR(CASE_CHUNKED_SWAPPED): the next line
  (void)ChunkedEncrypt(plaintext, key_bytes);
#endif
#if defined(CASE_CHUNKED_SWAPPED_SECRET)
  // EXPECT-ERROR(CASE_CHUNKED_SWAPPED_SECRET): the next line
  (void)ChunkedEncrypt(plaintext, key);
#endif
#if defined(CASE_CHUNKED_KEY_AS_DATA)
  // EXPECT-ERROR(CASE_CHUNKED_KEY_AS_DATA): the next line
  (void)ChunkedDecrypt(key, KeyView(raw));
#endif
#if defined(CASE_STREAM_SPAN_KEY)
  // EXPECT-ERROR(CASE_STREAM_SPAN_KEY): the next line
  (void)ChunkedEncryptor::New(key_bytes, sink);
#endif
#if defined(CASE_HAZMAT_KEY_NONCE_SWAPPED)
  // EXPECT-ERROR(CASE_HAZMAT_KEY_NONCE_SWAPPED): the next line
  (void)hazmat::RawChunkedEncrypt(nonce_bytes, key_bytes, plaintext, out);
#endif
#if defined(CASE_RAW_AES_SPAN_KEY)
  // EXPECT-ERROR(CASE_RAW_AES_SPAN_KEY): the next line
  (void)NewRawAesKeyring("ns", "name", key_bytes);
#endif
#if defined(CASE_CUSTOMER_KEY_SPAN)
  // EXPECT-ERROR(CASE_CUSTOMER_KEY_SPAN): the next line
  (void)NewCustomerKeyKeyring(plaintext);
#endif
#if defined(CASE_KEY_VIEW_COPY_INIT)
  // EXPECT-ERROR(CASE_KEY_VIEW_COPY_INIT): the next line
  KeyView view = key_bytes;
  (void)view;
#endif
}

}  // namespace
