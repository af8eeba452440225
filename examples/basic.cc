// examples/basic.cc: the smallest program against the installed library.
//
// It uses nothing but the public header <envelope/envelope.hpp>: prints the
// library version, runs the known-answer self tests and reports them, and
// creates a 256-bit data key in secret memory. Build it against an install:
//
//   c++ -o basic basic.cc $(pkg-config --cflags --libs envelope)
//
// It exits 0 when every self test passed and the key was created, 1 if not.
#include <cstdio>
#include <envelope/envelope.hpp>

int main() {
  std::printf("envelope %s\n", envelope::Version());

  const auto results = envelope::RunSelfTests();
  int failed = 0;
  for (const auto& r : results) {
    if (!r.passed) {
      ++failed;
      std::fprintf(stderr, "basic: error: self test failed: %s: %s\n", r.name.c_str(),
                   r.detail.c_str());
    }
  }
  std::printf("self tests: %zu passed, %d failed\n", results.size() - failed, failed);
  if (results.empty() || failed != 0) return 1;

  // A data key lives in guarded, locked memory and is wiped when `key` goes
  // out of scope. Never print key material: only its size is shown.
  envelope::Result<envelope::SecretBytes> key = envelope::SecretBytes::Random(32);
  if (!key) {
    std::fprintf(stderr, "basic: error: %s\n", key.error().ToString().c_str());
    return 1;
  }
  std::printf("data key: %zu bytes of secret memory\n", key->size());
  return key->size() == 32 ? 0 : 1;
}
