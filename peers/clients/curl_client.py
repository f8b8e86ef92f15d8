"""Client shim for curl (h1spec client curl): one curl command fetches the two URLs given as the
last two arguments, reusing its connection as curl does for URLs on one host, and this prints
one JSON line per transfer from curl's own `--write-out '%{json}'` and the bodies it saved
(peers/clients/README.md). A transfer curl failed is a reject with curl's message.
"""

import json
import os
import subprocess
import sys
import tempfile
import urllib.parse


def main():
    urls = sys.argv[-2:]
    with tempfile.TemporaryDirectory() as tmp:
        command = ["curl", "--silent", "--max-time", "5"]
        for i, url in enumerate(urls):
            if i:
                command.append("--next")
                command += ["--max-time", "5"]
            if urllib.parse.urlsplit(url).path.startswith("/HEAD/"):
                command.append("--head")
            command += ["--output", os.path.join(tmp, str(i)), "--write-out", "%{json}\\n", url]
        done = subprocess.run(command, capture_output=True, timeout=15)
        reports = [json.loads(l) for l in done.stdout.decode("latin-1").splitlines() if l.startswith("{")]
        for i, url in enumerate(urls):
            report = reports[i] if i < len(reports) else {"exitcode": -1, "errormsg": "no report"}
            if report.get("exitcode", 0) != 0:
                line = {"verdict": "reject", "error": f"curl {report.get('exitcode')}: {report.get('errormsg')}"}
            else:
                path = os.path.join(tmp, str(i))
                body = open(path, "rb").read() if os.path.exists(path) else b""
                if "--head" in command and urllib.parse.urlsplit(url).path.startswith("/HEAD/"):
                    body = b""  # --head writes the head where the body would go
                line = {"verdict": "accept", "status_code": report.get("http_code"), "body": body.decode("latin-1")}
            print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
