/* test/capi/capi_errors.c: every error path of every C API function: each
 * null or bad argument, each failure of the library underneath (bad input,
 * wrong key or context, a failing sink or file), with its status and
 * message, out-parameters left alone, no output on failure, and failures
 * that stay failed. Under ASan (scripts/sanitize.sh) it also shows that no
 * path leaks or touches freed memory. */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capi_test.h"

/* A pointer no call may write: out-parameters are set to it beforehand. */
static int sentinel_storage;
#define SENTINEL ((void*)&sentinel_storage)

static const envelope_context_pair kCtx[] = {{"app", "errors"}};

static void test_kms_errors(const char* dir) {
  envelope_kms* kms = (envelope_kms*)SENTINEL;
  CHECK_ERROR(envelope_kms_open(dir, 1, NULL), ENVELOPE_INVALID_ARGUMENT, "out is null");
  char file[512];
  int fd = write_file(dir, "not-a-folder", (const uint8_t*)"x", 1, file, sizeof file);
  close(fd);
  CHECK(envelope_kms_open(file, 1, &kms) != ENVELOPE_OK);
  CHECK(kms == SENTINEL && strlen(envelope_last_error()) > 0);

  char store[512];
  snprintf(store, sizeof store, "%s/errors-keystore", dir);
  kms = NULL;
  CHECK_STATUS(envelope_kms_open(store, 1, &kms), ENVELOPE_OK);
  char* key_id = (char*)SENTINEL;
  CHECK_ERROR(envelope_kms_create_key(NULL, NULL, &key_id), ENVELOPE_INVALID_ARGUMENT,
              "kms is null");
  CHECK_ERROR(envelope_kms_create_key(kms, NULL, NULL), ENVELOPE_INVALID_ARGUMENT,
              "key_id is null");
  char long_description[8194];
  memset(long_description, 'd', sizeof long_description - 1);
  long_description[sizeof long_description - 1] = '\0';
  CHECK_ERROR(envelope_kms_create_key(kms, long_description, &key_id), ENVELOPE_INVALID_ARGUMENT,
              "description");
  CHECK(key_id == (char*)SENTINEL);

  envelope_keyring* keyring = (envelope_keyring*)SENTINEL;
  CHECK_ERROR(envelope_keyring_new_kms(NULL, "alias/x", &keyring), ENVELOPE_INVALID_ARGUMENT,
              "kms is null");
  CHECK_ERROR(envelope_keyring_new_kms(kms, NULL, &keyring), ENVELOPE_INVALID_ARGUMENT,
              "key is null");
  CHECK_ERROR(envelope_keyring_new_kms(kms, "alias/x", NULL), ENVELOPE_INVALID_ARGUMENT,
              "out is null");
  CHECK_ERROR(envelope_keyring_new_kms(kms, "", &keyring), ENVELOPE_INVALID_ARGUMENT, "name a key");
  CHECK(keyring == SENTINEL);

  /* A key that does not exist fails when first used, in every direction. */
  CHECK_STATUS(envelope_keyring_new_kms(kms, "alias/none", &keyring), ENVELOPE_OK);
  buffer sink = {NULL, 0, -1};
  envelope_encryptor* encryptor = (envelope_encryptor*)SENTINEL;
  envelope_status st = envelope_encryptor_new(keyring, NULL, 0, collect, &sink, &encryptor);
  if (st == ENVELOPE_OK) {
    /* The materials may be fetched at the first write instead. */
    st = envelope_encryptor_update(encryptor, (const uint8_t*)"x", 1);
    if (st == ENVELOPE_OK) st = envelope_encryptor_finish(encryptor);
    envelope_encryptor_free(encryptor);
  } else {
    CHECK(encryptor == SENTINEL);
  }
  CHECK(st == ENVELOPE_NOT_FOUND);
  CHECK(sink.len == 0);
  free(sink.data);
  envelope_keyring_free(keyring);
  envelope_kms_free(kms);
  envelope_kms_free(NULL);
}

static void test_raw_aes_errors(void) {
  uint8_t key[32];
  fill(key, sizeof key);
  envelope_keyring* keyring = (envelope_keyring*)SENTINEL;
  CHECK_ERROR(envelope_keyring_new_raw_aes(NULL, "k", key, 32, &keyring), ENVELOPE_INVALID_ARGUMENT,
              "key_namespace is null");
  CHECK_ERROR(envelope_keyring_new_raw_aes("ns", NULL, key, 32, &keyring),
              ENVELOPE_INVALID_ARGUMENT, "key_name is null");
  CHECK_ERROR(envelope_keyring_new_raw_aes("ns", "k", NULL, 32, &keyring),
              ENVELOPE_INVALID_ARGUMENT, "wrapping_key is null");
  CHECK_ERROR(envelope_keyring_new_raw_aes("ns", "k", key, 32, NULL), ENVELOPE_INVALID_ARGUMENT,
              "out is null");
  CHECK_STATUS(envelope_keyring_new_raw_aes("ns", "k", key, 20, &keyring),
               ENVELOPE_INVALID_ARGUMENT);
  CHECK_STATUS(envelope_keyring_new_raw_aes("", "k", key, 32, &keyring), ENVELOPE_INVALID_ARGUMENT);
  CHECK_STATUS(envelope_keyring_new_raw_aes("aws-kms", "k", key, 32, &keyring),
               ENVELOPE_INVALID_ARGUMENT);
  CHECK(keyring == SENTINEL);
  envelope_keyring_free(NULL);
}

