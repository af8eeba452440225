#include "commands/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <limits>
#include <utility>

#include "envelope/io.hpp"

namespace envelope::cli {
namespace fs = std::filesystem;
namespace {

std::string Quoted(const std::string& s) { return "\"" + s + "\""; }

tl::unexpected<Error> Invalid(std::string message) {
  return MakeError(ErrorCode::invalid_argument, std::move(message));
}

std::string OutputName(const std::string& input, bool encrypt, const std::string& suffix) {
  if (encrypt) return input + suffix;
  if (!suffix.empty() && input.size() > suffix.size() && input.ends_with(suffix)) {
    return input.substr(0, input.size() - suffix.size());
  }
  return input + ".decrypted";
}

bool IsTemporary(const std::string& name) {
  return name.starts_with(".") && name.find(".envelope-") != std::string::npos;
}

}  // namespace

Result<InputFile> InputFile::Open(const std::string& path) {
  int fd = STDIN_FILENO;
  if (path != "-") {
    fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      return MakeError(ErrorCode::io, "cannot open " + Quoted(path) + ": " + std::strerror(errno));
    }
  }
  InputFile file(fd, path);
  struct stat st;
  if (fstat(fd, &st) == 0) {
    if (S_ISDIR(st.st_mode)) return Invalid("input " + Quoted(path) + " is a folder");
    if (S_ISREG(st.st_mode)) {
      file.size_ = static_cast<uint64_t>(st.st_size);
      file.mode_ = st.st_mode & 0777;  // never setuid, setgid or sticky
    }
  }
  return file;
}

Result<uint64_t> InputFile::Position() const {
  const off_t at = lseek(fd_, 0, SEEK_CUR);
  if (at < 0) {
    return MakeError(ErrorCode::io,
                     "cannot tell the position in " + Quoted(path_) + ": " + std::strerror(errno));
  }
  return static_cast<uint64_t>(at);
}

Result<void> InputFile::SeekTo(uint64_t offset) {
  if (offset > static_cast<uint64_t>(std::numeric_limits<off_t>::max())) {
    return MakeError(ErrorCode::io, "cannot seek in " + Quoted(path_) + ": offset too large");
  }
  if (lseek(fd_, static_cast<off_t>(offset), SEEK_SET) < 0) {
    return MakeError(ErrorCode::io,
                     "cannot seek in " + Quoted(path_) + ": " + std::strerror(errno));
  }
  return {};
}

InputFile::InputFile(InputFile&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      path_(std::move(other.path_)),
      size_(other.size_),
      mode_(other.mode_) {}

InputFile::~InputFile() {
  if (fd_ > STDIN_FILENO) close(fd_);
}

Result<size_t> InputFile::Read(std::span<uint8_t> out) {
  // Fill as much of `out` as the source gives before returning, so pipes
  // (64 KiB at a time) still feed the encryptor large pieces.
  return ReadFd(fd_, out, path_ == "-" ? "standard input" : Quoted(path_));
}

Result<std::vector<Job>> PlanJobs(const std::vector<std::string>& given, const std::string& output,
                                  bool encrypt, bool recursive, const std::string& suffix) {
  std::vector<std::string> inputs = given.empty() ? std::vector<std::string>{"-"} : given;
  if (suffix.empty() || suffix.find('/') != std::string::npos) {
    return Invalid("--suffix must be non-empty and hold no \"/\"");
  }
  std::error_code ec;
  bool any_folder = false;
  for (const auto& in : inputs) {
    if (in != "-" && fs::is_directory(in, ec)) any_folder = true;
  }
  const bool single = inputs.size() == 1 && !any_folder;
  if (inputs.size() > 1 && std::find(inputs.begin(), inputs.end(), "-") != inputs.end()) {
    return Invalid("standard input (\"-\") cannot be combined with other inputs");
  }
  const bool out_is_folder = !output.empty() && output != "-" && fs::is_directory(output, ec);
  if (!single && !output.empty() && !out_is_folder) {
    return Invalid("with several inputs or a folder, -o must name an existing folder");
  }

  std::vector<Job> jobs;
  for (const auto& in : inputs) {
    if (in == "-") {
      jobs.push_back({"-", output.empty() ? "-" : output});
      continue;
    }
    if (!fs::is_directory(in, ec)) {
      std::string out;
      if (single && !output.empty() && !out_is_folder) {
        out = output;
      } else if (out_is_folder) {
        out = (fs::path(output) / OutputName(fs::path(in).filename().string(), encrypt, suffix))
                  .string();
      } else {
        out = OutputName(in, encrypt, suffix);
      }
      jobs.push_back({in, out});
      continue;
    }
    if (!recursive) {
      return Invalid("input " + Quoted(in) + " is a folder (pass --recursive to walk it)");
    }
    std::vector<fs::path> files;
    for (auto it = fs::recursive_directory_iterator(in, ec); !ec && it != fs::end(it);
         it.increment(ec)) {
      if (!it->is_regular_file(ec)) continue;
      const std::string name = it->path().filename().string();
      if (IsTemporary(name)) continue;
      // Encrypting skips what is already encrypted; decrypting takes only it.
      if (name.ends_with(suffix) == encrypt) continue;
      files.push_back(it->path());
    }
    if (ec) return MakeError(ErrorCode::io, "cannot list " + Quoted(in) + ": " + ec.message());
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      if (out_is_folder) {
        const fs::path rel = fs::relative(f, in);
        const fs::path out = fs::path(output) / rel.parent_path() /
                             OutputName(rel.filename().string(), encrypt, suffix);
        jobs.push_back({f.string(), out.string(), true});
      } else {
        jobs.push_back({f.string(), OutputName(f.string(), encrypt, suffix)});
      }
    }
  }
  return jobs;
}

}  // namespace envelope::cli
