#!/usr/bin/env python3
"""Writes BENCHMARKS.md from repeated runs of `cargo bench -p h1wire-benches --bench compare`.

`just benchmarks-md` runs the comparison several times and keeps each run's criterion output in
target/criterion-runs/<n>/ (with one run only, target/criterion is read). For each run this reads
<group>/<implementation>/new/estimates.json (mean time) and benchmark.json (throughput); each
ratio (peer time / h1wire time, above 1: h1wire faster) is reported as its median over the runs
with the lowest and highest in brackets, so that a change of a few percent can be told from
noise. Instruction counts for h1wire (callgrind, which repeats exactly) come from the
`profile_head` example when valgrind is installed.
"""
import json
import os
import platform
import shutil
import subprocess
import sys
from datetime import datetime, timezone

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
RUNS_DIR = os.path.join(ROOT, "target", "criterion-runs")


def run_dirs():
    if os.path.isdir(RUNS_DIR):
        runs = sorted(os.path.join(RUNS_DIR, d) for d in os.listdir(RUNS_DIR))
        if runs:
            return runs
    return [os.path.join(ROOT, "target", "criterion")]


RUNS = run_dirs()
# (criterion group, h1wire's implementation in it, row title)
ROWS = [
    ("req_curl", "h1wire", "request, curl's (3 fields, 78 B)"),
    ("req_health", "h1wire", "request, load balancer health check (2 fields, 62 B)"),
    ("req_short", "h1wire", "request, short (~70 B)"),
    ("req_long", "h1wire", "request, long (~700 B)"),
    ("req_browser_20", "h1wire", "request, browser-like, 20 fields with cookies (1.6 KB)"),
    ("req_100_fields", "h1wire", "request, 100 fields"),
    ("resp_short", "h1wire", "response, short (~70 B)"),
    ("resp_long", "h1wire", "response, long (~700 B)"),
    ("head_8k_one_byte_at_a_time", "h1wire", "8 KiB head, one byte per read (peers re-parse from byte 0)"),
    ("chunked_1mib_in_4096b_chunks", "h1wire", "chunked body, 1 MiB in 4 KiB chunks, as events (slices, no copy)"),
    ("chunked_1mib_in_4096b_chunks", "h1wire_in_place", "chunked body, 1 MiB in 4 KiB chunks, decoded in place"),
    ("chunked_1mib_in_16b_chunks", "h1wire", "chunked body, 1 MiB in 16 B chunks, as events (slices, no copy)"),
    ("chunked_1mib_in_16b_chunks", "h1wire_in_place", "chunked body, 1 MiB in 16 B chunks, decoded in place"),
]
PEERS = ["httparse", "picohttpparser"]
HEADS = ["req_curl", "req_health", "req_short", "req_long", "req_browser_20", "req_100_fields",
         "resp_short", "resp_long"]


def load_one(run, group, impl):
    base = os.path.join(run, group, impl, "new")
    try:
        with open(os.path.join(base, "estimates.json")) as f:
            mean = json.load(f)["mean"]["point_estimate"]
        with open(os.path.join(base, "benchmark.json")) as f:
            throughput = json.load(f).get("throughput") or {}
    except FileNotFoundError:
        return None
    return mean, throughput.get("Bytes")


