#!/usr/bin/env python3
"""Break one `hutch run` of /bin/true into phases (docs/performance.md).

Runs `perf trace` (syscall tracepoints, filtered to the few syscalls that mark phase
boundaries, so the overhead stays small) N times, finds the boundaries in each trace and
prints the median duration of each phase, next to the untraced median of `run` and the
bare kernel cost (`unshare` of the same namespaces + exec of /bin/true).

Usage (as root, from bench/run.sh's environment or by hand):
  bench/phases.py --hutch BUILD/hutch --bundle BUNDLE [-n 15]
It enters a private mount namespace with the empty unified cgroup.controllers itself, and
puts --root on a private tmpfs unless --roots-on-disk.
"""

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

EVENTS = ("execve,clone3,clone,unshare,recvmsg,sendmsg,pivot_root,exit_group,wait4,fsync,"
          "mkdirat,unlinkat,memfd_create,connect,accept4,socket")
LINE = re.compile(r"^\s*([\d.]+|\?) \(\s*([\d.]*)\s*(?:ms)?\s*\): (\S*)/(\d+)\s+"
                  r"(\.\.\. \[continued\]: )?(\w+)\((.*?)\)\)?\s*(?:=\s*(.*))?$")
PHASES = [
    ("parse", "exec of hutch, ld.so, CLI, config.json parse + checks"),
    ("state", "state dir, saved config.json, first state.json"),
    ("cgroup", "cgroup dirs (v1: every hierarchy) + device rules"),
    ("memfd", "exec.sock, config memfd, sealed copy of hutch (sendfile)"),
    ("re-exec", "posix_spawn + execve of the memfd + ld.so + init main, until bootstrap read"),
    ("init parse", "init stage parses the config again"),
    ("namespaces", "unshare(mnt,uts,ipc,pid,net) + clone(CLONE_PARENT) of stage two"),
    ("stage-2 wakeup", "stage two until its first traced syscall: copy-on-write faults after "
     "the fork, prctl, CPU contention with the parent and the exiting stage one"),
    ("loopback", "netlink: lo up in the new netns"),
    ("mounts", "rootfs_prepare: binds, proc, dev, sys, cgroup (v1: per controller)"),
    ("pivot+finalize", "hooks round trip, pivot_root, masked/ro paths, process setup, READY"),
    ("ready->exec", "parent: state.json with pid; start handshake over exec.sock"),
    ("container", "execve of /bin/true in the container, until its exit"),
    ("teardown", "exit of the pid-ns init, namespace teardown, reap by hutch run"),
    ("delete", "cgroup rmdirs, state dir removal, exit"),
]


def parse_trace(path):
    ev = []
    with open(path) as f:
        for line in f:
            m = LINE.match(line)
            if not m or m.group(1) == "?":
                continue
            ev.append({"t": float(m.group(1)), "dur": float(m.group(2) or 0), "tid": int(m.group(4)),
                       "cont": bool(m.group(5)), "sc": m.group(6), "args": m.group(7),
                       "ret": (m.group(8) or "").strip()})
    return ev


def phases_of(ev):
    p_tid = ev[0]["tid"]

    def first(pred, after=0.0):
        for e in ev:
            if e["t"] >= after and pred(e):
                return e
        return None

    def end(e):
        return e["t"] + e["dur"]

    clone3 = first(lambda e: e["tid"] == p_tid and e["sc"] == "clone3" and e["ret"])
    i_tid = int(clone3["ret"].split()[0])
    clone = first(lambda e: e["tid"] == i_tid and e["sc"] == "clone" and e["ret"])
    c_tid = int(clone["ret"].split()[0])
    P = lambda sc: (lambda e: e["tid"] == p_tid and e["sc"] == sc)
    I = lambda sc: (lambda e: e["tid"] == i_tid and e["sc"] == sc)
    C = lambda sc: (lambda e: e["tid"] == c_tid and e["sc"] == sc)
    b = {}
    b["parse"] = first(P("mkdirat"))["t"]
    fs = [e for e in ev if e["tid"] == p_tid and e["sc"] == "fsync"]
    after_state = end(fs[1]) if len(fs) >= 2 else b["parse"]
    b["state"] = first(P("mkdirat"), after_state)["t"] if len(fs) >= 2 else \
        first(lambda e: P("mkdirat")(e) and "dfd: 4" not in e["args"] and "CWD" not in e["args"])["t"]
    b["cgroup"] = first(P("socket"), b["state"])["t"]
    b["memfd"] = clone3["t"]
    b["re-exec"] = first(I("recvmsg"))["t"]
    b["init parse"] = first(I("unshare"))["t"]
    b["namespaces"] = end(clone)
    b["stage-2 wakeup"] = first(lambda e: e["tid"] == c_tid)["t"]
    nl = first(lambda e: C("recvmsg")(e) and e["ret"] and e["ret"] != "", b["namespaces"])
    b["loopback"] = end(nl)
    hooks = first(C("sendmsg"), b["loopback"])
    b["mounts"] = hooks["t"]
    ready = first(C("sendmsg"), end(hooks))
    b["pivot+finalize"] = end(ready)
    c_exec = first(C("execve"), b["pivot+finalize"])
    b["ready->exec"] = c_exec["t"]
    c_exit = first(lambda e: e["tid"] == c_tid and e["sc"] == "exit_group")
    b["container"] = c_exit["t"]
    reap = first(lambda e: P("wait4")(e) and e["ret"].startswith(str(c_tid)), c_exit["t"])
    b["teardown"] = end(reap)
    b["delete"] = first(P("exit_group"), b["teardown"])["t"]
    out, prev = {}, 0.0
    for name, _ in PHASES:
        out[name] = b[name] - prev
        prev = b[name]
    out["total"] = prev
    return out


