// encrypt: the small tool that encrypts files or standard input.
#include "commands/crypt.h"

int main(int argc, char** argv) {
  return envelope::cli::RunCryptMain(envelope::cli::Direction::encrypt, argc, argv);
}
