// The policy-evaluation table: each row is a policy, a request and the
// decision AWS's evaluation logic gives. Rows cover every condition
// operator with and without ...IfExists and the ForAnyValue:/ForAllValues:
// prefixes, policy variables, explicit deny over allow, NotAction,
// NotPrincipal, NotResource, wildcards, cross-account principals and the
// encryption-context keys, and the shapes of the policies in the study
// notes translated to kms: actions and context keys.
#include <doctest/doctest.h>

#include <string>
#include <utility>
#include <vector>

#include "policy/policy.h"

namespace {

using envelope::policy::Decision;
using envelope::policy::PolicyKind;
using Pairs = std::vector<std::pair<std::string, std::string>>;
using Keys = std::vector<std::pair<std::string, std::vector<std::string>>>;

constexpr char kAccount[] = "111122223333";
constexpr char kOther[] = "444455556666";
constexpr char kKeyArn[] =
    "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
constexpr char kRootPrincipal[] = R"({"AWS": "arn:aws:iam::111122223333:root"})";

// Req is one request of the table. An empty user is the account's root.
struct Req {
  std::string user;
  std::string account = kAccount;
  std::string action = "kms:Encrypt";
  Pairs context;
  Keys keys;
  std::string resource = kKeyArn;
};

struct Case {
  std::string name;
  std::string policy;
  Req req;
  Decision expect;
  PolicyKind kind = PolicyKind::resource;
};

// Stmt builds one statement; `extra` is appended inside it (a Condition).
std::string Stmt(const std::string& effect, const std::string& action,
                 const std::string& extra = "", const std::string& principal = kRootPrincipal,
                 const std::string& resource = "\"*\"") {
  std::string s = R"({"Effect": ")" + effect + R"(", "Principal": )" + principal +
                  R"(, "Action": )" + action + R"(, "Resource": )" + resource;
  if (!extra.empty()) s += ", " + extra;
  return s + "}";
}

std::string Doc(const std::vector<std::string>& statements) {
  std::string s = R"({"Version": "2012-10-17", "Statement": [)";
  for (size_t i = 0; i < statements.size(); ++i) s += (i ? ", " : "") + statements[i];
  return s + "]}";
}

// Cond is a one-statement Allow of kms:* for the account with `condition`.
std::string Cond(const std::string& condition) {
  return Doc({Stmt("Allow", "\"kms:*\"", R"("Condition": )" + condition)});
}
// DenyCond is an Allow of kms:* plus a Deny of kms:* under `condition`.
std::string DenyCond(const std::string& condition) {
  return Doc({Stmt("Allow", "\"kms:*\""),
              Stmt("Deny", "\"kms:*\"", R"("Condition": )" + condition, "\"*\"")});
}

Req Ctx(Pairs context) {
  Req r;
  r.context = std::move(context);
  return r;
}
Req KeyReq(std::string key, std::vector<std::string> values) {
  Req r;
  r.keys = {{std::move(key), std::move(values)}};
  return r;
}
Req User(std::string user, std::string account = kAccount) {
  Req r;
  r.user = std::move(user);
  r.account = std::move(account);
  return r;
}
Req Action(std::string action) {
  Req r;
  r.action = std::move(action);
  return r;
}

constexpr Decision A = Decision::allow;
constexpr Decision D = Decision::implicit_deny;
constexpr Decision X = Decision::explicit_deny;

std::vector<Case> Table() {
  const std::string default_policy = Doc({Stmt("Allow", "\"kms:*\"")});
  const std::string alice = R"({"AWS": "arn:aws:iam::111122223333:user/alice"})";
  std::vector<Case> t = {
      // Principals, including cross-account.
      {"default policy allows the root", default_policy, Req{}, A},
      {"default policy names the account, so its users match", default_policy, User("alice"), A},
      {"default policy: another account's user does not match", default_policy,
       User("carol", kOther), D},
      {"principal * matches another account", Doc({Stmt("Allow", "\"kms:*\"", "", "\"*\"")}),
       User("carol", kOther), A},
      {"user principal matches that user", Doc({Stmt("Allow", "\"kms:*\"", "", alice)}),
       User("alice"), A},
      {"user principal does not match another user", Doc({Stmt("Allow", "\"kms:*\"", "", alice)}),
       User("bob"), D},
      {"user principal does not match the root", Doc({Stmt("Allow", "\"kms:*\"", "", alice)}),
       Req{}, D},
      {"bare account id is the account's root",
       Doc({Stmt("Allow", "\"kms:*\"", "", R"({"AWS": "444455556666"})")}), User("carol", kOther),
       A},
      {"cross-account principal list",
       Doc({Stmt(
           "Allow", "\"kms:Decrypt\"", "",
           R"({"AWS": ["arn:aws:iam::999988887777:root", "arn:aws:iam::444455556666:user/carol"]})")}),
       [] {
         Req r = User("carol", kOther);
         r.action = "kms:Decrypt";
         return r;
       }(),
       A},
      {"cross-account list: other user of that account",
       Doc({Stmt("Allow", "\"kms:Decrypt\"", "",
                 R"({"AWS": ["arn:aws:iam::444455556666:user/carol"]})")}),
       [] {
         Req r = User("dave", kOther);
         r.action = "kms:Decrypt";
         return r;
       }(),
       D},
      {"NotPrincipal deny spares the named user",
       Doc({Stmt("Allow", "\"kms:*\"", "", "\"*\""),
            R"({"Effect": "Deny", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:user/alice"}, "Action": "kms:*", "Resource": "*"})"}),
       User("alice"), A},
      {"NotPrincipal deny hits everyone else",
       Doc({Stmt("Allow", "\"kms:*\"", "", "\"*\""),
            R"({"Effect": "Deny", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:user/alice"}, "Action": "kms:*", "Resource": "*"})"}),
       User("bob"), X},
      // Actions.
      {"action names another operation", Doc({Stmt("Allow", "\"kms:Encrypt\"")}),
       Action("kms:Decrypt"), D},
      {"action wildcard kms:*", Doc({Stmt("Allow", "\"kms:*\"")}),
       Action("kms:ScheduleKeyDeletion"), A},
      {"action prefix wildcard matches", Doc({Stmt("Allow", "\"kms:GenerateDataKey*\"")}),
       Action("kms:GenerateDataKeyWithoutPlaintext"), A},
      {"action prefix wildcard misses", Doc({Stmt("Allow", "\"kms:GenerateDataKey*\"")}),
       Action("kms:Encrypt"), D},
      {"action ? wildcard", Doc({Stmt("Allow", "\"kms:?ncrypt\"")}), Action("kms:Encrypt"), A},
      {"action ? wildcard is one character", Doc({Stmt("Allow", "\"kms:?ncrypt\"")}),
       Action("kms:Decrypt"), D},
      {"actions are case-insensitive", Doc({Stmt("Allow", "\"KMS:encrypt\"")}),
       Action("kms:Encrypt"), A},
      {"action list", Doc({Stmt("Allow", R"(["kms:Encrypt", "kms:Decrypt"])")}),
       Action("kms:Decrypt"), A},
      {"action of another service", Doc({Stmt("Allow", "\"s3:*\"")}), Action("kms:Encrypt"), D},
      {"action *", Doc({Stmt("Allow", "\"*\"")}), Action("kms:PutKeyPolicy"), A},
      {"NotAction allows the rest",
       Doc({R"({"Effect": "Allow", "Principal": "*", "NotAction": "kms:ScheduleKeyDeletion", "Resource": "*"})"}),
       Action("kms:Encrypt"), A},
      {"NotAction leaves its action out",
       Doc({R"({"Effect": "Allow", "Principal": "*", "NotAction": "kms:ScheduleKeyDeletion", "Resource": "*"})"}),
       Action("kms:ScheduleKeyDeletion"), D},
      {"NotAction deny with wildcard",
       Doc({Stmt("Allow", "\"kms:*\""),
            R"({"Effect": "Deny", "Principal": "*", "NotAction": ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*"], "Resource": "*"})"}),
       Action("kms:DisableKey"), X},
      // Resources.
      {"resource is the key ARN",
       Doc({Stmt("Allow", "\"kms:*\"", "", kRootPrincipal, std::string("\"") + kKeyArn + "\"")}),
       Req{}, A},
      {"resource names another key",
       Doc({Stmt("Allow", "\"kms:*\"", "", kRootPrincipal,
                 "\"arn:aws:kms:us-east-1:111122223333:key/other\"")}),
       Req{}, D},
      {"resource wildcard by region and key",
       Doc({Stmt("Allow", "\"kms:*\"", "", kRootPrincipal,
                 "\"arn:aws:kms:*:111122223333:key/*\"")}),
       Req{}, A},
      {"resource wildcard of another account",
       Doc({Stmt("Allow", "\"kms:*\"", "", kRootPrincipal,
                 "\"arn:aws:kms:*:444455556666:key/*\"")}),
       Req{}, D},
      {"NotResource",
       Doc({R"({"Effect": "Allow", "Principal": "*", "Action": "kms:*", "NotResource": "arn:aws:kms:*:*:key/other"})"}),
       Req{}, A},
      // Explicit deny wins over allow, wherever it stands.
      {"deny after allow wins", Doc({Stmt("Allow", "\"kms:*\""), Stmt("Deny", "\"kms:Decrypt\"")}),
       Action("kms:Decrypt"), X},
      {"deny before allow wins", Doc({Stmt("Deny", "\"kms:Decrypt\""), Stmt("Allow", "\"kms:*\"")}),
       Action("kms:Decrypt"), X},
      {"deny of another action leaves the allow",
       Doc({Stmt("Allow", "\"kms:*\""), Stmt("Deny", "\"kms:Decrypt\"")}), Action("kms:Encrypt"),
       A},
      {"deny alone is still a deny", Doc({Stmt("Deny", "\"kms:*\"")}), Req{}, X},
      {"nothing matches: implicit deny", Doc({Stmt("Allow", "\"kms:Decrypt\"")}), Req{}, D},
      // String operators on the encryption context.
      {"StringEquals context matches",
       Cond(R"({"StringEquals": {"kms:EncryptionContext:dept": "A"}})"), Ctx({{"dept", "A"}}), A},
      {"StringEquals context differs",
       Cond(R"({"StringEquals": {"kms:EncryptionContext:dept": "A"}})"), Ctx({{"dept", "B"}}), D},
      {"StringEquals context missing",
       Cond(R"({"StringEquals": {"kms:EncryptionContext:dept": "A"}})"), Req{}, D},
      {"StringEquals values are case-sensitive",
       Cond(R"({"StringEquals": {"kms:EncryptionContext:dept": "A"}})"), Ctx({{"dept", "a"}}), D},
      {"condition key names are case-insensitive",
       Cond(R"({"StringEquals": {"KMS:encryptionContext:Dept": "A"}})"), Ctx({{"dept", "A"}}), A},
      {"StringEquals values are ORed",
       Cond(R"({"StringEquals": {"kms:EncryptionContext:dept": ["A", "B"]}})"),
       Ctx({{"dept", "B"}}), A},
      {"keys of one operator are ANDed",
       Cond(
           R"({"StringEquals": {"kms:EncryptionContext:dept": "A", "kms:EncryptionContext:team": "x"}})"),
       Ctx({{"dept", "A"}}), D},
      {"operators are ANDed",
       Cond(
           R"({"StringEquals": {"kms:EncryptionContext:dept": "A"}, "StringLike": {"kms:EncryptionContext:team": "x*"}})"),
       Ctx({{"dept", "A"}, {"team", "xy"}}), A},
      {"StringEquals does not expand wildcards",
       Cond(R"({"StringEquals": {"kms:EncryptionContext:dept": "A*"}})"), Ctx({{"dept", "AB"}}), D},
      {"StringNotEquals deny: other value",
       DenyCond(R"({"StringNotEquals": {"kms:EncryptionContext:dept": "A"}})"),
       Ctx({{"dept", "B"}}), X},
      {"StringNotEquals deny: required value",
       DenyCond(R"({"StringNotEquals": {"kms:EncryptionContext:dept": "A"}})"),
       Ctx({{"dept", "A"}}), A},
      {"StringNotEquals deny: missing key is denied",
       DenyCond(R"({"StringNotEquals": {"kms:EncryptionContext:dept": "A"}})"), Req{}, X},
      {"StringEqualsIgnoreCase",
       Cond(R"({"StringEqualsIgnoreCase": {"kms:EncryptionContext:dept": "FINANCE"}})"),
       Ctx({{"dept", "Finance"}}), A},
      {"StringEqualsIgnoreCase differs",
       Cond(R"({"StringEqualsIgnoreCase": {"kms:EncryptionContext:dept": "FINANCE"}})"),
       Ctx({{"dept", "sales"}}), D},
      {"StringNotEqualsIgnoreCase",
       Cond(R"({"StringNotEqualsIgnoreCase": {"kms:EncryptionContext:dept": "FINANCE"}})"),
       Ctx({{"dept", "finance"}}), D},
      {"StringNotEqualsIgnoreCase other value",
       Cond(R"({"StringNotEqualsIgnoreCase": {"kms:EncryptionContext:dept": "FINANCE"}})"),
       Ctx({{"dept", "sales"}}), A},
      {"StringLike *", Cond(R"({"StringLike": {"kms:EncryptionContext:env": "prod-*"}})"),
       Ctx({{"env", "prod-eu"}}), A},
      {"StringLike * misses", Cond(R"({"StringLike": {"kms:EncryptionContext:env": "prod-*"}})"),
       Ctx({{"env", "dev-eu"}}), D},
      {"StringLike ?", Cond(R"({"StringLike": {"kms:EncryptionContext:env": "v?"}})"),
       Ctx({{"env", "v2"}}), A},
      {"StringLike ? is exactly one",
       Cond(R"({"StringLike": {"kms:EncryptionContext:env": "v?"}})"), Ctx({{"env", "v10"}}), D},
      {"StringNotLike", Cond(R"({"StringNotLike": {"kms:EncryptionContext:env": "prod-*"}})"),
       Ctx({{"env", "prod-eu"}}), D},
      {"StringNotLike other value",
       Cond(R"({"StringNotLike": {"kms:EncryptionContext:env": "prod-*"}})"), Ctx({{"env", "dev"}}),
       A},
      {"kms:RequestAlias", Cond(R"({"StringEquals": {"kms:RequestAlias": "alias/app"}})"),
       KeyReq("kms:RequestAlias", {"alias/app"}), A},
      {"kms:RequestAlias absent (called by key id)",
       Cond(R"({"StringEquals": {"kms:RequestAlias": "alias/app"}})"), Req{}, D},
      {"kms:CallerAccount of the caller",
       Doc({Stmt("Allow", "\"kms:*\"",
                 R"("Condition": {"StringEquals": {"kms:CallerAccount": "444455556666"}})",
                 "\"*\"")}),
       User("carol", kOther), A},
      {"kms:CallerAccount of another",
       Doc({Stmt("Allow", "\"kms:*\"",
                 R"("Condition": {"StringEquals": {"kms:CallerAccount": "444455556666"}})",
                 "\"*\"")}),
       User("alice"), D},
      // Policy variables.
      {"${aws:username} prefix: own folder",
       Cond(R"({"StringLike": {"kms:EncryptionContext:prefix": "${aws:username}/*"}})"),
       [] {
         Req r = User("alice");
         r.context = {{"prefix", "alice/reports"}};
         return r;
       }(),
       A},
      {"${aws:username} prefix: another's folder",
       Cond(R"({"StringLike": {"kms:EncryptionContext:prefix": "${aws:username}/*"}})"),
       [] {
         Req r = User("bob");
         r.context = {{"prefix", "alice/reports"}};
         return r;
       }(),
       D},
      {"${aws:username} is absent for the root",
       Cond(R"({"StringLike": {"kms:EncryptionContext:prefix": "${aws:username}/*"}})"),
       Ctx({{"prefix", "/x"}}), D},
      {"${key, 'default'} for an absent key",
       Cond(R"({"StringLike": {"kms:EncryptionContext:prefix": "${aws:username, 'shared'}/*"}})"),
       Ctx({{"prefix", "shared/x"}}), A},
      {"${*} is a literal star",
       Cond(R"({"StringLike": {"kms:EncryptionContext:name": "a${*}b"}})"), Ctx({{"name", "a*b"}}),
       A},
      {"${*} does not match anything",
       Cond(R"({"StringLike": {"kms:EncryptionContext:name": "a${*}b"}})"), Ctx({{"name", "axb"}}),
       D},
      {"substituted text is literal",
       Cond(
           R"({"StringLike": {"kms:EncryptionContext:path": "${kms:EncryptionContext:owner}/*"}})"),
       Ctx({{"owner", "a*"}, {"path", "abc/x"}}), D},
      {"substituted text matches itself",
       Cond(
           R"({"StringLike": {"kms:EncryptionContext:path": "${kms:EncryptionContext:owner}/*"}})"),
       Ctx({{"owner", "a*"}, {"path", "a*/x"}}), A},
      {"variable in Resource",
       Doc({Stmt("Allow", "\"kms:*\"", "", "\"*\"",
                 "\"arn:aws:kms:*:${kms:CallerAccount}:key/*\"")}),
       Req{}, A},
      {"variable in Resource for another account",
       Doc({Stmt("Allow", "\"kms:*\"", "", "\"*\"",
                 "\"arn:aws:kms:*:${kms:CallerAccount}:key/*\"")}),
       User("carol", kOther), D},
      // Bool (aws:SecureTransport: S3 refuses SSE-C over plain HTTP).
      {"Bool SecureTransport false is denied",
       DenyCond(R"({"Bool": {"aws:SecureTransport": "false"}})"),
       KeyReq("aws:SecureTransport", {"false"}), X},
      {"Bool SecureTransport true passes",
       DenyCond(R"({"Bool": {"aws:SecureTransport": "false"}})"),
       KeyReq("aws:SecureTransport", {"true"}), A},
      {"Bool with the key absent does not match",
       DenyCond(R"({"Bool": {"aws:SecureTransport": false}})"), Req{}, A},
      {"BoolIfExists allows when absent",
       Cond(R"({"BoolIfExists": {"aws:SecureTransport": "true"}})"), Req{}, A},
      {"BoolIfExists checks when present",
       Cond(R"({"BoolIfExists": {"aws:SecureTransport": "true"}})"),
       KeyReq("aws:SecureTransport", {"false"}), D},
      // Null (deny when a required value is missing).
      {"Null true denies a missing context key",
       DenyCond(R"({"Null": {"kms:EncryptionContext:dept": "true"}})"), Req{}, X},
      {"Null true passes a present key",
       DenyCond(R"({"Null": {"kms:EncryptionContext:dept": "true"}})"), Ctx({{"dept", "A"}}), A},
      {"Null false requires presence", Cond(R"({"Null": {"kms:EncryptionContextKeys": "false"}})"),
       Req{}, D},
      {"Null false with a context", Cond(R"({"Null": {"kms:EncryptionContextKeys": "false"}})"),
       Ctx({{"any", "x"}}), A},
      // Numeric.
      {"NumericEquals 10 = 10.0", Cond(R"({"NumericEquals": {"aws:MultiFactorAuthAge": "10"}})"),
       KeyReq("aws:MultiFactorAuthAge", {"10.0"}), A},
      {"NumericNotEquals", Cond(R"({"NumericNotEquals": {"aws:MultiFactorAuthAge": 10}})"),
       KeyReq("aws:MultiFactorAuthAge", {"10"}), D},
      {"NumericLessThan", Cond(R"({"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}})"),
       KeyReq("aws:MultiFactorAuthAge", {"120"}), A},
      {"NumericLessThan at the bound",
       Cond(R"({"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}})"),
       KeyReq("aws:MultiFactorAuthAge", {"3600"}), D},
      {"NumericLessThanEquals at the bound",
       Cond(R"({"NumericLessThanEquals": {"aws:MultiFactorAuthAge": "3600"}})"),
       KeyReq("aws:MultiFactorAuthAge", {"3600"}), A},
      {"NumericGreaterThan", Cond(R"({"NumericGreaterThan": {"aws:MultiFactorAuthAge": "-1.5"}})"),
       KeyReq("aws:MultiFactorAuthAge", {"-1"}), A},
      {"NumericGreaterThanEquals below",
       Cond(R"({"NumericGreaterThanEquals": {"aws:MultiFactorAuthAge": "5"}})"),
       KeyReq("aws:MultiFactorAuthAge", {"4.99"}), D},
      {"Numeric request value that is no number",
       Cond(R"({"NumericGreaterThanEquals": {"aws:MultiFactorAuthAge": "5"}})"),
       KeyReq("aws:MultiFactorAuthAge", {"lots"}), D},
      {"NumericLessThanIfExists absent",
       Cond(R"({"NumericLessThanIfExists": {"aws:MultiFactorAuthAge": "60"}})"), Req{}, A},
      {"NumericLessThanIfExists present and over",
       Cond(R"({"NumericLessThanIfExists": {"aws:MultiFactorAuthAge": "60"}})"),
       KeyReq("aws:MultiFactorAuthAge", {"61"}), D},
      // Dates (aws:CurrentTime).
      {"DateLessThan before the end",
       Cond(R"({"DateLessThan": {"aws:CurrentTime": "2027-01-01T00:00:00Z"}})"),
       KeyReq("aws:CurrentTime", {"2026-12-05T16:50:00Z"}), A},
      {"DateLessThan after the end",
       Cond(R"({"DateLessThan": {"aws:CurrentTime": "2026-01-01T00:00:00Z"}})"),
       KeyReq("aws:CurrentTime", {"2026-12-05T16:50:00Z"}), D},
      {"DateGreaterThan with an offset",
       Cond(R"({"DateGreaterThan": {"aws:CurrentTime": "2026-12-05T17:00:00+01:00"}})"),
       KeyReq("aws:CurrentTime", {"2026-12-05T16:50:00Z"}), A},
      {"DateGreaterThan in epoch seconds",
       Cond(R"({"DateGreaterThan": {"aws:CurrentTime": "1796493000"}})"),
       KeyReq("aws:CurrentTime", {"2026-12-05T16:50:00Z"}), D},
      {"DateEquals a date and its midnight",
       Cond(R"({"DateEquals": {"aws:CurrentTime": "2026-12-05"}})"),
       KeyReq("aws:CurrentTime", {"2026-12-05T00:00:00.000Z"}), A},
      {"DateNotEquals", Cond(R"({"DateNotEquals": {"aws:CurrentTime": "2026-12-05"}})"),
       KeyReq("aws:CurrentTime", {"2026-12-05T00:00:00Z"}), D},
      {"DateLessThanEquals at the bound",
       Cond(R"({"DateLessThanEquals": {"aws:CurrentTime": "2026-12-05T16:50:00Z"}})"),
       KeyReq("aws:CurrentTime", {"2026-12-05T16:50:00Z"}), A},
      {"DateGreaterThanEquals below",
       Cond(R"({"DateGreaterThanEquals": {"aws:CurrentTime": "2026-12-05T16:50:01Z"}})"),
       KeyReq("aws:CurrentTime", {"2026-12-05T16:50:00Z"}), D},
      {"DateLessThanIfExists absent",
       Cond(R"({"DateLessThanIfExists": {"aws:CurrentTime": "2000-01-01"}})"), Req{}, A},
      // IP addresses (aws:SourceIp).
      {"IpAddress in the block", Cond(R"({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})"),
       KeyReq("aws:SourceIp", {"10.1.2.3"}), A},
      {"IpAddress outside the block", Cond(R"({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})"),
       KeyReq("aws:SourceIp", {"192.168.1.1"}), D},
      {"IpAddress of several blocks",
       Cond(R"({"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "127.0.0.1"]}})"),
       KeyReq("aws:SourceIp", {"127.0.0.1"}), A},
      {"IpAddress IPv6 block", Cond(R"({"IpAddress": {"aws:SourceIp": "2001:db8::/32"}})"),
       KeyReq("aws:SourceIp", {"2001:db8:1::7"}), A},
      {"IpAddress IPv6 outside", Cond(R"({"IpAddress": {"aws:SourceIp": "2001:db8::/32"}})"),
       KeyReq("aws:SourceIp", {"2001:db9::1"}), D},
      {"IpAddress with no source address", Cond(R"({"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}})"),
       Req{}, D},
      {"NotIpAddress deny outside",
       DenyCond(R"({"NotIpAddress": {"aws:SourceIp": "127.0.0.0/8"}})"),
       KeyReq("aws:SourceIp", {"203.0.113.9"}), X},
      {"NotIpAddress deny inside passes",
       DenyCond(R"({"NotIpAddress": {"aws:SourceIp": "127.0.0.0/8"}})"),
       KeyReq("aws:SourceIp", {"127.0.0.1"}), A},
      {"NotIpAddressIfExists absent",
       DenyCond(R"({"NotIpAddressIfExists": {"aws:SourceIp": "127.0.0.0/8"}})"), Req{}, X},
      // ...IfExists on strings.
      {"StringEqualsIfExists absent",
       Cond(R"({"StringEqualsIfExists": {"kms:EncryptionContext:dept": "A"}})"), Req{}, A},
      {"StringEqualsIfExists present and different",
       Cond(R"({"StringEqualsIfExists": {"kms:EncryptionContext:dept": "A"}})"),
       Ctx({{"dept", "B"}}), D},
      {"StringLikeIfExists present and matching",
       Cond(R"({"StringLikeIfExists": {"kms:EncryptionContext:dept": "A*"}})"),
       Ctx({{"dept", "AB"}}), A},
      // Set operators on kms:EncryptionContextKeys.
      {"ForAllValues: every key allowed",
       Cond(R"({"ForAllValues:StringEquals": {"kms:EncryptionContextKeys": ["dept", "team"]}})"),
       Ctx({{"dept", "A"}}), A},
      {"ForAllValues: one key not allowed",
       Cond(R"({"ForAllValues:StringEquals": {"kms:EncryptionContextKeys": ["dept", "team"]}})"),
       Ctx({{"dept", "A"}, {"other", "x"}}), D},
      {"ForAllValues: an empty context passes",
       Cond(R"({"ForAllValues:StringEquals": {"kms:EncryptionContextKeys": ["dept", "team"]}})"),
       Req{}, A},
      {"ForAnyValue: one key present",
       Cond(R"({"ForAnyValue:StringEquals": {"kms:EncryptionContextKeys": "dept"}})"),
       Ctx({{"dept", "A"}, {"team", "x"}}), A},
      {"ForAnyValue: key not present",
       Cond(R"({"ForAnyValue:StringEquals": {"kms:EncryptionContextKeys": "dept"}})"),
       Ctx({{"team", "x"}}), D},
      {"ForAnyValue: an empty context fails",
       Cond(R"({"ForAnyValue:StringEquals": {"kms:EncryptionContextKeys": "dept"}})"), Req{}, D},
      {"ForAnyValue:StringLike",
       Cond(R"({"ForAnyValue:StringLike": {"kms:EncryptionContextKeys": "aws:*"}})"),
       Ctx({{"aws:s3:arn", "x"}}), A},
      {"ForAllValues:StringNotEquals refuses a key",
       Cond(R"({"ForAllValues:StringNotEquals": {"kms:EncryptionContextKeys": "secret"}})"),
       Ctx({{"secret", "x"}, {"dept", "A"}}), D},
      {"ForAllValues:StringNotEquals other keys",
       Cond(R"({"ForAllValues:StringNotEquals": {"kms:EncryptionContextKeys": "secret"}})"),
       Ctx({{"dept", "A"}}), A},
      {"ForAnyValue:StringNotEquals one other key",
       Cond(R"({"ForAnyValue:StringNotEquals": {"kms:EncryptionContextKeys": "dept"}})"),
       Ctx({{"dept", "A"}, {"team", "x"}}), A},
      {"ForAnyValue:StringEqualsIfExists absent",
       Cond(R"({"ForAnyValue:StringEqualsIfExists": {"kms:EncryptionContextKeys": "dept"}})"),
       Req{}, A},
      {"ForAllValues:StringLikeIfExists present",
       Cond(R"({"ForAllValues:StringLikeIfExists": {"kms:EncryptionContextKeys": "d*"}})"),
       Ctx({{"team", "x"}}), D},
      // ARN operators.
      {"ArnLike user path",
       Cond(R"({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111122223333:user/*"}})"),
       User("alice"), A},
      {"ArnLike: * does not cross a colon",
       Cond(R"({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*"}})"), User("alice"), D},
      {"ArnEquals exact",
       Cond(R"({"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::111122223333:root"}})"), Req{}, A},
      {"ArnNotLike",
       Cond(R"({"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::111122223333:user/*"}})"),
       User("alice"), D},
      {"ArnNotEquals",
       Cond(R"({"ArnNotEquals": {"aws:PrincipalArn": "arn:aws:iam::111122223333:user/bob"}})"),
       User("alice"), A},
      {"aws:username condition", Cond(R"({"StringEquals": {"aws:username": "alice"}})"),
       User("alice"), A},
      // Identity policies (no Principal).
      {"identity policy allows",
       R"({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "*"}})",
       User("carol", kOther), A, PolicyKind::identity},
      {"identity policy names another key",
       R"({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "kms:Encrypt", "Resource": "arn:aws:kms:*:*:key/other"}})",
       User("carol", kOther), D, PolicyKind::identity},
      {"identity policy deny",
       R"({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}, {"Effect": "Deny", "Action": "kms:Encrypt", "Resource": "*"}]})",
       User("carol", kOther), X, PolicyKind::identity},
  };

  // The study notes' S3 bucket policy, translated: deny kms:Encrypt when the
  // "encryption" context value is not "aws:kms" (StringNotEquals) and when
  // it is missing altogether (Null).
  const std::string sse = Doc(
      {Stmt("Allow", "\"kms:*\""),
       R"({"Sid": "DenyIncorrectEncryptionHeader", "Effect": "Deny", "Principal": "*", "Action": "kms:Encrypt", "Resource": "*", "Condition": {"StringNotEquals": {"kms:EncryptionContext:encryption": "aws:kms"}}})",
       R"({"Sid": "DenyUnencryptedObjectUploads", "Effect": "Deny", "Principal": "*", "Action": "kms:Encrypt", "Resource": "*", "Condition": {"Null": {"kms:EncryptionContext:encryption": "true"}}})"});
  t.push_back({"study notes: right encryption header", sse, Ctx({{"encryption", "aws:kms"}}), A});
  t.push_back({"study notes: wrong encryption header", sse, Ctx({{"encryption", "AES256"}}), X});
  t.push_back({"study notes: missing encryption header", sse, Req{}, X});
  t.push_back({"study notes: other actions unaffected", sse, Action("kms:Decrypt"), A});
  // The study notes' per-user policy, translated: each user may use keys
  // whose context names their own folder, and GenerateDataKey only there.
  const std::string per_user =
      R"({"Version": "2012-10-17", "Statement": [)"
      R"({"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": ["kms:Decrypt"], "Resource": "*", "Condition": {"StringLike": {"kms:EncryptionContext:prefix": ["${aws:username}/*"]}}},)"
      R"({"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": ["kms:GenerateDataKey", "kms:Encrypt"], "Resource": ["arn:aws:kms:us-east-1:111122223333:key/*"], "Condition": {"StringEquals": {"kms:EncryptionContext:owner": "${aws:username}"}}}]})";
  t.push_back({"study notes per-user: own prefix", per_user,
               [] {
                 Req r = User("alice");
                 r.action = "kms:Decrypt";
                 r.context = {{"prefix", "alice/a.txt"}};
                 return r;
               }(),
               A});
  t.push_back({"study notes per-user: other prefix", per_user,
               [] {
                 Req r = User("bob");
                 r.action = "kms:Decrypt";
                 r.context = {{"prefix", "alice/a.txt"}};
                 return r;
               }(),
               D});
  t.push_back({"study notes per-user: own data key", per_user,
               [] {
                 Req r = User("bob");
                 r.action = "kms:GenerateDataKey";
                 r.context = {{"owner", "bob"}};
                 return r;
               }(),
               A});
  t.push_back({"study notes per-user: another's data key", per_user,
               [] {
                 Req r = User("bob");
                 r.action = "kms:GenerateDataKey";
                 r.context = {{"owner", "alice"}};
                 return r;
               }(),
               D});
  return t;
}

envelope::policy::RequestContext Build(const Req& r) {
  envelope::policy::RequestContext c;
  c.caller.account = r.account;
  c.caller.user_name = r.user;
  c.caller.arn = r.user.empty() ? envelope::policy::RootArn(r.account)
                                : "arn:aws:iam::" + r.account + ":user/" + r.user;
  c.action = r.action;
  c.resource = r.resource;
  envelope::policy::AddCallerKeys(c);
  envelope::policy::AddEncryptionContext(c, {r.context.begin(), r.context.end()});
  for (const auto& [key, values] : r.keys) c.Set(key, values);
  return c;
}

const char* Name(Decision d) {
  return d == Decision::allow           ? "allow"
         : d == Decision::explicit_deny ? "explicit deny"
                                        : "implicit deny";
}

}  // namespace

TEST_CASE("Policy: the evaluation table") {
  const std::vector<Case> table = Table();
  CHECK(table.size() >= 80);
  for (const Case& c : table) {
    CAPTURE(c.name);
    CAPTURE(c.policy);
    auto doc = envelope::policy::ParsePolicy(c.policy, c.kind);
    REQUIRE_MESSAGE(doc.has_value(), (doc ? "" : doc.error().message()));
    const Decision got = envelope::policy::Evaluate(*doc, c.kind, Build(c.req));
    CHECK_MESSAGE(std::string(Name(got)) == Name(c.expect), c.name);
  }
}
