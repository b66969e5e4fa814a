/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef HULL_TERMINAL_H
#define HULL_TERMINAL_H

#include "error.h"
#include "oci_types.h"

/* Parent: a connection to --console-socket, inherited by the child. */
int hull_console_socket_connect(const char *path, hull_error **err);

/* Child: a pty from the container's own devpts (/dev/pts/ptmx below
 * rootfd); the master goes to the console socket over SCM_RIGHTS, the
 * slave becomes the process's stdio and controlling terminal. */
int hull_terminal_open(int rootfd, int *master, int *slave, hull_error **err);
int hull_terminal_send_master(int sock, int master, hull_error **err);
int hull_terminal_make_stdio(int slave, const oci_box *size, hull_error **err);

/* Parent, foreground run with a terminal and no socket: the master
 * arrives on our end of an internal socket, and we relay between our stdio
 * and it.  pump copies what is readable; on EOF it sets *slot to -1. */
int hull_terminal_receive(int sock, hull_error **err);
void hull_terminal_pump(int from, int to, int *slot);
void hull_terminal_copy_size(int from_tty, int to_pty);
/* Our stdin in raw mode while relaying (restored at exit). */
void hull_terminal_raw_stdin(void);

#endif
