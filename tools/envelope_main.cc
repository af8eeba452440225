// envelope: the admin tool. Subcommands are added as the library grows; the
// first is `selftest`.
#include <cstdio>
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>

#include "cli/exit_codes.h"
#include "cli/parse.h"
#include "envelope/envelope.hpp"

namespace {

int RunSelfTest(bool quiet) {
  const auto results = envelope::RunSelfTests();
  int failed = 0;
  for (const auto& r : results) {
    if (!r.passed) {
      ++failed;
      std::fprintf(stderr, "envelope: error: self test failed: %s: %s\n", r.name.c_str(),
                   r.detail.c_str());
    } else if (!quiet) {
      std::printf("ok    %s\n", r.name.c_str());
    }
  }
  std::printf("selftest: %zu passed, %d failed\n", results.size() - failed, failed);
  return failed == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"envelope: envelope encryption and key management"};
  app.set_version_flag("--version", std::string("envelope ") + envelope::Version());
  app.require_subcommand(1);

  bool quiet = false;
  auto* selftest = app.add_subcommand(
      "selftest", "run known-answer tests of every cryptographic primitive");
  selftest->add_flag("-q,--quiet", quiet, "print only the summary and failures");
  selftest->footer("Example:\n  envelope selftest");

  envelope::cli::HardenProcess();
  if (auto done = envelope::cli::ParseArgs(app, "envelope", argc, argv)) return *done;
  if (*selftest) return RunSelfTest(quiet);
  return envelope::cli::kExitUsage;
}
