"""Client shim for urllib3, which requests uses (h1spec client urllib3).

Fetches the two URLs given as the last two arguments through one PoolManager with one
connection per host, as requests' Session does, and prints one JSON line per response
(peers/clients/README.md). Retries are off, so an error is the client's own verdict.
"""

import json
import sys

import urllib3


def main():
    pool = urllib3.PoolManager(maxsize=1, retries=False, timeout=urllib3.Timeout(total=3))
    for url in sys.argv[-2:]:
        method = "HEAD" if urllib3.util.parse_url(url).path.startswith("/HEAD/") else "GET"
        try:
            response = pool.request(method, url, preload_content=True, redirect=False)
            line = {"verdict": "accept", "status_code": response.status, "body": response.data.decode("latin-1")}
        except Exception as e:  # every error of the client is its verdict
            line = {"verdict": "reject", "error": f"{type(e).__name__}: {e}"}
        print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
