#!/usr/bin/env python3
"""encrypt/decrypt --aws-kms, --aws-kms-discovery and rewrap --to-aws-kms
against `envelope kms serve`, interoperability both ways with the ESDK for
JavaScript's KmsKeyringNode (test/interop/esdk_kms_interop.mjs, node modules
from `npm ci --prefix test/interop`), and the client's retries against a
server that throttles its first requests (the hidden --test-throttle-first).

Each server runs on a free loopback port with a fresh keystore and its
generated certificate as AWS_CA_BUNDLE; servers are stopped with SIGTERM
(killed if the test fails), never left running.

Usage: aws_kms_cli_test.py BUILD_DIR ESDK_KMS_INTEROP_MJS
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile

passed = 0
ACCOUNT = "111122223333"


def check(condition, what):
    global passed
    if not condition:
        raise AssertionError(what)
    passed += 1


class Server:
    def __init__(self, envelope, work, name, *extra):
        self.home = os.path.join(work, name)
        self.env = dict(os.environ, ENVELOPE_HOME=self.home)
        secret_file = os.path.join(work, name + ".secret")
        self.access_key = subprocess.run(
            [envelope, "kms", "access-keys", "create", "--secret-file", secret_file],
            env=self.env, check=True, capture_output=True, text=True).stdout.strip()
        self.secret = open(secret_file).read().strip()
        self.proc = subprocess.Popen([envelope, "kms", "serve", "--listen", "127.0.0.1:0"] +
                                     list(extra), stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=self.env)
        first = self.proc.stdout.readline().decode()
        second = self.proc.stdout.readline().decode()
        check(first.startswith("envelope: serving the AWS KMS API at https://127.0.0.1:"), first)
        self.url = first.split(" at ")[1].split(" ")[0]
        self.cert = second.split("tls certificate ")[1].split(" ")[0]
        self.envelope = envelope

    def key(self, alias=None):
        key_id = subprocess.run([self.envelope, "keys", "create"] +
                                (["--alias", alias] if alias else []), env=self.env, check=True,
                                capture_output=True, text=True).stdout.strip().split()[0]
        return key_id, f"arn:aws:kms:us-east-1:{ACCOUNT}:key/{key_id}"

    def client_env(self, work, **more):
        """Only this server's access key and certificate: none of the
        machine's AWS settings or files."""
        e = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        e.update(HOME=work, AWS_CONFIG_FILE=os.path.join(work, "none"),
                 AWS_SHARED_CREDENTIALS_FILE=os.path.join(work, "none"),
                 AWS_ACCESS_KEY_ID=self.access_key, AWS_SECRET_ACCESS_KEY=self.secret,
                 AWS_CA_BUNDLE=self.cert, AWS_REGION="us-east-1",
                 ENVELOPE_HOME=os.path.join(work, "unused-keystore"), **more)
        return e

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


def run(cmd, env, ok=True, timeout=120):
    r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
    if ok:
        check(r.returncode == 0, f"{' '.join(cmd)}: {r.stdout} {r.stderr}")
    else:
        check(r.returncode != 0, f"{' '.join(cmd)} must fail")
    return r


