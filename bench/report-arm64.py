#!/usr/bin/env python3
"""Write the results of bench/arm64.sh as markdown.

Usage: bench/report-arm64.py RUNDIR OUT.md

RUNDIR holds meta, boots and one NAME.out per boot (NAME is
SCENARIO-PAIR-KERNEL), whose "R key=value ..." lines are the measurements
of bench/guest.sh.  Figures are medians over the pairs; a ratio's range is
that of the per-pair ratios.  Refuses to write (exit 1) when the kernels
that booted are not the ones the run names.
"""
import re
import statistics
import sys
from pathlib import Path


def kv(line):
    return dict(f.split("=", 1) for f in line.split()[1:] if "=" in f)


def load(run):
    meta = {}
    for line in (run / "meta").read_text().splitlines():
        if "=" in line:
            k, v = line.split("=", 1)
            meta[k] = v
    rows = []
    for out in sorted(run.glob("*.out")):
        m = re.match(r"([a-z]+)-(\d+)-", out.name)
        if not m:
            continue
        for line in out.read_text().splitlines():
            if line.startswith(("R ", "S ")):
                d = kv(line)
                d["_pair"] = int(m.group(2))
                d["_kind"] = line[0]
                rows.append(d)
    boots = [line.split() for line in (run / "boots").read_text().splitlines() if line.strip()]
    return meta, rows, boots


def check(meta):
    for f, want in (("stock", "base_commit"), ("patched", "series_commit")):
        rev, end = meta.get(f + "_kernel_rev"), meta.get(f + "_kernel_rev_end")
        if rev != meta.get(want) or rev != end:
            sys.exit("report-arm64: the %s kernel was %s at the start and %s at the end, "
                     "the run names %s: no results written" % (f, rev, end, meta.get(want)))


def med(xs):
    return statistics.median(xs) if xs else None


def fmt(x, nd=2):
    return "n/a" if x is None else ("%.*f" % (nd, x))


def per_pair(rows, pred, key):
    """{pair: value} for the rows matching pred (one per pair expected)."""
    out = {}
    for r in rows:
        if r["_kind"] == "R" and pred(r) and key in r:
            out.setdefault(r["_pair"], []).append(float(r[key]))
    return {p: statistics.mean(v) for p, v in out.items()}


def ratio(a, b):
    """Median of a over median of b, and the range of the per-pair ratios."""
    pairs = sorted(set(a) & set(b))
    rs = [a[p] / b[p] for p in pairs if b[p]]
    if not rs:
        return "n/a"
    return "%.3f (%.3f-%.3f)" % (med(list(a.values())) / med(list(b.values())), min(rs), max(rs))


def main():
    run, outfile = Path(sys.argv[1]), Path(sys.argv[2])
    meta, rows, boots = load(run)
    check(meta)
    lines = ["# arm64 benchmarks: the embedded case, stock against patched", ""]
    for k in ("date", "command", "guest", "series_commit", "base_commit", "project_commit",
              "secs", "host", "qemu", "elapsed_s"):
        if k in meta:
            lines.append("- %s: %s" % (k, meta[k]))
    order = {}
    for name, flavour, *_ in boots:
        pair = name.split("-")[1]
        if not order.get(pair) or order[pair][-1] != flavour[0].upper():
            order[pair] = order.get(pair, "") + flavour[0].upper()
    failed = [b for b in boots if b[4] != "0"]
    lines.append("- boots: %d in %d pairs, first kernel alternating: %s; %d failed" % (
        len(boots), len(order), " | ".join(" ".join(v) for _, v in sorted(order.items())), len(failed)))
    lines += ["", "Medians over the pairs; ratios are patched/stock with the range of the per-pair ratios.",
              "Emulated guest (TCG): read the ratios, not the times.", ""]

    lines += ["## Map plus unmap from the edu device (dma_map_benchmark, 1 thread, bidirectional)", "",
              "| pages | mask | stock µs (map+unmap) | patched µs | patched/stock |",
              "| --- | --- | --- | --- | --- |"]
    for g in ("1", "16"):
        for mode, bits in (("bounce", "32-bit: bounced"), ("direct", "64-bit: direct")):
            v = {}
            for f in ("stock", "patched"):
                mu = per_pair(rows, lambda r: r.get("scenario") == "map" and r["kernel"] == f + "-" + mode
                              and r.get("granule") == g, "map_us")
                uu = per_pair(rows, lambda r: r.get("scenario") == "map" and r["kernel"] == f + "-" + mode
                              and r.get("granule") == g, "unmap_us")
                v[f] = {p: mu[p] + uu[p] for p in mu if p in uu}
            lines.append("| %s | %s | %s | %s | %s |" % (
                g, bits, fmt(med(list(v["stock"].values()))), fmt(med(list(v["patched"].values()))),
                ratio(v["patched"], v["stock"])))
    lines += ["", "## Bounce bandwidth against memcpy (to the device, 32-bit mask)", "",
              "| pages | stock MB/s | patched MB/s | patched/stock | memcpy MB/s | patched/memcpy |",
              "| --- | --- | --- | --- | --- | --- |"]
    for g in ("1", "16", "64"):
        b = {f: per_pair(rows, lambda r: r.get("scenario") == "bw" and r["kernel"] == f and r.get("granule") == g,
                         "bounce_MBps") for f in ("stock", "patched")}
        mc = per_pair(rows, lambda r: r.get("scenario") == "bw-memcpy" and r.get("granule") == g, "memcpy_MBps")
        lines.append("| %s | %s | %s | %s | %s | %s |" % (
            g, fmt(med(list(b["stock"].values())), 1), fmt(med(list(b["patched"].values())), 1),
            ratio(b["patched"], b["stock"]), fmt(med(list(mc.values())), 1), ratio(b["patched"], mc)))
    lines += ["", "## swiotlb memory held over time, bursty load (3 MiB held half of each second, 12 s)", "",
              "Sampled every 50 ms: the pools' size (default, dynamic and transient).", "",
              "| kernel, pool | start MiB | peak MiB | mean MiB | end MiB | grow/free cycles | failed maps | mean / stock 64 MiB |",
              "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    base = per_pair(rows, lambda r: r.get("scenario") == "osc" and r["kernel"] == "stock-64M", "mean_MiB")
    for label in ("stock-64M", "stock-1M", "patched-1M", "patched-1M-idle200"):
        def sel(r, label=label):
            return r.get("scenario") == "osc" and r["kernel"] == label
        cols = [fmt(med(list(per_pair(rows, sel, k).values()))) for k in
                ("start_MiB", "peak_MiB", "mean_MiB", "end_MiB")]
        cyc = fmt(med(list(per_pair(rows, sel, "cycles").values())), 0)
        fl = fmt(med(list(per_pair(rows, sel, "failed").values())), 0)
        lines.append("| %s | %s | %s | %s | %s |" % (
            label, " | ".join(cols), cyc, fl, ratio(per_pair(rows, sel, "mean_MiB"), base)))
    skips = sorted({"%s %s: %s" % (r.get("kernel"), r.get("scenario"), r.get("reason"))
                    for r in rows if r["_kind"] == "S"})
    if skips:
        lines += ["", "## Not measured", ""] + ["- " + s for s in skips]
    lines += ["", "Raw data: `%s-raw.tar.xz`." % outfile.stem, ""]
    outfile.write_text("\n".join(lines))


if __name__ == "__main__":
    main()
