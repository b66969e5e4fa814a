/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The parent/child socket (src/libhull/sync.c): a child that fails and
 * exits before it reads the parent's GO must still be heard.  The kernel
 * reports the ECONNRESET of its unread message first, once; the child's
 * ERROR is behind it.  (bad-input.bats hits this by timing only.)
 */
#include "config.h"
#include "sync.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static int failures;

#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c)) {                                                                        \
			fprintf(stderr, "sync-test.c:%d: %s failed (errno %s)\n", __LINE__, #c,    \
				strerror(errno));                                                  \
			failures++;                                                                \
		}                                                                                  \
	} while (0)

int main(void)
{
	static struct hull_sync_msg m;
	int sv[2], ready[2];
	char c;
	pid_t pid;

	CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0);
	CHECK(pipe(ready) == 0);
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		/* wait for GO to be queued to us, then fail without reading it */
		if (read(ready[0], &c, 1) != 1)
			_exit(2);
		hull_sync_send(sv[1], SYNC_ERROR, ENOENT, "mounts[0]: no such filesystem");
		_exit(1);
	}
	close(sv[1]);
	CHECK(hull_sync_send(sv[0], SYNC_GO, 0, "1") == 0);
	CHECK(write(ready[1], "x", 1) == 1);
	CHECK(waitpid(pid, NULL, 0) == pid);

	CHECK(hull_sync_recv(sv[0], &m) == 1);
	CHECK(m.type == SYNC_ERROR && m.errnum == ENOENT);
	CHECK(strcmp(m.data, "mounts[0]: no such filesystem") == 0);
	CHECK(hull_sync_recv(sv[0], &m) == 0); /* then the end */
	printf("1..1\n%s 1 - a child's ERROR sent after our unread GO is still received\n",
	       failures ? "not ok" : "ok");
	return failures ? 1 : 0;
}
