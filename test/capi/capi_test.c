/* test/capi/capi_test.c: the C API (envelope/envelope.h) from C, every
 * handle and every error path it documents. Exits non-zero on the first
 * failed check, naming it. Runs under ASan/UBSan in scripts/sanitize.sh. */
#define _POSIX_C_SOURCE 200809L
#include <envelope/envelope.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int failures = 0;

#define CHECK(cond)                                                                         \
  do {                                                                                      \
    if (!(cond)) {                                                                          \
      fprintf(stderr, "capi_test:%d: check failed: %s (last error: %s)\n", __LINE__, #cond, \
              envelope_last_error());                                                       \
      failures++;                                                                           \
    }                                                                                       \
  } while (0)

#define CHECK_STATUS(call, want) CHECK((call) == (want))

/* A growable byte buffer, the sink of the streaming calls. */
typedef struct buffer {
  uint8_t* data;
  size_t len;
  int fail_after; /* the callback fails once this many calls were made (-1: never) */
} buffer;

static int collect(void* user, const uint8_t* data, size_t len) {
  buffer* b = (buffer*)user;
  if (b->fail_after == 0) return 1;
  if (b->fail_after > 0) b->fail_after--;
  uint8_t* grown = (uint8_t*)realloc(b->data, b->len + len);
  if (grown == NULL) return 1;
  memcpy(grown + b->len, data, len);
  b->data = grown;
  b->len += len;
  return 0;
}

static void fill(uint8_t* p, size_t n) {
  for (size_t i = 0; i < n; i++) p[i] = (uint8_t)(i * 131 + 7);
}

static const envelope_context_pair kContext[] = {{"purpose", "capi test"}, {"tenant", "42"}};

static void test_status_names(void) {
  CHECK(strcmp(envelope_status_name(ENVELOPE_OK), "ok") == 0);
  CHECK(strcmp(envelope_status_name(ENVELOPE_INVALID_ARGUMENT), "invalid_argument") == 0);
  CHECK(strcmp(envelope_status_name(ENVELOPE_AUTH_FAILED), "auth_failed") == 0);
  CHECK(strcmp(envelope_status_name(ENVELOPE_TRUNCATED), "truncated") == 0);
  CHECK(strcmp(envelope_status_name(ENVELOPE_MALFORMED), "malformed") == 0);
  CHECK(strcmp(envelope_status_name(ENVELOPE_UNSUPPORTED), "unsupported") == 0);
  CHECK(strcmp(envelope_status_name(ENVELOPE_KEY_STATE), "key_state") == 0);
  CHECK(strcmp(envelope_status_name(ENVELOPE_NOT_FOUND), "not_found") == 0);
  CHECK(strcmp(envelope_status_name(ENVELOPE_LIMIT_EXCEEDED), "limit_exceeded") == 0);
  CHECK(strcmp(envelope_status_name(ENVELOPE_IO), "io") == 0);
  CHECK(strcmp(envelope_status_name(ENVELOPE_INTERNAL), "internal") == 0);
  CHECK(strcmp(envelope_status_name(11), "unknown") == 0);
  CHECK(strcmp(envelope_status_name(-1), "unknown") == 0);
  CHECK(strlen(envelope_version()) >= 5);
}

