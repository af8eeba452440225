#!/usr/bin/env python3
"""A client on another host reaches `envelope kms serve` over TLS.

The other host is a network namespace this test creates, joined to this one
by a veth pair with a /30 of its own (no other address is ever contacted).
The server listens on this side's veth address with a certificate for that
address; the AWS CLI runs inside the namespace. Plain HTTP is refused: the
server will not serve it on an address that is not loopback, and the TLS
port answers no plaintext request. Everything the test makes (namespace,
links, server, files) is removed at the end, also on failure.

Needs root and iproute2 (as CI has). Usage: netns_test.py BUILD_DIR
"""
import os
import shutil
import signal
import subprocess
import sys
import tempfile

AWS = "/usr/bin/aws"
passed = 0


def check(condition, what):
    global passed
    if not condition:
        raise AssertionError(what)
    passed += 1


def run(*cmd, **kw):
    return subprocess.run(list(cmd), capture_output=True, text=True, timeout=120, **kw)


def main():
    build = sys.argv[1]
    envelope = os.path.join(build, "tools", "envelope")
    check(os.geteuid() == 0, "runs as root (network namespaces)")
    check(shutil.which("ip") is not None, "iproute2 is installed")
    tag = f"env{os.getpid() % 100000}"
    ns, host_if, ns_if = f"{tag}-ns", f"{tag}h", f"{tag}n"
    # A /30 chosen from the pid inside 10.213.0.0/16, used only by this pair.
    block = (os.getpid() % 16000) * 4
    host_ip = f"10.213.{block // 256}.{block % 256 + 1}"
    ns_ip = f"10.213.{block // 256}.{block % 256 + 2}"
    work = tempfile.mkdtemp(prefix="envelope-netns-")
    server = None
    try:
        for cmd in (["ip", "netns", "add", ns],
                    ["ip", "link", "add", host_if, "type", "veth", "peer", "name", ns_if],
                    ["ip", "link", "set", ns_if, "netns", ns],
                    ["ip", "addr", "add", f"{host_ip}/30", "dev", host_if],
                    ["ip", "link", "set", host_if, "up"],
                    ["ip", "netns", "exec", ns, "ip", "addr", "add", f"{ns_ip}/30", "dev", ns_if],
                    ["ip", "netns", "exec", ns, "ip", "link", "set", ns_if, "up"],
                    ["ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up"]):
            r = run(*cmd)
            check(r.returncode == 0, f"{' '.join(cmd)}: {r.stderr}")

        home = os.path.join(work, "ks")
        env = dict(os.environ, ENVELOPE_HOME=home)
        cert, key = os.path.join(work, "cert.pem"), os.path.join(work, "key.pem")
        r = run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=kms-host",
                "-addext", f"subjectAltName=IP:{host_ip}")
        check(r.returncode == 0, r.stderr)
        os.chmod(key, 0o600)
        secret_file = os.path.join(work, "secret")
        access_key = run(envelope, "kms", "access-keys", "create", "--secret-file", secret_file,
                         env=env).stdout.strip()
        check(access_key.startswith("AKIA"), access_key)

        # Plain HTTP on a non-loopback address: refused before listening.
        r = run(envelope, "kms", "serve", "--insecure-http", "--listen", f"{host_ip}:0", env=env)
        check(r.returncode == 2 and "loopback" in r.stderr, f"insecure-http refused: {r.stderr}")

        server = subprocess.Popen([envelope, "kms", "serve", "--listen", f"{host_ip}:0",
                                   "--tls-cert", cert, "--tls-key", key],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        line = server.stdout.readline().decode()
        check(f"https://{host_ip}:" in line, line)
        url = line.split(" at ")[1].split(" ")[0]

        aws_env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        aws_env.update(AWS_ACCESS_KEY_ID=access_key,
                       AWS_SECRET_ACCESS_KEY=open(secret_file).read().strip(),
                       AWS_CA_BUNDLE=cert, AWS_DEFAULT_REGION="us-east-1", HOME=work,
                       AWS_CONFIG_FILE=os.path.join(work, "none"),
                       AWS_SHARED_CREDENTIALS_FILE=os.path.join(work, "none"))
        in_ns = ["ip", "netns", "exec", ns]
        r = run(*in_ns, AWS, "--endpoint-url", url, "kms", "create-key", "--description",
                "from the other host", env=aws_env)
        check(r.returncode == 0 and "from the other host" in r.stdout, r.stdout + r.stderr)
        r = run(*in_ns, AWS, "--endpoint-url", url, "kms", "list-keys", env=aws_env)
        check(r.returncode == 0 and '"KeyId"' in r.stdout, r.stdout + r.stderr)
        # The same port spoken to in plaintext from there gets no answer.
        r = run(*in_ns, "curl", "-sS", "--max-time", "10", "-X", "POST",
                url.replace("https://", "http://") + "/", "-H",
                "X-Amz-Target: TrentService.ListKeys", "-d", "{}")
        check(r.returncode != 0 and "KeyId" not in r.stdout, f"plain http refused: {r.stdout} {r.stderr}")
        log = open(os.path.join(home, "audit.log")).read()
        check(f'"sourceIPAddress":"{ns_ip}"' in log, "the audit log names the other host")

        server.send_signal(signal.SIGTERM)
        check(server.wait(timeout=20) == 0, "server exits 0 on SIGTERM")
        server = None
        print(f"netns: {passed} passed, 0 failed")
        return 0
    except AssertionError as e:
        print(f"FAILED: {e}", file=sys.stderr)
        print(f"netns: {passed} passed, 1 failed")
        return 1
    finally:
        if server is not None:
            server.kill()
            server.wait()
        run("ip", "link", "del", host_if)
        run("ip", "netns", "del", ns)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
