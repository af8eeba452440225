/* examples/c_api.c: the C API, a raw AES round trip with a context. */
#include <envelope/envelope.h>
#include <stdio.h>
#include <string.h>

int main(void) {
  uint8_t key[32];
  for (int i = 0; i < 32; i++) key[i] = (uint8_t)(i * 3 + 1); /* a real key comes from a file */
  envelope_keyring* keyring = NULL;
  if (envelope_keyring_new_raw_aes("example", "key-1", key, sizeof key, &keyring) != ENVELOPE_OK) {
    fprintf(stderr, "c_api: error: %s\n", envelope_last_error());
    return 1;
  }
  const envelope_context_pair context[] = {{"purpose", "demo"}};
  const char* text = "attack at dawn";
  uint8_t* message = NULL;
  size_t message_len = 0;
  envelope_status status = envelope_encrypt(keyring, (const uint8_t*)text, strlen(text), context, 1,
                                            &message, &message_len);
  if (status != ENVELOPE_OK) {
    fprintf(stderr, "c_api: error: %s: %s\n", envelope_status_name(status), envelope_last_error());
    envelope_keyring_free(keyring);
    return 1;
  }
  uint8_t* plaintext = NULL;
  size_t plaintext_len = 0;
  status = envelope_decrypt(keyring, message, message_len, context, 1, &plaintext, &plaintext_len);
  int ok = status == ENVELOPE_OK && plaintext_len == strlen(text) &&
           memcmp(plaintext, text, plaintext_len) == 0;
  if (status == ENVELOPE_OK) envelope_buffer_free(plaintext, plaintext_len);
  envelope_buffer_free(message, message_len);
  envelope_keyring_free(keyring);
  if (!ok) {
    fprintf(stderr, "c_api: error: round trip failed: %s\n", envelope_last_error());
    return 1;
  }
  printf("c_api: envelope %s, %zu-byte message, round trip ok\n", envelope_version(), message_len);
  return 0;
}
