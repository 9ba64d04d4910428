#!/usr/bin/env python3
"""Side-by-side benchmark of hutch, crun and runc (issue 7).

Run by bench/run.sh inside a private mount namespace (where crun 1.8 sees an empty
cgroup.controllers on the unified hierarchy and so uses cgroup v1, like runc).  Every
measurement is interleaved: iteration i runs the runtimes in a rotated order, so drift of
the machine (page cache, frequency, other load) is spread over all three.  We report
medians and ratios to crun and runc, never a bare time as a criterion.
"""

import argparse
import copy
import ctypes
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time

PR_SET_CHILD_SUBREAPER = 36
LIFECYCLE_OPS = ["create", "state", "start", "exec", "kill", "delete"]
TIMEOUT = 60


class OpFailed(Exception):
    pass


def _alarm(_sig, _frame):
    raise TimeoutError("runtime did not finish in %ds" % TIMEOUT)


class Bench:
    def __init__(self, a):
        self.a = a
        self.work = a.work
        self.prefix = "hb%d" % os.getpid()
        self.seq = 0
        self.created = {rt: set() for rt in a.runtimes}
        self.rt_path = {}
        for rt in a.runtimes:
            p = a.hutch if rt == "hutch" else shutil.which(rt)
            if not p:
                sys.exit("bench: %s not found" % rt)
            self.rt_path[rt] = os.path.realpath(p)
        self.log = os.path.join(self.work, "runtime-stderr.log")
        self.roots = {rt: os.path.join(a.roots, rt) for rt in a.runtimes}
        for r in self.roots.values():
            os.makedirs(r, exist_ok=True)

    # -- processes ---------------------------------------------------------------
    def argv(self, rt, *args):
        return [self.rt_path[rt], "--root", self.roots[rt]] + list(args)

    def spawn(self, argv, stdout="/dev/null"):
        fa = [
            (os.POSIX_SPAWN_OPEN, 0, "/dev/null", os.O_RDONLY, 0),
            (os.POSIX_SPAWN_OPEN, 1, stdout, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
            (os.POSIX_SPAWN_OPEN, 2, self.log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644),
        ]
        return os.posix_spawn(argv[0], argv, os.environ, file_actions=fa)

    def timed(self, argv, stdout="/dev/null", check=True):
        """Run argv under the rusage helper; return (seconds, ru_maxrss KiB, exit code)."""
        mark = os.path.getsize(self.log) if os.path.exists(self.log) else 0
        res = os.path.join(self.work, "rusage.out")
        signal.alarm(TIMEOUT)
        try:
            pid = self.spawn([self.a.rusage, res] + argv, stdout)
            _, status, _ = os.wait4(pid, 0)
        finally:
            signal.alarm(0)
        if status != 0:
            raise OpFailed("rusage helper failed for %s" % " ".join(argv))
        with open(res) as f:
            ns, maxrss, st, _cpu = (int(x) for x in f.read().split())
        rc = os.waitstatus_to_exitcode(st)
        if check and rc != 0:
            with open(self.log, errors="replace") as f:
                f.seek(mark)
                msg = f.read().strip()
            raise OpFailed("%s: exit %d: %s" % (" ".join(argv[3:]), rc, msg[-500:]))
        return ns / 1e9, maxrss, rc

    def quiet(self, argv, timeout=TIMEOUT):
        try:
            return subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, timeout=timeout, text=True)
        except subprocess.TimeoutExpired:
            return None

    def reap(self):
        """Reap orphans reparented to us (we are a subreaper) between measurements."""
        while True:
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return

    def wait_gone(self, pid):
        try:
            os.waitpid(pid, 0)
            return
        except ChildProcessError:
            pass
        deadline = time.time() + TIMEOUT
        while os.path.exists("/proc/%d" % pid) and time.time() < deadline:
            time.sleep(0.001)

    def new_id(self, rt, tag):
        self.seq += 1
        cid = "%s-%s-%s%d" % (self.prefix, rt, tag, self.seq)
        self.created[rt].add(cid)
        return cid

    def force_delete(self, rt, cid):
        self.quiet(self.argv(rt, "delete", "--force", cid))
        self.created[rt].discard(cid)

    # -- bundles -----------------------------------------------------------------
    def bundle(self, name, args, limit=None):
        d = os.path.join(self.work, name)
        os.makedirs(d, exist_ok=True)
        c = copy.deepcopy(self.a.config)
        c["root"]["path"] = self.a.rootfs
        c["process"]["args"] = args
        c["process"]["terminal"] = False
        if limit is not None:
            c["linux"].setdefault("resources", {})["memory"] = {"limit": limit}
        with open(os.path.join(d, "config.json"), "w") as f:
            json.dump(c, f, indent=1)
        return d

    def order(self, i):
        rts = self.a.runtimes
        k = i % len(rts)
        return rts[k:] + rts[:k]

    # -- measurements ------------------------------------------------------------
    def run_once(self, rt, bundle):
        cid = self.new_id(rt, "r")
        dt, rss, _ = self.timed(self.argv(rt, "run", "--bundle", bundle, cid))
        self.created[rt].discard(cid)
        return dt, rss

    def lifecycle_once(self, rt, bundle):
        """create, state, (init RSS), start, exec, kill, delete of one container."""
        t, m = {}, {}
        cid = self.new_id(rt, "l")
        out = os.path.join(self.work, "state.out")
        t["create"], m["create"], _ = self.timed(self.argv(rt, "create", "--bundle", bundle, cid))
        t["state"], m["state"], _ = self.timed(self.argv(rt, "state", cid), stdout=out)
        with open(out) as f:
            st = json.load(f)
        pid = st["pid"]
        init = proc_status(pid)
        t["start"], m["start"], _ = self.timed(self.argv(rt, "start", cid))
        t["exec"], m["exec"], _ = self.timed(self.argv(rt, "exec", cid, "/bin/true"))
        t["kill"], m["kill"], _ = self.timed(self.argv(rt, "kill", cid, "KILL"))
        self.wait_gone(pid)
        t["delete"], m["delete"], _ = self.timed(self.argv(rt, "delete", cid))
        self.created[rt].discard(cid)
        self.reap()
        return t, m, init

    def bare_kernel(self):
        argv = [shutil.which("unshare"), "--fork", "--pid", "--mount", "--net", "--ipc",
                "--uts", "/bin/true"]
        dt, rss, _ = self.timed(argv)
        return dt, rss

    def latencies(self, n, warm):
        true_b = self.bundle("bundle-true", ["/bin/true"])
        sleep_b = self.bundle("bundle-sleep", ["/bin/sleep", "3600"])
        rts = self.a.runtimes
        lat = {op: {rt: [] for rt in rts} for op in ["run"] + LIFECYCLE_OPS}
        rss = {op: {rt: [] for rt in rts} for op in ["run"] + LIFECYCLE_OPS}
        init = {rt: [] for rt in rts}
        bare = []
        for i in range(warm + n):
            keep = i >= warm
            for rt in self.order(i):
                dt, m = self.run_once(rt, true_b)
                if keep:
                    lat["run"][rt].append(dt)
                    rss["run"][rt].append(m)
            for rt in self.order(i + 1):
                t, m, st = self.lifecycle_once(rt, sleep_b)
                if keep:
                    for op in LIFECYCLE_OPS:
                        lat[op][rt].append(t[op])
                        rss[op][rt].append(m[op])
                    init[rt].append(st)
            dt, _ = self.bare_kernel()
            if keep:
                bare.append(dt)
            self.reap()
            progress("latency", i + 1, warm + n)
        return lat, rss, init, bare

    def floor_ok(self, rt, limit):
        b = self.bundle("bundle-floor-%s" % rt, ["/bin/echo", "hi"], limit)
        cid = self.new_id(rt, "f")
        out = os.path.join(self.work, "floor.out")
        try:
            _, _, rc = self.timed(self.argv(rt, "run", "--bundle", b, cid), stdout=out,
                                  check=False)
        except TimeoutError:
            rc = -1
        self.force_delete(rt, cid)
        self.reap()
        with open(out) as f:
            return rc == 0 and f.read() == "hi\n"

    def memory_floor(self, rt, lo=64 << 10, hi=256 << 20, step=16 << 10):
        """Smallest limit (bytes, to `step`) at which `echo hi` runs; bisected."""
        if self.floor_ok(rt, lo):
            return {"bytes": lo, "note": "works at the lowest limit tried"}
        if not self.floor_ok(rt, hi):
            return {"bytes": None, "note": "fails even at %d bytes" % hi}
        probes = 2
        while hi - lo > step:
            mid = (lo + hi) // 2 // 4096 * 4096
            probes += 1
            if self.floor_ok(rt, mid):
                hi = mid
            else:
                lo = mid
        # The edge is not sharp (reclaim timing): confirm it twice more.
        while not (self.floor_ok(rt, hi) and self.floor_ok(rt, hi)):
            hi += step
        return {"bytes": hi, "probes": probes}

    def throughput(self, rt, n):
        b = os.path.join(self.work, "bundle-true")
        ids = [self.new_id(rt, "t") for _ in range(n)]
        pidf = {cid: os.path.join(self.work, cid + ".pid") for cid in ids}

        def parallel(make):
            signal.alarm(TIMEOUT)
            try:
                t0 = time.perf_counter()
                pids = [self.spawn(make(cid)) for cid in ids]
                bad = 0
                for p in pids:
                    _, status, _ = os.wait4(p, 0)
                    bad += status != 0
                dt = time.perf_counter() - t0
            finally:
                signal.alarm(0)
            if bad:
                raise OpFailed("%s: %d of %d parallel commands failed" % (rt, bad, n))
            return dt

        t_create = parallel(lambda c: self.argv(rt, "create", "--bundle", b, "--pid-file",
                                                pidf[c], c))
        t_start = parallel(lambda c: self.argv(rt, "start", c))
        for cid in ids:
            with open(pidf[cid]) as f:
                self.wait_gone(int(f.read().strip()))
        t_delete = parallel(lambda c: self.argv(rt, "delete", c))
        for cid in ids:
            self.created[rt].discard(cid)
        self.reap()
        return {"create_s": t_create, "start_s": t_start, "delete_s": t_delete}

    def syscalls(self, rt):
        b = os.path.join(self.work, "bundle-true")
        cid = self.new_id(rt, "s")
        out = os.path.join(self.work, "strace-%s.txt" % rt)
        argv = [shutil.which("strace"), "-c", "-f", "-o", out] + self.argv(rt, "run", "--bundle",
                                                                          b, cid)
        self.timed(argv)
        self.created[rt].discard(cid)
        calls, top = None, []
        with open(out) as f:
            for line in f:
                fields = line.split()
                if fields and fields[-1] == "total":
                    calls = int(fields[3])
                elif len(fields) >= 5 and re.match(r"^[\d.]+$", fields[0]):
                    top.append((fields[-1], int(fields[3])))
        top.sort(key=lambda x: -x[1])
        return {"calls": calls, "top": top[:8]}

    def leftovers(self):
        left = {"state": [], "cgroups": []}
        for rt in self.a.runtimes:
            for cid in sorted(self.created[rt]):
                r = self.quiet(self.argv(rt, "state", cid))
                if r is not None and r.returncode == 0:
                    left["state"].append("%s:%s" % (rt, cid))
                self.force_delete(rt, cid)
        left["cgroups"] = find_cgroups(self.prefix)
        return left