/* The one-shot and streaming message API and random access with `keyring`. */
static void test_messages(envelope_keyring* keyring, const char* dir) {
  enum { kSize = 200 * 1000 };
  uint8_t* plaintext = (uint8_t*)malloc(kSize);
  fill(plaintext, kSize);

  uint8_t* message = NULL;
  size_t message_len = 0;
  CHECK_STATUS(envelope_encrypt(keyring, plaintext, kSize, kContext, 2, &message, &message_len),
               ENVELOPE_OK);
  CHECK(message_len > kSize);

  uint8_t* out = NULL;
  size_t out_len = 0;
  CHECK_STATUS(envelope_decrypt(keyring, message, message_len, kContext, 1, &out, &out_len),
               ENVELOPE_OK);
  CHECK(out_len == kSize && memcmp(out, plaintext, kSize) == 0);
  envelope_buffer_free(out, out_len);

  /* A context the message does not hold: auth_failed, out untouched. */
  const envelope_context_pair wrong[] = {{"purpose", "other"}};
  out = (uint8_t*)0x1;
  CHECK_STATUS(envelope_decrypt(keyring, message, message_len, wrong, 1, &out, &out_len),
               ENVELOPE_AUTH_FAILED);
  CHECK(out == (uint8_t*)0x1);
  CHECK(strlen(envelope_last_error()) > 0);

  /* A flipped body byte, a cut message, bad arguments. */
  message[message_len / 2] ^= 1;
  CHECK_STATUS(envelope_decrypt(keyring, message, message_len, NULL, 0, &out, &out_len),
               ENVELOPE_AUTH_FAILED);
  message[message_len / 2] ^= 1;
  CHECK(envelope_decrypt(keyring, message, message_len - 1, NULL, 0, &out, &out_len) !=
        ENVELOPE_OK);
  CHECK_STATUS(envelope_decrypt(NULL, message, message_len, NULL, 0, &out, &out_len),
               ENVELOPE_INVALID_ARGUMENT);
  CHECK_STATUS(envelope_encrypt(keyring, NULL, 5, NULL, 0, &out, &out_len),
               ENVELOPE_INVALID_ARGUMENT);
  CHECK_STATUS(envelope_encrypt(keyring, plaintext, 5, NULL, 2, &out, &out_len),
               ENVELOPE_INVALID_ARGUMENT);
  const envelope_context_pair twice[] = {{"a", "1"}, {"a", "2"}};
  CHECK_STATUS(envelope_encrypt(keyring, plaintext, 5, twice, 2, &out, &out_len),
               ENVELOPE_INVALID_ARGUMENT);
  const envelope_context_pair null_value[] = {{"a", NULL}};
  CHECK_STATUS(envelope_encrypt(keyring, plaintext, 5, null_value, 1, &out, &out_len),
               ENVELOPE_INVALID_ARGUMENT);
  CHECK_STATUS(envelope_encrypt(keyring, plaintext, 5, NULL, 0, NULL, &out_len),
               ENVELOPE_INVALID_ARGUMENT);
  CHECK(out == (uint8_t*)0x1);

  /* An empty plaintext round-trips. */
  uint8_t* empty_msg = NULL;
  size_t empty_len = 0;
  CHECK_STATUS(envelope_encrypt(keyring, NULL, 0, NULL, 0, &empty_msg, &empty_len), ENVELOPE_OK);
  CHECK_STATUS(envelope_decrypt(keyring, empty_msg, empty_len, NULL, 0, &out, &out_len),
               ENVELOPE_OK);
  CHECK(out_len == 0);
  envelope_buffer_free(out, out_len);
  envelope_buffer_free(empty_msg, empty_len);

  /* Streaming: encrypt in uneven pieces, decrypt in others. */
  buffer enc = {NULL, 0, -1};
  envelope_encryptor* encryptor = NULL;
  CHECK_STATUS(envelope_encryptor_new(keyring, kContext, 2, collect, &enc, &encryptor),
               ENVELOPE_OK);
  for (size_t at = 0; at < kSize; at += 7777) {
    size_t n = kSize - at < 7777 ? kSize - at : 7777;
    CHECK_STATUS(envelope_encryptor_update(encryptor, plaintext + at, n), ENVELOPE_OK);
  }
  CHECK_STATUS(envelope_encryptor_finish(encryptor), ENVELOPE_OK);
  envelope_encryptor_free(encryptor);

  buffer dec = {NULL, 0, -1};
  envelope_decryptor* decryptor = NULL;
  CHECK_STATUS(envelope_decryptor_new(keyring, kContext, 2, collect, &dec, &decryptor),
               ENVELOPE_OK);
  for (size_t at = 0; at < enc.len; at += 5000) {
    size_t n = enc.len - at < 5000 ? enc.len - at : 5000;
    CHECK_STATUS(envelope_decryptor_update(decryptor, enc.data + at, n), ENVELOPE_OK);
  }
  CHECK_STATUS(envelope_decryptor_finish(decryptor), ENVELOPE_OK);
  envelope_decryptor_free(decryptor);
  CHECK(dec.len == kSize && memcmp(dec.data, plaintext, kSize) == 0);
  free(dec.data);

  /* A message cut short: finish says truncated. */
  dec = (buffer){NULL, 0, -1};
  CHECK_STATUS(envelope_decryptor_new(keyring, NULL, 0, collect, &dec, &decryptor), ENVELOPE_OK);
  CHECK_STATUS(envelope_decryptor_update(decryptor, enc.data, enc.len - 100), ENVELOPE_OK);
  CHECK_STATUS(envelope_decryptor_finish(decryptor), ENVELOPE_TRUNCATED);
  envelope_decryptor_free(decryptor);
  free(dec.data);

  /* A sink that fails is io. */
  buffer failing = {NULL, 0, 0};
  CHECK_STATUS(envelope_encryptor_new(keyring, NULL, 0, collect, &failing, &encryptor),
               ENVELOPE_OK);
  envelope_status st = envelope_encryptor_update(encryptor, plaintext, kSize);
  if (st == ENVELOPE_OK) st = envelope_encryptor_finish(encryptor);
  CHECK(st == ENVELOPE_IO);
  envelope_encryptor_free(encryptor);
  free(failing.data);
  CHECK_STATUS(envelope_encryptor_new(keyring, NULL, 0, NULL, NULL, &encryptor),
               ENVELOPE_INVALID_ARGUMENT);
  CHECK_STATUS(envelope_encryptor_update(NULL, plaintext, 1), ENVELOPE_INVALID_ARGUMENT);
  CHECK_STATUS(envelope_decryptor_finish(NULL), ENVELOPE_INVALID_ARGUMENT);

  /* Random access into the file holding the message. */
  char path[512];
  snprintf(path, sizeof path, "%s/message.env", dir);
  int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
  CHECK(fd >= 0);
  CHECK(write(fd, enc.data, enc.len) == (ssize_t)enc.len);
  envelope_reader* reader = NULL;
  CHECK_STATUS(envelope_reader_open_fd(keyring, fd, kContext, 2, &reader), ENVELOPE_OK);
  uint64_t size = 0;
  CHECK_STATUS(envelope_reader_size(reader, &size), ENVELOPE_OK);
  CHECK(size == kSize);
  uint8_t part[3000];
  CHECK_STATUS(envelope_reader_read_at(reader, 65000, part, sizeof part), ENVELOPE_OK);
  CHECK(memcmp(part, plaintext + 65000, sizeof part) == 0);
  CHECK_STATUS(envelope_reader_read_at(reader, kSize - 10, part, 20), ENVELOPE_INVALID_ARGUMENT);
  CHECK_STATUS(envelope_reader_read_at(reader, kSize, part, 0), ENVELOPE_OK);
  envelope_reader_free(reader);
  CHECK_STATUS(envelope_reader_open_fd(keyring, fd, wrong, 1, &reader), ENVELOPE_AUTH_FAILED);
  CHECK_STATUS(envelope_reader_open_fd(keyring, -1, NULL, 0, &reader), ENVELOPE_INVALID_ARGUMENT);
  close(fd);
  unlink(path);

  free(enc.data);
  envelope_buffer_free(message, message_len);
  free(plaintext);
}

