#include "aws/credential_process.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "envelope/io.hpp"
#include "envelope/secret.hpp"

extern char** environ;

namespace envelope::aws {
namespace {

constexpr size_t kMaxOutput = 64 * 1024;

tl::unexpected<Error> Invalid(std::string message) {
  return MakeError(ErrorCode::invalid_argument, "credential_process: " + std::move(message));
}

void Wipe(std::string& s) { SecureZero({reinterpret_cast<uint8_t*>(s.data()), s.size()}); }

// Fd closes a descriptor it owns.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) close(fd);
  }
};

}  // namespace

Result<std::vector<std::string>> SplitCommandLine(std::string_view command) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  char quote = 0;
  for (size_t i = 0; i < command.size(); ++i) {
    const char c = command[i];
    if (quote == '\'') {
      if (c == '\'')
        quote = 0;
      else
        word += c;
    } else if (quote == '"') {
      if (c == '"') {
        quote = 0;
      } else if (c == '\\' && i + 1 < command.size() &&
                 std::strchr("\"\\$`", command[i + 1]) != nullptr) {
        word += command[++i];
      } else {
        word += c;
      }
    } else if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
    } else if (c == '\\' && i + 1 < command.size()) {
      word += command[++i];
      in_word = true;
    } else if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (quote != 0) return Invalid("the command has an unterminated quote");
  if (in_word) words.push_back(std::move(word));
  if (words.empty()) return Invalid("the command is empty");
  return words;
}

Result<ProcessCredentials> ParseProcessOutput(std::string_view output) {
  nlohmann::json j = nlohmann::json::parse(output, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Invalid("the output is not a JSON object");
  struct Wiper {
    nlohmann::json& j;
    ~Wiper() {
      if (j.is_object() && j.contains("SecretAccessKey") && j["SecretAccessKey"].is_string()) {
        Wipe(j["SecretAccessKey"].get_ref<std::string&>());
      }
    }
  } wiper{j};
  auto version = j.find("Version");
  if (version == j.end() || !version->is_number_integer() || version->get<int64_t>() != 1) {
    return Invalid("the output must have \"Version\": 1");
  }
  auto id = j.find("AccessKeyId");
  auto secret = j.find("SecretAccessKey");
  if (id == j.end() || !id->is_string() || secret == j.end() || !secret->is_string() ||
      secret->get_ref<const std::string&>().empty()) {
    return Invalid("the output must have AccessKeyId and SecretAccessKey strings");
  }
  ProcessCredentials out;
  out.credentials.access_key_id = id->get<std::string>();
  if (!IsAccessKeyId(out.credentials.access_key_id)) return Invalid("the AccessKeyId is malformed");
  const std::string& s = secret->get_ref<const std::string&>();
  auto copy = SecretBytes::CopyFrom({reinterpret_cast<const uint8_t*>(s.data()), s.size()});
  ENVELOPE_RETURN_IF_ERROR(copy);
  out.credentials.secret_access_key = std::move(*copy);
  if (auto token = j.find("SessionToken"); token != j.end() && !token->is_null()) {
    if (!token->is_string()) return Invalid("SessionToken must be a string");
    out.credentials.session_token = token->get<std::string>();
  }
  if (auto exp = j.find("Expiration"); exp != j.end() && !exp->is_null()) {
    if (!exp->is_string()) return Invalid("Expiration must be a string");
    auto t = ParseIso8601(exp->get_ref<const std::string&>());
    if (!t) return Invalid("Expiration is not YYYY-MM-DDTHH:MM:SSZ");
    out.expiration = *t;
  }
  return out;
}

Result<ProcessCredentials> RunCredentialProcess(std::string_view command) {
  auto words = SplitCommandLine(command);
  ENVELOPE_RETURN_IF_ERROR(words);
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
    return MakeError(ErrorCode::io, std::string("credential_process: pipe: ") + strerror(errno));
  }
  Fd read_end{pipe_fds[0]};
  Fd write_end{pipe_fds[1]};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, write_end.fd, STDOUT_FILENO);
  std::vector<char*> argv;
  for (std::string& w : *words) argv.push_back(w.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int spawned = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) {
    return MakeError(ErrorCode::io,
                     "credential_process: cannot run '" + (*words)[0] + "': " + strerror(spawned));
  }
  close(write_end.fd);
  write_end.fd = -1;
  auto output = ReadSecretFd(read_end.fd, kMaxOutput);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!output) return tl::unexpected(output.error().WithContext("credential_process"));
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return MakeError(ErrorCode::io,
                     "credential_process: '" + (*words)[0] + "' failed (" +
                         (WIFEXITED(status) ? "exit status " + std::to_string(WEXITSTATUS(status))
                                            : std::string("killed by a signal")) +
                         ")");
  }
  auto parsed = ParseProcessOutput({reinterpret_cast<const char*>(output->data()), output->size()});
  ENVELOPE_RETURN_IF_ERROR(parsed);
  if (parsed->expiration &&
      *parsed->expiration <=
          std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now())) {
    return Invalid("the credentials it returned have expired");
  }
  return parsed;
}

}  // namespace envelope::aws
