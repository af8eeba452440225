// fuzz target policy: the IAM policy parser and evaluator (lib/policy).
//
// Input: one byte (bit 0: identity policy instead of a key policy; bits 1-3:
// which of the fixed requests below to evaluate first), then the policy text.
// Properties:
//  - ParsePolicy never crashes and takes bounded time on deep or wide
//    documents (libFuzzer's -timeout watches);
//  - a document that fails to parse is refused with invalid_argument and
//    MalformedPolicyDocumentException, so it can never be evaluated (and
//    never allow);
//  - Evaluate is deterministic, says allow only when an Allow statement
//    exists and explicit deny only when a Deny statement exists;
//  - a Deny of everything added to any parsed document denies every request;
//    with its Deny statements removed a document never denies explicitly;
//  - parsing is deterministic (the same text gives the same statements).
#include "policy/policy.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_util.h"

namespace {

using namespace envelope::policy;

std::vector<RequestContext> Requests() {
  std::vector<RequestContext> out;
  const struct {
    const char* user;
    const char* account;
    const char* action;
  } callers[] = {{"", "111122223333", "kms:Encrypt"},
                 {"alice", "111122223333", "kms:Decrypt"},
                 {"carol", "444455556666", "kms:GenerateDataKey"},
                 {"b*b", "111122223333", "kms:PutKeyPolicy"}};
  int i = 0;
  for (const auto& c : callers) {
    RequestContext r;
    r.caller.account = c.account;
    r.caller.user_name = c.user;
    r.caller.arn =
        *c.user ? "arn:aws:iam::" + std::string(c.account) + ":user/" + c.user : RootArn(c.account);
    r.action = c.action;
    r.resource = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    AddCallerKeys(r);
    if (i % 2 == 0) AddEncryptionContext(r, {{"dept", "A"}, {"prefix", "alice/x"}});
    if (i != 3) {
      r.Set("aws:SecureTransport", {i == 1 ? "false" : "true"});
      r.Set("aws:SourceIp", {i == 2 ? "2001:db8::1" : "127.0.0.1"});
      r.Set("aws:CurrentTime", {"2026-12-05T16:50:00Z"});
      r.Set("kms:RequestAlias", {"alias/app"});
    }
    out.push_back(std::move(r));
    ++i;
  }
  return out;
}

bool HasEffect(const Document& doc, bool allow) {
  for (const Statement& s : doc.statements) {
    if (s.allow == allow) return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  envelope::fuzz::FuzzInput in(data, size);
  const uint8_t mode = in.U8();
  const PolicyKind kind = (mode & 1) != 0 ? PolicyKind::identity : PolicyKind::resource;
  const auto rest = in.Rest();
  const std::string_view text(reinterpret_cast<const char*>(rest.data()), rest.size());

  auto doc = ParsePolicy(text, kind);
  if (!doc) {
    FUZZ_CHECK(doc.error().code() == envelope::ErrorCode::invalid_argument);
    FUZZ_CHECK(doc.error().message().starts_with("MalformedPolicyDocumentException: "));
    return 0;
  }
  auto again = ParsePolicy(text, kind);
  FUZZ_CHECK(again.has_value() && again->statements.size() == doc->statements.size());

  static const std::vector<RequestContext> requests = Requests();
  const size_t first = (mode >> 1) % requests.size();
  Document deny_all = *doc;
  Statement everything;
  everything.allow = false;
  everything.has_principal = kind == PolicyKind::resource;
  everything.principals = {"*"};
  everything.actions = {"*"};
  everything.resources = {"*"};
  deny_all.statements.push_back(everything);
  Document allows_only = *doc;
  std::erase_if(allows_only.statements, [](const Statement& s) { return !s.allow; });

  for (size_t n = 0; n < requests.size(); ++n) {
    const RequestContext& r = requests[(first + n) % requests.size()];
    const Decision d = Evaluate(*doc, kind, r);
    FUZZ_CHECK(Evaluate(*doc, kind, r) == d);
    if (d == Decision::allow) FUZZ_CHECK(HasEffect(*doc, true));
    if (d == Decision::explicit_deny) FUZZ_CHECK(HasEffect(*doc, false));
    FUZZ_CHECK(Evaluate(deny_all, kind, r) == Decision::explicit_deny);
    FUZZ_CHECK(Evaluate(allows_only, kind, r) != Decision::explicit_deny);
  }
  return 0;
}
