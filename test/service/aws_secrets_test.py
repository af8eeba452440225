#!/usr/bin/env python3
"""Secrets Manager clients against `envelope kms serve`: Debian's AWS CLI v2
(`aws secretsmanager ...`) and the AWS SDK for JavaScript v3
(@aws-sdk/client-secrets-manager, test/interop/secrets_sdk.mjs), each
against a server of its own on a free loopback port (the helpers of
aws_cli_test.py).

create-secret, get-secret-value, put-secret-value (AWSCURRENT and
AWSPREVIOUS move), describe-secret, list-secrets, rotate-secret with a
rotation command configured on the host (`envelope secrets rotate
--command`), delete-secret then restore-secret; a rotation command the
request names is refused; every read of a value is a Decrypt audit line with
the caller; no value in the audit log. Due rotations: `envelope secrets
rotate --due` and the server's own check, with the clock moved by faketime.

Usage: aws_secrets_test.py BUILD_DIR SECRETS_SDK_MJS
"""
import datetime
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import aws_cli_test as h  # noqa: E402

ROTATE = """#!/bin/sh
echo "$STEP" >> {log}
case "$STEP" in
  createSecret) printf 'rotated-%s' "$CLIENT_REQUEST_TOKEN" ;;
  testSecret) "{envelope}" secrets get-value "$SECRET_ID" --version-stage AWSPENDING | grep -q '"SecretString": "rotated-' ;;
esac
"""


