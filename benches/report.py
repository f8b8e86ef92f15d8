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
# (criterion group, h1wire's implementation in it, row title)
ROWS = [
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
# The targets: head parsing against httparse on its own input shapes.
HTTPARSE_SHAPES = ["req_short", "req_long", "resp_short", "resp_long"]


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
        cells, ratios = [], []
        for peer in PEERS:
            theirs = load(group, peer)
            cells.append(fmt_time(theirs[0]) if theirs else "—")
            ratios.append("%.2f" % (theirs[0] / mean) if theirs else "—")
        out.append("| %s | %s | %s | %s | %s | %s | %s |" % (title, fmt_time(mean), tput, cells[0], cells[1], ratios[0], ratios[1]))
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
    out.append("## Targets (issue 6), from this run")
    out.append("")
    ratios = []
    for group in HTTPARSE_SHAPES:
        ours, theirs = load(group, "h1wire"), load(group, "httparse")
        if ours and theirs:
            ratios.append((theirs[0] / ours[0], group))
    if ratios:
        worst = min(ratios)
        out.append("- Head parsing at least as fast as httparse on its own shapes (aim 1.3x): %s (lowest %.2f, %s): %s." % (
            ", ".join("%s %.2f" % (g, r) for r, g in ratios), worst[0], worst[1],
            "met" if worst[0] >= 1.0 else "not met"))
    bytewise = load("head_8k_one_byte_at_a_time", "h1wire")
    if one_shot and bytewise:
        factor = bytewise[0] / one_shot[0]
        out.append("- One byte at a time at most 2x the one-shot cost: %.1fx: %s." % (
            factor, "met" if factor <= 2 else "not met"))
    for chunk in ["4096b", "16b"]:
        group = "chunked_1mib_in_%s_chunks" % chunk
        pico = load(group, "picohttpparser")
        best = [(pico[0] / t[0], impl) for impl in ["h1wire", "h1wire_in_place"]
                for t in [load(group, impl)] if t and pico]
        if best:
            ratio, impl = max(best)
            out.append("- Chunked decoding at least as fast as picohttpparser, %s chunks: %.2f (%s): %s." % (
                chunk.replace("b", " B"), ratio, impl, "met" if ratio >= 1.0 else "not met"))
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
