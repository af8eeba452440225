// softhsm_setup DIR: makes the SoftHSM2 test token (softhsm_token.h) in
// DIR for the CLI transcripts, which then run the tools with
// SOFTHSM2_CONF=DIR/softhsm2.conf. Token "envelope-test", user PIN
// "4711-user", keys wrap-main (01), wrap-other (07) and the odd ones.
#include <cstdio>

#include "pkcs11/softhsm_token.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: softhsm_setup DIR\n");
    return 2;
  }
  auto module = envelope::testing::CreateSoftHsmToken(argv[1]);
  if (!module) {
    std::fprintf(stderr, "softhsm_setup: error: %s\n", module.error().ToString().c_str());
    return 1;
  }
  return 0;
}
