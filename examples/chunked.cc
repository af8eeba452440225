// examples/chunked.cc: C2SP chunked encryption of a buffer under a 32-byte
// key, and a read at an offset through the random-access reader.
#include <cstdio>
#include <envelope/envelope.hpp>
#include <vector>

int main() {
  auto key = envelope::SecretBytes::Random(envelope::kChunkedKeySize);
  if (!key) return 1;
  std::vector<uint8_t> plaintext(100000);
  for (size_t i = 0; i < plaintext.size(); ++i) plaintext[i] = static_cast<uint8_t>(i % 251);
  envelope::ChunkedOptions options;
  options.context = {'v', '1'};
  auto ciphertext = envelope::ChunkedEncrypt(*key, plaintext, options);
  if (!ciphertext) {
    std::fprintf(stderr, "chunked: error: %s\n", ciphertext.error().ToString().c_str());
    return 1;
  }
  envelope::MemorySource source(*ciphertext);
  auto reader = envelope::ChunkedRandomAccessReader::New(*key, source, options);
  if (!reader) {
    std::fprintf(stderr, "chunked: error: %s\n", reader.error().ToString().c_str());
    return 1;
  }
  std::vector<uint8_t> range(500);
  if (!envelope::ReadExactAt(**reader, 40000, range)) return 1;
  for (size_t i = 0; i < range.size(); ++i) {
    if (range[i] != plaintext[40000 + i]) return 1;
  }
  auto back = envelope::ChunkedDecrypt(*key, *ciphertext, options);
  if (!back || *back != plaintext) return 1;
  std::printf("chunked: %zu -> %zu bytes, range and round trip ok\n", plaintext.size(),
              ciphertext->size());
  return 0;
}