def run_cli(envelope, work):
    home, env, access_key, secret_file = h.new_keystore(envelope, work, "ks-sm")
    server = h.Server(envelope, home)
    try:
        aws_env = h.client_env(work, AWS_ACCESS_KEY_ID=access_key,
                               AWS_SECRET_ACCESS_KEY=open(secret_file).read().strip(),
                               AWS_CA_BUNDLE=server.cert, AWS_DEFAULT_REGION="us-east-1",
                               AWS_PAGER="", AWS_MAX_ATTEMPTS="1")

        def sm(*args, ok=True):
            r = subprocess.run([h.AWS, "--endpoint-url", server.url, "--output", "json",
                                "secretsmanager"] + list(args), env=aws_env, capture_output=True,
                               text=True, cwd=work, timeout=120)
            if ok:
                h.check(r.returncode == 0, f"aws secretsmanager {' '.join(args)}: {r.stderr}")
                return json.loads(r.stdout) if r.stdout.strip() else {}
            h.check(r.returncode != 0, f"aws secretsmanager {' '.join(args)} must fail")
            return r.stderr

        with open(os.path.join(work, "v1.txt"), "w") as f:
            f.write("first-db-password")
        made = sm("create-secret", "--name", "app/db", "--secret-string", "file://v1.txt")
        h.check(made["ARN"].startswith("arn:aws:secretsmanager:us-east-1:111122223333:secret:app/db-"),
                made)
        arn, v1 = made["ARN"], made["VersionId"]
        got = sm("get-secret-value", "--secret-id", "app/db")
        h.check(got["SecretString"] == "first-db-password" and got["VersionStages"] == ["AWSCURRENT"],
                got)
        err = sm("create-secret", "--name", "app/db", "--secret-string", "x", ok=False)
        h.check("ResourceExistsException" in err, err)
        put = sm("put-secret-value", "--secret-id", arn, "--secret-string", "second-db-password")
        h.check(put["VersionStages"] == ["AWSCURRENT"], put)
        prev = sm("get-secret-value", "--secret-id", "app/db", "--version-stage", "AWSPREVIOUS")
        h.check(prev["SecretString"] == "first-db-password" and prev["VersionId"] == v1, prev)
        desc = sm("describe-secret", "--secret-id", "app/db")
        h.check(desc["VersionIdsToStages"] == {v1: ["AWSPREVIOUS"], put["VersionId"]: ["AWSCURRENT"]},
                desc)
        listed = sm("list-secrets")["SecretList"]
        h.check([s["Name"] for s in listed] == ["app/db"], listed)

        # Rotation: the command is configured on the host, never by a request.
        log = os.path.join(work, "steps.log")
        script = os.path.join(work, "rotate.sh")
        with open(script, "w") as f:
            f.write(ROTATE.format(log=log, envelope=envelope))
        os.chmod(script, 0o700)
        err = sm("rotate-secret", "--secret-id", "app/db", ok=False)
        h.check("InvalidRequestException" in err, err)
        err = sm("rotate-secret", "--secret-id", "app/db", "--rotation-lambda-arn",
                 "arn:aws:lambda:us-east-1:111122223333:function:x", ok=False)
        h.check("InvalidParameterException" in err, err)
        configured = subprocess.run([envelope, "secrets", "rotate", "app/db", "--command", script,
                                     "--no-rotate-now"], env=env, capture_output=True, text=True)
        h.check(configured.returncode == 0, configured.stderr)
        rotated = sm("rotate-secret", "--secret-id", "app/db", "--rotation-rules",
                     "AutomaticallyAfterDays=10")
        h.check(open(log).read().split() == ["createSecret", "setSecret", "testSecret",
                                             "finishSecret"], open(log).read())
        cur = sm("get-secret-value", "--secret-id", "app/db")
        h.check(cur["SecretString"] == "rotated-" + rotated["VersionId"], cur)
        prev = sm("get-secret-value", "--secret-id", "app/db", "--version-stage", "AWSPREVIOUS")
        h.check(prev["SecretString"] == "second-db-password", prev)
        desc = sm("describe-secret", "--secret-id", "app/db")
        h.check(desc["RotationEnabled"] and desc["RotationRules"]["AutomaticallyAfterDays"] == 10,
                desc)

        deleted = sm("delete-secret", "--secret-id", "app/db", "--recovery-window-in-days", "7")
        when = datetime.datetime.fromisoformat(deleted["DeletionDate"]).timestamp()
        h.check(when > time.time() + 6 * 86400, deleted)
        err = sm("get-secret-value", "--secret-id", "app/db", ok=False)
        h.check("InvalidRequestException" in err and "marked for deletion" in err, err)
        h.check(sm("list-secrets")["SecretList"] == [], "a deleted secret is not listed")
        sm("restore-secret", "--secret-id", "app/db")
        h.check(sm("get-secret-value", "--secret-id", "app/db")["SecretString"].startswith("rotated-"),
                "restored")
        err = sm("get-secret-value", "--secret-id", "app/none", ok=False)
        h.check("ResourceNotFoundException" in err, err)

        h.check(server.stop() == 0, "the server exits 0 on SIGTERM")
        lines = [json.loads(x) for x in open(os.path.join(home, "audit.log"))]
        reads = [x for x in lines if x["eventName"] == "Decrypt"
                 and x["requestParameters"].get("encryptionContext", {}).get("SecretARN") == arn
                 and x["userIdentity"].get("accessKeyId") == access_key]
        h.check(len(reads) >= 5, f"{len(reads)} secret reads audited with the caller")
        text = open(os.path.join(home, "audit.log")).read()
        h.check("db-password" not in text and "rotated-" not in text, "no value in the audit log")

        # Due rotations, two days from now (every 1 day): the tool, then the
        # server's own check.
        subprocess.run([envelope, "secrets", "rotate", "app/db", "--every", "1", "--no-rotate-now"],
                       env=env, check=True, capture_output=True)
        due = subprocess.run([h.FAKETIME, "-f", "+2d", envelope, "secrets", "rotate", "--due"],
                             env=env, capture_output=True, text=True)
        h.check(due.returncode == 0 and '"app/db"' in due.stdout, due.stdout + due.stderr)
        before = open(log).read().count("finishSecret")
        # libfaketime preloaded into the server itself (the faketime tool
        # forks, so a signal to it would not reach the server).
        preload = glob.glob("/usr/lib/*/faketime/libfaketimeMT.so.1")
        h.check(preload, "libfaketimeMT is installed (apt-get install faketime)")
        later = subprocess.Popen([envelope, "kms", "serve", "--listen", "127.0.0.1:0",
                                  "--rotation-check", "1"],
                                 env=dict(env, LD_PRELOAD=preload[0], FAKETIME="+4d"),
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.time() + 30
            while time.time() < deadline and open(log).read().count("finishSecret") == before:
                time.sleep(0.2)
            h.check(open(log).read().count("finishSecret") == before + 1,
                    "the server ran the due rotation")
        finally:
            later.terminate()
            try:
                later.wait(timeout=20)
            except subprocess.TimeoutExpired:
                later.kill()
                later.wait()
        print("aws secretsmanager cli: ok")
    finally:
        if server.proc.poll() is None:
            server.proc.kill()
            server.proc.wait()


def main():
    build = sys.argv[1]
    envelope = os.path.abspath(os.path.join(build, "tools", "envelope"))
    h.check(os.path.exists(h.AWS), "Debian's awscli is installed (apt-get install awscli)")
    h.check(h.FAKETIME is not None, "faketime is installed (apt-get install faketime)")
    work = tempfile.mkdtemp(prefix="envelope-aws-secrets-")
    try:
        run_cli(envelope, work)
        h.run_node(envelope, work, sys.argv[2])
        print(f"aws secretsmanager clients: {h.passed} passed, 0 failed")
        return 0
    except AssertionError as e:
        print(f"FAILED: {e}", file=sys.stderr)
        print(f"aws secretsmanager clients: {h.passed} passed, 1 failed")
        return 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
