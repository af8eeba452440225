// envelope datakey KEY: GenerateDataKey / GenerateDataKeyWithoutPlaintext.
// The ciphertext blob goes to standard output in base64; the plaintext data
// key only to a file (created 0600) or a descriptor the caller names, never
// to a terminal and never on standard output beside the blob.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>

#include "cli/output.h"
#include "commands/admin.h"
#include "envelope/armor.hpp"
#include "envelope/io.hpp"
#include "envelope/secret.hpp"

namespace envelope::cli {
namespace {

struct DataKeyArgs {
  std::string key, plaintext_file;
  int plaintext_fd = -1;
  bool without_plaintext = false, force = false, json = false;
  std::vector<std::string> context;
};

Result<void> WriteFd(int fd, std::span<const uint8_t> bytes) {
  return envelope::WriteFd(fd, bytes, "the data key to descriptor " + std::to_string(fd));
}

int Run(const Globals& g, const DataKeyArgs& a) {
  const int destinations = !a.plaintext_file.empty() + (a.plaintext_fd >= 0) + a.without_plaintext;
  if (destinations != 1) {
    PrintError(kTool, "name exactly one of --plaintext-file, --plaintext-fd, --without-plaintext",
               {"the plaintext data key is never written to the terminal or standard output"});
    return kExitUsage;
  }
  auto context = ParseContext(a.context, "--context");
  if (!context) return Fail(kTool, context.error());
  if (a.plaintext_fd >= 0 && (a.plaintext_fd <= STDERR_FILENO || isatty(a.plaintext_fd))) {
    PrintError(kTool,
               "refusing to write a plaintext data key to descriptor " +
                   std::to_string(a.plaintext_fd) +
                   (isatty(a.plaintext_fd) ? " (a terminal)" : " (standard streams)"),
               {"use --plaintext-file FILE, or a descriptor such as 3 opened on a file or pipe"});
    return kExitUsage;
  }
  // Prepare the destination first: a refused file must not cost a key.
  std::optional<Output> out;
  if (!a.plaintext_file.empty()) {
    auto opened = Output::Open(a.plaintext_file, {.force = a.force, .binary = true, .mode = 0600});
    if (!opened) return Fail(kTool, opened.error());
    out.emplace(std::move(*opened));
  }
  Keystore keystore(g.keystore);
  auto kms = keystore.Get();
  if (!kms) return Fail(kTool, kms.error());
  kms::Ciphertext blob;
  std::optional<SecretBytes> plaintext;
  if (a.without_plaintext) {
    auto c = (*kms)->GenerateDataKeyWithoutPlaintext(a.key, *context);
    if (!c) return Fail(kTool, c.error());
    blob = std::move(*c);
  } else {
    auto dk = (*kms)->GenerateDataKey(a.key, *context);
    if (!dk) return Fail(kTool, dk.error());
    blob = std::move(dk->ciphertext);
    plaintext = std::move(dk->plaintext);
    // Into the temporary file only: visible after the blob is out.
    if (out) {
      if (auto r = out->Write(plaintext->span()); !r) return Fail(kTool, r.error());
    }
  }
  // The blob first: a plaintext key without its blob encrypts data nobody
  // can decrypt later, while a blob without its plaintext file loses
  // nothing (KMS Decrypt gives the key back).
  if (a.json) {
    PrintJson({{"ciphertext_blob", Base64(blob.blob)},
               {"key_id", blob.key_id},
               {"key_version", blob.key_version}});
  } else {
    std::printf("%s\n", Base64(blob.blob).c_str());
  }
  if (auto r = FlushStdout(); !r) {
    if (out) out->Discard();
    return Fail(kTool, r.error().WithContext("no data key was saved"));
  }
  if (plaintext) {
    auto written = out ? out->Commit() : WriteFd(a.plaintext_fd, plaintext->span());
    if (!written) {
      return Fail(
          kTool,
          written.error().WithContext("the blob was written, but the plaintext data key was not"),
          {"decrypt the blob to get the key, or run datakey again"});
    }
  }
  return kExitOk;
}

}  // namespace

void RegisterDataKeyCommand(CLI::App& app, std::shared_ptr<Globals> g, Commands& out) {
  auto a = std::make_shared<DataKeyArgs>();
  CLI::App* sub = app.add_subcommand(
      "datakey", "generate a 256-bit data key: blob (base64) on stdout, plaintext to a file or fd");
  sub->add_option("key", a->key, "key id or alias/NAME")->required();
  sub->add_option("-c,--context", a->context, "encryption context pair; repeatable")
      ->type_name("KEY=VALUE")
      ->allow_extra_args(false);
  sub->add_option("--plaintext-file", a->plaintext_file, "write the plaintext key here (0600)")
      ->type_name("FILE");
  sub->add_option("--plaintext-fd", a->plaintext_fd, "write the plaintext key to this descriptor")
      ->type_name("N");
  sub->add_flag("--without-plaintext", a->without_plaintext,
                "only the blob (GenerateDataKeyWithoutPlaintext)");
  sub->add_flag("-f,--force", a->force, "overwrite an existing --plaintext-file");
  sub->add_flag("--json", a->json, "print blob, key id and version as JSON");
  sub->footer(
      Examples("envelope datakey alias/app --plaintext-file dk.bin > dk.blob\n"
               "  envelope datakey alias/app --plaintext-fd 3 3>dk.bin\n"
               "  envelope datakey alias/app --without-plaintext"));
  out.push_back({sub, [g, a] { return Run(*g, *a); }});
}

}  // namespace envelope::cli