/* One-shot encrypt and decrypt with `keyring`; `message` is a good one. */
static void test_one_shot_errors(const envelope_keyring* keyring, const uint8_t* message,
                                 size_t message_len) {
  const uint8_t data[4] = {1, 2, 3, 4};
  uint8_t* out = (uint8_t*)SENTINEL;
  size_t out_len = 77;
  const envelope_context_pair null_key[] = {{NULL, "v"}};
  const envelope_context_pair twice[] = {{"a", "1"}, {"a", "2"}};
  const envelope_context_pair reserved[] = {{"aws-crypto-x", "1"}};

  CHECK_ERROR(envelope_encrypt(NULL, data, 4, NULL, 0, &out, &out_len), ENVELOPE_INVALID_ARGUMENT,
              "keyring is null");
  CHECK_ERROR(envelope_encrypt(keyring, data, 4, NULL, 0, NULL, &out_len),
              ENVELOPE_INVALID_ARGUMENT, "out is null");
  CHECK_ERROR(envelope_encrypt(keyring, data, 4, NULL, 0, &out, NULL), ENVELOPE_INVALID_ARGUMENT,
              "out is null");
  CHECK_ERROR(envelope_encrypt(keyring, NULL, 4, NULL, 0, &out, &out_len),
              ENVELOPE_INVALID_ARGUMENT, "plaintext is null");
  CHECK_ERROR(envelope_encrypt(keyring, data, 4, NULL, 1, &out, &out_len),
              ENVELOPE_INVALID_ARGUMENT, "context is null");
  CHECK_ERROR(envelope_encrypt(keyring, data, 4, null_key, 1, &out, &out_len),
              ENVELOPE_INVALID_ARGUMENT, "null key or value");
  CHECK_ERROR(envelope_encrypt(keyring, data, 4, twice, 2, &out, &out_len),
              ENVELOPE_INVALID_ARGUMENT, "given twice");
  CHECK_ERROR(envelope_encrypt(keyring, data, 4, reserved, 1, &out, &out_len),
              ENVELOPE_INVALID_ARGUMENT, "aws-crypto-");

  CHECK_ERROR(envelope_decrypt(NULL, message, message_len, NULL, 0, &out, &out_len),
              ENVELOPE_INVALID_ARGUMENT, "keyring is null");
  CHECK_ERROR(envelope_decrypt(keyring, message, message_len, NULL, 0, NULL, NULL),
              ENVELOPE_INVALID_ARGUMENT, "out is null");
  CHECK_ERROR(envelope_decrypt(keyring, NULL, message_len, NULL, 0, &out, &out_len),
              ENVELOPE_INVALID_ARGUMENT, "message is null");
  CHECK_ERROR(envelope_decrypt(keyring, message, message_len, twice, 2, &out, &out_len),
              ENVELOPE_INVALID_ARGUMENT, "given twice");
  /* Not a message, a message cut inside its header, one with trailing
   * bytes, one under another context. */
  const uint8_t garbage[64] = {0x02, 0x05, 0x78};
  CHECK(envelope_decrypt(keyring, garbage, sizeof garbage, NULL, 0, &out, &out_len) ==
        ENVELOPE_MALFORMED);
  CHECK_STATUS(envelope_decrypt(keyring, message, 20, NULL, 0, &out, &out_len), ENVELOPE_TRUNCATED);
  uint8_t* longer = (uint8_t*)malloc(message_len + 1);
  memcpy(longer, message, message_len);
  longer[message_len] = 0;
  CHECK(envelope_decrypt(keyring, longer, message_len + 1, kCtx, 1, &out, &out_len) != ENVELOPE_OK);
  free(longer);
  const envelope_context_pair other[] = {{"app", "other"}};
  CHECK_STATUS(envelope_decrypt(keyring, message, message_len, other, 1, &out, &out_len),
               ENVELOPE_AUTH_FAILED);
  CHECK(out == SENTINEL && out_len == 77);
}

