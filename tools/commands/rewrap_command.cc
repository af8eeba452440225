// envelope rewrap FILE...: move messages to another key, or to the newest
// version of their KMS key after a rotation, rewriting only the header
// (RewrapMessage / RewrapToNewestVersion; the body is never decrypted).
#include <filesystem>

#include "cli/exit_codes.h"
#include "commands/admin.h"
#include "envelope/kms.hpp"
#include "envelope/rewrap.hpp"

namespace envelope::cli {
namespace {

struct RewrapArgs {
  CryptOptions old_keys;  // how to open the current header (decrypt options)
  std::vector<std::string> to_keys;
  std::vector<std::string> to_aws_kms_keys;  // with old_keys.aws's settings
  std::vector<std::string> to_pkcs11_keys;   // labels on the --pkcs11-token token
  std::vector<std::string> to_pkcs11_uris;
  bool to_default = false;
  std::vector<std::string> files;
};

int Run(const Globals& g, RewrapArgs& a) {
  CryptOptions& o = a.old_keys;
  if (o.keystore.empty()) o.keystore = g.keystore;
  const bool to_pkcs11 = !a.to_pkcs11_keys.empty() || !a.to_pkcs11_uris.empty();
  const bool to_aws = !a.to_aws_kms_keys.empty();
  if ((!a.to_keys.empty() || to_pkcs11 || to_aws) && a.to_default) {
    PrintError(kTool,
               "give --to-key/--to-aws-kms/--to-pkcs11-key/--to-pkcs11 or --to-default, not both");
    return kExitUsage;
  }
  // Token options may serve the destination alone (--to-pkcs11-key).
  if (auto r = CheckPkcs11Options(o.pkcs11, to_pkcs11); !r) return Fail(kTool, r.error());
  if (a.files.size() > 1 && !o.output.empty()) {
    PrintError(kTool, "-o takes one input file", {"without -o, files are rewrapped in place"});
    return kExitUsage;
  }
  auto required = ParseContext(o.require_context, "--require-context");
  if (!required) return Fail(kTool, required.error());
  RewrapOptions options;
  options.reproduced_context = *required;
  options.limits.max_encrypted_data_keys = o.max_edks;
  options.overwrite = o.force;

  Keystore keystore(o.keystore);
  std::shared_ptr<const Keyring> new_keyring;
  std::shared_ptr<const CryptoMaterialsManager> old_cmm;
  // One PIN read serves the old and the new PKCS#11 keys.
  Pkcs11Keys pkcs11(o.pkcs11);
  const bool to_newest = a.to_keys.empty() && !a.to_default && !to_pkcs11 && !to_aws;
  if (!to_newest) {
    std::vector<std::shared_ptr<const Keyring>> targets;
    if (a.to_default || !a.to_keys.empty()) {
      auto kms = keystore.Shared();
      if (!kms) return Fail(kTool, kms.error());
      if (a.to_default) {
        auto k = kms::NewSseS3Keyring(*kms);
        if (!k) return Fail(kTool, k.error());
        targets.push_back(*k);
      }
      for (const auto& key : a.to_keys) {
        auto k = NewKmsKeyring(kms::NewKmsClient(*kms), key);
        if (!k) return Fail(kTool, k.error());
        targets.push_back(*k);
      }
    }
    if (to_aws) {
      AwsKmsOptions aws = o.aws;  // the AWS settings, with the new keys
      aws.keys = a.to_aws_kms_keys;
      aws.discovery = false;
      aws.discovery_accounts.clear();
      auto k = AwsKmsKeyrings(aws);
      if (!k) return Fail(kTool, k.error());
      for (auto& keyring : *k) targets.push_back(std::move(keyring));
    }
    for (const auto& label : a.to_pkcs11_keys) {
      auto k = pkcs11.ByLabel(label);
      if (!k) return Fail(kTool, k.error());
      targets.push_back(*k);
    }
    for (const auto& uri : a.to_pkcs11_uris) {
      auto k = pkcs11.ByUri(uri);
      if (!k) return Fail(kTool, k.error());
      targets.push_back(*k);
    }
    auto generator = targets.front();
    targets.erase(targets.begin());
    auto multi = targets.empty() ? Result<std::shared_ptr<const Keyring>>(generator)
                                 : NewMultiKeyring(generator, targets);
    if (!multi) return Fail(kTool, multi.error());
    new_keyring = *multi;
    auto old_keyring = BuildKeyring(o, keystore, pkcs11);
    if (!old_keyring) return Fail(kTool, old_keyring.error());
    auto cmm = NewDefaultCmm(*old_keyring);
    if (!cmm) return Fail(kTool, cmm.error());
    old_cmm = *cmm;
  }

  for (const std::string& file : a.files) {
    const std::string out = o.output.empty() ? file : o.output;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec)) {
      PrintError(kTool, "\"" + file + "\" is not a regular file",
                 {"rewrap rewrites files in place; it cannot read a pipe"});
      return kExitIo;
    }
    Result<RewrapResult> r = tl::unexpected(Error(ErrorCode::internal, "not run"));
    if (to_newest) {
      auto kms = keystore.Shared();
      if (!kms) return Fail(kTool, kms.error());
      r = kms::RewrapToNewestVersion(*kms, file, out, options);
    } else {
      r = RewrapMessage(file, out, *old_cmm, *new_keyring, options);
    }
    if (!r) {
      const Error e = r.error().WithContext("\"" + file + "\"");
      if (e.message().find(" exists") != std::string::npos) {
        return Fail(kTool, e, {"pass --force to overwrite it"});
      }
      if (e.code() == ErrorCode::not_found && to_newest) {
        return Fail(kTool, e,
                    {"only KMS-wrapped messages follow key rotation; give --to-key "
                     "KEY or --to-pkcs11-key LABEL to move other messages"});
      }
      return Fail(kTool, e);
    }
  }
  return kExitOk;
}

}  // namespace

