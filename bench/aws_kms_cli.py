#!/usr/bin/env python3
"""Time one `encrypt --aws-kms KEY` of a 1 KiB file against `envelope kms
serve` on a loopback port, against `encrypt -k KEY` through the local
keystore, as the median of N runs of each (interleaved, so a busy machine
slows both alike). The server runs from a fresh keystore in a temporary
folder and is stopped with SIGTERM at the end.

Usage: aws_kms_cli.py BUILD_DIR [RUNS]
"""
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time


def main():
    build = os.path.abspath(sys.argv[1])
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 30
    envelope = os.path.join(build, "tools", "envelope")
    encrypt = os.path.join(build, "tools", "encrypt")
    work = tempfile.mkdtemp(prefix="envelope-aws-kms-cli-bench-")
    server = None
    try:
        home = os.path.join(work, "ks")
        env = dict(os.environ, ENVELOPE_HOME=home)
        secret_file = os.path.join(work, "secret")
        access_key = subprocess.run([envelope, "kms", "access-keys", "create", "--secret-file",
                                     secret_file], env=env, check=True, capture_output=True,
                                    text=True).stdout.strip()
        key_id = subprocess.run([envelope, "keys", "create"], env=env, check=True,
                                capture_output=True, text=True).stdout.split()[0]
        server = subprocess.Popen([envelope, "kms", "serve", "--listen", "127.0.0.1:0"],
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
        url = server.stdout.readline().decode().split(" at ")[1].split(" ")[0]
        cert = server.stdout.readline().decode().split("tls certificate ")[1].split(" ")[0]
        aws_env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        aws_env.update(HOME=work, AWS_ACCESS_KEY_ID=access_key,
                       AWS_SECRET_ACCESS_KEY=open(secret_file).read().strip(),
                       AWS_CA_BUNDLE=cert, AWS_REGION="us-east-1",
                       AWS_CONFIG_FILE=os.path.join(work, "none"),
                       AWS_SHARED_CREDENTIALS_FILE=os.path.join(work, "none"))
        plain = os.path.join(work, "plain")
        with open(plain, "wb") as f:
            f.write(os.urandom(1024))
        out = os.path.join(work, "out")
        arn = f"arn:aws:kms:us-east-1:111122223333:key/{key_id}"
        commands = {
            "encrypt --aws-kms (server)": ([encrypt, "--aws-kms", arn, "--endpoint-url", url,
                                            "-f", "-o", out, plain], aws_env),
            "encrypt -k (local keystore)": ([encrypt, "-k", key_id, "-f", "-o", out, plain], env),
        }
        times = {name: [] for name in commands}
        for _ in range(runs):
            for name, (cmd, e) in commands.items():
                start = time.perf_counter()
                subprocess.run(cmd, env=e, check=True, stdout=subprocess.DEVNULL)
                times[name].append((time.perf_counter() - start) * 1000)
        for name, t in times.items():
            q = statistics.quantiles(t, n=4)
            print(f"{name:30s} median {statistics.median(t):7.2f} ms  "
                  f"(quartiles {q[0]:.2f} .. {q[2]:.2f} ms, {runs} runs)")
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=20)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
