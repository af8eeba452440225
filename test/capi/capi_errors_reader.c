/* test/capi/capi_errors_reader.c: every error path of the message reader
 * (envelope_reader_open_fd, _size, _read_at), and write_file for the
 * other error tests. */
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

/* write_file writes `len` bytes to a new file at dir/name and returns an
 * open read-write descriptor to it. */
int write_file(const char* dir, const char* name, const uint8_t* data, size_t len, char* path,
               size_t path_size) {
  snprintf(path, path_size, "%s/%s", dir, name);
  int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
  CHECK(fd >= 0);
  if (fd >= 0 && len > 0) CHECK(write(fd, data, len) == (ssize_t)len);
  return fd;
}

void test_message_reader_errors(const envelope_keyring* keyring, const uint8_t* message,
                                size_t message_len, const char* dir) {
  char path[512];
  int fd = write_file(dir, "errors.env", message, message_len, path, sizeof path);
  envelope_reader* reader = (envelope_reader*)SENTINEL;
  CHECK_ERROR(envelope_reader_open_fd(NULL, fd, NULL, 0, &reader), ENVELOPE_INVALID_ARGUMENT,
              "keyring is null");
  CHECK_ERROR(envelope_reader_open_fd(keyring, fd, NULL, 0, NULL), ENVELOPE_INVALID_ARGUMENT,
              "out is null");
  CHECK_ERROR(envelope_reader_open_fd(keyring, -1, NULL, 0, &reader), ENVELOPE_INVALID_ARGUMENT,
              "fd is negative");
  CHECK_ERROR(envelope_reader_open_fd(keyring, fd, NULL, 1, &reader), ENVELOPE_INVALID_ARGUMENT,
              "context is null");
  const envelope_context_pair other[] = {{"app", "other"}};
  CHECK_STATUS(envelope_reader_open_fd(keyring, fd, other, 1, &reader), ENVELOPE_AUTH_FAILED);
  int closed = dup(fd);
  close(closed);
  CHECK_STATUS(envelope_reader_open_fd(keyring, closed, NULL, 0, &reader), ENVELOPE_IO);
  char cut_path[512];
  int cut = write_file(dir, "errors-cut.env", message, message_len - 10, cut_path, sizeof cut_path);
  CHECK(envelope_reader_open_fd(keyring, cut, NULL, 0, &reader) != ENVELOPE_OK);
  close(cut);
  unlink(cut_path);
  CHECK(reader == SENTINEL);

  uint64_t size = 99;
  uint8_t part[100];
  CHECK_ERROR(envelope_reader_size(NULL, &size), ENVELOPE_INVALID_ARGUMENT, "reader is null");
  CHECK_ERROR(envelope_reader_read_at(NULL, 0, part, 1), ENVELOPE_INVALID_ARGUMENT,
              "reader is null");
  CHECK_STATUS(envelope_reader_open_fd(keyring, fd, kCtx, 1, &reader), ENVELOPE_OK);
  CHECK_ERROR(envelope_reader_size(reader, NULL), ENVELOPE_INVALID_ARGUMENT, "size is null");
  CHECK_STATUS(envelope_reader_size(reader, &size), ENVELOPE_OK);
  CHECK_ERROR(envelope_reader_read_at(reader, 0, NULL, 1), ENVELOPE_INVALID_ARGUMENT,
              "out is null");
  CHECK_ERROR(envelope_reader_read_at(reader, size + 1, part, 0), ENVELOPE_INVALID_ARGUMENT,
              "past the end");
  CHECK_ERROR(envelope_reader_read_at(reader, UINT64_MAX, part, 2), ENVELOPE_INVALID_ARGUMENT,
              "past the end");
  /* The file changes under the reader: the frame no longer authenticates. */
  uint8_t byte = 0;
  CHECK(pread(fd, &byte, 1, 1000) == 1);
  byte ^= 1;
  CHECK(pwrite(fd, &byte, 1, 1000) == 1);
  memset(part, 0xAA, sizeof part);
  CHECK_STATUS(envelope_reader_read_at(reader, 0, part, sizeof part), ENVELOPE_AUTH_FAILED);
  envelope_reader_free(reader);
  envelope_reader_free(NULL);
  close(fd);
  unlink(path);
}
