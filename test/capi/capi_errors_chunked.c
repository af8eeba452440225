/* test/capi/capi_errors_chunked.c: every error path of the C API's C2SP
 * chunked functions (one shot, streams, the random-access reader). */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capi_test.h"

static int sentinel_storage;
#define SENTINEL ((void*)&sentinel_storage)

static void test_one_shot_errors(const uint8_t* key, const uint8_t* ct, size_t ct_len) {
  const uint8_t data[8] = {0};
  uint8_t context[1025];
  memset(context, 'c', sizeof context);
  uint8_t* out = (uint8_t*)SENTINEL;
  size_t out_len = 77;
  CHECK_ERROR(envelope_chunked_encrypt(key, 32, data, 8, NULL, 0, NULL, &out_len),
              ENVELOPE_INVALID_ARGUMENT, "out is null");
  CHECK_ERROR(envelope_chunked_encrypt(key, 32, data, 8, NULL, 0, &out, NULL),
              ENVELOPE_INVALID_ARGUMENT, "out is null");
  CHECK_ERROR(envelope_chunked_encrypt(NULL, 32, data, 8, NULL, 0, &out, &out_len),
              ENVELOPE_INVALID_ARGUMENT, "key is null");
  CHECK_STATUS(envelope_chunked_encrypt(key, 31, data, 8, NULL, 0, &out, &out_len),
               ENVELOPE_INVALID_ARGUMENT);
  CHECK_ERROR(envelope_chunked_encrypt(key, 32, NULL, 8, NULL, 0, &out, &out_len),
              ENVELOPE_INVALID_ARGUMENT, "plaintext is null");
  CHECK_ERROR(envelope_chunked_encrypt(key, 32, data, 8, NULL, 3, &out, &out_len),
              ENVELOPE_INVALID_ARGUMENT, "context is null");
  CHECK_STATUS(envelope_chunked_encrypt(key, 32, data, 8, context, sizeof context, &out, &out_len),
               ENVELOPE_INVALID_ARGUMENT);

  CHECK_ERROR(envelope_chunked_decrypt(key, 32, ct, ct_len, NULL, 0, NULL, NULL),
              ENVELOPE_INVALID_ARGUMENT, "out is null");
  CHECK_ERROR(envelope_chunked_decrypt(NULL, 32, ct, ct_len, NULL, 0, &out, &out_len),
              ENVELOPE_INVALID_ARGUMENT, "key is null");
  CHECK_ERROR(envelope_chunked_decrypt(key, 32, NULL, ct_len, NULL, 0, &out, &out_len),
              ENVELOPE_INVALID_ARGUMENT, "ciphertext is null");
  CHECK_ERROR(envelope_chunked_decrypt(key, 32, ct, ct_len, NULL, 1, &out, &out_len),
              ENVELOPE_INVALID_ARGUMENT, "context is null");
  CHECK_STATUS(envelope_chunked_decrypt(key, 32, ct, 30, NULL, 0, &out, &out_len),
               ENVELOPE_TRUNCATED);
  uint8_t other[32];
  memcpy(other, key, 32);
  other[0] ^= 1;
  CHECK_STATUS(envelope_chunked_decrypt(other, 32, ct, ct_len, NULL, 0, &out, &out_len),
               ENVELOPE_AUTH_FAILED);
  CHECK(out == SENTINEL && out_len == 77);
}