def find_cgroups(prefix, depth=4):
    found = []
    base = "/sys/fs/cgroup"
    for top, dirs, _ in os.walk(base):
        if top[len(base):].count("/") >= depth:
            dirs[:] = []
            continue
        for d in dirs:
            if d.startswith(prefix):
                found.append(os.path.join(top, d))
    return found


def proc_status(pid):
    keys = ("VmHWM", "VmRSS", "RssAnon", "RssFile", "RssShmem")
    r = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in keys:
                r[k] = int(v.split()[0])
    return r


def progress(what, i, n):
    if i % 10 and i != n:
        return
    sys.stderr.write("\r  %s: %d/%d   " % (what, i, n))
    if i == n:
        sys.stderr.write("\n")
    sys.stderr.flush()


def summary(xs, scale=1.0):
    xs = sorted(x * scale for x in xs)
    if not xs:
        return None
    q = lambda p: xs[min(len(xs) - 1, int(p * (len(xs) - 1) + 0.5))]
    return {"median": statistics.median(xs), "p10": q(0.1), "p90": q(0.9), "min": xs[0],
            "n": len(xs)}


def ratio(a, b):
    return None if a is None or not b else a / b


def version(path):
    try:
        out = subprocess.run([path, "--version"], capture_output=True, text=True).stdout
        return out.splitlines()[0].strip()
    except (OSError, IndexError):
        return None