static void test_raw_aes(const char* dir) {
  uint8_t key[32];
  fill(key, sizeof key);
  envelope_keyring* keyring = NULL;
  CHECK_STATUS(envelope_keyring_new_raw_aes("capi", "key", key, 31, &keyring),
               ENVELOPE_INVALID_ARGUMENT);
  CHECK(keyring == NULL);
  CHECK_STATUS(envelope_keyring_new_raw_aes(NULL, "key", key, 32, &keyring),
               ENVELOPE_INVALID_ARGUMENT);
  CHECK_STATUS(envelope_keyring_new_raw_aes("capi", "key", key, 32, &keyring), ENVELOPE_OK);
  test_messages(keyring, dir);

  /* Another key cannot decrypt. */
  uint8_t* message = NULL;
  size_t message_len = 0;
  CHECK_STATUS(envelope_encrypt(keyring, key, 4, NULL, 0, &message, &message_len), ENVELOPE_OK);
  key[0] ^= 1;
  envelope_keyring* other = NULL;
  CHECK_STATUS(envelope_keyring_new_raw_aes("capi", "key", key, 32, &other), ENVELOPE_OK);
  uint8_t* out = NULL;
  size_t out_len = 0;
  CHECK(envelope_decrypt(other, message, message_len, NULL, 0, &out, &out_len) != ENVELOPE_OK);
  envelope_keyring_free(other);
  envelope_buffer_free(message, message_len);
  envelope_keyring_free(keyring);
  envelope_keyring_free(NULL);
}

