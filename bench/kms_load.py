#!/usr/bin/env python3
"""Load on `envelope kms serve`: starts a server on a free loopback port with a
fresh keystore (one access key, one key), runs bench/kms_load (keep-alive
HTTPS, SigV4) for GenerateDataKey and Decrypt at 1, 8 and 64 connections,
samples the server's resident memory once a second, and prints one JSON line
per run plus the memory samples, and the CPU time (user + system) the server
and the generator spent per request. The generator shares the machine's
cores with the server.

  bench/kms_load.py BUILD_DIR [--seconds 10] [--connections 1,8,64]
                    [--ops GenerateDataKey,Decrypt] [--soak SECONDS]

--soak runs one extra GenerateDataKey run at 64 connections for that long
and reports the memory samples (the flat-memory check of issue 14).
"""
import argparse
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def cpu_seconds(pid):
    """User + system CPU time of process `pid` (all its threads)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--connections", default="1,8,64")
    ap.add_argument("--ops", default="GenerateDataKey,Decrypt")
    ap.add_argument("--soak", type=float, default=0)
    ap.add_argument("--server-args", default="")
    args = ap.parse_args()
    envelope = os.path.join(args.build, "tools", "envelope")
    load = os.path.join(args.build, "bench", "kms_load")
    with tempfile.TemporaryDirectory() as work:
        home = os.path.join(work, "ks")
        env = dict(os.environ, ENVELOPE_HOME=home)
        secret = os.path.join(work, "secret")
        akid = subprocess.run([envelope, "kms", "access-keys", "create", "--secret-file", secret],
                              env=env, check=True, capture_output=True, text=True).stdout.strip()
        key = json.loads(subprocess.run([envelope, "keys", "create", "--json"], env=env, check=True,
                                        capture_output=True, text=True).stdout)["key_id"]
        server = subprocess.Popen([envelope, "kms", "serve", "--listen", "127.0.0.1:0"] +
                                  args.server_args.split(),
                                  env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        try:
            url = server.stdout.readline().decode().split(" at ")[1].split(" ")[0]
            cert = server.stdout.readline().decode().split("tls certificate ")[1].split(" ")[0]
            samples = []
            stop = threading.Event()

            def sample():
                while not stop.wait(1.0):
                    samples.append(rss_kib(server.pid))

            t = threading.Thread(target=sample, daemon=True)
            t.start()
            runs = [(op, int(c), args.seconds) for op in args.ops.split(",")
                    for c in args.connections.split(",")]
            if args.soak > 0:
                runs.append(("GenerateDataKey", 64, args.soak))
            failed = False
            for op, conns, secs in runs:
                before = len(samples)
                cpu0 = cpu_seconds(server.pid)
                gen0 = resource.getrusage(resource.RUSAGE_CHILDREN)
                r = subprocess.run([load, "--url", url, "--ca", cert, "--access-key-id", akid,
                                    "--key-id", key, "--op", op, "--connections", str(conns),
                                    "--seconds", str(secs)],
                                   env=dict(os.environ, ENVELOPE_LOAD_SECRET_FILE=secret),
                                   capture_output=True, text=True)
                line = json.loads(r.stdout) if r.stdout.strip() else {"op": op, "error": r.stderr}
                cpu = cpu_seconds(server.pid) - cpu0
                gen1 = resource.getrusage(resource.RUSAGE_CHILDREN)
                gen = (gen1.ru_utime - gen0.ru_utime) + (gen1.ru_stime - gen0.ru_stime)
                if line.get("requests"):
                    line["server_cpu_us_per_request"] = round(cpu * 1e6 / line["requests"], 1)
                    line["generator_cpu_us_per_request"] = round(gen * 1e6 / line["requests"], 1)
                mem = samples[before:]
                line["server_rss_kib"] = {"first": mem[0] if mem else None,
                                          "max": max(mem) if mem else None,
                                          "last": mem[-1] if mem else None}
                print(json.dumps(line), flush=True)
                if r.returncode != 0:
                    print(r.stderr, file=sys.stderr)
                    failed = True
            stop.set()
            if args.soak > 0:
                print(json.dumps({"soak_rss_kib_per_minute": samples[-int(args.soak)::60]}))
            audit = os.path.getsize(os.path.join(home, "audit.log"))
            print(json.dumps({"audit_log_bytes": audit}))
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