static void test_stream_errors(const uint8_t* key, const uint8_t* ct, size_t ct_len) {
  uint8_t data[20000];
  fill(data, sizeof data);
  buffer sink = {NULL, 0, -1};
  envelope_chunked_stream* stream = (envelope_chunked_stream*)SENTINEL;
  CHECK_ERROR(envelope_chunked_stream_new(1, key, 32, NULL, 0, NULL, &sink, &stream),
              ENVELOPE_INVALID_ARGUMENT, "sink is null");
  CHECK_ERROR(envelope_chunked_stream_new(1, key, 32, NULL, 0, collect, &sink, NULL),
              ENVELOPE_INVALID_ARGUMENT, "out is null");
  CHECK_ERROR(envelope_chunked_stream_new(0, NULL, 32, NULL, 0, collect, &sink, &stream),
              ENVELOPE_INVALID_ARGUMENT, "key is null");
  CHECK_ERROR(envelope_chunked_stream_new(0, key, 32, NULL, 2, collect, &sink, &stream),
              ENVELOPE_INVALID_ARGUMENT, "context is null");
  CHECK_STATUS(envelope_chunked_stream_new(0, key, 16, NULL, 0, collect, &sink, &stream),
               ENVELOPE_INVALID_ARGUMENT);
  CHECK(stream == SENTINEL);
  CHECK_ERROR(envelope_chunked_stream_update(NULL, data, 1), ENVELOPE_INVALID_ARGUMENT,
              "stream is null");
  CHECK_ERROR(envelope_chunked_stream_finish(NULL), ENVELOPE_INVALID_ARGUMENT, "stream is null");

  /* Encrypting into a failing sink: io, sticky; after finish, no more. */
  sink.fail_after = 0;
  CHECK_STATUS(envelope_chunked_stream_new(1, key, 32, NULL, 0, collect, &sink, &stream),
               ENVELOPE_OK);
  CHECK_ERROR(envelope_chunked_stream_update(stream, NULL, 1), ENVELOPE_INVALID_ARGUMENT,
              "data is null");
  envelope_status st = envelope_chunked_stream_update(stream, data, sizeof data);
  if (st == ENVELOPE_OK) st = envelope_chunked_stream_finish(stream);
  CHECK(st == ENVELOPE_IO);
  CHECK_STATUS(envelope_chunked_stream_update(stream, data, 1), ENVELOPE_IO);
  envelope_chunked_stream_free(stream);
  sink = (buffer){NULL, 0, -1};
  CHECK_STATUS(envelope_chunked_stream_new(1, key, 32, NULL, 0, collect, &sink, &stream),
               ENVELOPE_OK);
  CHECK_STATUS(envelope_chunked_stream_finish(stream), ENVELOPE_OK);
  CHECK_STATUS(envelope_chunked_stream_update(stream, data, 1), ENVELOPE_INVALID_ARGUMENT);
  CHECK_STATUS(envelope_chunked_stream_finish(stream), ENVELOPE_INVALID_ARGUMENT);
  envelope_chunked_stream_free(stream);
  free(sink.data);

  /* Decrypting: a wrong key fails at the header, a flipped byte at its
   * chunk, with nothing released; a failing sink is io. */
  uint8_t other[32];
  memcpy(other, key, 32);
  other[31] ^= 1;
  sink = (buffer){NULL, 0, -1};
  CHECK_STATUS(envelope_chunked_stream_new(0, other, 32, NULL, 0, collect, &sink, &stream),
               ENVELOPE_OK);
  CHECK_STATUS(envelope_chunked_stream_update(stream, ct, ct_len), ENVELOPE_AUTH_FAILED);
  CHECK_STATUS(envelope_chunked_stream_finish(stream), ENVELOPE_AUTH_FAILED);
  envelope_chunked_stream_free(stream);
  uint8_t* copy = (uint8_t*)malloc(ct_len);
  memcpy(copy, ct, ct_len);
  copy[100] ^= 1;
  CHECK_STATUS(envelope_chunked_stream_new(0, key, 32, NULL, 0, collect, &sink, &stream),
               ENVELOPE_OK);
  CHECK_STATUS(envelope_chunked_stream_update(stream, copy, ct_len), ENVELOPE_AUTH_FAILED);
  envelope_chunked_stream_free(stream);
  CHECK(sink.len == 0);
  sink.fail_after = 0;
  CHECK_STATUS(envelope_chunked_stream_new(0, key, 32, NULL, 0, collect, &sink, &stream),
               ENVELOPE_OK);
  st = envelope_chunked_stream_update(stream, ct, ct_len);
  if (st == ENVELOPE_OK) st = envelope_chunked_stream_finish(stream);
  CHECK(st == ENVELOPE_IO);
  envelope_chunked_stream_free(stream);
  envelope_chunked_stream_free(NULL);
  free(copy);
  free(sink.data);
}

