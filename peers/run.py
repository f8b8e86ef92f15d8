#!/usr/bin/env python3
"""Probe real HTTP/1.1 servers side by side and write PEERS.md (`just peers`).

Each peer is started as our own process on 127.0.0.1 with an ephemeral port and a config or
program from this folder, checked to answer, probed with `h1spec probe --strict --format json`,
and stopped, even when something fails. A peer whose program is not installed (and could not be
installed) is listed as not run. Every probe is bounded by h1spec's own deadlines and
`--max-time`; every server is killed at the end.

Usage: python3 peers/run.py [--install] [--out PEERS.md]
"""

import argparse
import datetime
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PEERS = os.path.join(ROOT, "peers")
H1SPEC = os.path.join(ROOT, "target", "release", "h1spec")
CLASSES = ["CL.TE", "TE.CL", "TE.TE", "CL.CL", "CL.0", "0.CL", "chunked", "Expect", "pipelining"]
# Debian packages for each program (installed with --install when missing).
PACKAGES = {"nginx": "nginx", "go": "golang-go", "apache2": "apache2", "lighttpd": "lighttpd", "haproxy": "haproxy"}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(port, proc, seconds=20):
    until = time.time() + seconds
    while time.time() < until:
        if proc.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.1)
    return False


def fill(template, out, **values):
    with open(template) as f:
        text = f.read()
    for key, value in values.items():
        text = text.replace("@" + key + "@", str(value))
    with open(out, "w") as f:
        f.write(text)


def version(cmd):
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=20)
        text = (out.stdout + out.stderr).strip().splitlines()
        return text[0] if text else "?"
    except (OSError, subprocess.TimeoutExpired):
        return "?"


class Peer:
    """One server: how to start it in `tmp` on `port`, and how to ask its version."""

    def __init__(self, name, program, start, version_cmd, note=""):
        self.name, self.program, self.start, self.version_cmd, self.note = name, program, start, version_cmd, note


def www(tmp):
    os.makedirs(os.path.join(tmp, "www"), exist_ok=True)
    with open(os.path.join(tmp, "www", "index.html"), "w") as f:
        f.write("hello\n")


def start_reference(tmp, port, procs):
    return [H1SPEC, "serve", f"127.0.0.1:{port}"]


def start_nginx(tmp, port, procs):
    os.makedirs(os.path.join(tmp, "tmp"), exist_ok=True)
    fill(os.path.join(PEERS, "nginx", "nginx.conf"), os.path.join(tmp, "nginx.conf"), PORT=port)
    return ["nginx", "-p", tmp, "-c", os.path.join(tmp, "nginx.conf"), "-g", "daemon off;"]


