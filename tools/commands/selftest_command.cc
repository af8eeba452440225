// envelope selftest: known-answer tests of every primitive.
#include <cstdio>

#include "commands/admin.h"
#include "envelope/selftest.hpp"

namespace envelope::cli {

void RegisterSelfTestCommand(CLI::App& app, Commands& out) {
  auto quiet = std::make_shared<bool>(false);
  CLI::App* selftest =
      app.add_subcommand("selftest", "run known-answer tests of every cryptographic primitive");
  selftest->add_flag("-q,--quiet", *quiet, "print only the summary and failures");
  selftest->footer(Examples("envelope selftest"));
  out.push_back({selftest, [quiet]() -> int {
                   const auto results = RunSelfTests();
                   size_t failed = 0;
                   for (const auto& r : results) {
                     if (!r.passed) {
                       ++failed;
                       PrintError(kTool, "self test failed: " + r.name + ": " + r.detail);
                     } else if (!*quiet) {
                       std::printf("ok    %s\n", r.name.c_str());
                     }
                   }
                   std::printf("selftest: %zu passed, %zu failed\n", results.size() - failed,
                               failed);
                   return failed == 0 ? kExitOk : kExitFailure;
                 }});
}

}  // namespace envelope::cli
