#!/usr/bin/env python3
"""Draw bench/results/latest.json as an SVG: one row per metric, one bar per runtime,
bar length relative to crun (= 1.0), the measured value written next to the bar.
Lower is better everywhere (throughput is shown as time per container)."""

import json
import sys
from xml.sax.saxutils import escape

COLORS = {"hutch": "#2b8a3e", "crun": "#1c7ed6", "runc": "#868e96"}
CAP = 4.0


def fmt_bytes_k(k):
    return "%.1f MiB" % (k / 1024) if k >= 1024 else "%d KiB" % k


def metrics(r):
    rts = r["meta"]["runtimes"]
    rows = []
    for op in ("run", "create", "start", "exec", "state", "kill", "delete"):
        rows.append(("%s (median)" % op,
                     {rt: r["latency_ms"][op][rt]["median"] for rt in rts}, "%.1f ms"))
    tp = r["throughput"]
    rows.append(("parallel create+start, per container",
                 {rt: 1000.0 / tp[rt]["per_s"] for rt in rts}, "%.1f ms"))
    rows.append(("runtime peak RSS", dict(r["rss_kb"]["runtime_peak"]), fmt_bytes_k))
    rows.append(("init RSS waiting for start",
                 {rt: v["VmRSS"] for rt, v in r["rss_kb"]["init_waiting"].items()}, fmt_bytes_k))
    rows.append(("memory floor (echo hi)",
                 {rt: (v["bytes"] or 0) / 1024 for rt, v in r["memory_floor"].items()},
                 fmt_bytes_k))
    rows.append(("syscalls per run", {rt: v["calls"] for rt, v in r["syscalls_per_run"].items()},
                 "%d"))
    rows.append(("binary size", {rt: v["size"] / 1024 for rt, v in r["binary"].items()},
                 fmt_bytes_k))
    return rts, rows


def draw(r):
    rts, rows = metrics(r)
    left, barw, bh, gap, top = 250, 420, 13, 14, 70
    rowh = bh * len(rts) + gap
    width = left + barw + 130
    height = top + rowh * len(rows) + 40
    scale = barw / CAP
    o = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
         'font-family="sans-serif" font-size="11">' % (width, height),
         '<rect width="100%" height="100%" fill="white"/>',
         '<text x="10" y="20" font-size="15" font-weight="bold">hutch vs crun vs runc '
         '(lower is better; bar = ratio to crun)</text>',
         '<text x="10" y="38" fill="#555">%s, kernel %s, %d CPUs, %d iterations, '
         'interleaved; medians; --root on %s</text>' % (escape(r["meta"]["date"]), escape(r["meta"]["kernel"]),
                                         r["meta"]["cpus"], r["meta"]["iterations"],
                                         escape(r["meta"].get("roots_fs", "disk")))]
    lx = left
    for rt in rts:
        o.append('<rect x="%d" y="48" width="12" height="10" fill="%s"/>' % (lx, COLORS[rt]))
        o.append('<text x="%d" y="57">%s</text>' % (lx + 16, rt))
        lx += 70
    for i in range(int(CAP) + 1):
        x = left + i * scale
        o.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="%s" stroke-width="%s"/>'
                 % (x, top - 6, x, top + rowh * len(rows), "#000" if i == 1 else "#ddd",
                    "1.5" if i == 1 else "1"))
        o.append('<text x="%.1f" y="%d" text-anchor="middle" fill="#555">%dx</text>'
                 % (x, top + rowh * len(rows) + 14, i))
    for j, (name, vals, f) in enumerate(rows):
        y0 = top + j * rowh
        o.append('<text x="%d" y="%d" text-anchor="end">%s</text>'
                 % (left - 8, y0 + bh * len(rts) / 2 + 4, escape(name)))
        base = vals.get("crun") or 0
        for k, rt in enumerate(rts):
            v = vals.get(rt)
            if v is None:
                continue
            ratio = v / base if base else 0
            w = min(ratio, CAP) * scale
            y = y0 + k * bh
            o.append('<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s"/>'
                     % (left, y, max(w, 1), bh - 2, COLORS[rt]))
            label = f(v) if callable(f) else f % v
            if rt != "crun" and base:
                label += "  (%.2fx)" % ratio
            o.append('<text x="%.1f" y="%d" fill="#222">%s%s</text>'
                     % (left + w + 4, y + bh - 3, escape(label), " \u2192" if ratio > CAP else ""))
    o.append("</svg>")
    return "\n".join(o) + "\n"


def main():
    with open(sys.argv[1]) as f:
        r = json.load(f)
    with open(sys.argv[2], "w") as f:
        f.write(draw(r))


if __name__ == "__main__":
    main()