def start_python(tmp, port, procs):
    www(tmp)
    return [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", os.path.join(tmp, "www")]


def start_node(tmp, port, procs):
    return ["node", os.path.join(PEERS, "node", "server.js"), str(port)]


def start_go(tmp, port, procs):
    binary = os.path.join(tmp, "goserver")
    env = dict(os.environ, GOCACHE=os.path.join(tmp, "gocache"), GOPATH=os.path.join(tmp, "gopath"), GO111MODULE="off")
    subprocess.run(["go", "build", "-o", binary, os.path.join(PEERS, "go", "server.go")], check=True, env=env, timeout=300)
    return [binary, str(port)]


def start_apache(tmp, port, procs):
    # Apache drops to `nobody` before serving: its folder must be readable then.
    os.chmod(tmp, 0o755)
    www(tmp)
    fill(os.path.join(PEERS, "apache2", "httpd.conf"), os.path.join(tmp, "httpd.conf"), PORT=port, DIR=tmp)
    return ["apache2", "-f", os.path.join(tmp, "httpd.conf"), "-DFOREGROUND"]


def start_lighttpd(tmp, port, procs):
    www(tmp)
    fill(os.path.join(PEERS, "lighttpd", "lighttpd.conf"), os.path.join(tmp, "lighttpd.conf"), PORT=port, DIR=tmp)
    return ["lighttpd", "-D", "-f", os.path.join(tmp, "lighttpd.conf")]


def start_haproxy(tmp, port, procs):
    origin = free_port()
    ref = subprocess.Popen([H1SPEC, "serve", f"127.0.0.1:{origin}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    procs.append(ref)
    if not wait_listening(origin, ref):
        raise RuntimeError("the reference server behind haproxy did not start")
    fill(os.path.join(PEERS, "haproxy", "haproxy.cfg"), os.path.join(tmp, "haproxy.cfg"), PORT=port, ORIGIN=origin)
    return ["haproxy", "-f", os.path.join(tmp, "haproxy.cfg"), "-db"]


PEER_LIST = [
    Peer("h1spec reference server", None, start_reference, [H1SPEC, "--version"]),
    Peer("nginx", "nginx", start_nginx, ["nginx", "-v"]),
    Peer("Python http.server", sys.executable, start_python, [sys.executable, "--version"]),
    Peer("Node http (llhttp)", "node", start_node, ["node", "--version"]),
    Peer("Go net/http", "go", start_go, ["go", "version"]),
    Peer("Apache httpd", "apache2", start_apache, ["apache2", "-v"]),
    Peer("lighttpd", "lighttpd", start_lighttpd, ["lighttpd", "-v"]),
    Peer("HAProxy → reference server", "haproxy", start_haproxy, ["haproxy", "-v"],
         "what HAProxy forwards is read by the reference server"),
]


def probe(peer):
    """Starts the peer, probes it, stops it; returns (version, report or None, why not)."""
    if peer.program and shutil.which(peer.program) is None:
        return None, None, f"`{peer.program}` is not installed"
    procs = []
    tmp = tempfile.mkdtemp(prefix="h1spec-peer-")
    try:
        port = free_port()
        cmd = peer.start(tmp, port, procs)
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp)
        procs.append(proc)
        if not wait_listening(port, proc):
            return version(peer.version_cmd), None, "did not start (see its log)"
        out = subprocess.run([H1SPEC, "probe", f"127.0.0.1:{port}", "--strict", "--format", "json", "-j", "8", "--max-time", "300"],
                             capture_output=True, text=True, timeout=600)
        if out.returncode == 2:
            return version(peer.version_cmd), None, out.stderr.strip()
        return version(peer.version_cmd), json.loads(out.stdout), ""
    except Exception as e:  # a peer that cannot run is reported, not fatal
        return version(peer.version_cmd), None, str(e)
    finally:
        stop(procs)
        shutil.rmtree(tmp, ignore_errors=True)


def stop(procs):
    """SIGTERM first (nginx, Apache and HAProxy take their children down with them), SIGKILL
    after 5 s."""
    for p in procs:
        p.terminate()
    for p in procs:
        try:
            p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(timeout=5)


def install_missing():
    missing = [pkg for prog, pkg in PACKAGES.items() if shutil.which(prog) is None]
    if not missing:
        return
    print("installing:", " ".join(missing), flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], env=env, check=False)
    for pkg in missing:
        subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", pkg], env=env, check=False,
                       stdout=subprocess.DEVNULL)
    # Packages may start their service: these peers run only as our own processes.
    for service in ["nginx", "apache2", "lighttpd", "haproxy"]:
        subprocess.run(["service", service, "stop"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)


def row(name, ver, report, why):
    if report is None:
        return f"| {name} | {ver or '–'} | not run: {why} | | | | |"
    results = report["results"]
    must = sum(1 for r in results if r["verdict"] == "fail" and r["level"] == "MUST")
    should = sum(1 for r in results if r["verdict"] == "fail" and r["level"] == "SHOULD")
    risks = [r for r in results if r["desync"] and r["desync"]["verdict"] == "risk"]
    by_class = ", ".join(f"{c} {n}" for c in CLASSES if (n := sum(1 for r in risks if r["desync"]["class"] == c)))
    s = report["summary"]
    return f"| {name} | {ver} | {s['passed']} / {s['total'] - s['skipped']} | {must} | {should} | {len(risks)} | {by_class or '–'} |"


# Behaviours these servers are published to have, and the cases that show each: PEERS.md says
# for each whether this run reported it as a desync risk.
PUBLISHED = [
    ("Go net/http", ["chunk-size-bare-lf", "funky-size-bare-lf"],
     "a bare LF after a chunk size (CVE-2025-22871, fixed in Go 1.23.8 and 1.24.2)"),
    ("Go net/http", ["cl-te-smuggled-get", "cl-te-classic", "te-cl-classic", "te-and-cl"],
     "Transfer-Encoding with Content-Length framed by the coding, connection kept (RFC 9112 §6.3 says close)"),
    ("Go net/http", ["cl-empty", "cl-empty-then-request"], "an empty Content-Length read as absent (golang/go#61679)"),
    ("Go net/http", ["te-in-http10", "te-chunked-http10-keep-alive"],
     "Transfer-Encoding ignored in an HTTP/1.0 request (RFC 9112 §6.1)"),
    ("nginx", ["chunk-size-bare-lf", "funky-size-bare-lf"], "a bare LF after a chunk size (disabled by nginx in December 2025)"),
    ("HAProxy → reference server", ["chunk-size-bare-lf", "funky-size-bare-lf"], "a bare LF after a chunk size"),
    ("Apache httpd", ["te-chunked-http10-keep-alive"],
     "an HTTP/1.0 keep-alive chunked request framed as chunked with the connection kept (RFC 9112 §6.1 says close)"),
]


def rule_of(difference):
    """What a risk is about, for grouping: the rule h1wire names, or the kind of difference."""
    for marker in ("what the RFC refuses (", "for its framing ("):
        if marker in difference:
            rule = difference.split(marker, 1)[1].split(":", 1)[0].split(")", 1)[0]
            return ("accepted " if marker.startswith("what") else "refused, then read on: ") + rule
    return difference.split(":", 1)[0].split(" where ")[0]


def risk_details(name, report):
    """One line per kind of risk of a server: how many cases, which, and one example."""
    risks = [r for r in report["results"] if r["desync"] and r["desync"]["verdict"] == "risk"]
    groups = {}
    for r in risks:
        groups.setdefault(rule_of(r["desync"]["difference"]), []).append(r)
    lines = []
    for rule, rs in sorted(groups.items(), key=lambda kv: -len(kv[1])):
        ids = ", ".join(f"`{r['id']}`" for r in rs[:4]) + (f" and {len(rs) - 4} more" if len(rs) > 4 else "")
        first = rs[0]["desync"]
        seen = first.get("reproduced")
        rep = f", reproduced {seen['times']}/{seen['of']}" if seen else ""
        lines.append(f"- **{name}**: {rule} ({len(rs)} cases: {ids}). Example `{rs[0]['id']}` ({first['class']}{rep}): "
                     f"{first['difference']}. Sent: `{first['sent'][:300]}`")
    unstable = [r["id"] for r in report["results"] if r["desync"] and r["desync"]["verdict"] == "unstable"]
    if unstable:
        lines.append(f"- **{name}**: unstable (seen once, not again; not counted): {', '.join(unstable)}")
    for o in report.get("notes", {}).get("outages", []):
        lines.append(f"- **{name}**: stopped answering after `{o['case']}` (denial of service): {o['evidence']}")
    for note in report.get("notes", {}).get("notes", []):
        lines.append(f"- **{name}**: note: {note}")
    return lines


def published_rows(reports):
    rows = []
    for name, ids, what in PUBLISHED:
        report = reports.get(name)
        if report is None:
            rows.append(f"| {name} | {what} | not run |")
            continue
        hits = [r["id"] for r in report["results"] if r["id"] in ids and r["desync"] and r["desync"]["verdict"] == "risk"]
        shown = f"yes: {', '.join(f'`{i}`' for i in hits)}" if hits else "**no**"
        rows.append(f"| {name} | {what} | {shown} |")
    return rows


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--install", action="store_true", help="apt-get install the peers that are missing")
    parser.add_argument("--out", default=os.path.join(ROOT, "PEERS.md"))
    args = parser.parse_args()
    if args.install:
        install_missing()
    subprocess.run(["cargo", "build", "-q", "--release", "-p", "h1spec"], cwd=ROOT, check=True)
    rows, details, reports = [], [], {}
    saved = os.path.join(ROOT, "target", "peers")
    os.makedirs(saved, exist_ok=True)
    for peer in PEER_LIST:
        print(f"probing {peer.name} ...", flush=True)
        ver, report, why = probe(peer)
        rows.append(row(peer.name, ver, report, why))
        if report:
            reports[peer.name] = report
            slug = "".join(c if c.isalnum() else "-" for c in peer.name.lower()).strip("-")
            with open(os.path.join(saved, slug + ".json"), "w") as f:
                json.dump(report, f, indent=1)
            details.extend(risk_details(peer.name, report))
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Peers: h1spec probe against real HTTP/1.1 servers",
        "",
        f"One run of `just peers` (`python3 peers/run.py --install`) on {now}, commit {commit}, "
        f"{platform.machine()} {platform.system()}, {os.cpu_count()} cores. Every server ran as our own process on "
        "127.0.0.1 with the config or program in `peers/`, and was probed with "
        "`h1spec probe 127.0.0.1:PORT --strict --format json -j 8` (SHOULD-level cases included).",
        "",
        "- **passed**: cases passed out of those run (response cases are skipped: the probe sends requests).",
        "- **MUST** / **SHOULD**: failed cases at that level. A MAY case never fails; the report says which way the server went.",
        "- **desync risks**: framing cases where the server's responses match no reading the RFC allows, confirmed by "
        "sending the case again 3 times: it accepted a message the RFC refuses for its framing and read on, refused "
        "one and read what followed as a request, answered more or fewer requests than any allowed reading, or "
        "answered the canary differently; by class.",
        "",
        "| server | version | passed | MUST failures | SHOULD failures | desync risks | risks by class |",
        "| --- | --- | --- | --- | --- | --- | --- |",
        *rows,
        "",
        "A failure is a case the server answered other than the RFC requires (most often: accepting a malformed "
        "request that RFC 9112 says to refuse with 400). Details per case: run the probe against the server with "
        "`--format console` (failures with Requirement, Expected and Actual) or `--format json`.",
        "",
        "## Published behaviours",
        "",
        "Behaviours these versions are published to have (advisories, changelogs, issues), and whether this run "
        "reports them as desync risks.",
        "",
        "| server | behaviour | reported |",
        "| --- | --- | --- |",
        *published_rows(reports),
        "",
        "## Desync risks found",
        "",
        "Grouped by what the server did; every risk's bytes and reproduce lines are in its JSON report "
        "(`target/peers/NAME.json` after a run).",
        "",
        *(details or ["None in this run."]),
        "",
        "Regenerate: `just peers` (installs what is missing with apt-get, needs root), or "
        "`python3 peers/run.py` with the servers already installed.",
        "",
    ]
    with open(args.out, "w") as f:
        f.write("\n".join(lines))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
