#!/usr/bin/env python3
"""Real AWS clients against `envelope kms serve`: the AWS CLI (Debian's awscli
v2, and the pip v1 for the calls v2.9 lacks), then the AWS SDK for
JavaScript v3 and the ESDK for JavaScript's KMS keyring (test/interop).

Starts the server on a free loopback port with a fresh keystore and an
access key, runs a transcript of `aws kms ...` calls with --endpoint-url and
the server's generated certificate as AWS_CA_BUNDLE, and checks what the CLI
prints, including AWS's errors for a wrong secret, an unknown access key, a
clock six minutes behind (faketime) and plain HTTP. The keystore is shared with
the `envelope` tool while the server runs. The server is stopped with
SIGTERM at the end (and killed if the test fails), never left running.

Usage: aws_cli_test.py BUILD_DIR KMS_SDK_MJS
"""
import base64
import glob
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

AWS = "/usr/bin/aws"  # Debian's awscli package (v2.9)


def find_aws_v1():
    """The pip-installed AWS CLI v1 these machines come with: newer than
    Debian's v2.9, it knows rotate-key-on-demand and list-key-rotations."""
    dirs = os.environ.get("PATH", "").split(os.pathsep)
    dirs += sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/*/bin")))
    for d in dirs:
        p = os.path.join(d, "aws")
        if os.access(p, os.X_OK) and os.path.realpath(p) != os.path.realpath(AWS):
            v = subprocess.run([p, "--version"], capture_output=True, text=True)
            if (v.stdout + v.stderr).startswith("aws-cli/1."):
                return p
    return None
FAKETIME = shutil.which("faketime")

passed = 0


def check(condition, what):
    global passed
    if not condition:
        raise AssertionError(what)
    passed += 1


class Server:
    def __init__(self, envelope, home):
        self.envelope = envelope
        self.home = home
        env = dict(os.environ, ENVELOPE_HOME=home)
        self.proc = subprocess.Popen([envelope, "kms", "serve", "--listen", "127.0.0.1:0"],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        first = self.proc.stdout.readline().decode()
        second = self.proc.stdout.readline().decode()
        check(first.startswith("envelope: serving the AWS KMS API at https://127.0.0.1:"), first)
        self.url = first.split(" at ")[1].split(" ")[0]
        self.cert = second.split("tls certificate ")[1].split(" ")[0]
        check(os.path.exists(self.cert), "certificate file printed")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                return self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError("server did not stop on SIGTERM")
        return self.proc.returncode


def new_keystore(envelope, work, name):
    """A keystore folder with one access key: (home, env, access key id,
    secret file)."""
    home = os.path.join(work, name)
    env = dict(os.environ, ENVELOPE_HOME=home)
    secret_file = os.path.join(work, name + ".secret")
    access_key = subprocess.run([envelope, "kms", "access-keys", "create", "--secret-file",
                                 secret_file], env=env, check=True, capture_output=True,
                                text=True).stdout.strip()
    return home, env, access_key, secret_file


def client_env(work, **settings):
    """The environment of an AWS client: none of this machine's AWS_*
    settings or files, only `settings`."""
    e = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    e.update(HOME=work, AWS_CONFIG_FILE=os.path.join(work, "none"),
             AWS_SHARED_CREDENTIALS_FILE=os.path.join(work, "none"), **settings)
    return e


def run_node(envelope, work, script):
    """The JS SDK and the ESDK's KMS keyring, against a server of their own."""
    home, _, access_key, secret_file = new_keystore(envelope, work, "ks-node")
    server = Server(envelope, home)
    try:
        node_env = client_env(work, NODE_EXTRA_CA_CERTS=server.cert)
        r = subprocess.run(["node", os.path.abspath(script), server.url, access_key, secret_file],
                           env=node_env,
                           capture_output=True, text=True, timeout=300,
                           cwd=os.path.dirname(os.path.abspath(script)))
        sys.stdout.write(r.stdout)
        check(r.returncode == 0, f"node kms_sdk.mjs: {r.stdout[-2000:]} {r.stderr[-2000:]}")
    finally:
        check(server.stop() == 0, "the node test's server exits 0 on SIGTERM")


def run_kill9(envelope, work):
    """kill -9 of the server under load: every request answered 200 is in the
    keystore and the audit log afterwards, the chain verifies, and the server
    starts again on the same keystore."""
    home, env, access_key, secret_file = new_keystore(envelope, work, "ks-kill9")
    server = Server(envelope, home)
    aws_env = client_env(work, AWS_ACCESS_KEY_ID=access_key,
                         AWS_SECRET_ACCESS_KEY=open(secret_file).read().strip(),
                         AWS_CA_BUNDLE=server.cert, AWS_DEFAULT_REGION="us-east-1",
                         AWS_MAX_ATTEMPTS="1")
    loops = []
    for i in range(4):
        answered = os.path.join(work, f"answered-{i}")
        cmd = (f"for n in 1 2 3 4 5 6 7 8 9 10 11 12; do {AWS} --endpoint-url {server.url} kms "
               f"create-key --description k9-{i}-$n --query KeyMetadata.KeyId --output text "
               f">> {answered} 2>/dev/null || exit 0; done")
        loops.append(subprocess.Popen(["/bin/sh", "-c", cmd], env=aws_env, cwd=work))
    # Kill once requests are being answered (the CLI's start-up is slow on a
    # busy machine; a fixed sleep could kill before the first answer).
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not any(
            os.path.exists(os.path.join(work, f"answered-{i}")) and
            os.path.getsize(os.path.join(work, f"answered-{i}")) > 0 for i in range(4)):
        time.sleep(0.1)
    time.sleep(1)
    server.proc.kill()
    server.proc.wait()
    for loop in loops:
        loop.wait(timeout=300)
    ids = []
    for i in range(4):
        path = os.path.join(work, f"answered-{i}")
        if os.path.exists(path):
            ids += [line.strip() for line in open(path) if line.strip()]
    check(len(ids) > 0, "some requests were answered before the kill")
    log = open(os.path.join(home, "audit.log")).read()
    for key_id in ids:
        r = subprocess.run([envelope, "keys", "describe", key_id], env=env, capture_output=True,
                           text=True)
        check(r.returncode == 0, f"answered key {key_id} is in the keystore: {r.stderr}")
        check(key_id in log, f"answered key {key_id} is in the audit log")
    r = subprocess.run([envelope, "audit", "verify"], env=env, capture_output=True, text=True)
    check(r.returncode == 0, r.stdout + r.stderr)
    again = Server(envelope, home)
    check(again.stop() == 0, "the server starts again on the keystore and stops on SIGTERM")
    print(f"kill -9: {len(ids)} answered requests all durable")


def main():
    build = sys.argv[1]
    envelope = os.path.abspath(os.path.join(build, "tools", "envelope"))
    check(os.path.exists(AWS), "Debian's awscli is installed (apt-get install awscli)")
    check(FAKETIME is not None, "faketime is installed (apt-get install faketime)")
    work = tempfile.mkdtemp(prefix="envelope-aws-cli-")
    server = None
    try:
        home, env, access_key, secret_file = new_keystore(envelope, work, "ks")
        check(len(access_key) == 20 and access_key.startswith("AKIA"), access_key)
        check(oct(os.stat(secret_file).st_mode & 0o777) == "0o600", "secret file is 0600")
        secret = open(secret_file).read().strip()
        server = Server(envelope, home)

        aws_env = client_env(work, AWS_ACCESS_KEY_ID=access_key, AWS_SECRET_ACCESS_KEY=secret,
                             AWS_CA_BUNDLE=server.cert, AWS_DEFAULT_REGION="us-east-1",
                             AWS_PAGER="")

        aws_v1 = find_aws_v1()
        check(aws_v1 is not None, "the pip AWS CLI v1 is on PATH")

        def aws(*args, ok=True, env_over=None, prefix=(), endpoint=None, cli=AWS):
            e = dict(aws_env, **(env_over or {}))
            cmd = list(prefix) + [cli, "--endpoint-url", endpoint or server.url, "--output",
                                  "json", "kms"] + list(args)
            r = subprocess.run(cmd, env=e, capture_output=True, text=True, cwd=work, timeout=120)
            if ok:
                check(r.returncode == 0, f"aws kms {' '.join(args)}: {r.stderr}")
                return json.loads(r.stdout) if r.stdout.strip() else {}
            check(r.returncode != 0, f"aws kms {' '.join(args)} must fail")
            return r.stderr

        key = aws("create-key", "--description", "made by the aws cli")["KeyMetadata"]
        check(key["Arn"] == "arn:aws:kms:us-east-1:111122223333:key/" + key["KeyId"], key["Arn"])
        key_id = key["KeyId"]
        aws("create-alias", "--alias-name", "alias/cli", "--target-key-id", key_id)

        with open(os.path.join(work, "plain.bin"), "wb") as f:
            f.write(b"the plaintext \x00\xff bytes")
        ct = aws("encrypt", "--key-id", "alias/cli", "--plaintext", "fileb://plain.bin",
                 "--encryption-context", "dept=A")
        check(ct["KeyId"] == key["Arn"], "encrypt names the key ARN")
        with open(os.path.join(work, "ct.bin"), "wb") as f:
            f.write(base64.b64decode(ct["CiphertextBlob"]))
        pt = aws("decrypt", "--ciphertext-blob", "fileb://ct.bin", "--encryption-context", "dept=A")
        check(base64.b64decode(pt["Plaintext"]) == b"the plaintext \x00\xff bytes", "decrypt")
        err = aws("decrypt", "--ciphertext-blob", "fileb://ct.bin", "--encryption-context", "dept=B",
                  ok=False)
        check("InvalidCiphertextException" in err, err)

        dk = aws("generate-data-key", "--key-id", key["Arn"], "--key-spec", "AES_256")
        check(len(base64.b64decode(dk["Plaintext"])) == 32, "a 256-bit data key")
        other = aws("create-key")["KeyMetadata"]["KeyId"]
        re = aws("re-encrypt", "--ciphertext-blob", "fileb://ct.bin", "--source-encryption-context",
                 "dept=A", "--destination-key-id", other)
        check(re["SourceKeyId"] == key["Arn"] and re["KeyId"].endswith(other), "re-encrypt")

        # (awscli 2.9 predates --rotation-period-in-days: the default period.)
        aws("enable-key-rotation", "--key-id", key_id)
        status = aws("get-key-rotation-status", "--key-id", key_id)
        check(status["KeyRotationEnabled"] is True, status)
        aws("rotate-key-on-demand", "--key-id", key_id, cli=aws_v1)
        rotations = aws("list-key-rotations", "--key-id", key_id, cli=aws_v1)["Rotations"]
        check(len(rotations) == 1 and rotations[0]["RotationType"] == "ON_DEMAND", rotations)

        # The keystore is shared: the envelope tool sees the rotation at once.
        shown = subprocess.run([envelope, "keys", "describe", key_id, "--json"], env=env,
                               capture_output=True, text=True)
        check(shown.returncode == 0 and '"current_version": 2' in shown.stdout.replace(" ", " "),
              shown.stdout + shown.stderr)

        aws("disable-key", "--key-id", key_id)
        err = aws("decrypt", "--ciphertext-blob", "fileb://ct.bin", "--encryption-context", "dept=A",
                  ok=False)
        check("DisabledException" in err, err)
        deletion = aws("schedule-key-deletion", "--key-id", other, "--pending-window-in-days", "7")
        check(deletion["KeyState"] == "PendingDeletion", deletion)

        for _ in range(3):
            aws("create-key")
        listed = aws("list-keys", "--page-size", "2")
        check(len(listed["Keys"]) == 5, f"paging through every key: {listed}")
        first_two = aws("list-keys", "--max-items", "2")
        check(len(first_two["Keys"]) == 2 and "NextToken" in first_two, first_two)

        # No lost update: 4 writers through the server (the AWS CLI) and 4
        # through the keystore directly (the envelope tool) at once.
        per_writer = 3
        writers = []
        for i in range(8):
            if i % 2 == 0:
                cmd = " && ".join([f"{AWS} --endpoint-url {server.url} kms create-key "
                                   f"--description w{i}-{n} >/dev/null" for n in range(per_writer)])
                e = aws_env
            else:
                cmd = " && ".join([f"{envelope} keys create --description w{i}-{n} >/dev/null"
                                   for n in range(per_writer)])
                e = env
            writers.append(subprocess.Popen(["/bin/sh", "-c", cmd], env=e, cwd=work,
                                            stderr=subprocess.PIPE))
        for w in writers:
            _, err = w.communicate(timeout=300)
            check(w.returncode == 0, f"a concurrent writer failed: {err.decode()}")
        listed = subprocess.run([envelope, "keys", "list", "--json"], env=env, capture_output=True,
                                text=True)
        descriptions = {k.get("description") for k in json.loads(listed.stdout)}
        check(all(f"w{i}-{n}" in descriptions for i in range(8) for n in range(per_writer)),
              "every key of the 8 concurrent writers is in the keystore")

        # Key policies, users and grants through the AWS CLI: alice may
        # Encrypt only with dept=A; bob may Decrypt only while a grant lets him.
        users = {}
        for user in ("alice", "bob"):
            subprocess.run([envelope, "kms", "users", "create", user], env=env, check=True,
                           capture_output=True)
            user_secret = os.path.join(work, user + ".secret")
            user_key = subprocess.run([envelope, "kms", "access-keys", "create", "--user", user,
                                       "--secret-file", user_secret], env=env, check=True,
                                      capture_output=True, text=True).stdout.strip()
            users[user] = {"AWS_ACCESS_KEY_ID": user_key,
                           "AWS_SECRET_ACCESS_KEY": open(user_secret).read().strip()}
        pk = aws("create-key", "--description", "policy")["KeyMetadata"]
        policy = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
             "Action": "kms:*", "Resource": "*"},
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:user/alice"},
             "Action": ["kms:Encrypt", "kms:GenerateDataKey"], "Resource": "*",
             "Condition": {"StringEquals": {"kms:EncryptionContext:dept": "A"}}}]}
        with open(os.path.join(work, "policy.json"), "w") as f:
            json.dump(policy, f)
        aws("put-key-policy", "--key-id", pk["KeyId"], "--policy-name", "default", "--policy",
            "file://policy.json")
        got = aws("get-key-policy", "--key-id", pk["KeyId"], "--policy-name", "default")
        check(json.loads(got["Policy"]) == policy, "get-key-policy returns the policy put")
        check(aws("list-key-policies", "--key-id", pk["KeyId"])["PolicyNames"] == ["default"],
              "list-key-policies")
        ct = aws("encrypt", "--key-id", pk["Arn"], "--plaintext", "fileb://plain.bin",
                 "--encryption-context", "dept=A", env_over=users["alice"])
        with open(os.path.join(work, "pct.bin"), "wb") as f:
            f.write(base64.b64decode(ct["CiphertextBlob"]))
        err = aws("encrypt", "--key-id", pk["Arn"], "--plaintext", "fileb://plain.bin",
                  "--encryption-context", "dept=B", env_over=users["alice"], ok=False)
        check(err.strip() == "An error occurred (AccessDeniedException) when calling the Encrypt "
              "operation: User: arn:aws:iam::111122223333:user/alice is not authorized to perform: "
              f"kms:Encrypt on resource: {pk['Arn']} because no identity-based policy allows the "
              "kms:Encrypt action", err)
        decrypt = ("decrypt", "--ciphertext-blob", "fileb://pct.bin", "--encryption-context", "dept=A")
        err = aws(*decrypt, env_over=users["bob"], ok=False)
        check("An error occurred (AccessDeniedException) when calling the Decrypt operation: User: "
              "arn:aws:iam::111122223333:user/bob is not authorized to perform: kms:Decrypt" in err, err)
        grant = aws("create-grant", "--key-id", pk["KeyId"], "--grantee-principal",
                    "arn:aws:iam::111122223333:user/bob", "--operations", "Decrypt",
                    "--constraints", "EncryptionContextSubset={dept=A}")
        pt = aws(*decrypt, env_over=users["bob"])
        check(base64.b64decode(pt["Plaintext"]) == b"the plaintext \x00\xff bytes", "bob decrypts by the grant")
        grants = aws("list-grants", "--key-id", pk["KeyId"])["Grants"]
        check(len(grants) == 1 and grants[0]["GrantId"] == grant["GrantId"] and
              grants[0]["Constraints"] == {"EncryptionContextSubset": {"dept": "A"}}, str(grants))
        # Grant tokens: the one create-grant returned is accepted; one this
        # keystore never issued is refused as AWS refuses it, before the key
        # is used, whoever calls.
        token = grant["GrantToken"]
        check(token != grant["GrantId"] and len(token) == 108, grant)
        pt = aws(*decrypt, "--grant-tokens", token, env_over=users["bob"])
        check(base64.b64decode(pt["Plaintext"]) == b"the plaintext \x00\xff bytes",
              "bob decrypts with the grant's token")
        bad_token = ("An error occurred (InvalidGrantTokenException) when calling the {} operation: "
                     "the grant token is not one this keystore issued{}")
        err = aws(*decrypt, "--grant-tokens", "BAD", env_over=users["bob"], ok=False)
        check(err.strip() == bad_token.format("Decrypt", " (malformed)"), err)
        plain_key = aws("create-key")["KeyMetadata"]["KeyId"]
        err = aws("encrypt", "--key-id", plain_key, "--plaintext", "fileb://plain.bin",
                  "--grant-tokens", "BAD", ok=False)
        check(err.strip() == bad_token.format("Encrypt", " (malformed)"), err)
        forged = token[:-8] + ("AAAAAAAA" if not token.endswith("AAAAAAAA") else "BBBBBBBB")
        err = aws("generate-data-key", "--key-id", plain_key, "--key-spec", "AES_256",
                  "--grant-tokens", token, forged, ok=False)
        check(err.strip() == bad_token.format("GenerateDataKey", ""), err)
        # A token of a key other than the one used is fine (clients such as
        # the ESDK's keyrings send the same tokens to every key).
        aws("generate-data-key", "--key-id", plain_key, "--key-spec", "AES_256",
            "--grant-tokens", token)
        aws("revoke-grant", "--key-id", pk["KeyId"], "--grant-id", grant["GrantId"])
        err = aws(*decrypt, env_over=users["bob"], ok=False)
        check("AccessDeniedException" in err, err)
        # The token of a revoked grant is still one of ours but gives nothing.
        err = aws(*decrypt, "--grant-tokens", token, env_over=users["bob"], ok=False)
        check("(AccessDeniedException) when calling the Decrypt operation" in err, err)
        lookup = subprocess.run([envelope, "audit", "lookup", "--errors-only", "--user", "bob",
                                 "--json"], env=env, capture_output=True, text=True)
        events = json.loads(lookup.stdout)["Events"]
        # Bob's refused Decrypts: before the grant, with a bad token, after
        # the revocation, and with the revoked grant's token.
        check(len(events) == 4 and all(e["EventName"] == "Decrypt" and e["Username"] == "bob"
                                       for e in events), lookup.stdout)
        check(sum("InvalidGrantTokenException" in e["CloudTrailEvent"] for e in events) == 1,
              lookup.stdout)
        check(json.loads(events[0]["CloudTrailEvent"])["errorCode"] == "AccessDeniedException",
              events[0]["CloudTrailEvent"])

        # AWS's errors, as the CLI prints them.
        err = aws("list-keys", ok=False, env_over={"AWS_SECRET_ACCESS_KEY": "x" * 40})
        check("InvalidSignatureException" in err, err)
        err = aws("list-keys", ok=False, env_over={"AWS_ACCESS_KEY_ID": "AKIAAAAAAAAAAAAAAAAA"})
        check("UnrecognizedClientException" in err, err)
        err = aws("list-keys", ok=False, prefix=[FAKETIME, "-f", "-6m"])
        check("InvalidSignatureException" in err and "Signature expired" in err, err)
        err = aws("list-keys", ok=False, endpoint=server.url.replace("https://", "http://"))
        check("Connection" in err or "connection" in err, err)
        err = aws("describe-key", "--key-id", "alias/missing", ok=False)
        check("NotFoundException" in err, err)

        check(server.stop() == 0, "the server exits 0 on SIGTERM")
        server = None
        audit = subprocess.run([envelope, "audit", "verify"], env=env, capture_output=True, text=True)
        check(audit.returncode == 0, audit.stdout + audit.stderr)
        log = open(os.path.join(home, "audit.log")).read()
        check(f'"accessKeyId":"{access_key}"' in log, "audit lines name the caller")
        check("InvalidSignatureException" in log and "UnrecognizedClientException" in log,
              "refused requests are audited")
        check(secret not in log and "the plaintext" not in log, "no secret in the audit log")
        run_node(envelope, work, sys.argv[2])
        run_kill9(envelope, work)
        print(f"aws clients: {passed} passed, 0 failed")
        return 0
    except AssertionError as e:
        print(f"FAILED: {e}", file=sys.stderr)
        print(f"aws clients: {passed} passed, 1 failed")
        return 1
    finally:
        if server is not None and server.proc.poll() is None:
            server.proc.kill()
            server.proc.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
