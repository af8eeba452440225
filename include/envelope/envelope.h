/* envelope: the C API, a small stable ABI for C and other languages.
 *
 * Everything is an opaque handle created by an envelope_*_new or _open
 * function and released by its envelope_*_free (which accepts NULL). Every
 * function that can fail returns an envelope_status: ENVELOPE_OK (0) or an
 * error code, and then envelope_last_error() is a short lowercase message
 * with context for the calling thread (it never contains key material or
 * plaintext) until the next failing call in that thread. Nothing is thrown
 * across this API; out-of-memory is ENVELOPE_INTERNAL. A failed call leaves
 * its out-parameters unchanged. A sink only ever gets complete output (and,
 * decrypting, authenticated plaintext), but a stream that fails may already
 * have written some: discard what its sink got.
 *
 *   envelope_keyring* keyring = NULL;
 *   if (envelope_keyring_new_raw_aes("ns", "name", key, 32, &keyring) != ENVELOPE_OK) {
 *     fprintf(stderr, "error: %s\n", envelope_last_error());
 *     return 1;
 *   }
 *   uint8_t* msg = NULL;
 *   size_t msg_len = 0;
 *   envelope_status status = envelope_encrypt(keyring, data, data_len, ctx, 1, &msg, &msg_len);
 *   if (status != ENVELOPE_OK) {
 *     fprintf(stderr, "error: %s: %s\n", envelope_status_name(status), envelope_last_error());
 *   } else {
 *     ...  use msg_len bytes at msg
 *     envelope_buffer_free(msg, msg_len);
 *   }
 *   envelope_keyring_free(keyring);
 *
 * Buffers the library returns (uint8_t** out, size_t* out_len) are malloc'ed
 * and owned by the caller, who frees them with envelope_buffer_free (which
 * wipes them first: they may hold plaintext). Strings the library returns
 * are freed with envelope_string_free.
 *
 * Thread safety: keyrings and KMS handles may be used from several threads
 * at once; an encryptor, decryptor or reader handle by one thread at a time.
 * The library must outlive no handle: free every handle before unloading it.
 */
#ifndef ENVELOPE_ENVELOPE_H_
#define ENVELOPE_ENVELOPE_H_

#include <stddef.h>
#include <stdint.h>

#include "envelope/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* envelope_status is the result of every fallible call. The codes are those
 * of envelope::ErrorCode (envelope/error.hpp); their values never change. */
typedef enum envelope_status {
  ENVELOPE_OK = 0,
  ENVELOPE_INVALID_ARGUMENT = 1, /* the caller's own argument is wrong */
  ENVELOPE_AUTH_FAILED = 2,      /* a tag, commitment, signature or context did not verify */
  ENVELOPE_TRUNCATED = 3,        /* input ended early */
  ENVELOPE_MALFORMED = 4,        /* input breaks its format */
  ENVELOPE_UNSUPPORTED = 5,      /* refused by policy, or a feature not offered */
  ENVELOPE_KEY_STATE = 6,        /* the key is disabled or pending deletion */
  ENVELOPE_NOT_FOUND = 7,        /* a named key, alias or file does not exist */
  ENVELOPE_LIMIT_EXCEEDED = 8,   /* input over a decoding bound */
  ENVELOPE_IO = 9,               /* reading or writing failed (also: a sink callback failed) */
  ENVELOPE_INTERNAL = 10         /* a library failure, out of memory included */
} envelope_status;

/* envelope_last_error returns the message of the last failed call in this
 * thread ("" when none); valid until the next call into the library. */
ENVELOPE_EXPORT const char* envelope_last_error(void);

/* envelope_status_name returns the stable snake_case name of `status`
 * ("ok", "auth_failed", ...), or "unknown". */
ENVELOPE_EXPORT const char* envelope_status_name(int status);

/* envelope_version returns the library version, e.g. "0.1.0". */
ENVELOPE_EXPORT const char* envelope_version(void);

/* envelope_buffer_free wipes and frees a buffer the library returned. */
ENVELOPE_EXPORT void envelope_buffer_free(uint8_t* buffer, size_t len);

/* envelope_string_free frees a string the library returned. */
ENVELOPE_EXPORT void envelope_string_free(char* s);

/* envelope_context_pair is one entry of an encryption context: authenticated,
 * not secret, key-value text (UTF-8, NUL-terminated). */
typedef struct envelope_context_pair {
  const char* key;
  const char* value;
} envelope_context_pair;

/* envelope_sink_fn receives output: `len` bytes at `data`, in order. It
 * returns 0 to go on; anything else stops the call with ENVELOPE_IO. */
typedef int (*envelope_sink_fn)(void* user, const uint8_t* data, size_t len);

/* ---- The local KMS (a keystore folder, envelope/kms.hpp) ---- */