def load(group, impl):
    """The median mean time over the runs, and the throughput's byte count."""
    found = [x for x in (load_one(run, group, impl) for run in RUNS) if x]
    if not found:
        return None
    times = sorted(t for t, _ in found)
    return times[len(times) // 2], found[0][1]


def ratios(group, peer, impl="h1wire"):
    """Per run: the peer's time over h1wire's, for runs that measured both."""
    out = []
    for run in RUNS:
        ours, theirs = load_one(run, group, impl), load_one(run, group, peer)
        if ours and theirs:
            out.append(theirs[0] / ours[0])
    return sorted(out)


def fmt_ratio(values):
    if not values:
        return "—"
    median = values[len(values) // 2]
    if len(values) == 1:
        return "%.2f" % median
    return "%.2f [%.2f–%.2f]" % (median, values[0], values[-1])


def instructions(which, name):
    """h1wire's instructions per parse under callgrind, or None without valgrind."""
    exe = os.path.join(ROOT, "target", "release", "examples", "profile_head")
    if not shutil.which("valgrind") or not os.path.exists(exe):
        return None

    def count(reps):
        out = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", exe, which, name, str(reps)],
                             capture_output=True, text=True)
        for line in out.stderr.splitlines():
            if "Collected :" in line:
                return int(line.split(":")[-1])
        return None

    a, b = count(1000), count(2000)
    return (b - a) // 1000 if a and b else None


def median(values):
    return values[len(values) // 2]


def met(ok):
    return "met" if ok else "not met"


def fmt_time(ns):
    if ns >= 1e6:
        return "%.2f ms" % (ns / 1e6)
    if ns >= 1e3:
        return "%.2f µs" % (ns / 1e3)
    return "%.0f ns" % ns


def machine():
    cpu = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    rustc = subprocess.run(["rustc", "-V"], capture_output=True, text=True).stdout.strip()
    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    return cpu, os.cpu_count(), platform.system(), rustc, commit


def main():
    cpu, cores, system, rustc, commit = machine()
    out = ["# Benchmarks", ""]
    out.append("%d runs of `cargo bench -p h1wire-benches --bench compare` (criterion means), all "
               "implementations on the same inputs in each run. Times are medians over the runs; each ratio "
               "(peer time / h1wire time: above 1.00 h1wire is faster) is the median with the lowest and "
               "highest in brackets." % len(RUNS))
    out.append("")
    out.append("Every implementation is called the way servers call it and does what a server must: "
               "httparse with uninitialised header storage reused across calls (as hyper does), "
               "picohttpparser with one header array reused, h1wire with one parser per connection; each "
               "reads the method, the target and every field name and value.")
    out.append("")
    out.append("- Machine: %s, %d cores, %s; %s; commit %s; %s." % (
        cpu, cores, system, rustc, commit, datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")))
    out.append("- Regenerate with `just benchmarks-md` (three runs; `just benchmarks-md 5` for five). "
               "Wall-clock numbers drift between runs on shared machines, hence the spread; instruction "
               "counts (below) repeat exactly.")
    out.append("")
    out.append("| input | h1wire | h1wire throughput | httparse | picohttpparser | vs httparse | vs picohttpparser |")
    out.append("| --- | --- | --- | --- | --- | --- | --- |")
    missing = []
    for group, impl, title in ROWS:
        ours = load(group, impl)
        if ours is None:
            missing.append("%s/%s" % (group, impl))
            continue
        mean, nbytes = ours
        tput = ""
        if nbytes and group.startswith(("req_", "resp_")):
            tput = "%.0f MB/s, %.2f M msg/s" % (nbytes / mean * 1e3, 1e3 / mean)
        elif nbytes:
            tput = "%.0f MB/s" % (nbytes / mean * 1e3)
        cells, rs = [], []
        for peer in PEERS:
            theirs = load(group, peer)
            cells.append(fmt_time(theirs[0]) if theirs else "—")
            rs.append(fmt_ratio(ratios(group, peer, impl)))
        out.append("| %s | %s | %s | %s | %s | %s | %s |" % (title, fmt_time(mean), tput, cells[0], cells[1], rs[0], rs[1]))
    out.append("")
    out.append("Chunked rows: as events, h1wire hands out the chunk data as slices of the input and never "
               "moves it (one `parse` call per chunk), so with large chunks it only reads the size lines. "
               "`parse_body_in_place` does what picohttpparser's `phr_decode_chunked` does: one call moves "
               "the data of every chunk over the framing (its time includes parsing the head, ~0.1 µs).")
    one_shot = load("head_8k_one_byte_at_a_time", "h1wire_one_shot")
    if one_shot:
        parts = []
        for impl, what in [("h1wire", "one byte per read"), ("h1wire_reads_of_64", "64-byte reads"),
                           ("h1wire_reads_of_1460", "1460-byte reads (one TCP segment)")]:
            t = load("head_8k_one_byte_at_a_time", impl)
            if t:
                parts.append("%s %s (%.2fx)" % (what, fmt_time(t[0]), t[0] / one_shot[0]))
        out.append("")
        out.append("8 KiB head, h1wire fed in pieces, against its one-shot time (%s): %s." % (
            fmt_time(one_shot[0]), "; ".join(parts)))
    out.append("")
    out.append("## Instructions per parse (callgrind)")
    out.append("")
    counts = {}
    for name in ["curl", "health", "short", "long", "hundred"]:
        parse, read = instructions("h1wire", name), instructions("h1wire-read", name)
        if parse and read:
            counts[name] = (parse, read, instructions("httparse", name))
    if counts:
        out.append("| input | h1wire, parse | h1wire, parse and read every field | httparse, parse | h1wire read / httparse |")
        out.append("| --- | --- | --- | --- | --- |")
        for name, (parse, read, peer) in counts.items():
            out.append("| %s | %d | %d | %s | %s |" % (
                name, parse, read, peer or "—", "%.2f" % (read / peer) if peer else "—"))
        out.append("")
        out.append("From `target/release/examples/profile_head` (`just instructions h1wire-read curl`, "
                   "`just instructions httparse curl`): (2000 repetitions - 1000) / 1000. httparse is called as "
                   "above (uninitialised headers, reused) and picks the same SIMD code under valgrind as natively "
                   "(valgrind reports AVX2); its fields are slices once parsed, so reading them adds nothing. These "
                   "counts repeat exactly; wall-clock times above move by several percent between runs and with "
                   "code placement.")
    else:
        out.append("valgrind is not installed: no instruction counts in this report.")
    out.append("")
    out.append("## Targets (issue 23), from these runs")
    out.append("")
    head_ratios = {g: ratios(g, "httparse") for g in HEADS if ratios(g, "httparse")}
    if head_ratios:
        worst = min(head_ratios, key=lambda g: median(head_ratios[g]))
        out.append("- At least 0.9x httparse on every head input, parse and read every field: lowest %s (%s): %s." % (
            fmt_ratio(head_ratios[worst]), worst, met(median(head_ratios[worst]) >= 0.9)))
        per_input = sorted(median(r) for r in head_ratios.values())
        mid = (per_input[(len(per_input) - 1) // 2] + per_input[len(per_input) // 2]) / 2
        out.append("- Median over the %d head inputs at least 1.1x httparse: %.2f: %s." % (
            len(per_input), mid, met(mid >= 1.1)))
    pico_ratios = {g: ratios(g, "picohttpparser") for g in HEADS if ratios(g, "picohttpparser")}
    if pico_ratios:
        worst = min(pico_ratios, key=lambda g: median(pico_ratios[g]))
        out.append("- At least 0.7x picohttpparser on every head input: lowest %s (%s): %s." % (
            fmt_ratio(pico_ratios[worst]), worst, met(median(pico_ratios[worst]) >= 0.7)))
    for name, what in [("health", "the 62-byte health check"), ("curl", "curl's request")]:
        if name in counts and counts[name][2]:
            _, read, peer = counts[name]
            out.append("- Instructions on %s at most 1.1x httparse's: %d against %d, %.2fx: %s." % (
                what, read, peer, read / peer, met(read / peer <= 1.1)))
    # Nothing else slower: against the last report's figures (BENCHMARKS.md at 3d4b4ec), compared
    # as ratios to a peer measured in the same run, which travel between runs better than times.
    # "Unchanged or better": the new median at least the old one, or the two spreads overlapping
    # (a difference inside both runs' noise is no difference).
    def not_slower(r, then):
        median_then, low_then, high_then = then
        return bool(r) and (median(r) >= median_then or (r[0] <= high_then and low_then <= r[-1]))

    bytewise = load("head_8k_one_byte_at_a_time", "h1wire")
    if bytewise:
        r = ratios("head_8k_one_byte_at_a_time", "httparse")
        out.append("- Nothing else slower: the 8 KiB head fed one byte per read takes %s, %.1f ns per read "
                   "(linear: the machine resumes, nothing is read twice); httparse re-parsing from byte 0 "
                   "takes %s as long (74.24 [73.69–83.51] at 3d4b4ec): %s." % (
                       fmt_time(bytewise[0]), bytewise[0] / 8192, fmt_ratio(r), met(not_slower(r, (74.24, 73.69, 83.51)))))
    before = {("4096b", "h1wire"): (4.55, 3.67, 5.08), ("4096b", "h1wire_in_place"): (0.98, 0.96, 1.12),
              ("16b", "h1wire"): (0.51, 0.50, 0.58), ("16b", "h1wire_in_place"): (1.09, 1.00, 1.12)}
    for (chunk, impl), then in before.items():
        r = ratios("chunked_1mib_in_%s_chunks" % chunk, "picohttpparser", impl)
        if r:
            how = "decoded in place" if impl == "h1wire_in_place" else "as events"
            out.append("- Nothing else slower: chunked, %s chunks, %s, against picohttpparser: %s "
                       "(%.2f [%.2f–%.2f] at 3d4b4ec): %s." % (chunk.replace("b", " B"), how, fmt_ratio(r), *then,
                                                          met(not_slower(r, then))))
    out.append("")
    out.append("\"Nothing else slower\" compares ratios to a peer measured in the same run with the last report's "
               "(BENCHMARKS.md at 3d4b4ec), as they travel between runs better than times; it holds when the new "
               "median is at least the old one or the two spreads overlap.")
    path = load("request_path", os.path.join("h1wire", "req_long_with_body"))
    if path:
        out.append("")
        out.append("h1wire's whole request path (head, Host rules, framing, 5-byte body, end) on the long "
                   "request: %s, %.2f M requests/s." % (fmt_time(path[0]), 1e3 / path[0]))
    if missing:
        out.append("")
        out.append("Not measured in this run: %s." % ", ".join(missing))
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
