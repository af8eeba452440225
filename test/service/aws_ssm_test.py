#!/usr/bin/env python3
"""SSM Parameter Store clients against `envelope kms serve`: Debian's AWS CLI
v2 (`aws ssm ...`) and the AWS SDK for JavaScript v3 (@aws-sdk/client-ssm,
test/interop/ssm_sdk.mjs), each against a server of its own on a free
loopback port (the helpers of aws_cli_test.py).

Checks what the CLI prints for put-parameter --type SecureString,
get-parameter --with-decryption, get-parameters-by-path,
get-parameter-history, label-parameter-version and delete-parameter; that
the envelope tool reads what the server wrote (one keystore); that every
decryption is an audit line naming the caller and no value reaches the
audit log; and that a ciphertext copied to another name does not decrypt.

Usage: aws_ssm_test.py BUILD_DIR SSM_SDK_MJS
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import aws_cli_test as h  # noqa: E402

VALUE = "pa55-w0rd-db"


def run_cli(envelope, work):
    home, env, access_key, secret_file = h.new_keystore(envelope, work, "ks-cli")
    server = h.Server(envelope, home)
    try:
        aws_env = h.client_env(work, AWS_ACCESS_KEY_ID=access_key,
                               AWS_SECRET_ACCESS_KEY=open(secret_file).read().strip(),
                               AWS_CA_BUNDLE=server.cert, AWS_DEFAULT_REGION="us-east-1",
                               AWS_PAGER="", AWS_MAX_ATTEMPTS="1")

        def ssm(*args, ok=True):
            r = subprocess.run([h.AWS, "--endpoint-url", server.url, "--output", "json", "ssm"] +
                               list(args), env=aws_env, capture_output=True, text=True, cwd=work,
                               timeout=120)
            if ok:
                h.check(r.returncode == 0, f"aws ssm {' '.join(args)}: {r.stderr}")
                return json.loads(r.stdout) if r.stdout.strip() else {}
            h.check(r.returncode != 0, f"aws ssm {' '.join(args)} must fail")
            return r.stderr

        with open(os.path.join(work, "value.txt"), "w") as f:
            f.write(VALUE)
        put = ssm("put-parameter", "--name", "/app/prod/db-password", "--type", "SecureString",
                  "--value", "file://value.txt")
        h.check(put == {"Version": 1, "Tier": "Standard"}, put)
        sealed = ssm("get-parameter", "--name", "/app/prod/db-password")["Parameter"]
        h.check(sealed["Type"] == "SecureString" and VALUE not in sealed["Value"], sealed)
        got = ssm("get-parameter", "--name", "/app/prod/db-password", "--with-decryption")
        p = got["Parameter"]
        h.check(p["Value"] == VALUE and p["Version"] == 1, p)
        h.check(p["ARN"] == "arn:aws:ssm:us-east-1:111122223333:parameter/app/prod/db-password", p)
        err = ssm("put-parameter", "--name", "/app/prod/db-password", "--type", "SecureString",
                  "--value", "other", ok=False)
        h.check("ParameterAlreadyExists" in err, err)
        ssm("put-parameter", "--name", "/app/prod/db-password", "--type", "SecureString",
            "--value", "second-value", "--overwrite")
        ssm("put-parameter", "--name", "/app/prod/url", "--type", "String", "--value",
            "https://db.example")
        ssm("put-parameter", "--name", "/app/prod/cache/hosts", "--type", "StringList", "--value",
            "a,b,c")

        level = ssm("get-parameters-by-path", "--path", "/app/prod")["Parameters"]
        h.check(sorted(x["Name"] for x in level) == ["/app/prod/db-password", "/app/prod/url"],
                level)
        everything = ssm("get-parameters-by-path", "--path", "/app", "--recursive",
                         "--with-decryption")["Parameters"]
        values = {x["Name"]: x["Value"] for x in everything}
        h.check(values == {"/app/prod/db-password": "second-value",
                           "/app/prod/url": "https://db.example",
                           "/app/prod/cache/hosts": "a,b,c"}, values)

        labelled = ssm("label-parameter-version", "--name", "/app/prod/db-password",
                       "--parameter-version", "1", "--labels", "previous")
        h.check(labelled["ParameterVersion"] == 1 and labelled["InvalidLabels"] == [], labelled)
        old = ssm("get-parameter", "--name", "/app/prod/db-password:previous",
                  "--with-decryption")["Parameter"]
        h.check(old["Value"] == VALUE and old["Selector"] == ":previous", old)
        history = ssm("get-parameter-history", "--name", "/app/prod/db-password",
                      "--with-decryption")["Parameters"]
        h.check([x["Version"] for x in history] == [1, 2], history)
        h.check(history[0]["Labels"] == ["previous"] and history[0]["Value"] == VALUE, history)
        h.check(history[1]["LastModifiedUser"] == access_key, history)
        h.check(history[1]["KeyId"].startswith("arn:aws:kms:us-east-1:111122223333:key/"), history)

        err = ssm("get-parameter", "--name", "/app/none", ok=False)
        h.check("ParameterNotFound" in err, err)
        err = ssm("put-parameter", "--name", "/app/k", "--type", "SecureString", "--value", "v",
                  "--key-id", "alias/does-not-exist", ok=False)
        h.check("InvalidKeyId" in err, err)

        # One keystore: the envelope tool reads what the server wrote.
        shown = subprocess.run([envelope, "params", "get", "/app/prod/db-password",
                                "--with-decryption"], env=env, capture_output=True, text=True)
        h.check(shown.returncode == 0 and '"Value": "second-value"' in shown.stdout,
                shown.stdout + shown.stderr)

        # A SecureString ciphertext copied to another name does not decrypt.
        path = os.path.join(home, "parameters.json")
        table = json.load(open(path))
        params = table["parameters"]
        params["/app/prod/url"] = {"type": "SecureString",
                                   "versions": params["/app/prod/db-password"]["versions"]}
        with open(path, "w") as f:
            json.dump(table, f)
        err = ssm("get-parameter", "--name", "/app/prod/url", "--with-decryption", ok=False)
        h.check("InvalidCiphertextException" in err, err)

        ssm("delete-parameter", "--name", "/app/prod/cache/hosts")
        err = ssm("delete-parameter", "--name", "/app/prod/cache/hosts", ok=False)
        h.check("ParameterNotFound" in err, err)

        h.check(server.stop() == 0, "the server exits 0 on SIGTERM")
        audit = subprocess.run([envelope, "audit", "verify"], env=env, capture_output=True,
                               text=True)
        h.check(audit.returncode == 0, audit.stdout + audit.stderr)
        lines = [json.loads(x) for x in open(os.path.join(home, "audit.log"))]
        decrypts = [x for x in lines if x["eventName"] == "Decrypt" and "errorCode" not in x]
        h.check(len(decrypts) >= 5, f"{len(decrypts)} decryptions audited")
        callers = [x["userIdentity"].get("accessKeyId") for x in decrypts]
        h.check(callers.count(None) == 1 and callers.count(access_key) == len(callers) - 1,
                f"every decryption through the server names the caller: {callers}")
        h.check(all(x["requestParameters"].get("encryptionContext", {})
                    .get("PARAMETER_ARN", "").startswith("arn:aws:ssm:")
                    for x in decrypts), "the parameter's ARN is in each decryption's context")
        log = open(os.path.join(home, "audit.log")).read()
        h.check(VALUE not in log and "second-value" not in log, "no value in the audit log")
        print(f"aws ssm cli: ok")
    finally:
        if server.proc.poll() is None:
            server.proc.kill()
            server.proc.wait()


def run_denied(envelope, work):
    """Reading a SecureString needs kms:Decrypt on its key, as in AWS: a user
    whose identity policy allows ssm:GetParameter and kms:Decrypt reads the
    value until the key policy denies it kms:Decrypt; then `aws ssm
    get-parameter --with-decryption` gets AccessDeniedException, and without
    --with-decryption still gets the parameter. Both refusals are audit
    lines naming the user."""
    home, env, _, _ = h.new_keystore(envelope, work, "ks-denied")

    def tool(*args):
        r = subprocess.run([envelope] + list(args), env=env, capture_output=True, text=True,
                           cwd=work)
        h.check(r.returncode == 0, f"envelope {' '.join(args)}: {r.stderr}")
        return r.stdout.strip()

    def write(name, value):
        path = os.path.join(work, name)
        with open(path, "w") as f:
            f.write(value if isinstance(value, str) else json.dumps(value))
        return path

    key_id = json.loads(tool("keys", "create", "--alias", "alias/app-params", "--json"))["key_id"]
    tool("params", "put", "/app/db", "--key", "alias/app-params", "--value-file",
         write("denied-value.txt", VALUE))
    tool("kms", "users", "create", "reader")
    tool("kms", "users", "put-policy", "reader", "--policy-file", write("reader.json", {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["ssm:GetParameter", "kms:Decrypt"],
                       "Resource": "*"}]}))
    secret_file = os.path.join(work, "reader.secret")
    reader_key = tool("kms", "access-keys", "create", "--user", "reader", "--secret-file",
                      secret_file)
    server = h.Server(envelope, home)
    try:
        aws_env = h.client_env(work, AWS_ACCESS_KEY_ID=reader_key,
                               AWS_SECRET_ACCESS_KEY=open(secret_file).read().strip(),
                               AWS_CA_BUNDLE=server.cert, AWS_DEFAULT_REGION="us-east-1",
                               AWS_PAGER="", AWS_MAX_ATTEMPTS="1")

        def get(*extra):
            return subprocess.run([h.AWS, "--endpoint-url", server.url, "--output", "json", "ssm",
                                   "get-parameter", "--name", "/app/db"] + list(extra),
                                  env=aws_env, capture_output=True, text=True, cwd=work,
                                  timeout=120)

        allowed = get("--with-decryption")
        h.check(allowed.returncode == 0 and
                json.loads(allowed.stdout)["Parameter"]["Value"] == VALUE,
                "the reader decrypts while the key policy allows it: " + allowed.stderr)
        tool("keys", "policy", "put", key_id, "--policy-file", write("key-policy.json", {
            "Version": "2012-10-17",
            "Statement": [
                {"Sid": "owner", "Effect": "Allow",
                 "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
                 "Action": "kms:*", "Resource": "*"},
                {"Sid": "no-reader", "Effect": "Deny",
                 "Principal": {"AWS": "arn:aws:iam::111122223333:user/reader"},
                 "Action": "kms:Decrypt", "Resource": "*"}]}))
        denied = get("--with-decryption")
        h.check(denied.returncode != 0 and "AccessDeniedException" in denied.stderr,
                "kms:Decrypt denied on the key: " + denied.stdout + denied.stderr)
        h.check(VALUE not in denied.stdout + denied.stderr, "no value in the refusal")
        sealed = get()
        h.check(sealed.returncode == 0, "without --with-decryption: " + sealed.stderr)
        p = json.loads(sealed.stdout)["Parameter"]
        h.check(p["Type"] == "SecureString" and p["Value"] != VALUE and p["Version"] == 1, p)
    finally:
        h.check(server.stop() == 0, "the server exits 0 on SIGTERM")
    lines = [json.loads(x) for x in open(os.path.join(home, "audit.log"))]
    refused = [(x["eventSource"], x["eventName"]) for x in lines
               if x.get("errorCode") == "AccessDeniedException" and
               x["userIdentity"].get("accessKeyId") == reader_key and
               x["userIdentity"].get("userName") == "reader"]
    h.check(refused == [("kms.amazonaws.com", "Decrypt"), ("ssm.amazonaws.com", "GetParameter")],
            f"the refused decryption is audited once by the KMS and once by SSM: {refused}")
    print("aws ssm get-parameter, kms:Decrypt denied: ok")


def main():
    build = sys.argv[1]
    envelope = os.path.abspath(os.path.join(build, "tools", "envelope"))
    h.check(os.path.exists(h.AWS), "Debian's awscli is installed (apt-get install awscli)")
    work = tempfile.mkdtemp(prefix="envelope-aws-ssm-")
    try:
        run_cli(envelope, work)
        run_denied(envelope, work)
        h.run_node(envelope, work, sys.argv[2])
        print(f"aws ssm clients: {h.passed} passed, 0 failed")
        return 0
    except AssertionError as e:
        print(f"FAILED: {e}", file=sys.stderr)
        print(f"aws ssm clients: {h.passed} passed, 1 failed")
        return 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
