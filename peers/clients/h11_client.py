"""Client shim for h11 as a client (h1spec client h11): the two URLs given as the last two
arguments, in order, on one socket while h11 says the connection can be reused
(`start_next_cycle`), as an h11 user does; one JSON line per response (peers/clients/README.md).
"""

import json
import socket
import sys
import urllib.parse

import h11


def fetch(conn, sock, method, path, authority):
    sock.sendall(conn.send(h11.Request(method=method, target=path, headers=[("Host", authority)])))
    sock.sendall(conn.send(h11.EndOfMessage()))
    status, body = None, b""
    while True:
        event = conn.next_event()
        if event is h11.NEED_DATA:
            data = sock.recv(65536)
            conn.receive_data(data)
            if not data:
                # The server closed: the response ended with the connection (what httpcore,
                # h11's main user, sees as a connection not to reuse).
                conn.closed_by_peer = True
        elif isinstance(event, h11.Response):
            status = event.status_code
        elif isinstance(event, h11.Data):
            body += bytes(event.data)
        elif isinstance(event, h11.EndOfMessage):
            return status, body
        elif isinstance(event, h11.ConnectionClosed):
            raise h11.RemoteProtocolError("the connection closed before a response")


def main():
    conn, sock = None, None
    for url in sys.argv[-2:]:
        parts = urllib.parse.urlsplit(url)
        method = "HEAD" if parts.path.startswith("/HEAD/") else "GET"
        try:
            if conn is None:
                sock = socket.create_connection((parts.hostname, parts.port), timeout=3)
                conn = h11.Connection(our_role=h11.CLIENT)
            status, body = fetch(conn, sock, method, parts.path, parts.netloc)
            line = {"verdict": "accept", "status_code": status, "body": body.decode("latin-1")}
            reusable = conn.our_state is h11.DONE and conn.their_state is h11.DONE
            if reusable and not getattr(conn, "closed_by_peer", False):
                conn.start_next_cycle()
            else:
                sock.close()
                conn, sock = None, None
        except Exception as e:  # every error of the client is its verdict
            line = {"verdict": "reject", "error": f"{type(e).__name__}: {e}"}
            if sock is not None:
                sock.close()
            conn, sock = None, None
        print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main()
