/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"
#include "sync.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int hull_sync_send(int fd, enum hull_sync_type type, int errnum, const char *data)
{
	return hull_sync_send_fds(fd, type, errnum, data, NULL, 0);
}

int hull_sync_send_fds(int fd, enum hull_sync_type type, int errnum, const char *data,
		       const int *fds, size_t nfds)
{
	struct hull_sync_msg m;
	size_t len = data ? strnlen(data, HULL_SYNC_MAX - 1) : 0;
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int) * HULL_SYNC_MAX_FDS)];
	} ctl;
	struct iovec iov = {.iov_base = &m};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	ssize_t n;

	if (nfds > HULL_SYNC_MAX_FDS) {
		errno = EINVAL;
		return -1;
	}

	m.type = type;
	m.errnum = errnum;
	m.len = data ? (uint32_t)len + 1 : 0;
	if (data) {
		memcpy(m.data, data, len);
		m.data[len] = '\0';
	}
	iov.iov_len = offsetof(struct hull_sync_msg, data) + m.len;
	if (nfds) {
		memset(&ctl, 0, sizeof(ctl));
		mh.msg_control = ctl.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		CMSG_FIRSTHDR(&mh)->cmsg_level = SOL_SOCKET;
		CMSG_FIRSTHDR(&mh)->cmsg_type = SCM_RIGHTS;
		CMSG_FIRSTHDR(&mh)->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(CMSG_FIRSTHDR(&mh)), fds, sizeof(int) * nfds);
	}
	do
		n = sendmsg(fd, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -1 : 0;
}

int hull_sync_recv(int fd, struct hull_sync_msg *m)
{
	return hull_sync_recv_fds(fd, m, NULL, 0, NULL);
}

/* Received fds beyond max, or not asked for, are closed by the kernel
 * (MSG_CTRUNC); the rest arrive close-on-exec. */
static size_t take_fds(struct msghdr *mh, int *fds, size_t max)
{
	size_t n = 0;

	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		const unsigned char *p = CMSG_DATA(c);
		for (size_t i = 0; i < k; i++) {
			int one;
			memcpy(&one, p + i * sizeof(int), sizeof(int));
			if (n < max)
				fds[n++] = one;
			else
				close(one);
		}
	}
	return n;
}

int hull_sync_recv_fds(int fd, struct hull_sync_msg *m, int *fds, size_t max, size_t *nfds)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int) * HULL_SYNC_MAX_FDS)];
	} ctl;
	struct iovec iov = {.iov_base = m, .iov_len = sizeof(*m)};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	ssize_t n;

	if (max) {
		mh.msg_control = ctl.buf;
		mh.msg_controllen = sizeof(ctl.buf);
	}
	if (nfds)
		*nfds = 0;
	/* A peer that exits with our message unread (a child failing before
	 * it reads GO) leaves ECONNRESET on this socket, and the kernel
	 * reports that error once, before the messages still queued here:
	 * the next call gets the child's ERROR, or 0 at the end. */
	int resets = 0;
	do
		n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && (errno == EINTR || (errno == ECONNRESET && resets++ == 0)));
	if (n < 0)
		return -1;
	if (max && nfds)
		*nfds = take_fds(&mh, fds, max);
	if (n == 0)
		return 0;
	if ((size_t)n < offsetof(struct hull_sync_msg, data)) {
		errno = EPROTO;
		return -1;
	}
	if (m->len == 0 || m->len > HULL_SYNC_MAX)
		m->data[0] = '\0';
	else
		m->data[m->len - 1] = '\0';
	return 1;
}

const char *hull_sync_name(uint32_t type)
{
	static const char *const names[] = {"?",	  "GO",	   "LOG",    "HOOKS",
					    "HOOKS_DONE", "READY", "START",  "EXEC",
					    "ERROR",	  "ABORT", "DETACH", "DETACHED"};

	return type < sizeof(names) / sizeof(names[0]) ? names[type] : "?";
}
