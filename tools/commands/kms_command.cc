// envelope kms: the KMS as a network service. `serve` answers the AWS KMS
// API over HTTPS; `access-keys` manages the keys its clients sign with.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>

#include "commands/admin.h"
#include "envelope/atomic_file.hpp"
#include "envelope/io.hpp"
#include "envelope/secrets.hpp"
#include "service/http_server.h"
#include "service/kms_service.h"
#include "service/tls_files.h"
#include "service/worker_pool.h"

namespace envelope::cli {
namespace {

struct ServeOptions {
  std::string listen = "127.0.0.1:0";
  std::string tls_cert;
  std::string tls_key;
  bool insecure_http = false;
  std::string region = "us-east-1";
  std::string account = "111122223333";
  unsigned threads = 0;
  unsigned workers = 4;
  long rotation_check = 60;  // seconds between checks for due secret rotations
  uint64_t audit_rotate_mib = 64;
  int throttle_first = 0;  // hidden test switch
};

// SplitListen parses ADDR:PORT, with IPv6 addresses in brackets.
Result<std::pair<std::string, uint16_t>> SplitListen(const std::string& listen) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon + 1 == listen.size()) {
    return MakeError(ErrorCode::invalid_argument,
                     "--listen wants ADDRESS:PORT, not \"" + listen + "\"");
  }
  std::string address = listen.substr(0, colon);
  if (address.size() >= 2 && address.front() == '[' && address.back() == ']') {
    address = address.substr(1, address.size() - 2);
  }
  unsigned long port = 0;
  for (char c : listen.substr(colon + 1)) {
    if (c < '0' || c > '9' || port > 65535) {
      return MakeError(ErrorCode::invalid_argument,
                       "--listen: \"" + listen + "\" has no valid port");
    }
    port = port * 10 + static_cast<unsigned long>(c - '0');
  }
  if (port > 65535) return MakeError(ErrorCode::invalid_argument, "--listen: port over 65535");
  return std::pair{address, static_cast<uint16_t>(port)};
}

