// Rewrap's two forms (rewrap.h): a file rewritten atomically, and a source
// copied to a sink.
#include "message/rewrap.h"

#include <algorithm>

#include "message/frame.h"
#include "message/rewrap_file.h"
#include "message/wire.h"

namespace envelope::message {
namespace {

tl::unexpected<Error> Bad(std::string what) {
  return MakeError(ErrorCode::invalid_argument, "rewrap: " + std::move(what));
}

// CheckUnsigned checks the body's size against the frame length and reads
// the final frame header: O(1), so truncation and extension are caught
// without reading the body. Returns the body size.
Result<uint64_t> CheckUnsigned(const InputFile& in, const Header& h, uint64_t start) {
  FrameLayout layout;
  if (in.size() < start || !ComputeFrameLayout(in.size() - start, h.frame_length, &layout)) {
    return Bad("the body is not a whole number of frames: the message was truncated or extended");
  }
  uint8_t head[kFinalFrameHeaderSize];
  const uint64_t at =
      start + layout.regular_frames * (uint64_t{h.frame_length} + kRegularFrameOverhead);
  ENVELOPE_RETURN_IF_ERROR(in.ReadAt(at, head));
  auto parsed = ParseFrameHeader(head, h.frame_length);
  if (!parsed || !*parsed || !(*parsed)->final || (*parsed)->seq != layout.regular_frames + 1 ||
      (*parsed)->content_length != layout.final_content) {
    return Bad("the final frame header is damaged: the message was truncated or altered");
  }
  return in.size() - start;
}

// FileSourceAt reads `in` sequentially from `offset`.
class FileSourceAt final : public Source {
 public:
  FileSourceAt(const InputFile& in, uint64_t offset) : source_(in.fd()), offset_(offset) {}
  Result<size_t> Read(std::span<uint8_t> out) override {
    ENVELOPE_ASSIGN_OR_RETURN(const size_t n, source_.ReadAt(offset_, out));
    offset_ += n;
    return n;
  }

 private:
  FdPositionedSource source_;
  uint64_t offset_;
};

}  // namespace

Result<RewrapResult> RewrapMessageFile(const std::string& input_path,
                                       const std::string& output_path,
                                       const CryptoMaterialsManager& cmm,
                                       const RewrapOptions& options, const EdkMaker& make_edks) {
  ENVELOPE_ASSIGN_OR_RETURN(const InputFile in, InputFile::Open(input_path));
  if (!SameFile(output_path, in) && Exists(output_path) && !options.overwrite) {
    return Bad("the output " + output_path + " exists; hint: set overwrite to replace it");
  }
  std::vector<uint8_t> head(std::min<uint64_t>(in.size(), options.limits.max_header_bytes));
  ENVELOPE_RETURN_IF_ERROR(in.ReadAt(0, head));
  ENVELOPE_ASSIGN_OR_RETURN(auto plan, AuthenticateForRewrap(head, cmm, options));
  // Unsigned: the layout is checked before any EDK is made (a KMS call).
  uint64_t body_bytes = 0;
  if (!plan.is_signed()) {
    ENVELOPE_ASSIGN_OR_RETURN(body_bytes, CheckUnsigned(in, plan.old_header, plan.old_header_size));
  }
  ENVELOPE_RETURN_IF_ERROR(NewRewrapHeader(plan, head, options, make_edks));

  // The input's permission bits, no special ones; in place (or with
  // overwrite) the file at output_path is replaced, else it must not appear.
  ENVELOPE_ASSIGN_OR_RETURN(
      auto out,
      AtomicFile::Create(output_path, {.replace = options.overwrite || SameFile(output_path, in),
                                       .mode = in.stat().st_mode & 0777,
                                       .apply_umask = false}));
  ENVELOPE_RETURN_IF_ERROR(out.Write(plan.header_bytes));
  if (!plan.is_signed()) {
    ENVELOPE_RETURN_IF_ERROR(CopyRange(in, plan.old_header_size, body_bytes, out));
  } else {
    FileSourceAt source(in, plan.old_header_size);
    BodyReader reader(source, {});
    ENVELOPE_ASSIGN_OR_RETURN(body_bytes, CopyBody(reader, out, plan));
  }
  ENVELOPE_RETURN_IF_ERROR(out.Commit());
  return RewrapResultOf(plan, body_bytes);
}

Result<RewrapResult> RewrapMessageStream(Source& input, Sink& output,
                                         const CryptoMaterialsManager& cmm,
                                         const RewrapOptions& options, const EdkMaker& make_edks) {
  // The header is at most max_header_bytes: read that much (or the whole
  // message, if shorter); what follows the header is the body's start.
  std::vector<uint8_t> head(options.limits.max_header_bytes);
  size_t have = 0;
  while (have < head.size()) {
    auto n = input.Read(std::span(head).subspan(have));
    if (!n) return tl::unexpected(n.error().WithContext("rewrap"));
    if (*n == 0) break;
    have += *n;
  }
  head.resize(have);
  ENVELOPE_ASSIGN_OR_RETURN(auto plan, AuthenticateForRewrap(head, cmm, options));
  ENVELOPE_RETURN_IF_ERROR(NewRewrapHeader(plan, head, options, make_edks));
  ENVELOPE_RETURN_IF_ERROR(output.Write(plan.header_bytes));
  BodyReader reader(input, std::span(head).subspan(plan.old_header_size));
  ENVELOPE_ASSIGN_OR_RETURN(const uint64_t body_bytes, CopyBody(reader, output, plan));
  return RewrapResultOf(plan, body_bytes);
}

}  // namespace envelope::message