def stripped_size(path, work):
    tmp = os.path.join(work, "stripped")
    shutil.copy(path, tmp)
    if subprocess.run(["strip", tmp], capture_output=True).returncode != 0:
        return None
    n = os.path.getsize(tmp)
    os.unlink(tmp)
    return n


def targets(res):
    lat, rss, fl = res["latency_ms"], res["rss_kb"], res["memory_floor"]
    m = lambda op, rt: lat[op][rt]["median"]
    t = []

    def add(name, value, limit):
        t.append({"target": name, "ratio": value, "limit": limit,
                  "met": value is not None and value <= limit})

    add("run /bin/true vs crun", ratio(m("run", "hutch"), m("run", "crun")), 0.8)
    add("run /bin/true vs runc", ratio(m("run", "hutch"), m("run", "runc")), 0.25)
    for op in ("create", "start", "exec"):
        add("%s vs crun" % op, ratio(m(op, "hutch"), m(op, "crun")), 1.0)
    add("runtime peak RSS vs crun",
        ratio(rss["runtime_peak"]["hutch"], rss["runtime_peak"]["crun"]), 1.0)
    add("memory floor vs crun", ratio(fl["hutch"]["bytes"], fl["crun"]["bytes"]), 1.0)
    return t


def print_table(res):
    rts = res["meta"]["runtimes"]
    w = sys.stdout.write
    w("\n%-22s" % "median" + "".join("%12s" % r for r in rts) + "%12s%12s\n"
      % ("hutch/crun", "hutch/runc"))

    def row(name, vals, fmt):
        h, c, r = (vals.get(x) for x in ("hutch", "crun", "runc"))
        cells = "".join(("%12s" % (fmt % vals[x]) if vals.get(x) is not None else "%12s" % "-")
                        for x in rts)
        rc, rr = ratio(h, c), ratio(h, r)
        w("%-22s%s%12s%12s\n" % (name, cells, "%.2f" % rc if rc is not None else "-",
                                 "%.2f" % rr if rr is not None else "-"))

    for op, s in res["latency_ms"].items():
        row(op + " (ms)", {rt: s[rt]["median"] for rt in rts}, "%.2f")
    for op, s in res["rss_kb"]["runtime"].items():
        row("rss %s (KiB)" % op, s, "%d")
    row("rss peak (KiB)", res["rss_kb"]["runtime_peak"], "%d")
    row("init VmHWM (KiB)", {rt: v["VmHWM"] for rt, v in res["rss_kb"]["init_waiting"].items()},
        "%d")
    row("init VmRSS (KiB)", {rt: v["VmRSS"] for rt, v in res["rss_kb"]["init_waiting"].items()},
        "%d")
    row("memory floor (KiB)", {rt: (v["bytes"] // 1024 if v["bytes"] else None)
                               for rt, v in res["memory_floor"].items()}, "%d")
    row("throughput (ctr/s)", {rt: v["per_s"] for rt, v in res["throughput"].items()}, "%.1f")
    row("parallel delete (s)", {rt: v["delete_s"] for rt, v in res["throughput"].items()},
        "%.3f")
    row("syscalls per run", {rt: v["calls"] for rt, v in res["syscalls_per_run"].items()}, "%d")
    row("binary (bytes)", {rt: v["size"] for rt, v in res["binary"].items()}, "%d")
    w("\nbare kernel (unshare pid,mnt,net,ipc,uts + exec /bin/true): %.2f ms median\n"
      % res["baseline"]["unshare_true_ms"]["median"])
    w("\ntargets:\n")
    for t in res["targets"]:
        w("  %-28s %8s  (limit %.2f)  %s\n" % (
            t["target"], "%.2f" % t["ratio"] if t["ratio"] is not None else "-", t["limit"],
            "met" if t["met"] else "NOT MET"))
    left = res["cleanup"]
    w("\ncleanup: %s\n" % ("clean" if not left["state"] and not left["cgroups"] else left))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--hutch", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--rootfs", required=True)
    p.add_argument("--config", required=True, help="runc-spec-like config.json template")
    p.add_argument("--out", required=True)
    p.add_argument("--rusage", required=True, help="the bench/rusage.c helper")
    p.add_argument("--roots", required=True, help="where the three --root dirs go")
    p.add_argument("--roots-fs", default="disk", help="tmpfs or disk (for the record)")
    p.add_argument("--iterations", type=int, default=100)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--parallel", type=int, default=16)
    p.add_argument("--throughput-rounds", type=int, default=3)
    p.add_argument("--runtimes", default="hutch,crun,runc")
    a = p.parse_args()
    a.runtimes = a.runtimes.split(",")
    with open(a.config) as f:
        a.config = json.load(f)
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    signal.signal(signal.SIGALRM, _alarm)

    b = Bench(a)
    rts = a.runtimes
    res = {"meta": {
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "kernel": platform.release(),
        "cpus": os.cpu_count(), "runtimes": rts, "iterations": a.iterations,
        "warmup": a.warmup, "parallel": a.parallel, "roots_fs": a.roots_fs,
        "versions": {rt: version(b.rt_path[rt]) for rt in rts},
        "hutch_commit": os.environ.get("HUTCH_BENCH_COMMIT"),
        "cgroups": "v1 for all three (hybrid host; unified cgroup.controllers bound empty)"}}
    try:
        sys.stderr.write("bench: %d iterations (+%d warm-up), interleaved\n"
                         % (a.iterations, a.warmup))
        lat, rss, init, bare = b.latencies(a.iterations, a.warmup)
        res["latency_ms"] = {op: {rt: summary(v[rt], 1e3) for rt in rts}
                             for op, v in lat.items()}
        res["ratios"] = {op: {"hutch/crun": ratio(s["hutch"]["median"], s["crun"]["median"]),
                              "hutch/runc": ratio(s["hutch"]["median"], s["runc"]["median"])}
                         for op, s in res["latency_ms"].items()}
        rt_rss = {op: {rt: int(statistics.median(v[rt])) for rt in rts}
                  for op, v in rss.items()}
        res["rss_kb"] = {
            "runtime": rt_rss,
            "runtime_peak": {rt: max(rt_rss[op][rt] for op in LIFECYCLE_OPS) for rt in rts},
            "init_waiting": {rt: {k: int(statistics.median(s[k] for s in init[rt]))
                                  for k in init[rt][0]} for rt in rts},
            "note": "runtime: ru_maxrss from wait4 of the command (includes the helpers it "
                    "reaps; for run and exec also the container process); runtime_peak: the "
                    "largest over create/state/start/exec/kill/delete; init_waiting: "
                    "/proc/<pid>/status of the container's init between create and start"}
        res["baseline"] = {"unshare_true_ms": summary(bare, 1e3)}

        sys.stderr.write("bench: memory floor (bisect, 16 KiB steps)\n")
        res["memory_floor"] = {rt: b.memory_floor(rt) for rt in rts}

        sys.stderr.write("bench: throughput, %d containers in parallel x %d rounds\n"
                         % (a.parallel, a.throughput_rounds))
        tp = {rt: [] for rt in rts}
        for i in range(a.throughput_rounds):
            for rt in b.order(i):
                tp[rt].append(b.throughput(rt, a.parallel))
        res["throughput"] = {}
        for rt in rts:
            cs = statistics.median(x["create_s"] + x["start_s"] for x in tp[rt])
            res["throughput"][rt] = {
                "n": a.parallel, "create_start_s": cs, "per_s": a.parallel / cs,
                "create_s": statistics.median(x["create_s"] for x in tp[rt]),
                "start_s": statistics.median(x["start_s"] for x in tp[rt]),
                "delete_s": statistics.median(x["delete_s"] for x in tp[rt])}

        sys.stderr.write("bench: strace -c -f of one run each\n")
        res["syscalls_per_run"] = {rt: b.syscalls(rt) for rt in rts}
        res["binary"] = {rt: {"path": b.rt_path[rt], "size": os.path.getsize(b.rt_path[rt]),
                              "stripped_size": stripped_size(b.rt_path[rt], a.work)}
                         for rt in rts}
        res["targets"] = targets(res)
    finally:
        res["cleanup"] = b.leftovers()
        for cg in sorted(res["cleanup"]["cgroups"], key=len, reverse=True):
            try:
                os.rmdir(cg)
            except OSError:
                pass
    with open(a.out, "w") as f:
        json.dump(res, f, indent=1)
    print_table(res)


if __name__ == "__main__":
    main()