/* envelope_kms is an open keystore. */
typedef struct envelope_kms envelope_kms;

/* envelope_kms_open opens the keystore in `directory` (NULL or "": the
 * default, $ENVELOPE_HOME and so on) with its managed root key, creating it
 * when `create_if_missing` is non-zero. */
ENVELOPE_EXPORT envelope_status envelope_kms_open(const char* directory, int create_if_missing,
                                                  envelope_kms** out);

/* envelope_kms_create_key creates an enabled key and returns its id
 * (free with envelope_string_free). `description` may be NULL. */
ENVELOPE_EXPORT envelope_status envelope_kms_create_key(envelope_kms* kms, const char* description,
                                                        char** key_id);

/* envelope_kms_free closes the keystore (every operation is already saved). */
ENVELOPE_EXPORT void envelope_kms_free(envelope_kms* kms);

/* ---- Keyrings ---- */

/* envelope_keyring wraps and unwraps data keys. */
typedef struct envelope_keyring envelope_keyring;

/* envelope_keyring_new_raw_aes makes a raw AES keyring (interoperable with
 * the AWS Encryption SDKs) from a 16, 24 or 32-byte wrapping key, which is
 * copied into secret memory; the caller should wipe its copy. */
ENVELOPE_EXPORT envelope_status envelope_keyring_new_raw_aes(const char* key_namespace,
                                                             const char* key_name,
                                                             const uint8_t* wrapping_key,
                                                             size_t wrapping_key_len,
                                                             envelope_keyring** out);

/* envelope_keyring_new_kms makes a keyring that wraps data keys under the
 * KMS key `key` (a key id or "alias/..."). The keyring keeps the keystore
 * open: `kms` may be freed before it. */
ENVELOPE_EXPORT envelope_status envelope_keyring_new_kms(envelope_kms* kms, const char* key,
                                                         envelope_keyring** out);

/* envelope_keyring_free releases a keyring. */
ENVELOPE_EXPORT void envelope_keyring_free(envelope_keyring* keyring);

/* ---- Messages (the AWS Encryption SDK format), one shot ---- */

/* envelope_encrypt encrypts `plaintext` into a message under `keyring` with
 * the `context_len` pairs of `context` (may be NULL when 0). */
ENVELOPE_EXPORT envelope_status envelope_encrypt(const envelope_keyring* keyring,
                                                 const uint8_t* plaintext, size_t plaintext_len,
                                                 const envelope_context_pair* context,
                                                 size_t context_len, uint8_t** out,
                                                 size_t* out_len);

/* envelope_decrypt decrypts a whole message. Every pair of `context` must be
 * in the message's context, else ENVELOPE_AUTH_FAILED. */
ENVELOPE_EXPORT envelope_status envelope_decrypt(const envelope_keyring* keyring,
                                                 const uint8_t* message, size_t message_len,
                                                 const envelope_context_pair* context,
                                                 size_t context_len, uint8_t** out,
                                                 size_t* out_len);

/* ---- Messages, streaming ---- */

/* envelope_encryptor encrypts a message piece by piece into a sink. */
typedef struct envelope_encryptor envelope_encryptor;

/* envelope_encryptor_new starts a message under `keyring` that goes to
 * `sink` (called with `user`). The keyring must outlive the encryptor. */
ENVELOPE_EXPORT envelope_status envelope_encryptor_new(const envelope_keyring* keyring,
                                                       const envelope_context_pair* context,
                                                       size_t context_len, envelope_sink_fn sink,
                                                       void* user, envelope_encryptor** out);

/* envelope_encryptor_update encrypts the next `len` bytes. */
ENVELOPE_EXPORT envelope_status envelope_encryptor_update(envelope_encryptor* encryptor,
                                                          const uint8_t* data, size_t len);

/* envelope_encryptor_finish writes the final frame (and signature). */
ENVELOPE_EXPORT envelope_status envelope_encryptor_finish(envelope_encryptor* encryptor);

/* envelope_encryptor_free releases an encryptor (an unfinished message is
 * left incomplete). */
ENVELOPE_EXPORT void envelope_encryptor_free(envelope_encryptor* encryptor);

/* envelope_decryptor decrypts a message piece by piece into a sink. Only
 * authenticated plaintext reaches the sink; a signed message's plaintext is
 * held back until the signature verifies at finish. */
typedef struct envelope_decryptor envelope_decryptor;

/* envelope_decryptor_new starts decrypting into `sink`; `context` as in
 * envelope_decrypt. The keyring must outlive the decryptor. */
ENVELOPE_EXPORT envelope_status envelope_decryptor_new(const envelope_keyring* keyring,
                                                       const envelope_context_pair* context,
                                                       size_t context_len, envelope_sink_fn sink,
                                                       void* user, envelope_decryptor** out);

