#!/usr/bin/env python3
"""Turn the raw output of bench/run.sh into a markdown table and SVG pictures.

Usage: bench/report.py RUNDIR OUT.md

RUNDIR holds meta (key=value lines) and *.out files of guest lines:
  R key=value ...  a measurement     T key=value ...  a timeline sample
  S key=value ...  a scenario that could not run, with reason=
Pictures are written next to OUT.md as <stem>-*.svg.  Standard library only.
"""
import os
import statistics
import sys
from xml.sax.saxutils import escape

SLAB_KIB = 2  # IO_TLB_SIZE


def parse(rundir):
    rows, skips, timelines = [], [], {}
    for name in sorted(os.listdir(rundir)):
        if not name.endswith(".out"):
            continue
        run = name[:-4]
        with open(os.path.join(rundir, name), errors="replace") as f:
            for line in f:
                parts = line.split()
                if not parts or parts[0] not in ("R", "T", "S"):
                    continue
                kv = dict(p.split("=", 1) for p in parts[1:] if "=" in p)
                kv["run"] = run
                if parts[0] == "R":
                    rows.append(kv)
                elif parts[0] == "S":
                    skips.append(kv)
                else:
                    timelines.setdefault(run, []).append(kv)
    return rows, skips, timelines


def num(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def spread(vals):
    """median [min-max] (n) of the numbers in vals, or a dash."""
    vals = [v for v in vals if v is not None]
    if not vals:
        return "-", None
    med = statistics.median(vals)
    if len(vals) == 1:
        return "%s (1)" % fmt(med), med
    return "%s [%s-%s] (%d)" % (fmt(med), fmt(min(vals)), fmt(max(vals)), len(vals)), med


def fmt(v):
    if v is None:
        return "-"
    if v == int(v):
        return "%d" % v
    if abs(v) >= 100:
        return "%.0f" % v
    if abs(v) >= 10:
        return "%.1f" % v
    return "%.2f" % v


def ratio(a, b):
    if a is None or b is None or b == 0:
        return "-"
    return "%.3f" % (a / b)


def select(rows, **want):
    return [r for r in rows if all(r.get(k) == v for k, v in want.items())]


def keys_in_order(rows, *fields):
    seen = []
    for r in rows:
        k = tuple(r.get(f) for f in fields)
        if k not in seen:
            seen.append(k)
    return seen


def pair_of(r):
    """The pair number of a row from its run name, map-P-kernel."""
    parts = r.get("run", "").split("-")
    return parts[1] if len(parts) > 2 else None


def pair_ratios(sel_a, sel_b, metric):
    """min-max over pairs of metric(b) / metric(a), the kernels of one pair."""
    a = {pair_of(r): metric(r) for r in sel_a}
    rs = [metric(r) / a[pair_of(r)] for r in sel_b
          if a.get(pair_of(r)) and metric(r) is not None]
    if len(rs) < 2:
        return ""
    return " (pairs %.2f-%.2f)" % (min(rs), max(rs))


def map_table(rows, metric):
    """Scenario 1: one line per (threads, granule, dir)."""
    out = ["| threads | granule (pages) | dir | stock | patched, events off | ratio off/stock "
           "| patched, events on | ratio on/stock |",
           "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    mrows = select(rows, scenario="map")
    for threads, granule, d in keys_in_order(mrows, "threads", "granule", "dir"):
        cells = []
        meds = []
        sels = []
        for kernel, trace in (("stock", "off"), ("patched", "off"), ("patched", "on")):
            sel = select(mrows, kernel=kernel, trace=trace, threads=threads, granule=granule, dir=d)
            text, med = spread([metric(r) for r in sel])
            cells.append(text)
            meds.append(med)
            sels.append(sel)
        out.append("| %s | %s | %s | %s | %s | %s%s | %s | %s%s |" % (
            threads, granule, d, cells[0], cells[1], ratio(meds[1], meds[0]),
            pair_ratios(sels[0], sels[1], metric), cells[2], ratio(meds[2], meds[0]),
            pair_ratios(sels[0], sels[2], metric)))
    return out


def map_unmap(r):
    a, b = num(r.get("map_us")), num(r.get("unmap_us"))
    return None if a is None or b is None else a + b


def geomean(vals):
    vals = [v for v in vals if v]
    if not vals:
        return None
    prod = 1.0
    for v in vals:
        prod *= v
    return prod ** (1.0 / len(vals))


def map_summary(rows):
    """Geometric means over all points of the per-point median ratios."""
    mrows = select(rows, scenario="map")
    out = []
    for trace, text in (("off", "events compiled in, disabled"), ("on", "all events/swiotlb enabled")):
        rs = []
        for threads, granule, d in keys_in_order(mrows, "threads", "granule", "dir"):
            meds = []
            for kernel, tr in (("stock", "off"), ("patched", trace)):
                meds.append(spread([map_unmap(r) for r in select(
                    mrows, kernel=kernel, trace=tr, threads=threads, granule=granule, dir=d)])[1])
            if meds[0] and meds[1]:
                rs.append(meds[1] / meds[0])
        g = geomean(rs)
        if g:
            out.append("- map+unmap, patched (%s) / stock: geometric mean %.3f over %d points, "
                       "per point %.3f-%.3f" % (text, g, len(rs), min(rs), max(rs)))
    # Events on against off within one boot of the patched kernel: no boot
    # to boot noise between the two.
    rs = []
    pat = select(mrows, kernel="patched")
    for r_on in select(pat, trace="on"):
        for r_off in select(pat, trace="off", run=r_on["run"], threads=r_on["threads"],
                            granule=r_on["granule"], dir=r_on["dir"]):
            if map_unmap(r_off):
                rs.append(map_unmap(r_on) / map_unmap(r_off))
    g = geomean(rs)
    if g:
        out.append("- map+unmap, events on / events off, same boot of the patched kernel: geometric "
                   "mean %.3f over %d runs, range %.3f-%.3f" % (g, len(rs), min(rs), max(rs)))
    return out


def bw_table(rows):
    out = ["| granule | bytes | stock bounce MB/s | patched bounce MB/s | ratio patched/stock "
           "| memcpy MB/s (both kernels) | stock bounce/memcpy | patched bounce/memcpy |",
           "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    brows = select(rows, scenario="bw")
    mrows = select(rows, scenario="bw-memcpy")
    for (granule,) in keys_in_order(brows + mrows, "granule"):
        st, stm = spread([num(r["bounce_MBps"]) for r in select(brows, kernel="stock", granule=granule)])
        pt, ptm = spread([num(r["bounce_MBps"]) for r in select(brows, kernel="patched", granule=granule)])
        mt, mm = spread([num(r["memcpy_MBps"]) for r in select(mrows, granule=granule)])
        out.append("| %s | %d | %s | %s | %s | %s | %s | %s |" % (
            granule, int(granule) * 4096, st, pt, ratio(ptm, stm), mt, ratio(stm, mm), ratio(ptm, mm)))
    return out


FIO_KERNELS = ("stock-64M", "stock-1M", "patched-1M")


def cell(sel, field):
    """A cell of values that may be words ("never", "not_grown"): the spread
    of the numbers, else the distinct words."""
    vals = [r.get(field) for r in sel if r.get(field) is not None]
    if vals and all(num(v) is not None for v in vals):
        return spread([num(v) for v in vals])[0]
    return ", ".join(sorted({v.replace("_", " ") for v in vals})) or "-"


def per_kernel(rows, cells_of):
    """One table line per fio kernel that has rows: its name, then cells_of(its rows)."""
    out = []
    for k in FIO_KERNELS:
        sel = select(rows, kernel=k)
        if sel:
            out.append("| %s |" % " | ".join([k] + cells_of(sel)))
    return out


def fio_tables(rows):
    out = ["| kernel, initial pool | burst | pattern | jobs x iodepth | write MiB/s | verify read MiB/s "
           "| ratio write vs stock-64M | fio errors |",
           "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    frows = select(rows, scenario="fio")
    for b, rw, qd in keys_in_order(frows, "burst", "rw", "qd"):
        base = None
        for k in FIO_KERNELS:
            sel = select(frows, kernel=k, burst=b, rw=rw, qd=qd)
            if not sel:
                continue
            wt, wm = spread([num(r["write_MiBps"]) for r in sel])
            rt, _ = spread([num(r["verify_read_MiBps"]) for r in sel])
            if k == "stock-64M":
                base = wm
            errs = sum(int(r.get("fio_error", "1") != "0") for r in sel)
            out.append("| %s | %s | %s | %s x %s | %s | %s | %s | %d of %d runs |" % (
                k, b or "1", rw, sel[0].get("jobs", "1"), qd, wt, rt, ratio(wm, base), errs, len(sel)))
    mrows = select(rows, scenario="fio-mem")
    after_s = ",".join(sorted({r.get("after_s", "?") for r in mrows})) or "30"
    out += ["", "Memory through the timeline (burst 1, %s s idle, memory pressure, burst 2, idle until "
            "swiotlb memory is back at its initial size):" % after_s, "",
            "| kernel, initial pool | initial MiB | peak MiB | MiB %s s after burst 1 | MiB after pressure "
            "| s from pressure start until back | s from end of burst 2 until back (idle) "
            "| pools freed: shrinker / idle |" % after_s,
            "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    out += per_kernel(mrows, lambda sel: [
        cell(sel, "init_MiB"), cell(sel, "peak_MiB"), cell(sel, "after_MiB"), cell(sel, "pressure_MiB"),
        cell(sel, "pressure_return_s"), cell(sel, "idle_return_s"),
        "%s / %s" % (cell(sel, "returned_shrinker"), cell(sel, "returned_idle"))])
    mode = {"events": "swiotlb_pool_add kind=transient", "kprobe": "kprobe on swiotlb_dyn_free"}
    out += ["", "| kernel, initial pool | transient pools, burst 1 | transient pools, burst 2 | counted by "
            "| failed maps (kretprobe), burst 1 / 2 | \"buffer is full\" messages | used high-water (slots) |",
            "| --- | --- | --- | --- | --- | --- | --- |"]
    out += per_kernel(mrows, lambda sel: [
        cell(sel, "transient_pools_1"), cell(sel, "transient_pools_2"),
        ", ".join(sorted({mode.get(r.get("transient_mode"), "-") for r in sel})),
        "%s / %s" % (cell(sel, "failed_maps_1"), cell(sel, "failed_maps_2")), cell(sel, "full_msgs"),
        cell(sel, "hiwater")])
    prow = select(rows, scenario="fio-pressure")
    if prow:
        out += ["", "Memory pressure (bench/memhog, held in the reclaim band for the hold time; "
                "reclaim events from tracefs vmscan; the swiotlb shrinker's calls from "
                "`mm_shrink_slab_start` filtered on its scan function: a call scans once its "
                "total_scan reaches the batch of 128 or the whole count):", "",
                "| kernel, initial pool | hold s | memhog peak MiB | reclaim seen | min MemFree kB "
                "| zone min / low kB | kswapd wake-ups | direct reclaims | longest direct reclaim us "
                "| shrinker calls | of which scanning | shrinker us per call, mean / max "
                "| lowest priority | largest count (slots) |",
                "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
        out += per_kernel(prow, lambda sel: [
            cell(sel, "hold_s"), cell(sel, "peak_MiB"), cell(sel, "reclaim_seen"), cell(sel, "min_memfree_kB"),
            "%s / %s" % (cell(sel, "zone_min_kB"), cell(sel, "zone_low_kB"))] + [
            cell(sel, f) for f in ("kswapd_wakes", "direct_reclaims", "direct_reclaim_max_us",
                                   "shrinker_calls", "shrinker_scans")] + [
            "%s / %s" % (cell(sel, "shrinker_call_mean_us"), cell(sel, "shrinker_call_max_us"))] + [
            cell(sel, f) for f in ("shrinker_min_priority", "shrinker_max_count")])
    return out


def ramp_table(rows):
    out = ["| kernel | load | held MiB | maps | failed (module) | failed maps (kretprobe) "
           "| slots after | transient slots held | transient pools (counted by) | seconds |",
           "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    mode = {"events": "swiotlb_pool_add", "kprobe": "kprobe swiotlb_dyn_free"}
    for r in sorted(rows, key=lambda r: (r.get("kernel") != "stock", r.get("run", ""))):
        if r["scenario"].startswith("ramp"):
            out.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s (%s) | %s |" % (
                r["kernel"], r["scenario"][5:], r.get("held_MiB", "-"), r.get("maps", "-"),
                r.get("failed", "-"), r.get("failed_maps", "-"), r.get("nslabs", "-"),
                r.get("transient", "-"), r.get("transient_pools", "-"),
                mode.get(r.get("transient_mode"), "-"), r.get("secs", "-")))
    return out if len(out) > 2 else []


def osc_table(rows):
    """The oscillating load: one line per kernel and idle setting."""
    sel_rows = [r for r in rows if r.get("scenario") == "osc"]
    if not sel_rows:
        return []
    out = ["| kernel | idle time | periods | grow/free cycles | rises / falls of swiotlb memory "
           "| MiB at start / peak / end | failed (module) | failed maps (kretprobe) | runs |",
           "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    keys = []
    for r in sel_rows:
        k = (r.get("kernel"), r.get("idle_ms"))
        if k not in keys:
            keys.append(k)
    for k in keys:
        sel = [r for r in sel_rows if (r.get("kernel"), r.get("idle_ms")) == k]
        out.append("| %s | %s | %s | %s | %s / %s | %s / %s / %s | %s | %s | %d |" % (
            k[0], "default" if k[1] == "default" else "%s ms (debugfs)" % k[1], cell(sel, "periods"),
            cell(sel, "cycles"), cell(sel, "rises"), cell(sel, "falls"), cell(sel, "start_MiB"),
            cell(sel, "peak_MiB"), cell(sel, "end_MiB"), cell(sel, "failed"), cell(sel, "failed_maps"),
            len(sel)))
    return out


POOL_MEASURES = (
    # scenario, label, map key, unmap key, unit
    ("pools", "dma_map_benchmark (user space, edu device)", "map_us", "unmap_us", "µs"),
    ("pools-ktime", "test module, ktime around each call in the kernel (median of rounds "
     "of 4096 pairs per boot)", "map_ns", "unmap_ns", "ns"),
)


def pools_table(rows):
    """Scenario 5: per measurement, map and unmap apart and together,
    stock against patched, and each kernel against its own 1-pool cost."""
    out = []
    for scen, label, mk, uk, unit in POOL_MEASURES:
        prow = select(rows, scenario=scen)
        if not prow:
            continue
        wants = sorted({r.get("want") for r in prow}, key=lambda w: num(w) or 0)
        both = lambda r, mk=mk, uk=uk: (None if num(r.get(mk)) is None or num(r.get(uk)) is None
                                        else num(r.get(mk)) + num(r.get(uk)))
        metrics = (("map", lambda r, mk=mk: num(r.get(mk))), ("unmap", lambda r, uk=uk: num(r.get(uk))),
                   ("map+unmap", both))
        out += ["", "**%s**, %s per call:" % (label, unit), "",
                "| pools wanted | pools (stock / patched) | " + " | ".join(
                    "stock %s | patched %s | patched/stock" % (m, m) for m, _ in metrics) + " |",
                "| --- | --- | " + " | ".join("--- | --- | ---" for _ in metrics) + " |"]
        meds = {}
        for want in wants:
            cells = []
            npools = []
            for k in ("stock", "patched"):
                npools.append(",".join(sorted({r.get("pools", "-") for r in select(prow, kernel=k, want=want)}))
                              or "-")
            for m, f in metrics:
                sels, ms = [], []
                for k in ("stock", "patched"):
                    sel = select(prow, kernel=k, want=want)
                    text, med = spread([f(r) for r in sel])
                    cells.append(text)
                    ms.append(med)
                    sels.append(sel)
                    meds[(k, m, want)] = med
                cells.append(ratio(ms[1], ms[0]) + pair_ratios(sels[0], sels[1], f))
            out.append("| %s | %s | %s |" % (want, " / ".join(npools), " | ".join(cells)))
        if "1" in wants and len(wants) > 1:
            out += ["", "the same, each kernel against its own cost at 1 pool (medians):", "",
                    "| pools wanted | " + " | ".join("stock %s | patched %s" % (m, m) for m, _ in metrics) + " |",
                    "| --- | " + " | ".join("--- | ---" for _ in metrics) + " |"]
            for want in wants:
                cells = []
                for m, _ in metrics:
                    for k in ("stock", "patched"):
                        a, b = meds.get((k, m, want)), meds.get((k, m, "1"))
                        cells.append("-" if a is None or not b else "%.3f" % (a / b))
                out.append("| %s | %s |" % (want, " | ".join(cells)))
    if not out:
        return []
    arr = ["%s pair %s: %s" % (r["kernel"], pair_of(r), ", ".join(
        "%s: %s/%s" % (x.get("want"), x.get("free_filled", "-"), x.get("free_others", "-"))
        for x in select(select(rows, scenario="pools"), run=r["run"])))
        for r in {r["run"]: r for r in select(rows, scenario="pools")}.values()]
    out += ["", "arrangement per boot, for each count: free slots in all pools once the default pool "
            "was filled / free slots outside the default pool at the point (0/0 is the intended "
            "worst case): " + "; ".join(sorted(arr))]
    return out


TOOL_ARGS = {"none": "detached", "default": "`swiotlbtop -b`",
             "holds": "`-b --holds`", "holds+copies": "`-b --holds --copies`",
             "fentry": "`-b -m fentry`", "kprobe": "`-b -m kprobe`",
             "tracepoint": "`-b -m tracepoint`"}


def tool_table(rows):
    """Per kernel: detached, then each way of attaching swiotlbtop.  Each
    attached run follows a detached one in the same boot: the ratios are
    medians of those pairs' ratios."""
    out = ["| kernel | swiotlbtop | mode | map+unmap µs | maps/s | latency attached/detached "
           "| map rate attached/detached (goal >= 0.95 by default) | tool CPU, % of one CPU |",
           "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    trows = select(rows, scenario="tool")
    for k in ("stock", "patched"):
        det = select(trows, kernel=k, attached="no")
        if not det:
            continue
        dtext = spread([map_unmap(r) for r in det])[0]
        drate = spread([1e6 / map_unmap(r) for r in det if map_unmap(r)])[0]
        out.append("| %s | detached | - | %s | %s | | | - |" % (k, dtext, drate))
        confs = keys_in_order([dict(r, config=r.get("config", "default"))
                               for r in select(trows, kernel=k, attached="yes")], "config")
        for (conf,) in confs:
            sel = [r for r in select(trows, kernel=k, attached="yes")
                   if r.get("config", "default") == conf]
            text = spread([map_unmap(r) for r in sel])[0]
            rate = spread([1e6 / map_unmap(r) for r in sel if map_unmap(r)])[0]
            lat = []
            for r in sel:
                base = [d for d in det if d.get("config") == conf and d.get("round") == r.get("round")
                        and d["run"] == r["run"] and map_unmap(d)]
                if base and map_unmap(r):
                    lat.append(map_unmap(r) / map_unmap(base[0]))
            ltext = spread(lat)[0]
            rtext = spread([1 / x for x in lat])[0]
            cpu = spread([100.0 * num(r.get("tool_cpu_s")) / num(r.get("secs"))
                          for r in sel if num(r.get("tool_cpu_s")) is not None and num(r.get("secs"))])[0]
            modes = sorted({r.get("mode", "-") for r in sel})
            out.append("| %s | %s | %s | %s | %s | %s | %s | %s |" % (
                k, TOOL_ARGS.get(conf, conf), "/".join(modes), text, rate, ltext, rtext, cpu))
    return out if len(out) > 2 else []


# ---- pictures ---------------------------------------------------------------

COLOURS = {"pool": "#1f77b4", "used": "#ff7f0e", "transient": "#d62728", "memfree": "#2ca02c"}
PHASE_FILL = {"burst": "#fde0c5", "idle-after": "#e8f0fe", "pressure": "#e6d6f5",
              "burst2": "#fde0c5", "idle-return": "#e8f0fe"}


def timeline_svg(timelines, path):
    """Scenario 7: one panel per run, stacked; swiotlb MiB on the left axis,
    MemFree MiB drawn on its own scale (right axis)."""
    def order(run):
        k = timelines[run][0].get("kernel", "")
        return (FIO_KERNELS.index(k) if k in FIO_KERNELS else 99, run)
    runs = sorted((r for r in timelines if timelines[r]), key=order)
    if not runs:
        return False
    # One scale for every panel, so that the panels compare at a glance.
    tmax = max(num(p["t"]) or 0 for r in runs for p in timelines[r]) or 1
    ymax = max([((num(p["nslabs"]) or 0) + (num(p["transient"]) or 0)) * SLAB_KIB / 1024
                for r in runs for p in timelines[r]] + [1]) * 1.1
    fmax = max([(num(p["memfree_kb"]) or 0) / 1024 for r in runs for p in timelines[r]] + [1]) * 1.1
    pw, ph, ml, mr, mt, mb = 760, 190, 60, 70, 30, 35
    height = len(runs) * (ph + mt + mb) + 40
    width = pw + ml + mr
    s = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
         'font-family="sans-serif" font-size="11">' % (width, height),
         '<rect width="100%" height="100%" fill="white"/>',
         '<text x="%d" y="18" font-size="13">swiotlb memory and MemFree over time '
         '(QEMU TCG guest; sampled every 0.5 s)</text>' % ml]
    for i, run in enumerate(runs):
        pts = timelines[run]
        oy = 30 + i * (ph + mt + mb) + mt
        t = [num(p["t"]) or 0 for p in pts]
        pool = [((num(p["nslabs"]) or 0) + (num(p["transient"]) or 0)) * SLAB_KIB / 1024 for p in pts]
        used = [(num(p["used"]) or 0) * SLAB_KIB / 1024 for p in pts]
        trans = [(num(p["transient"]) or 0) * SLAB_KIB / 1024 for p in pts]
        free = [(num(p["memfree_kb"]) or 0) / 1024 for p in pts]

        def x(v):
            return ml + v / tmax * pw

        def y(v, top=ymax):
            return oy + ph - v / top * ph
        # phases
        start = 0
        for j in range(1, len(pts) + 1):
            if j == len(pts) or pts[j]["phase"] != pts[start]["phase"]:
                ph_name = pts[start]["phase"]
                fill = PHASE_FILL.get(ph_name)
                x0, x1 = x(t[start]), x(t[j - 1] if j == len(pts) else t[j])
                if fill:
                    s.append('<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="%s"/>' % (
                        x0, oy, max(x1 - x0, 0.5), ph, fill))
                s.append('<text x="%.1f" y="%d" fill="#555">%s</text>' % (x0 + 2, oy + 12, escape(ph_name)))
                start = j
        s.append('<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#333"/>' % (ml, oy, pw, ph))
        label = pts[0].get("kernel", run)
        s.append('<text x="%d" y="%d" font-size="12" font-weight="bold">%s (%s)</text>' % (
            ml, oy - 6, escape(label), escape(run)))
        for k in range(5):
            v = ymax * k / 4
            s.append('<text x="%d" y="%.1f" text-anchor="end">%s</text>' % (ml - 4, y(v) + 4, fmt(v)))
            fv = fmax * k / 4
            s.append('<text x="%d" y="%.1f" fill="%s">%s</text>' % (
                ml + pw + 4, y(fv, fmax) + 4, COLOURS["memfree"], fmt(fv)))
        s.append('<text x="%d" y="%d" text-anchor="middle" transform="rotate(-90 %d %d)">swiotlb MiB</text>'
                 % (14, oy + ph // 2, 14, oy + ph // 2))
        s.append('<text x="%d" y="%d" fill="%s" text-anchor="middle" transform="rotate(90 %d %d)">MemFree MiB</text>'
                 % (width - 12, oy + ph // 2, COLOURS["memfree"], width - 12, oy + ph // 2))
        for k in range(6):
            v = tmax * k / 5
            s.append('<text x="%.1f" y="%d" text-anchor="middle">%.0f s</text>' % (x(v), oy + ph + 14, v))
        for name, series, top in (("pool", pool, ymax), ("used", used, ymax),
                                  ("transient", trans, ymax), ("memfree", free, fmax)):
            path_pts = " ".join("%.1f,%.1f" % (x(a), y(b, top)) for a, b in zip(t, series))
            s.append('<polyline fill="none" stroke="%s" stroke-width="1.5" points="%s"/>' % (
                COLOURS[name], path_pts))
        lx = ml + 10
        for name, text in (("pool", "swiotlb pool MiB (incl. transient)"), ("used", "used MiB"),
                           ("transient", "transient MiB"), ("memfree", "MemFree MiB (right axis)")):
            s.append('<rect x="%d" y="%d" width="10" height="3" fill="%s"/>' % (lx, oy + ph + 22, COLOURS[name]))
            s.append('<text x="%d" y="%d">%s</text>' % (lx + 14, oy + ph + 28, escape(text)))
            lx += 30 + 6 * len(text)
    s.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(s) + "\n")
    return True


def map_svg(rows, path):
    """Scenario 1: every run's map+unmap cost per point, relative to the
    stock median of that point, so spread and ratio show at once."""
    mrows = select(rows, scenario="map")
    points = keys_in_order(mrows, "threads", "granule", "dir")
    if not points:
        return False
    series = (("stock", "off", "#1f77b4", "stock"), ("patched", "off", "#ff7f0e", "patched, events off"),
              ("patched", "on", "#d62728", "patched, events on"))
    vals = {}
    for p in points:
        base = statistics.median([map_unmap(r) for r in select(
            mrows, kernel="stock", trace="off", threads=p[0], granule=p[1], dir=p[2])] or [0]) or None
        for kern, trace, _, _ in series:
            sel = select(mrows, kernel=kern, trace=trace, threads=p[0], granule=p[1], dir=p[2])
            vals[(p, kern, trace)] = [map_unmap(r) / base for r in sel if base and map_unmap(r)]
    allv = [v for vs in vals.values() for v in vs] + [1.0]
    lo, hi = min(allv + [0.8]) * 0.95, max(allv + [1.2]) * 1.05
    ml, mt, pw, ph = 60, 44, max(560, 110 * len(points)), 260
    width, height = ml + pw + 20, mt + ph + 90

    def y(v):
        return mt + ph - (v - lo) / (hi - lo) * ph
    s = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" '
         'font-size="11">' % (width, height), '<rect width="100%" height="100%" fill="white"/>',
         '<text x="%d" y="18" font-size="13">dma_map_benchmark map+unmap cost / stock median</text>' % ml,
         '<text x="%d" y="32" fill="#555">QEMU TCG guest, swiotlb=force; t = threads, g = pages '
         'per mapping</text>' % ml,
         '<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#333"/>' % (ml, mt, pw, ph),
         '<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#999" stroke-dasharray="4 3"/>' % (
             ml, ml + pw, y(1), y(1))]
    for k in range(6):
        v = lo + (hi - lo) * k / 5
        s.append('<text x="%d" y="%.1f" text-anchor="end">%.2f</text>' % (ml - 4, y(v) + 4, v))
    slot = pw / len(points)
    for i, p in enumerate(points):
        cx = ml + slot * (i + 0.5)
        s.append('<text x="%.1f" y="%d" text-anchor="middle">t%s g%s %s</text>' % (
            cx, mt + ph + 16, p[0], p[1], p[2]))
        for j, (kern, trace, colour, _) in enumerate(series):
            xx = cx + (j - 1) * slot * 0.25
            vs = vals[(p, kern, trace)]
            for v in vs:
                s.append('<circle cx="%.1f" cy="%.1f" r="3" fill="%s" fill-opacity="0.6"/>' % (xx, y(v), colour))
            if vs:
                m = statistics.median(vs)
                s.append('<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="%s" stroke-width="2"/>' % (
                    xx - 8, xx + 8, y(m), y(m), colour))
    lx = ml
    for _, _, colour, text in series:
        s.append('<circle cx="%d" cy="%d" r="4" fill="%s"/>' % (lx + 4, mt + ph + 40, colour))
        s.append('<text x="%d" y="%d">%s</text>' % (lx + 12, mt + ph + 44, escape(text)))
        lx += 40 + 6 * len(text)
    s.append('<text x="%d" y="%d" fill="#555">dots: single runs; bars: medians; 1.0 = stock median</text>'
             % (ml, mt + ph + 66))
    s.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(s) + "\n")
    return True


def kernel_mismatch(meta):
    """Why the kernels that booted are not the ones the results name, or ''."""
    want = {"stock": meta.get("base_commit"), "patched": meta.get("series_commit")}
    for k in ("stock", "patched"):
        have = meta.get("%s_kernel_rev" % k)
        if not want[k] or have != want[k]:
            return "the %s kernel was built from %s, not from %s" % (k, have, want[k])
        end = meta.get("%s_kernel_rev_end" % k)
        if end is not None and end != have:
            return "the %s kernel was rebuilt during the run (%s, then %s)" % (k, have, end)
    return ""


def read_boots(rundir):
    """The boots in the order they ran: dicts of name, kernel, secs, status."""
    boots = []
    try:
        with open(os.path.join(rundir, "boots")) as f:
            for line in f:
                parts = line.split()
                if len(parts) == 5:
                    boots.append({"name": parts[0], "kernel": parts[1],
                                  "secs": int(parts[3]) - int(parts[2]), "status": parts[4]})
    except OSError:
        pass
    return boots


def boot_order(boots):
    """One line per scenario: its boots in order, grouped by pair."""
    if not boots:
        return ["- (no record of the boot order: a run before bench/run.sh kept one)"]
    out = []
    for scen in keys_in_order([{"s": b["name"].split("-")[0]} for b in boots], "s"):
        sel = [b for b in boots if b["name"].split("-")[0] == scen[0]]
        groups = []
        for p in keys_in_order([{"p": b["name"].split("-")[1]} for b in sel], "p"):
            groups.append(" ".join("%s%s" % ("S" if b["kernel"] == "stock" else "P",
                                             "" if b["status"] == "0" else "(exit %s)" % b["status"])
                                   for b in sel if b["name"].split("-")[1] == p[0]))
        out.append("- %s: %d boots, %d pairs: %s; %s-%s s per boot" % (
            scen[0], len(sel), len(groups), " | ".join(groups),
            min(b["secs"] for b in sel), max(b["secs"] for b in sel)))
    return out


def main():
    if len(sys.argv) != 3:
        sys.stderr.write("usage: report.py RUNDIR OUT.md\n")
        return 2
    rundir, outmd = sys.argv[1], sys.argv[2]
    rows, skips, timelines = parse(rundir)
    meta = {}
    with open(os.path.join(rundir, "meta")) as f:
        for line in f:
            if "=" in line:
                k, v = line.rstrip("\n").split("=", 1)
                meta[k] = v
    bad = kernel_mismatch(meta)
    if bad:
        sys.stderr.write("report.py: no results written: %s\n" % bad)
        return 1
    boots = read_boots(rundir)
    stem = os.path.splitext(outmd)[0]
    base = os.path.basename(stem)
    pics = {}
    if map_svg(rows, stem + "-map.svg"):
        pics["map"] = base + "-map.svg"
    if timeline_svg(timelines, stem + "-memory.svg"):
        pics["memory"] = base + "-memory.svg"

    def why(scenario):
        prefixes = (scenario, "module") if scenario in ("ramp", "pools") else (scenario,)
        rs = [s for s in skips if s.get("scenario", "").startswith(prefixes)]
        return "; ".join(sorted({"%s: %s" % (s.get("kernel"), s.get("reason", "").replace("_", " ")) for s in rs}))

    def table_or_reason(table, scenario):
        """A scenario's table and its notes, or the reason it could not run."""
        if not table:
            return ["cannot run: %s" % (why(scenario) or "not selected")]
        return table + (["", "notes: " + why(scenario)] if why(scenario) else [])

    o = ["# swiotlb-elastic benchmarks, %s" % meta.get("date", base), "",
         "**These figures come from an emulated guest** (QEMU TCG, no KVM) on a shared 2-core "
         "machine. Times are TCG times, not facts about real hardware: read the patched/stock "
         "ratios measured in the same run, and the spreads.", "",
         "How the boots ran, per scenario, in the order they booted (S stock, P patched; "
         "one group per pair):", ""] + boot_order(boots) + ["",
         "- command: `%s`" % meta.get("command", "bench/run.sh"),
         "- mode: %s; elapsed %s s" % (meta.get("mode", "?"), meta.get("elapsed_s", "?")),
         "- series commit (branch `series` of the dev tree): `%s`" % meta.get("series_commit", "?"),
         "- base commit: `%s`" % meta.get("base_commit", "?"),
         "- kernels built: stock `%s`, patched `%s` (bench variant: tinyconfig + configs/base.config)" % (
             meta.get("stock_kernel_rev", "?"), meta.get("patched_kernel_rev", "?")),
         "- project commit: `%s`" % meta.get("project_commit", "?"),
         "- host: %s; %s" % (meta.get("host", "?"), meta.get("qemu", "?")),
         "- cells: median [min-max] (number of runs); ratios are of medians; \"pairs\" is the range of "
         "the ratio within each stock/patched pair of boots.", ""]
    summary = map_summary(rows)
    if summary:
        o += ["## Summary", ""] + summary + [""]
    o += ["## 1. Map and unmap cost (dma_map_benchmark on edu, swiotlb=force)", "",
          "map + unmap latency, µs per mapping as the benchmark reports it (0.1 µs resolution); "
          "ratio > 1 means patched is slower. \"events on\" = all of tracefs `events/swiotlb` "
          "enabled (the series' new tracepoints plus `swiotlb_bounced`), same boot as \"off\".", ""]
    if select(rows, scenario="map"):
        o += map_table(rows, map_unmap)
        o += ["", "map alone:", ""] + map_table(rows, lambda r: num(r.get("map_us")))
        o += ["", "unmap alone:", ""] + map_table(rows, lambda r: num(r.get("unmap_us")))
        if "map" in pics:
            o += ["", "![map+unmap cost per run](%s)" % pics["map"]]
    else:
        o.append("cannot run: %s" % (why("map") or "not selected"))
    if why("map"):
        o += ["", "notes: " + why("map")]
    o += ["", "## 2. Bounce bandwidth against memcpy", "",
          "to-device mappings of one thread: bytes per map / map latency (the map copies the "
          "buffer into the bounce slots, so this includes finding slots), against user-space "
          "memcpy of the same size in the same guest.", ""]
    o += bw_table(rows) if select(rows, scenario="bw") else ["cannot run: %s" % (why("bw") or "not selected")]
    o += ["", "## 3. CoCo-like I/O: fio on virtio-blk (iommu_platform=on), swiotlb=force, verify=crc32c", "",
          "stock-64M: stock, default 64 MiB pool; stock-1M: stock, `swiotlb=512,force` (1 MiB, the "
          "smallest pool, dynamic growth); patched-1M: the patched kernel with the same small pool. "
          "fio bs=256k (the largest mapping, 128 slots), libaio, direct, 1 GiB guest, each job on its "
          "own range of the disk. Timeline per boot: burst 1, idle, memory pressure (bench/memhog), "
          "burst 2, idle until swiotlb memory is back at its initial size (at most 120 s with "
          "idle return (debugfs `swiotlb/idle_ms`), else at most the idle time). Failed maps are counted by a kretprobe on "
          "`swiotlb_tbl_map_single` (filtered on DMA_MAPPING_ERROR) on both kernels; transient pools "
          "from events (patched: `swiotlb_pool_add` kind=transient; stock: a kprobe on "
          "`swiotlb_dyn_free`, which frees only transient pools there); swiotlb memory is "
          "(io_tlb_nslabs + io_tlb_transient_nslabs) x 2 KiB, sampled every 0.5 s; pools freed from "
          "the patched kernel's `elastic` counters.", ""]
    o += fio_tables(rows) if select(rows, scenario="fio") else ["cannot run: %s" % (why("fio") or "not selected")]
    if why("fio"):
        o += ["", "notes: " + why("fio")]
    o += ["", "## 4. Ramp and burst (test module, swiotlb=512,force: 1 MiB pools)", ""]
    o += table_or_reason(ramp_table(rows), "ramp")
    o += ["", "## 5. Many pools (swiotlb=512,force: 1 MiB pools)", "",
          "One boot per kernel and pair goes through every pool count in turn. At each count the "
          "default pool (the tail of the pool list) has room and every other pool is full: the test "
          "module fills the default pool again, the cap (patched) goes up to the count, the module "
          "fills each pool that growth adds, and then releases the default pool's mappings. On "
          "stock the slot search walks past every full pool; the patched kernel tries first the "
          "pool where the CPU last found room. The unmap looks the pool up by address: on stock by "
          "walking the same list, on the patched kernel by checking the default pool and then an "
          "index. Two measurements of one page, bidirectional, at each count: dma_map_benchmark "
          "(1 thread, from user space, on the edu device) and the test module's `time` command "
          "(4096 map and unmap pairs in the kernel, ktime around each call).", ""]
    o += table_or_reason(pools_table(rows), "pools")
    o += ["", "## 6. Tool overhead (swiotlbtop attached/detached)", "",
          "dma_map_benchmark (1 thread, 1 page, bidirectional, swiotlb=force) with swiotlbtop "
          "(`-b`, 1 s intervals) attached in each of its modes and options in turn, each attached run "
          "right after a detached one, two rounds in each boot; the ratios are the median [min-max] "
          "of those pairs' ratios. The mode is the one the tool said it ran in. The default view "
          "pairs no maps with unmaps and counts no bounce copies (`--holds`, `--copies`). The "
          "tool's CPU time is its user + system time while the benchmark ran.", ""]
    o += table_or_reason(tool_table(rows), "tool")
    o += ["", "## 7. Memory timeline", ""]
    if "memory" in pics:
        o += ["swiotlb memory and MemFree through the fio timeline (burst, idle, memory pressure, "
              "burst 2, idle return), one panel per boot; the figures are in the tables of section 3.",
              "", "![memory timeline](%s)" % pics["memory"]]
    else:
        o.append("cannot run: no timeline samples (needs the fio scenario)")
    o += ["", "## 8. Oscillating load (test module, swiotlb=512,force)", "",
          "12 periods of one second: 3 MiB of 64 KiB mappings held for half a second, then released. "
          "swiotlb memory (pools and transient pools) is sampled every 50 ms; a grow/free cycle is a "
          "fall of it followed by a rise, counted the same way on both kernels. The patched kernel runs "
          "as shipped (idle time 60 s) and with a 200 ms idle time set in debugfs, where only the idle "
          "hysteresis keeps it from returning and regrowing its pools every period. In each pair, "
          "stock boots once and the patched kernel twice (as shipped, then idle 200 ms), in the "
          "order listed at the top.", ""]
    o += table_or_reason(osc_table(rows), "osc")
    o.append("")
    with open(outmd, "w") as f:
        f.write("\n".join(o))
    return 0


if __name__ == "__main__":
    sys.exit(main())