static void test_kms(const char* dir) {
  char keystore[512];
  snprintf(keystore, sizeof keystore, "%s/keystore", dir);
  envelope_kms* kms = NULL;
  CHECK_STATUS(envelope_kms_open(keystore, 0, &kms), ENVELOPE_NOT_FOUND);
  CHECK_STATUS(envelope_kms_open(keystore, 1, &kms), ENVELOPE_OK);
  char* key_id = NULL;
  CHECK_STATUS(envelope_kms_create_key(kms, "capi test", &key_id), ENVELOPE_OK);
  CHECK(key_id != NULL && strlen(key_id) == 36);
  envelope_keyring* keyring = NULL;
  CHECK_STATUS(envelope_keyring_new_kms(kms, key_id, &keyring), ENVELOPE_OK);
  CHECK_STATUS(envelope_keyring_new_kms(kms, NULL, &keyring), ENVELOPE_INVALID_ARGUMENT);
  envelope_kms_free(kms); /* the keyring keeps the keystore open */
  test_messages(keyring, dir);
  envelope_keyring_free(keyring);

  /* An unknown key fails at encryption with not_found. */
  CHECK_STATUS(envelope_kms_open(keystore, 0, &kms), ENVELOPE_OK);
  CHECK_STATUS(envelope_keyring_new_kms(kms, "alias/none", &keyring), ENVELOPE_OK);
  uint8_t* message = NULL;
  size_t message_len = 0;
  CHECK_STATUS(envelope_encrypt(keyring, (const uint8_t*)"x", 1, NULL, 0, &message, &message_len),
               ENVELOPE_NOT_FOUND);
  envelope_keyring_free(keyring);
  envelope_kms_free(kms);
  envelope_string_free(key_id);
}