static void test_streaming_errors(const envelope_keyring* keyring, const uint8_t* message,
                                  size_t message_len) {
  uint8_t data[1000];
  fill(data, sizeof data);
  const envelope_context_pair twice[] = {{"a", "1"}, {"a", "2"}};
  const envelope_context_pair reserved[] = {{"aws-crypto-x", "1"}};
  buffer sink = {NULL, 0, -1};
  envelope_encryptor* encryptor = (envelope_encryptor*)SENTINEL;
  CHECK_ERROR(envelope_encryptor_new(NULL, NULL, 0, collect, &sink, &encryptor),
              ENVELOPE_INVALID_ARGUMENT, "keyring is null");
  CHECK_ERROR(envelope_encryptor_new(keyring, NULL, 0, NULL, &sink, &encryptor),
              ENVELOPE_INVALID_ARGUMENT, "sink is null");
  CHECK_ERROR(envelope_encryptor_new(keyring, NULL, 0, collect, &sink, NULL),
              ENVELOPE_INVALID_ARGUMENT, "out is null");
  CHECK_ERROR(envelope_encryptor_new(keyring, twice, 2, collect, &sink, &encryptor),
              ENVELOPE_INVALID_ARGUMENT, "given twice");
  CHECK_ERROR(envelope_encryptor_new(keyring, reserved, 1, collect, &sink, &encryptor),
              ENVELOPE_INVALID_ARGUMENT, "aws-crypto-");
  CHECK(encryptor == SENTINEL && sink.len == 0);
  CHECK_ERROR(envelope_encryptor_update(NULL, data, 1), ENVELOPE_INVALID_ARGUMENT,
              "encryptor is null");
  CHECK_ERROR(envelope_encryptor_finish(NULL), ENVELOPE_INVALID_ARGUMENT, "encryptor is null");

  /* A sink that fails at once: the failure is io, at the update that
   * first writes or at finish, and it sticks. */
  sink.fail_after = 0;
  CHECK_STATUS(envelope_encryptor_new(keyring, NULL, 0, collect, &sink, &encryptor), ENVELOPE_OK);
  CHECK_ERROR(envelope_encryptor_update(encryptor, NULL, 5), ENVELOPE_INVALID_ARGUMENT,
              "data is null");
  envelope_status st = envelope_encryptor_update(encryptor, data, sizeof data);
  if (st == ENVELOPE_OK) st = envelope_encryptor_finish(encryptor);
  CHECK(st == ENVELOPE_IO && strstr(envelope_last_error(), "sink callback failed") != NULL);
  CHECK_STATUS(envelope_encryptor_update(encryptor, data, 1), ENVELOPE_IO);
  CHECK_STATUS(envelope_encryptor_finish(encryptor), ENVELOPE_IO);
  envelope_encryptor_free(encryptor);
  /* A finished message takes no more data. */
  sink = (buffer){NULL, 0, -1};
  CHECK_STATUS(envelope_encryptor_new(keyring, NULL, 0, collect, &sink, &encryptor), ENVELOPE_OK);
  CHECK_STATUS(envelope_encryptor_update(encryptor, data, sizeof data), ENVELOPE_OK);
  CHECK_STATUS(envelope_encryptor_finish(encryptor), ENVELOPE_OK);
  CHECK_ERROR(envelope_encryptor_update(encryptor, data, 1), ENVELOPE_INVALID_ARGUMENT,
              "after finish");
  envelope_encryptor_free(encryptor);
  envelope_encryptor_free(NULL);
  free(sink.data);

  envelope_decryptor* decryptor = (envelope_decryptor*)SENTINEL;
  CHECK_ERROR(envelope_decryptor_new(NULL, NULL, 0, collect, &sink, &decryptor),
              ENVELOPE_INVALID_ARGUMENT, "keyring is null");
  CHECK_ERROR(envelope_decryptor_new(keyring, NULL, 0, NULL, &sink, &decryptor),
              ENVELOPE_INVALID_ARGUMENT, "sink is null");
  CHECK_ERROR(envelope_decryptor_new(keyring, NULL, 0, collect, &sink, NULL),
              ENVELOPE_INVALID_ARGUMENT, "out is null");
  CHECK_ERROR(envelope_decryptor_new(keyring, NULL, 1, collect, &sink, &decryptor),
              ENVELOPE_INVALID_ARGUMENT, "context is null");
  CHECK(decryptor == SENTINEL);
  CHECK_ERROR(envelope_decryptor_update(NULL, message, 1), ENVELOPE_INVALID_ARGUMENT,
              "decryptor is null");
  CHECK_ERROR(envelope_decryptor_finish(NULL), ENVELOPE_INVALID_ARGUMENT, "decryptor is null");

  /* Garbage is malformed, and later calls fail the same way. */
  sink = (buffer){NULL, 0, -1};
  const uint8_t garbage[64] = {0x02, 0x05, 0x78};
  CHECK_STATUS(envelope_decryptor_new(keyring, NULL, 0, collect, &sink, &decryptor), ENVELOPE_OK);
  CHECK_ERROR(envelope_decryptor_update(decryptor, NULL, 3), ENVELOPE_INVALID_ARGUMENT,
              "data is null");
  CHECK_STATUS(envelope_decryptor_update(decryptor, garbage, sizeof garbage), ENVELOPE_MALFORMED);
  CHECK_STATUS(envelope_decryptor_update(decryptor, message, message_len), ENVELOPE_MALFORMED);
  CHECK_STATUS(envelope_decryptor_finish(decryptor), ENVELOPE_MALFORMED);
  envelope_decryptor_free(decryptor);

  /* A flipped byte in the first frame: auth_failed, nothing released. */
  uint8_t* copy = (uint8_t*)malloc(message_len);
  memcpy(copy, message, message_len);
  copy[1000] ^= 0x40;
  CHECK_STATUS(envelope_decryptor_new(keyring, kCtx, 1, collect, &sink, &decryptor), ENVELOPE_OK);
  st = envelope_decryptor_update(decryptor, copy, message_len);
  if (st == ENVELOPE_OK) st = envelope_decryptor_finish(decryptor);
  CHECK(st == ENVELOPE_AUTH_FAILED);
  CHECK(sink.len == 0);
  envelope_decryptor_free(decryptor);
  /* A flipped byte in the final frame: the frames before it, whole and
   * authenticated, may have reached the sink; nothing of the bad one. */
  copy[1000] ^= 0x40;
  copy[message_len - 50] ^= 0x40;
  sink = (buffer){NULL, 0, -1};
  CHECK_STATUS(envelope_decryptor_new(keyring, kCtx, 1, collect, &sink, &decryptor), ENVELOPE_OK);
  st = envelope_decryptor_update(decryptor, copy, message_len);
  if (st == ENVELOPE_OK) st = envelope_decryptor_finish(decryptor);
  CHECK(st == ENVELOPE_AUTH_FAILED);
  CHECK(sink.len % 65536 == 0 && sink.len < 150000);
  uint8_t* expected = (uint8_t*)malloc(150000);
  fill(expected, 150000);
  CHECK(sink.len == 0 || memcmp(sink.data, expected, sink.len) == 0);
  free(expected);
  free(sink.data);
  envelope_decryptor_free(decryptor);
  copy[message_len - 50] ^= 0x40;
  /* Bytes after the end of the message. */
  sink = (buffer){NULL, 0, -1};
  CHECK_STATUS(envelope_decryptor_new(keyring, kCtx, 1, collect, &sink, &decryptor), ENVELOPE_OK);
  CHECK_STATUS(envelope_decryptor_update(decryptor, copy, message_len), ENVELOPE_OK);
  CHECK(envelope_decryptor_update(decryptor, copy, 1) != ENVELOPE_OK);
  envelope_decryptor_free(decryptor);
  free(sink.data);
  /* A sink that fails when the plaintext is released. */
  sink = (buffer){NULL, 0, 0};
  CHECK_STATUS(envelope_decryptor_new(keyring, kCtx, 1, collect, &sink, &decryptor), ENVELOPE_OK);
  st = envelope_decryptor_update(decryptor, copy, message_len);
  if (st == ENVELOPE_OK) st = envelope_decryptor_finish(decryptor);
  CHECK(st == ENVELOPE_IO);
  envelope_decryptor_free(decryptor);
  envelope_decryptor_free(NULL);
  free(copy);
}

void test_error_paths(const char* dir) {
  test_kms_errors(dir);
  test_raw_aes_errors();
  uint8_t key[32];
  fill(key, sizeof key);
  envelope_keyring* keyring = NULL;
  CHECK_STATUS(envelope_keyring_new_raw_aes("errors", "k", key, 32, &keyring), ENVELOPE_OK);
  enum { kSize = 150 * 1000 };
  uint8_t* plaintext = (uint8_t*)malloc(kSize);
  fill(plaintext, kSize);
  uint8_t* message = NULL;
  size_t message_len = 0;
  CHECK_STATUS(envelope_encrypt(keyring, plaintext, kSize, kCtx, 1, &message, &message_len),
               ENVELOPE_OK);
  test_one_shot_errors(keyring, message, message_len);
  test_streaming_errors(keyring, message, message_len);
  test_message_reader_errors(keyring, message, message_len, dir);
  envelope_buffer_free(message, message_len);
  envelope_buffer_free(NULL, 0);
  envelope_string_free(NULL);
  free(plaintext);
  envelope_keyring_free(keyring);
  test_chunked_errors(dir);
}
