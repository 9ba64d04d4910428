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

EVENTS = ("execve,execveat,clone3,clone,unshare,recvmsg,sendmsg,pivot_root,exit_group,wait4,"
          "statfs,mkdirat,unlinkat,memfd_create,connect,accept4,socket,sendto")
LINE = re.compile(r"^\s*([\d.]+|\?) \(\s*([\d.]*)\s*(?:ms)?\s*\): (\S*)/(\d+)\s+"
                  r"(\.\.\. \[continued\]: )?(\w+)\((.*?)\)\)?\s*(?:=\s*(.*))?$")
# create forks the init stage (container.c, init_can_fork), which execs the start waiter.
PHASES = [
    ("parse", "exec of hutch, ld.so, CLI, config.json parse + checks"),
    ("state", "state dir, saved config.json, first state.json"),
    ("cgroup", "cgroup dirs (v1: every hierarchy) + device rules"),
    ("fork", "exec.sock, the start waiter's memfd, tasks fds, fork of the init stage"),
    ("stage one", "in the fork: fds closed, bootstrap options, seccomp filter built, until unshare"),
    ("namespaces", "unshare(mnt,uts,ipc,pid,net) + clone3(CLONE_PARENT, into the unified cgroup) of stage two"),
    ("stage-2 wakeup", "stage two until its first traced syscall: copy-on-write faults after "
     "the fork, waiting for stage one's SYNC_PID, CPU contention"),
    ("cgroup join + loopback", "v1 `tasks` writes, then netlink: lo up in the new netns"),
    ("mounts", "rootfs_prepare: binds, proc, dev, sys, cgroup (v1: per controller), masked paths"),
    ("pivot+finalize", "hooks round trip, pivot_root, process setup, until the waiter's exec"),
    ("waiter", "exec of the sealed start waiter (out of and back into the memory cgroup), READY"),
    ("start->exec", "parent: state.json with pid; start handshake; the waiter's accept and execve"),
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

    def child_of(e):
        return int(e["ret"].split()[0])

    P = lambda sc: (lambda e: e["tid"] == p_tid and e["sc"] == sc)
    fork = first(lambda e: P("clone")(e) and e["ret"] and not e["cont"])
    i_tid = child_of(fork)
    I = lambda sc: (lambda e: e["tid"] == i_tid and e["sc"] == sc)
    stage2 = first(lambda e: e["tid"] == i_tid and e["sc"] in ("clone3", "clone") and e["ret"] and not e["cont"])
    c_tid = child_of(stage2)
    C = lambda sc: (lambda e: e["tid"] == c_tid and e["sc"] == sc)
    b = {}
    b["parse"] = first(P("mkdirat"))["t"]
    b["state"] = first(P("statfs"), b["parse"])["t"]
    b["cgroup"] = first(P("socket"), b["state"])["t"]
    b["fork"] = end(fork)
    b["stage one"] = first(I("unshare"))["t"]
    b["namespaces"] = end(stage2)
    b["stage-2 wakeup"] = first(lambda e: e["tid"] == c_tid and not e["cont"])["t"]
    nl = first(lambda e: C("recvmsg")(e) and e["ret"], b["stage-2 wakeup"])
    b["cgroup join + loopback"] = end(nl)
    hooks = first(C("sendmsg"), b["cgroup join + loopback"])
    b["mounts"] = hooks["t"]
    waiter = first(C("execveat"), end(hooks))
    b["pivot+finalize"] = waiter["t"]
    ready = first(C("sendto"), end(waiter))
    b["waiter"] = end(ready)
    c_exec = first(C("execve"), b["waiter"])
    b["start->exec"] = c_exec["t"]
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
        runs, skipped = [], 0
        for i in range(a.n + 1):
            tr = os.path.join(work, "trace")
            subprocess.run(["perf", "trace", "-e", EVENTS, "-o", tr, hutch, "--root", root, "run",
                            "--bundle", a.bundle, "ph%d" % i], check=True,
                           stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
            if i == 0:
                continue
            try:
                runs.append(phases_of(parse_trace(tr)))
            except (TypeError, ValueError, IndexError):
                # perf trace lost or reordered a boundary event (it drops some under load)
                skipped += 1
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
              % (len(runs), med["total"]))
        if skipped:
            print("\n(%d traces without every boundary event left out)" % skipped)
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