static void test_chunked(const char* dir) {
  enum { kSize = 100 * 1000 };
  uint8_t key[32];
  fill(key, sizeof key);
  uint8_t* plaintext = (uint8_t*)malloc(kSize);
  fill(plaintext, kSize);
  const uint8_t context[] = "file 7";
  envelope_status st;

  uint8_t* ct = NULL;
  size_t ct_len = 0;
  CHECK_STATUS(envelope_chunked_encrypt(key, 32, plaintext, kSize, context, 6, &ct, &ct_len),
               ENVELOPE_OK);
  uint8_t* out = NULL;
  size_t out_len = 0;
  CHECK_STATUS(envelope_chunked_decrypt(key, 32, ct, ct_len, context, 6, &out, &out_len),
               ENVELOPE_OK);
  CHECK(out_len == kSize && memcmp(out, plaintext, kSize) == 0);
  envelope_buffer_free(out, out_len);
  CHECK_STATUS(envelope_chunked_decrypt(key, 32, ct, ct_len, context, 5, &out, &out_len),
               ENVELOPE_AUTH_FAILED);
  CHECK_STATUS(envelope_chunked_decrypt(key, 16, ct, ct_len, context, 6, &out, &out_len),
               ENVELOPE_INVALID_ARGUMENT);
  CHECK_STATUS(envelope_chunked_decrypt(key, 32, ct, ct_len - 1, context, 6, &out, &out_len),
               ENVELOPE_AUTH_FAILED);
  CHECK_STATUS(envelope_chunked_encrypt(NULL, 32, plaintext, 1, NULL, 0, &out, &out_len),
               ENVELOPE_INVALID_ARGUMENT);

  /* Streaming both ways. */
  buffer enc = {NULL, 0, -1};
  envelope_chunked_stream* stream = NULL;
  CHECK_STATUS(envelope_chunked_stream_new(1, key, 32, context, 6, collect, &enc, &stream),
               ENVELOPE_OK);
  CHECK_STATUS(envelope_chunked_stream_update(stream, plaintext, 40000), ENVELOPE_OK);
  CHECK_STATUS(envelope_chunked_stream_update(stream, plaintext + 40000, kSize - 40000),
               ENVELOPE_OK);
  CHECK_STATUS(envelope_chunked_stream_finish(stream), ENVELOPE_OK);
  envelope_chunked_stream_free(stream);
  CHECK(enc.len == ct_len);
  buffer dec = {NULL, 0, -1};
  CHECK_STATUS(envelope_chunked_stream_new(0, key, 32, context, 6, collect, &dec, &stream),
               ENVELOPE_OK);
  CHECK_STATUS(envelope_chunked_stream_update(stream, enc.data, enc.len - 20), ENVELOPE_OK);
  CHECK_STATUS(envelope_chunked_stream_finish(stream), ENVELOPE_AUTH_FAILED);
  envelope_chunked_stream_free(stream);
  free(dec.data);
  /* Cut after whole chunks (header 56, chunks of 16384 + 16): not the end. */
  dec = (buffer){NULL, 0, -1};
  CHECK_STATUS(envelope_chunked_stream_new(0, key, 32, context, 6, collect, &dec, &stream),
               ENVELOPE_OK);
  CHECK_STATUS(envelope_chunked_stream_update(stream, enc.data, 56 + 2 * 16400), ENVELOPE_OK);
  st = envelope_chunked_stream_finish(stream);
  CHECK(st == ENVELOPE_TRUNCATED || st == ENVELOPE_AUTH_FAILED);
  envelope_chunked_stream_free(stream);
  free(dec.data);
  dec = (buffer){NULL, 0, -1};
  CHECK_STATUS(envelope_chunked_stream_new(0, key, 32, context, 6, collect, &dec, &stream),
               ENVELOPE_OK);
  CHECK_STATUS(envelope_chunked_stream_update(stream, enc.data, enc.len), ENVELOPE_OK);
  CHECK_STATUS(envelope_chunked_stream_finish(stream), ENVELOPE_OK);
  envelope_chunked_stream_free(stream);
  CHECK(dec.len == kSize && memcmp(dec.data, plaintext, kSize) == 0);
  free(dec.data);
  CHECK_STATUS(envelope_chunked_stream_new(1, key, 8, NULL, 0, collect, &dec, &stream),
               ENVELOPE_INVALID_ARGUMENT);

  /* Random access into the chunked file. */
  char path[512];
  snprintf(path, sizeof path, "%s/chunked.bin", dir);
  int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
  CHECK(fd >= 0);
  CHECK(write(fd, ct, ct_len) == (ssize_t)ct_len);
  envelope_reader* reader = NULL;
  CHECK_STATUS(envelope_chunked_reader_open_fd(key, 32, fd, context, 6, &reader), ENVELOPE_OK);
  uint64_t size = 0;
  CHECK_STATUS(envelope_reader_size(reader, &size), ENVELOPE_OK);
  CHECK(size == kSize);
  uint8_t part[5000];
  CHECK_STATUS(envelope_reader_read_at(reader, 16000, part, sizeof part), ENVELOPE_OK);
  CHECK(memcmp(part, plaintext + 16000, sizeof part) == 0);
  CHECK_STATUS(envelope_reader_read_at(reader, kSize - 1, part, 2), ENVELOPE_INVALID_ARGUMENT);
  envelope_reader_free(reader);
  CHECK_STATUS(envelope_chunked_reader_open_fd(key, 32, fd, NULL, 0, &reader),
               ENVELOPE_AUTH_FAILED);
  close(fd);
  unlink(path);

  free(enc.data);
  envelope_buffer_free(ct, ct_len);
  free(plaintext);
}

int main(void) {
  char dir[] = "/tmp/envelope-capi.XXXXXX";
  if (mkdtemp(dir) == NULL) {
    perror("capi_test: mkdtemp");
    return 1;
  }
  test_status_names();
  test_raw_aes(dir);
  test_kms(dir);
  test_chunked(dir);
  char cmd[600];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0) fprintf(stderr, "capi_test: could not remove %s\n", dir);
  if (failures != 0) {
    fprintf(stderr, "capi_test: %d checks failed\n", failures);
    return 1;
  }
  printf("capi_test: ok\n");
  return 0;
}
