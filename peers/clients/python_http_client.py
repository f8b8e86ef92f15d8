"""Client shim for Python's http.client (h1spec client python-http-client).

Fetches the two URLs given as the last two arguments on one HTTPConnection, as a user of
http.client does, and prints one JSON line per response (peers/clients/README.md). After an
error the connection is closed and the next URL gets a new one.
"""

import http.client
import json
import sys
import urllib.parse


def main():
    conn = None
    for url in sys.argv[-2:]:
        parts = urllib.parse.urlsplit(url)
        method = "HEAD" if parts.path.startswith("/HEAD/") else "GET"
        try:
            if conn is None:
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=3)
            conn.request(method, parts.path)
            response = conn.getresponse()
            body = response.read()
            line = {"verdict": "accept", "status_code": response.status, "body": body.decode("latin-1")}
        except Exception as e:  # every error of the client is its verdict
            line = {"verdict": "reject", "error": f"{type(e).__name__}: {e}"}
            if conn is not None:
                conn.close()
            conn = None
        print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