bool ValidAccount(const std::string& account) {
  return account.size() == 12 &&
         std::all_of(account.begin(), account.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// RunDueRotations rotates the secrets whose rotation is due and says so on
// standard error (names and errors only, never a value).
void RunDueRotations(secrets::SecretStore& store) {
  std::vector<Error> failures;
  auto rotated = store.RotateDue(&failures);
  if (!rotated) failures.push_back(rotated.error());
  for (const std::string& name : rotated.value_or(std::vector<std::string>{})) {
    std::fprintf(stderr, "envelope: rotated secret %s\n", name.c_str());
  }
  for (const Error& e : failures) {
    std::fprintf(stderr, "envelope: secret rotation: %s\n", e.message().c_str());
  }
}

int Serve(const Globals& globals, const ServeOptions& o) {
  auto listen = SplitListen(o.listen);
  if (!listen) return Fail(kTool, listen.error());
  if (!ValidAccount(o.account)) {
    return Fail(kTool, Error(ErrorCode::invalid_argument, "--account must be 12 digits"));
  }
  if (o.tls_cert.empty() != o.tls_key.empty()) {
    return Fail(kTool, Error(ErrorCode::invalid_argument, "--tls-cert and --tls-key go together"));
  }
  if (o.insecure_http && !o.tls_cert.empty()) {
    return Fail(kTool, Error(ErrorCode::invalid_argument, "--insecure-http takes no certificate"));
  }
  Keystore keystore(globals.keystore);
  keystore.SetArnScope(o.region, o.account);
  keystore.SetAuditRotateBytes(o.audit_rotate_mib << 20);
  auto kms = keystore.Get();
  if (!kms) return Fail(kTool, kms.error());

  service::HttpServerOptions http;
  http.address = listen->first;
  http.port = listen->second;
  http.threads = o.threads;
  std::string certificate_path;
  if (!o.insecure_http) {
    auto tls = o.tls_cert.empty() ? service::DefaultServerTls((*kms)->directory())
                                  : service::LoadServerTls(o.tls_cert, o.tls_key);
    if (!tls) return Fail(kTool, tls.error());
    certificate_path = tls->certificate_path;
    http.tls = std::move(tls->credentials);
  }
  service::KmsServiceOptions options;
  options.api = {"aws", o.region, o.account};
  options.throttle_first = o.throttle_first;
  service::KmsService kms_service(**kms, std::move(options));
  http.protocol_error = [&kms_service](unsigned status, std::string_view message) {
    return kms_service.ProtocolError(status, message);
  };

  // The server's threads inherit this mask, so the signals that stop it
  // reach sigwait below and nothing else.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  // Requests run on the server's threads, or on --workers threads
  // (declared before the server, so they outlive it). Either way no thread
  // waits for an audit flush: the answer leaves from the group commit.
  std::unique_ptr<service::WorkerPool> pool;
  if (o.workers > 0) {
    auto workers = service::WorkerPool::Start(o.workers);
    if (!workers) return Fail(kTool, workers.error());
    pool = std::move(*workers);
  }
  auto server = service::HttpServer::Start(
      std::move(http),
      [&kms_service, pool = pool.get()](service::HttpRequest request, service::Respond respond) {
        if (pool == nullptr) return kms_service.HandleAsync(request, std::move(respond));
        pool->Post([&kms_service, request = std::move(request), respond = std::move(respond)] {
          kms_service.HandleAsync(request, respond);
        });
      });
  if (!server) {
    pthread_sigmask(SIG_UNBLOCK, &stop_signals, nullptr);
    return Fail(kTool, server.error(), {"hint: --listen 127.0.0.1:0 picks a free port"});
  }
  std::printf("envelope: serving the AWS KMS API at %s (region %s, account %s)\n",
              (*server)->url().c_str(), o.region.c_str(), o.account.c_str());
  if (!certificate_path.empty()) {
    std::printf(
        "envelope: tls certificate %s (clients trust it with AWS_CA_BUNDLE or "
        "NODE_EXTRA_CA_CERTS)\n",
        certificate_path.c_str());
  }
  if (std::fflush(stdout) != 0) {
    (*server)->Stop(std::chrono::seconds(0));
    return Fail(kTool, Error(ErrorCode::io, "cannot write to standard output"));
  }
  // Due secret rotations run now and then every --rotation-check seconds,
  // between the signals that stop the server.
  int signal_number = 0;
  auto secret_store = secrets::SecretStore::Open(**kms, {"aws", o.region, o.account});
  while (signal_number <= 0) {
    if (secret_store && o.rotation_check > 0) RunDueRotations(*secret_store);
    timespec period{o.rotation_check > 0 ? o.rotation_check : 3600, 0};
    signal_number = sigtimedwait(&stop_signals, nullptr, &period);
    if (signal_number < 0 && errno != EAGAIN && errno != EINTR) {
      sigwait(&stop_signals, &signal_number);
    }
  }
  std::fprintf(stderr, "envelope: %s: finishing requests in flight, then stopping\n",
               strsignal(signal_number));
  (*server)->Stop(std::chrono::seconds(10));
  return kExitOk;
}

// SecretDestination is where `access-keys create` writes the new secret
// and a newline: a file made atomically (mode 0600, never over an existing
// file) or an open descriptor. Open opens it before the access key is made,
// so a destination that cannot be written refuses the command while it has
// changed nothing.
class SecretDestination {
 public:
  static Result<SecretDestination> Open(const std::string& file, int fd) {
    if (file.empty()) {
      const int flags = fcntl(fd, F_GETFL);
      if (flags == -1 || (flags & O_ACCMODE) == O_RDONLY) {
        return MakeError(ErrorCode::invalid_argument,
                         "--secret-fd " + std::to_string(fd) + " is not open for writing");
      }
      return SecretDestination(std::nullopt, fd);
    }
    AtomicFileOptions options;
    options.mode = 0600;
    options.apply_umask = false;
    auto out = AtomicFile::Create(file, options);
    ENVELOPE_RETURN_IF_ERROR(out);
    return SecretDestination(std::move(*out), -1);
  }

  // Write writes and, for a file, commits the secret.
  Result<void> Write(const SecretBytes& secret) {
    static constexpr uint8_t kNewline[] = {'\n'};
    if (!file_) {
      ENVELOPE_RETURN_IF_ERROR(WriteFd(fd_, secret.span(), "the secret"));
      return WriteFd(fd_, kNewline, "the secret");
    }
    ENVELOPE_RETURN_IF_ERROR(file_->Write(secret.span()));
    ENVELOPE_RETURN_IF_ERROR(file_->Write(kNewline));
    return file_->Commit();
  }

 private:
  SecretDestination(std::optional<AtomicFile> file, int fd) : file_(std::move(file)), fd_(fd) {}
  std::optional<AtomicFile> file_;
  int fd_;
};

}  // namespace

void RegisterKmsCommands(CLI::App& app, std::shared_ptr<Globals> globals, Commands& out) {
  CLI::App* kms = app.add_subcommand("kms", "the KMS as a network service (AWS KMS API)");
  kms->require_subcommand(1);

  auto serve_options = std::make_shared<ServeOptions>();
  CLI::App* serve = kms->add_subcommand(
      "serve", "answer the AWS KMS API (JSON over HTTPS, SigV4) from this keystore until SIGTERM");
  serve->add_option(
      "--listen", serve_options->listen,
      "ADDRESS:PORT to listen on (default 127.0.0.1:0, a free port; the URL is printed)");
  serve
      ->add_option("--tls-cert", serve_options->tls_cert,
                   "PEM certificate chain (default: a self-signed certificate for localhost, "
                   "generated into the keystore folder)")
      ->type_name("FILE");
  serve->add_option("--tls-key", serve_options->tls_key, "PEM private key of --tls-cert")
      ->type_name("FILE");
  serve->add_flag("--insecure-http", serve_options->insecure_http,
                  "plain HTTP, only on a loopback address (key material never crosses a "
                  "network in the clear)");
  serve->add_option("--region", serve_options->region, "region in key ARNs and SigV4 scopes")
      ->envname("ENVELOPE_REGION")
      ->capture_default_str();
  serve->add_option("--account", serve_options->account, "12-digit account id in key ARNs")
      ->envname("ENVELOPE_ACCOUNT")
      ->capture_default_str();
  serve->add_option("--threads", serve_options->threads, "server threads (default: one per core)");
  serve
      ->add_option("--workers", serve_options->workers,
                   "threads that run requests (default 4; 0: the server threads run them)")
      ->check(CLI::Range(0, 1024));
  serve
      ->add_option("--rotation-check", serve_options->rotation_check,
                   "seconds between runs of the due secret rotations (0: none)")
      ->capture_default_str();
  serve
      ->add_option("--audit-rotate-mib", serve_options->audit_rotate_mib,
                   "archive audit.log as audit-<first line>.log once it reaches this size, "
                   "in MiB (0: never)")
      ->check(CLI::Range(uint64_t{0}, uint64_t{1} << 20))
      ->capture_default_str();
  // Tests of clients' retries: the first N requests answer ThrottlingException.
  serve->add_option("--test-throttle-first", serve_options->throttle_first)->group("");
  serve->footer(
      Examples("  envelope kms access-keys create --secret-file ak.secret\n"
               "  envelope kms serve --listen 127.0.0.1:4443 &\n"
               "  AWS_CA_BUNDLE=~/.local/share/envelope/tls-cert.pem aws kms list-keys \\\n"
               "      --endpoint-url https://127.0.0.1:4443 --region us-east-1"));
  out.push_back({serve, [globals, serve_options] { return Serve(*globals, *serve_options); }});

  CLI::App* keys =
      kms->add_subcommand("access-keys", "access keys that sign requests to the server");
  keys->require_subcommand(1);

  auto secret_file = std::make_shared<std::string>();
  auto secret_fd = std::make_shared<int>(-1);
  CLI::App* create = keys->add_subcommand(
      "create", "make an access key; prints its id, writes its secret (shown this once)");
  create->add_option("--secret-file", *secret_file, "create FILE (mode 0600) with the secret")
      ->type_name("FILE");
  create->add_option("--secret-fd", *secret_fd, "write the secret to open descriptor N")
      ->type_name("N");
  auto user = std::make_shared<std::string>();
  create->add_option("--user", *user, "the key belongs to this user (default: the account's root)")
      ->type_name("NAME");
  out.push_back(
      {create, WithKms(globals, [secret_file, secret_fd, user](kms::Kms& k) -> Result<void> {
         if (secret_file->empty() == (*secret_fd < 0)) {
           return MakeError(ErrorCode::invalid_argument,
                            "give one of --secret-file or --secret-fd (the secret is "
                            "never printed)");
         }
         auto destination = SecretDestination::Open(*secret_file, *secret_fd);
         ENVELOPE_RETURN_IF_ERROR(destination);
         auto key = k.CreateAccessKey(*user);
         ENVELOPE_RETURN_IF_ERROR(key);
         if (auto ok = destination->Write(key->secret_access_key); !ok) {
           (void)k.DeleteAccessKey(key->info.access_key_id);  // an unusable key is no key
           return ok;
         }
         std::printf("%s\n", key->info.access_key_id.c_str());
         return {};
       })});

  auto as_json = std::make_shared<bool>(false);
  CLI::App* list = keys->add_subcommand("list", "list access keys (never their secrets)");
  list->add_flag("--json", *as_json, "JSON output");
  out.push_back({list, WithKms(globals, [as_json](kms::Kms& k) -> Result<void> {
                   auto keys_listed = k.ListAccessKeys();
                   ENVELOPE_RETURN_IF_ERROR(keys_listed);
                   nlohmann::json rows = nlohmann::json::array();
                   for (const auto& key : *keys_listed) {
                     if (*as_json) {
                       rows.push_back({{"AccessKeyId", key.access_key_id},
                                       {"Status", key.active ? "Active" : "Inactive"},
                                       {"CreateDate", FormatTime(key.creation_date)},
                                       {"UserName", key.user_name}});
                     } else {
                       std::printf("%s  %-8s  %s  %s\n", key.access_key_id.c_str(),
                                   key.active ? "Active" : "Inactive",
                                   FormatTime(key.creation_date).c_str(),
                                   key.user_name.empty() ? "(root)" : key.user_name.c_str());
                     }
                   }
                   if (*as_json) PrintJson({{"AccessKeys", rows}});
                   return {};
                 })});

  struct Change {
    const char* name;
    const char* help;
    int action;  // 0 disable, 1 enable, 2 delete
  };
  for (const Change& c : {Change{"disable", "refuse requests signed with ID", 0},
                          Change{"enable", "accept requests signed with ID again", 1},
                          Change{"delete", "remove ID for good", 2}}) {
    auto id = std::make_shared<std::string>();
    CLI::App* sub = keys->add_subcommand(c.name, c.help);
    sub->add_option("ID", *id, "access key id")->required();
    const int action = c.action;
    out.push_back({sub, WithKms(globals, [id, action](kms::Kms& k) -> Result<void> {
                     return action == 2 ? k.DeleteAccessKey(*id)
                                        : k.SetAccessKeyActive(*id, action == 1);
                   })});
  }
}

}  // namespace envelope::cli
