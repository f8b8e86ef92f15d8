#!/usr/bin/env python3
"""A server on Python's h11 (pip install h11) as an h1spec diff origin: answers every request
with its reading of it, as JSON with base64 strings (see ../shims/README.md).

Usage: h11_echo.py PORT. One thread per connection, 127.0.0.1 only, 5 s read timeout, 1 MiB
bodies; a refused request gets h11's suggested status and the connection is closed.
"""

import base64
import json
import socket
import sys
import threading

import h11


def b64(b):
    return base64.b64encode(b).decode()


def serve(sock):
    sock.settimeout(5)
    conn = h11.Connection(h11.SERVER)
    current, event_method = None, b""
    try:
        while True:
            try:
                event = conn.next_event()
            except h11.RemoteProtocolError as e:
                if conn.our_state in (h11.IDLE, h11.SEND_RESPONSE):
                    sock.sendall(f"HTTP/1.1 {e.error_status_hint} Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n".encode())
                return
            if event is h11.NEED_DATA:
                data = sock.recv(65536)
                conn.receive_data(data)
                if not data and conn.their_state is h11.IDLE:
                    return
                continue
            if isinstance(event, h11.Request):
                event_method = event.method
                current = {"method": b64(event.method), "target": b64(event.target),
                           "version": "HTTP/" + event.http_version.decode(),
                           "headers": [[b64(n), b64(v)] for n, v in event.headers.raw_items()], "body": b""}
            elif isinstance(event, h11.Data):
                current["body"] += event.data
                if len(current["body"]) > 1 << 20:
                    return
            elif isinstance(event, h11.EndOfMessage):
                current["trailers"] = [[b64(n), b64(v)] for n, v in event.headers.raw_items()]
                current["body"] = b64(current["body"])
                echo = json.dumps(current).encode()
                if event_method in (b"HEAD", b"CONNECT"):
                    # No body may follow: the reading goes in a header, and CONNECT ends here.
                    headers = [("Content-Length", "0"), ("X-H1spec-Echo-Json", b64(echo))]
                    if event_method == b"CONNECT":
                        headers.append(("Connection", "close"))
                    out = conn.send(h11.Response(status_code=200, headers=headers))
                    if conn.our_state is h11.SEND_BODY:
                        out += conn.send(h11.EndOfMessage())
                else:
                    out = conn.send(h11.Response(status_code=200, headers=[
                        ("Content-Type", "application/json"), ("Content-Length", str(len(echo))),
                        ("X-H1spec-Echo", "1")]))
                    out += conn.send(h11.Data(data=echo)) + conn.send(h11.EndOfMessage())
                sock.sendall(out)
                if conn.our_state is not h11.DONE or conn.their_state is not h11.DONE:
                    return
                conn.start_next_cycle()
            else:  # ConnectionClosed, PAUSED (a switch of protocol)
                return
    except (OSError, h11.LocalProtocolError):
        return
    finally:
        sock.close()


def main():
    listener = socket.create_server(("127.0.0.1", int(sys.argv[1])))
    while True:
        sock, _ = listener.accept()
        threading.Thread(target=serve, args=(sock,), daemon=True).start()


if __name__ == "__main__":
    main()
