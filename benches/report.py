#!/usr/bin/env python3
"""Writes BENCHMARKS.md from the last `cargo bench -p h1wire-benches --bench compare` run.

Reads criterion's target/criterion/<group>/<implementation>/new/estimates.json (mean time) and
benchmark.json (throughput), and prints a Markdown report: one row per input, the time of each
implementation, h1wire's throughput, and peer-time / h1wire-time ratios (above 1: h1wire faster).
"""
import json
import os
import platform
import subprocess
import sys
from datetime import datetime, timezone

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
CRITERION = os.path.join(ROOT, "target", "criterion")
GROUPS = [
    ("req_short", "request, short (~70 B)"),
    ("req_long", "request, long (~700 B)"),
    ("req_browser_20", "request, browser-like, 20 fields with cookies (1.6 KB)"),
    ("req_100_fields", "request, 100 fields"),
    ("resp_short", "response, short (~70 B)"),
    ("resp_long", "response, long (~700 B)"),
    ("head_8k_one_byte_at_a_time", "8 KiB head, one byte per read (peers re-parse from byte 0)"),
    ("chunked_1mib_in_4096b_chunks", "chunked body, 1 MiB in 4 KiB chunks"),
    ("chunked_1mib_in_16b_chunks", "chunked body, 1 MiB in 16 B chunks"),
]
PEERS = ["httparse", "picohttpparser"]


def load(group, impl):
    base = os.path.join(CRITERION, group, impl, "new")
    try:
        with open(os.path.join(base, "estimates.json")) as f:
            mean = json.load(f)["mean"]["point_estimate"]
        with open(os.path.join(base, "benchmark.json")) as f:
            throughput = json.load(f).get("throughput") or {}
    except FileNotFoundError:
        return None
    return mean, throughput.get("Bytes")


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
    out.append("One run of `cargo bench -p h1wire-benches --bench compare` (criterion, means), all "
               "implementations on the same inputs in the same run. Ratios are peer time / h1wire time: "
               "above 1.00 h1wire is faster, below 1.00 it is slower.")
    out.append("")
    out.append("- Machine: %s, %d cores, %s; %s; commit %s; %s." % (
        cpu, cores, system, rustc, commit, datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")))
    out.append("- Regenerate with `just benchmarks-md`. Wall-clock numbers drift between runs on shared "
               "machines; compare ratios from one run, and instruction counts (see README) across runs.")
    out.append("")
    out.append("| input | h1wire | h1wire throughput | httparse | picohttpparser | vs httparse | vs picohttpparser |")
    out.append("| --- | --- | --- | --- | --- | --- | --- |")
    missing = []
    for group, title in GROUPS:
        ours = load(group, "h1wire")
        if ours is None:
            missing.append(group)
            continue
        mean, nbytes = ours
        tput = ""
        if nbytes and group.startswith(("req_", "resp_")):
            tput = "%.0f MB/s, %.2f M msg/s" % (nbytes / mean * 1e3, 1e3 / mean)
        elif nbytes:
            tput = "%.0f MB/s" % (nbytes / mean * 1e3)
        cells, ratios = [], []
        for peer in PEERS:
            theirs = load(group, peer)
            cells.append(fmt_time(theirs[0]) if theirs else "—")
            ratios.append("%.2f" % (theirs[0] / mean) if theirs else "—")
        out.append("| %s | %s | %s | %s | %s | %s | %s |" % (title, fmt_time(mean), tput, cells[0], cells[1], ratios[0], ratios[1]))
    out.append("")
    out.append("Chunked rows: h1wire hands out the chunk data as slices of the input and never moves it, so "
               "with large chunks it only reads the size lines; picohttpparser decodes in place, moving the "
               "data. With 16-byte chunks the cost is h1wire's per-call path (one event per chunk).")
    one_shot = load("head_8k_one_byte_at_a_time", "h1wire_one_shot")
    bytewise = load("head_8k_one_byte_at_a_time", "h1wire")
    if one_shot and bytewise:
        out.append("")
        out.append("8 KiB head: h1wire one byte at a time costs %.1fx its one-shot time (%s vs %s)." % (
            bytewise[0] / one_shot[0], fmt_time(bytewise[0]), fmt_time(one_shot[0])))
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
