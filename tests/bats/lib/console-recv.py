#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""console-recv.py SOCKET OUT: accept one connection on the unix socket
SOCKET, receive the pty master sent over SCM_RIGHTS (the --console-socket
protocol), and copy what the container writes to its terminal into OUT
until the container side closes or 10 s pass."""
import array, os, socket, sys, time

path, out = sys.argv[1], sys.argv[2]
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(path)
srv.listen(1)
open(path + ".ready", "w").close()
conn, _ = srv.accept()
fds = array.array("i")
msg, anc, _, _ = conn.recvmsg(256, socket.CMSG_LEN(fds.itemsize))
for level, kind, data in anc:
    if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
        fds.frombytes(data[: fds.itemsize])
with open(out, "wb") as f:
    if not fds:
        f.write(b"NO-FD\n")
        sys.exit(1)
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            data = os.read(fds[0], 4096)
        except OSError:
            break
        if not data:
            break
        f.write(data)
        f.flush()