/* envelope_decryptor_update takes the next `len` bytes of the message. */
ENVELOPE_EXPORT envelope_status envelope_decryptor_update(envelope_decryptor* decryptor,
                                                          const uint8_t* data, size_t len);

/* envelope_decryptor_finish fails with ENVELOPE_TRUNCATED when the message
 * is incomplete. Only after it returns ENVELOPE_OK is the output complete. */
ENVELOPE_EXPORT envelope_status envelope_decryptor_finish(envelope_decryptor* decryptor);

/* envelope_decryptor_free releases a decryptor. */
ENVELOPE_EXPORT void envelope_decryptor_free(envelope_decryptor* decryptor);

/* ---- Messages, random access ---- */

/* envelope_reader reads plaintext at any offset of a framed, unsigned
 * message (or of a chunked file, below) without decrypting the rest. */
typedef struct envelope_reader envelope_reader;

/* envelope_reader_open_fd reads the message in the file open at `fd` (not
 * closed; it must stay open while the reader lives). The keyring is only
 * used here. */
ENVELOPE_EXPORT envelope_status envelope_reader_open_fd(const envelope_keyring* keyring, int fd,
                                                        const envelope_context_pair* context,
                                                        size_t context_len, envelope_reader** out);

/* envelope_reader_size sets `*size` to the plaintext size. */
ENVELOPE_EXPORT envelope_status envelope_reader_size(envelope_reader* reader, uint64_t* size);

/* envelope_reader_read_at fills `out` with exactly `len` plaintext bytes
 * from `offset`; a range past the end is ENVELOPE_INVALID_ARGUMENT. */
ENVELOPE_EXPORT envelope_status envelope_reader_read_at(envelope_reader* reader, uint64_t offset,
                                                        uint8_t* out, size_t len);

/* envelope_reader_free releases a reader. */
ENVELOPE_EXPORT void envelope_reader_free(envelope_reader* reader);

/* ---- C2SP chunked encryption (a 32-byte key, no header) ---- */

/* envelope_chunked_encrypt encrypts `plaintext` under the 32-byte `key`,
 * binding the optional `context` bytes (NULL when context_len is 0). */
ENVELOPE_EXPORT envelope_status envelope_chunked_encrypt(const uint8_t* key, size_t key_len,
                                                         const uint8_t* plaintext,
                                                         size_t plaintext_len,
                                                         const uint8_t* context, size_t context_len,
                                                         uint8_t** out, size_t* out_len);

/* envelope_chunked_decrypt decrypts a whole chunked ciphertext. */
ENVELOPE_EXPORT envelope_status envelope_chunked_decrypt(const uint8_t* key, size_t key_len,
                                                         const uint8_t* ciphertext,
                                                         size_t ciphertext_len,
                                                         const uint8_t* context, size_t context_len,
                                                         uint8_t** out, size_t* out_len);

/* envelope_chunked_stream encrypts (encrypt != 0) or decrypts a chunked
 * stream piece by piece into a sink. */
typedef struct envelope_chunked_stream envelope_chunked_stream;

/* envelope_chunked_stream_new starts a chunked stream; the key is copied. */
ENVELOPE_EXPORT envelope_status envelope_chunked_stream_new(int encrypt, const uint8_t* key,
                                                            size_t key_len, const uint8_t* context,
                                                            size_t context_len,
                                                            envelope_sink_fn sink, void* user,
                                                            envelope_chunked_stream** out);

/* envelope_chunked_stream_update takes the next `len` bytes of input. */
ENVELOPE_EXPORT envelope_status envelope_chunked_stream_update(envelope_chunked_stream* stream,
                                                               const uint8_t* data, size_t len);

/* envelope_chunked_stream_finish ends the stream. Decrypting, a stream cut
 * short fails (ENVELOPE_AUTH_FAILED when the cut is inside a chunk, which
 * the format cannot tell from tampering; ENVELOPE_TRUNCATED otherwise). */
ENVELOPE_EXPORT envelope_status envelope_chunked_stream_finish(envelope_chunked_stream* stream);

/* envelope_chunked_stream_free releases a stream. */
ENVELOPE_EXPORT void envelope_chunked_stream_free(envelope_chunked_stream* stream);

/* envelope_chunked_reader_open_fd reads a chunked ciphertext file at `fd`
 * at random offsets with envelope_reader_size / _read_at / _free. */
ENVELOPE_EXPORT envelope_status envelope_chunked_reader_open_fd(const uint8_t* key, size_t key_len,
                                                                int fd, const uint8_t* context,
                                                                size_t context_len,
                                                                envelope_reader** out);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* ENVELOPE_ENVELOPE_H_ */