def rusage_ms(helper, argv, n, work):
    res = os.path.join(work, "ru")
    xs = []
    for _ in range(n):
        subprocess.run([helper, res] + argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=True)
        with open(res) as f:
            xs.append(int(f.read().split()[0]) / 1e6)
    return statistics.median(xs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--hutch", required=True)
    ap.add_argument("--bundle", required=True)
    ap.add_argument("-n", type=int, default=15)
    ap.add_argument("--roots-on-disk", action="store_true")
    a = ap.parse_args()
    if os.environ.get("HUTCH_PHASES_NS") != "1":
        ctl = "/sys/fs/cgroup/unified/cgroup.controllers"
        empty = tempfile.NamedTemporaryFile(prefix="hutch-phases-", delete=False).name
        os.environ["HUTCH_PHASES_NS"] = "1"
        try:
            return subprocess.call(
                ["unshare", "-m", "--propagation", "private", "--", "/bin/sh", "-c",
                 '[ -f "$1" ] && mount --bind "$2" "$1"; shift 2; exec "$@"', "sh", ctl,
                 empty, sys.executable] + sys.argv)
        finally:
            os.unlink(empty)
    work = tempfile.mkdtemp(prefix="hutch-phases.")
    try:
        root = os.path.join(work, "root")
        os.mkdir(root)
        if not a.roots_on_disk:
            subprocess.run(["mount", "-t", "tmpfs", "-o", "mode=0700", "hutch-phases", root],
                           check=True)
        helper = os.path.join(work, "rusage")
        here = os.path.dirname(os.path.abspath(__file__))
        subprocess.run(["cc", "-O2", "-static", "-o", helper, os.path.join(here, "rusage.c")],
                       check=True)
        hutch = os.path.abspath(a.hutch)
        runs = []
        for i in range(a.n + 1):
            tr = os.path.join(work, "trace")
            subprocess.run(["perf", "trace", "-e", EVENTS, "-o", tr, hutch, "--root", root, "run",
                            "--bundle", a.bundle, "ph%d" % i], check=True,
                           stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
            if i > 0:
                runs.append(phases_of(parse_trace(tr)))
        untraced = rusage_ms(helper, [hutch, "--root", root, "run", "--bundle", a.bundle, "u"],
                             a.n, work)
        unshare = shutil.which("unshare")
        bare = rusage_ms(helper, [unshare, "--fork", "--pid", "--mount", "--net", "--ipc",
                                  "--uts", "/bin/true"], a.n, work)
        true_ms = rusage_ms(helper, ["/bin/true"], a.n, work)
        ver = rusage_ms(helper, [hutch, "--version"], a.n, work)
        med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        print("| phase | what | median ms (traced) | share |")
        print("|---|---|---:|---:|")
        for name, what in PHASES:
            print("| %s | %s | %.2f | %.0f%% |" % (name, what, med[name],
                                                    100 * med[name] / med["total"]))
        print("| **total (traced)** | sum of the phases, %d runs under `perf trace` | **%.2f** | |"
              % (a.n, med["total"]))
        print()
        print("untraced `hutch run` median: %.2f ms; `hutch --version`: %.2f ms; `/bin/true`: "
              "%.2f ms; bare kernel (`unshare --fork --pid --mount --net --ipc --uts /bin/true`): "
              "%.2f ms" % (untraced, ver, true_ms, bare))
    finally:
        subprocess.run(["umount", os.path.join(work, "root")], stderr=subprocess.DEVNULL)
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
