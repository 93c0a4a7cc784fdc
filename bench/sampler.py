#!/usr/bin/env python3
"""Guest side of bench/run.sh: print a timeline sample ("T" line) of
swiotlb's debugfs counters and MemFree every INTERVAL seconds, one process
for the whole run (a fork per sample costs too much under TCG).

Usage: sampler.py LABEL PHASEFILE INTERVAL
The phase is read from PHASEFILE; the sampler stops when it says "stop".
"""
import os
import sys
import time

DBG = "/sys/kernel/debug/swiotlb"


def read(path, default="0"):
    try:
        with open(path) as f:
            return f.read().strip() or default
    except OSError:
        return default


def main():
    label, phasefile, interval = sys.argv[1], sys.argv[2], float(sys.argv[3])
    t0 = time.monotonic()
    have_pools = os.access(os.path.join(DBG, "pools"), os.R_OK)
    while True:
        phase = read(phasefile, "idle")
        if phase == "stop":
            return 0
        memfree = "0"
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemFree:"):
                    memfree = line.split()[1]
                    break
        pools = "-"
        if have_pools:
            pools = str(sum(1 for line in read(os.path.join(DBG, "pools"), "").splitlines() if line))
        vals = {k: read(os.path.join(DBG, "io_tlb_" + k)) for k in
                ("nslabs", "used", "used_hiwater", "transient_nslabs")}
        print("T kernel=%s t=%.1f phase=%s nslabs=%s used=%s hiwater=%s transient=%s pools=%s "
              "memfree_kb=%s" % (label, time.monotonic() - t0, phase, vals["nslabs"], vals["used"],
                                 vals["used_hiwater"], vals["transient_nslabs"], pools, memfree),
              flush=True)
        time.sleep(interval)


if __name__ == "__main__":
    sys.exit(main())
