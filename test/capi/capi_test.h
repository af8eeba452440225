/* test/capi: what the C test's files share (checks, a collecting sink). */
#ifndef ENVELOPE_TEST_CAPI_CAPI_TEST_H_
#define ENVELOPE_TEST_CAPI_CAPI_TEST_H_

#include <envelope/envelope.h>
#include <stdio.h>
#include <string.h>

/* failures counts the failed checks of the whole program. */
extern int failures;

/* CHECK counts and reports a failed condition, with the last error. */
#define CHECK(cond)                                                                               \
  do {                                                                                            \
    if (!(cond)) {                                                                                \
      fprintf(stderr, "capi_test:%s:%d: check failed: %s (last error: %s)\n", __FILE__, __LINE__, \
              #cond, envelope_last_error());                                                      \
      failures++;                                                                                 \
    }                                                                                             \
  } while (0)

/* CHECK_STATUS checks that `call` returns `want`. */
#define CHECK_STATUS(call, want) CHECK((call) == (want))

/* CHECK_ERROR checks that `call` fails with `want` and that the thread's
 * last error then contains `needle`. */
#define CHECK_ERROR(call, want, needle)                     \
  do {                                                      \
    CHECK_STATUS(call, want);                               \
    CHECK(strstr(envelope_last_error(), (needle)) != NULL); \
  } while (0)

/* buffer is a growable byte buffer, the sink of the streaming calls. */
typedef struct buffer {
  uint8_t* data;
  size_t len;
  int fail_after; /* the callback fails once this many calls were made (-1: never) */
} buffer;

/* collect is an envelope_sink_fn appending to the buffer at `user`. */
int collect(void* user, const uint8_t* data, size_t len);

/* fill writes a fixed pattern of `n` bytes to `p`. */
void fill(uint8_t* p, size_t n);

/* test_error_paths runs every documented error path of every function
 * (capi_errors.c), with files in the folder `dir`. */
void test_error_paths(const char* dir);

/* write_file writes `len` bytes to a new file at dir/name (its path into
 * `path`) and returns an open read-write descriptor to it. */
int write_file(const char* dir, const char* name, const uint8_t* data, size_t len, char* path,
               size_t path_size);

/* test_message_reader_errors runs the error paths of the message reader
 * over the file of `message`, encrypted under the context app=errors
 * (capi_errors_reader.c). */
void test_message_reader_errors(const envelope_keyring* keyring, const uint8_t* message,
                                size_t message_len, const char* dir);

/* test_chunked_errors does the same for the chunked functions
 * (capi_errors_chunked.c). */
void test_chunked_errors(const char* dir);

#endif /* ENVELOPE_TEST_CAPI_CAPI_TEST_H_ */
