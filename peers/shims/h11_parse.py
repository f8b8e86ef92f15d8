#!/usr/bin/env python3
"""Python's h11 (pip install h11) as an h1spec diff shim.

Reads one stream of raw bytes on stdin and prints one `h1spec parse` JSON line per request h11
reads, as a server reads them (see README.md): after each request h11 is answered with an empty
200 so that it moves on to the next one, as a server built on it does.
"""

import json
import sys

import h11


def latin1(b):
    return b.decode("latin-1")


def fields(headers):
    # h11 lowercases names; `raw_items()` gives them as received.
    return [[latin1(n), latin1(v)] for n, v in headers.raw_items()] if hasattr(headers, "raw_items") else [
        [latin1(n), latin1(v)] for n, v in headers]


def read_stream(data):
    """The verdict lines for one stream."""
    conn = h11.Connection(h11.SERVER)
    conn.receive_data(data)
    out, current, closed = [], None, False
    while True:
        try:
            event = conn.next_event()
        except h11.RemoteProtocolError as e:
            # After the end of input, the only error left is a message cut short.
            out.append({"verdict": "reject", "status": None if closed else e.error_status_hint,
                        "error": "unexpected-eof" if closed else type(e).__name__, "offset": len(data),
                        "message": str(e), "stage": "head" if current is None else "body"})
            break
        if isinstance(event, h11.Request):
            current = {"verdict": "accept", "kind": "request", "method": latin1(event.method),
                       "target": latin1(event.target), "version": "HTTP/" + latin1(event.http_version),
                       "headers": fields(event.headers), "trailers": [], "body": b""}
        elif isinstance(event, h11.Data):
            current["body"] += event.data
        elif isinstance(event, h11.EndOfMessage):
            current["trailers"] = fields(event.headers)
            current["body"] = latin1(current["body"])
            out.append(current)
            current = None
            conn.send(h11.Response(status_code=200, headers=[("Content-Length", "0")]))
            if conn.our_state is h11.SEND_BODY:  # not after a 2xx to CONNECT, which switches
                conn.send(h11.EndOfMessage())
            if conn.our_state is not h11.DONE or conn.their_state is not h11.DONE:
                break  # Connection: close, HTTP/1.0, or a switch of protocol: a server stops here
            conn.start_next_cycle()
        elif event is h11.PAUSED or isinstance(event, h11.ConnectionClosed):
            break
        elif event is h11.NEED_DATA:
            if closed:
                break
            conn.receive_data(b"")  # the end of input: the client closed
            closed = True
    return out


def main():
    if "--batch" in sys.argv:
        # Frames: LEN "\n" then LEN bytes; each answered with its lines and an empty line.
        stdin = sys.stdin.buffer
        while True:
            header = stdin.readline()
            if not header:
                return
            data = stdin.read(int(header))
            sys.stdout.write("".join(json.dumps(line) + "\n" for line in read_stream(data)) + "\n")
            sys.stdout.flush()
    for line in read_stream(sys.stdin.buffer.read()):
        print(json.dumps(line))


if __name__ == "__main__":
    main()