def main():
    build, mjs = sys.argv[1], os.path.abspath(sys.argv[2])
    tools = os.path.join(os.path.abspath(build), "tools")
    enc, dec, envelope = (os.path.join(tools, t) for t in ("encrypt", "decrypt", "envelope"))
    work = tempfile.mkdtemp(prefix="envelope-aws-kms-cli-")
    servers = []
    try:
        s = Server(envelope, work, "ks")
        servers.append(s)
        _, gen = s.key(alias="alias/gen")
        child_id, child = s.key()
        env = s.client_env(work)
        ep = ["--endpoint-url", s.url]
        plain = os.path.join(work, "plain.txt")
        with open(plain, "wb") as f:
            f.write(b"interop plaintext \x00\xff\n" * 300)
        expected = open(plain, "rb").read()

        # encrypt --aws-kms (two keys), decrypt by each key and by discovery.
        msg = os.path.join(work, "ours.msg")
        run([enc, "--aws-kms", gen, "--aws-kms", child, "-c", "purpose=interop", "-o", msg,
             plain] + ep, env)
        for how in (["--aws-kms", child], ["--aws-kms", gen], ["--aws-kms-discovery"],
                    ["--aws-kms-discovery", "--discovery-account", ACCOUNT]):
            out = os.path.join(work, "out.txt")
            run([dec, "-f", "-o", out, msg] + how + ep, env)
            check(open(out, "rb").read() == expected, f"decrypt {how}")
        r = run([dec, "-f", "-o", os.path.join(work, "x"), msg, "--aws-kms-discovery",
                 "--discovery-account", "444455556666"] + ep, env, ok=False)
        check("discovery filter" in r.stderr, r.stderr)
        check(not os.path.exists(os.path.join(work, "x")), "no output after a refusal")
        r = run([dec, "-o", "-", msg, "--discovery-account", ACCOUNT] + ep, env, ok=False)
        check("--aws-kms-discovery" in r.stderr, r.stderr)
        # An alias ARN encrypts; the EDK names the key.
        alias_msg = os.path.join(work, "alias.msg")
        run([enc, "--aws-kms", f"arn:aws:kms:us-east-1:{ACCOUNT}:alias/gen", "-o", alias_msg,
             plain] + ep, env)
        run([dec, "-f", "-o", os.path.join(work, "out.txt"), alias_msg, "--aws-kms", gen] + ep,
            env)
        # Credentials from a profile instead of the environment.
        with open(os.path.join(work, "creds"), "w") as f:
            f.write(f"[srv]\naws_access_key_id = {s.access_key}\n"
                    f"aws_secret_access_key = {s.secret}\n")
        penv = dict(env, AWS_SHARED_CREDENTIALS_FILE=os.path.join(work, "creds"))
        del penv["AWS_ACCESS_KEY_ID"], penv["AWS_SECRET_ACCESS_KEY"]
        run([dec, "-f", "-o", os.path.join(work, "out.txt"), msg, "--aws-kms", gen,
             "--profile", "srv"] + ep, penv)
        r = run([dec, "-f", "-o", os.path.join(work, "out.txt"), msg, "--aws-kms", gen] + ep,
                penv, ok=False)
        check("no credentials" in r.stderr, r.stderr)
        # A wrong secret: AWS's exception name reaches the user.
        r = run([dec, "-f", "-o", os.path.join(work, "out.txt"), msg, "--aws-kms", gen] + ep,
                dict(env, AWS_SECRET_ACCESS_KEY="x" * 40), ok=False)
        check("InvalidSignatureException" in r.stderr, r.stderr)
        # Grant tokens go with every call (the server takes at most 10, and
        # only ones it issued: CreateGrant's, here through the AWS CLI).
        grant = json.loads(run(["/usr/bin/aws"] + ep + [
            "--output", "json", "kms", "create-grant", "--key-id", gen, "--grantee-principal",
            f"arn:aws:iam::{ACCOUNT}:root", "--operations", "Decrypt"], env).stdout)
        run([dec, "-f", "-o", os.path.join(work, "out.txt"), msg, "--aws-kms", gen,
             "--grant-token", grant["GrantToken"], "--grant-token", grant["GrantToken"]] + ep,
            env)
        r = run([dec, "-f", "-o", os.path.join(work, "out.txt"), msg, "--aws-kms", gen,
                 "--grant-token", grant["GrantToken"], "--grant-token", "token-2"] + ep, env,
                ok=False)
        check("InvalidGrantTokenException" in r.stderr, r.stderr)
        r = run([dec, "-f", "-o", os.path.join(work, "out.txt"), msg, "--aws-kms", gen] +
                [a for i in range(11) for a in ("--grant-token", f"t{i}")] + ep, env, ok=False)
        check("at most 10" in r.stderr, r.stderr)
        print("cli: encrypt/decrypt --aws-kms, discovery, profile, grant tokens: ok")

        # rewrap: local keystore -> AWS KMS -> local keystore; the body stays.
        local_id, _ = s.key(alias="alias/local")
        lenv = dict(env, ENVELOPE_HOME=s.home)
        local = os.path.join(work, "local.msg")
        run([enc, "-k", "alias/local", "-c", "purpose=interop", "-o", local, plain], lenv)
        before = open(local, "rb").read()
        run([envelope, "rewrap", "--to-aws-kms", child, local] + ep, lenv)
        moved = open(local, "rb").read()
        check(moved[-4000:] == before[-4000:] and moved != before, "rewrap kept the body")
        out = os.path.join(work, "out.txt")
        run([dec, "-f", "-o", out, local, "--aws-kms", child] + ep, env)
        check(open(out, "rb").read() == expected, "decrypt after rewrap to AWS KMS")
        run([dec, "-f", "-o", out, local, "-k", local_id], lenv, ok=False)
        run([envelope, "rewrap", "--aws-kms", child, "--to-key", local_id, local] + ep, lenv)
        run([dec, "-f", "-o", out, local, "-k", local_id], lenv)
        check(open(out, "rb").read() == expected, "decrypt after rewrap back to the keystore")
        print("cli: rewrap keystore -> aws kms -> keystore: ok")

        # Interoperability with the ESDK for JavaScript, both ways.
        node_env = dict(env, NODE_EXTRA_CA_CERTS=s.cert)

        def node(*args, ok=True):
            r = subprocess.run(["node", mjs] + list(args), env=node_env, capture_output=True,
                               text=True, timeout=300, cwd=os.path.dirname(mjs))
            sys.stdout.write(r.stdout)
            if ok:
                check(r.returncode == 0, f"node {' '.join(args)}: {r.stdout} {r.stderr}")
            return r
        node("encrypt", s.url, work, plain, gen, child)
        for suite in ("0x0478", "0x0578"):
            js_msg = os.path.join(work, f"js-{suite}.msg")
            for how in (["--aws-kms", child], ["--aws-kms-discovery"]):
                run([dec, "-f", "-o", out, js_msg] + how + ep, env)
                check(open(out, "rb").read() == expected, f"our decrypt of the JS {suite} {how}")
            ours = os.path.join(work, f"ours-{suite}.msg")
            run([enc, "--aws-kms", gen, "--aws-kms", child, "-c", "purpose=interop", "--suite",
                 "signed" if suite == "0x0578" else "unsigned", "-f", "-o", ours, plain] + ep, env)
            r = node("decrypt", s.url, ours, plain, child)
            check(f"aws-kms:{gen} aws-kms:{child}" in r.stdout, r.stdout)
            node("decrypt", s.url, ours, plain, "discovery")
        print("interop: ESDK for JavaScript KmsKeyringNode both ways, both suites: ok")
        check(s.stop() == 0, "the server exits 0 on SIGTERM")

        # Retries: the first 2 requests are throttled; 3 attempts succeed.
        t = Server(envelope, work, "ks-throttle", "--test-throttle-first", "2")
        servers.append(t)
        _, tkey = t.key()
        tenv = t.client_env(work, AWS_MAX_ATTEMPTS="3")
        run([enc, "--aws-kms", tkey, "-o", os.path.join(work, "t.msg"), plain, "--endpoint-url",
             t.url], tenv)
        check(t.stop() == 0, "throttling server stops")
        u = Server(envelope, work, "ks-throttle-more", "--test-throttle-first", "100")
        servers.append(u)
        _, ukey = u.key()
        uenv = u.client_env(work, AWS_MAX_ATTEMPTS="2")
        r = run([enc, "--aws-kms", ukey, "-o", os.path.join(work, "u.msg"), plain,
                 "--endpoint-url", u.url], uenv, ok=False)
        check("ThrottlingException: Rate exceeded (2 attempts)" in r.stderr, r.stderr)
        check(not os.path.exists(os.path.join(work, "u.msg")), "no output after a failure")
        print("retries: throttled twice then served; past the limit the error counts attempts")
        print(f"aws kms cli: {passed} passed, 0 failed")
        return 0
    except AssertionError as e:
        print(f"FAILED: {e}", file=sys.stderr)
        print(f"aws kms cli: {passed} passed, 1 failed")
        return 1
    finally:
        for srv in servers:
            if srv.proc.poll() is None:
                srv.proc.kill()
                srv.proc.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
