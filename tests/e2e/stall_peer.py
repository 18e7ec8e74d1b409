#!/usr/bin/env python3
"""tests/e2e/stall_peer.py PORT [CERT KEY] - a syslog peer that accepts
connections on 127.0.0.1:PORT and never reads from them.

With CERT and KEY it first completes the TLS handshake as a server (then
stops reading too); without, it does not even answer a TLS hello. Its
receive buffer is small, so the sender's bytes soon stop being
acknowledged. Prints "accept N" for the N-th connection."""
import socket
import ssl
import sys
import threading

held = []


def handshake(conn, ctx):
    try:
        tls = ctx.wrap_socket(conn, server_side=True)
        held.append(tls)
    except (ssl.SSLError, OSError) as e:
        print("handshake failed: %s" % e, flush=True)


def main():
    port = int(sys.argv[1])
    ctx = None
    if len(sys.argv) > 3:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(sys.argv[2], sys.argv[3])
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # inherited by accepted sockets
    srv.bind(("127.0.0.1", port))
    srv.listen(16)
    print("ready", flush=True)
    n = 0
    while True:
        conn, _ = srv.accept()
        n += 1
        print("accept %d" % n, flush=True)
        held.append(conn)
        if ctx:
            threading.Thread(target=handshake, args=(conn, ctx), daemon=True).start()


main()
