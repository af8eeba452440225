// decrypt: the small tool that decrypts envelope messages.
#include "commands/crypt.h"

int main(int argc, char** argv) {
  return envelope::cli::RunCryptMain(envelope::cli::Direction::decrypt, argc, argv);
}
