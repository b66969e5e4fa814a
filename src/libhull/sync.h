/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef HULL_SYNC_H
#define HULL_SYNC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

/*
 * The parent/child protocol of create and run: one SOCK_SEQPACKET
 * socketpair, one struct hull_sync_msg per datagram.  Every message, who
 * sends it and when:
 *
 *   SYNC_GO          parent -> child   uid/gid maps written, cgroups made: join them
 *                                      (through the fds that come along), create
 *                                      namespaces, set up the rootfs
 *   SYNC_LOG         child  -> parent  any time: a log line (errnum = level), printed
 *                                      by the parent in the chosen log format
 *   SYNC_HOOKS       child  -> parent  mounts done, before pivot_root: run the prestart
 *                                      and createRuntime hooks now
 *   SYNC_HOOKS_DONE  parent -> child   the hooks succeeded: go on (createContainer
 *                                      hooks run in the child next)
 *   SYNC_DETACH      child  -> parent  pivot_root done, the old root's fd attached:
 *                                      the parent detaches it (parent_detaches) while
 *                                      the child goes on
 *   SYNC_DETACHED    parent -> child   done (else SYNC_ABORT); awaited before
 *                                      SYNC_READY
 *   SYNC_READY       child  -> parent  setup complete; the child waits for start
 *                                      (create: on exec.fifo; run: for SYNC_START,
 *                                      unless run_at_once: then it goes straight on)
 *   SYNC_START       parent -> child   run only: start the user process now
 *   SYNC_EXEC        child  -> parent  run only: about to execve; the socket is
 *                                      close-on-exec, so EOF next means it worked
 *   SYNC_ERROR       child  -> parent  setup failed: errnum + message; the child exits
 *   SYNC_ABORT       parent -> child   give up (e.g. a hook failed); the child exits
 *
 * A peer that vanishes shows up as EOF: the child treats it as SYNC_ABORT,
 * the parent as a failed setup (and reaps the child for its status).
 */
enum hull_sync_type {
	SYNC_GO = 1,
	SYNC_LOG,
	SYNC_HOOKS,
	SYNC_HOOKS_DONE,
	SYNC_READY,
	SYNC_START,
	SYNC_EXEC,
	SYNC_ERROR,
	SYNC_ABORT,
	SYNC_DETACH,
	SYNC_DETACHED,
};

#define HULL_SYNC_MAX 8192

struct hull_sync_msg {
	uint32_t type;
	int32_t errnum;
	uint32_t len; /* of data, NUL included */
	char data[HULL_SYNC_MAX];
};

/* 0 on success; -1 with errno (EPIPE if the peer is gone). */
int hull_sync_send(int fd, enum hull_sync_type type, int errnum, const char *data);
/* With fds attached (SCM_RIGHTS), at most HULL_SYNC_MAX_FDS. */
#define HULL_SYNC_MAX_FDS 32
int hull_sync_send_fds(int fd, enum hull_sync_type type, int errnum, const char *data,
		       const int *fds, size_t nfds);
/* 1 on a message, 0 on EOF, -1 on error. */
int hull_sync_recv(int fd, struct hull_sync_msg *m);
/* ... keeping up to max fds that came with it (close-on-exec) in fds. */
int hull_sync_recv_fds(int fd, struct hull_sync_msg *m, int *fds, size_t max, size_t *nfds);
const char *hull_sync_name(uint32_t type);

#endif