static void test_reader_errors(const uint8_t* key, const uint8_t* ct, size_t ct_len,
                               const char* dir) {
  char path[512];
  snprintf(path, sizeof path, "%s/errors.chunked", dir);
  int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
  CHECK(fd >= 0 && write(fd, ct, ct_len) == (ssize_t)ct_len);
  envelope_reader* reader = (envelope_reader*)SENTINEL;
  CHECK_ERROR(envelope_chunked_reader_open_fd(key, 32, fd, NULL, 0, NULL),
              ENVELOPE_INVALID_ARGUMENT, "out is null");
  CHECK_ERROR(envelope_chunked_reader_open_fd(key, 32, -3, NULL, 0, &reader),
              ENVELOPE_INVALID_ARGUMENT, "fd is negative");
  CHECK_ERROR(envelope_chunked_reader_open_fd(NULL, 32, fd, NULL, 0, &reader),
              ENVELOPE_INVALID_ARGUMENT, "key is null");
  CHECK_ERROR(envelope_chunked_reader_open_fd(key, 32, fd, NULL, 4, &reader),
              ENVELOPE_INVALID_ARGUMENT, "context is null");
  CHECK_STATUS(envelope_chunked_reader_open_fd(key, 24, fd, NULL, 0, &reader),
               ENVELOPE_INVALID_ARGUMENT);
  CHECK_STATUS(envelope_chunked_reader_open_fd(key, 32, fd, (const uint8_t*)"x", 1, &reader),
               ENVELOPE_AUTH_FAILED);
  int closed = dup(fd);
  close(closed);
  CHECK_STATUS(envelope_chunked_reader_open_fd(key, 32, closed, NULL, 0, &reader), ENVELOPE_IO);
  CHECK(reader == SENTINEL);

  CHECK_STATUS(envelope_chunked_reader_open_fd(key, 32, fd, NULL, 0, &reader), ENVELOPE_OK);
  uint64_t size = 0;
  CHECK_STATUS(envelope_reader_size(reader, &size), ENVELOPE_OK);
  uint8_t part[64];
  CHECK_ERROR(envelope_reader_read_at(reader, size, part, 1), ENVELOPE_INVALID_ARGUMENT,
              "past the end");
  /* A chunk changed on disk after the reader opened the file. */
  uint8_t byte = 0;
  CHECK(pread(fd, &byte, 1, 100) == 1);
  byte ^= 1;
  CHECK(pwrite(fd, &byte, 1, 100) == 1);
  CHECK_STATUS(envelope_reader_read_at(reader, 0, part, sizeof part), ENVELOPE_AUTH_FAILED);
  envelope_reader_free(reader);
  close(fd);
  unlink(path);
}

void test_chunked_errors(const char* dir) {
  uint8_t key[32];
  fill(key, sizeof key);
  enum { kSize = 40000 };
  uint8_t* plaintext = (uint8_t*)malloc(kSize);
  fill(plaintext, kSize);
  uint8_t* ct = NULL;
  size_t ct_len = 0;
  CHECK_STATUS(envelope_chunked_encrypt(key, 32, plaintext, kSize, NULL, 0, &ct, &ct_len),
               ENVELOPE_OK);
  test_one_shot_errors(key, ct, ct_len);
  test_stream_errors(key, ct, ct_len);
  test_reader_errors(key, ct, ct_len, dir);
  envelope_buffer_free(ct, ct_len);
  free(plaintext);
}