void RegisterRewrapCommand(CLI::App& app, std::shared_ptr<Globals> g, Commands& out) {
  auto a = std::make_shared<RewrapArgs>();
  CLI::App* sub = app.add_subcommand(
      "rewrap",
      "re-wrap messages' data keys (after a rotation, or to another key) without "
      "decrypting the body; in place unless -o");
  AddCryptOptions(*sub, a->old_keys, Direction::decrypt, kTool);
  // Rewrap reads files in place: drop the stream-only options it ignores.
  for (const char* name :
       {"inputs", "--recursive", "--suffix", "--quiet", "--threads", "--commitment-policy"}) {
    sub->remove_option(sub->get_option_no_throw(name));
  }
  sub->add_option("files", a->files, "message files to rewrap")->required();
  sub->add_option("--to-key", a->to_keys,
                  "wrap the data key under this KMS key instead (repeatable); the key options "
                  "(-k, --customer-key-*, --passphrase*, --wrapping-key, --pkcs11-key, --pkcs11) "
                  "open the current one")
      ->type_name("KEY")
      ->allow_extra_args(false);
  sub->add_option("--to-aws-kms", a->to_aws_kms_keys,
                  "wrap the data key under this AWS KMS key ARN or alias ARN instead (repeatable; "
                  "--profile, --region and --endpoint-url apply)")
      ->type_name("KEY")
      ->allow_extra_args(false)
      ->group(kAwsGroup);
  sub->add_option("--to-pkcs11-key", a->to_pkcs11_keys,
                  "wrap under this AES key (label) of the HSM token named by --pkcs11-module, "
                  "--pkcs11-token and a --pkcs11-pin-* option (repeatable)")
      ->type_name("LABEL")
      ->allow_extra_args(false)
      ->group(kPkcs11Group);
  sub->add_option("--to-pkcs11", a->to_pkcs11_uris,
                  "wrap under the HSM key this RFC 7512 URI names (repeatable)")
      ->type_name("URI")
      ->allow_extra_args(false)
      ->group(kPkcs11Group);
  sub->add_flag("--to-default", a->to_default, "wrap under the managed default key (SSE-S3)");
  sub->footer(Examples(
      "envelope keys rotate alias/app && envelope rewrap report.pdf.encrypted\n"
      "  envelope rewrap --to-key alias/new *.encrypted\n"
      "  envelope rewrap --to-aws-kms arn:aws:kms:us-east-1:111122223333:key/... *.encrypted\n"
      "  envelope rewrap --customer-key-file k.bin --to-key alias/app photo.encrypted\n"
      "  envelope rewrap --pkcs11-module /usr/lib/softhsm/libsofthsm2.so --pkcs11-token prod \\\n"
      "      --pkcs11-pin-file pin.txt --to-pkcs11-key wrap-2024 report.pdf.encrypted   # KMS -> "
      "HSM\n"
      "  envelope rewrap --pkcs11-module /usr/lib/softhsm/libsofthsm2.so --pkcs11-token prod \\\n"
      "      --pkcs11-pin-file pin.txt --pkcs11-key wrap-2024 --to-key alias/app "
      "report.pdf.encrypted\n"
      "  envelope rewrap --to-pkcs11 'pkcs11:token=prod;object=wrap-2025?module-path=/usr/lib/"
      "softhsm/libsofthsm2.so&pin-source=pin.txt' report.pdf.encrypted\n\n"
      "Without --to-key, --to-aws-kms, --to-pkcs11-key or --to-pkcs11, every KMS-wrapped data\n"
      "key moves to the newest version of its own key. Only the header changes; the old keys\n"
      "no longer open the rewrapped file."));
  out.push_back({sub, [g, a] { return Run(*g, *a); }});
}

}  // namespace envelope::cli
