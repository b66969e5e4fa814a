/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"
#include "sync.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>

int hull_sync_send(int fd, enum hull_sync_type type, int errnum, const char *data)
{
	struct hull_sync_msg m;
	size_t len = data ? strnlen(data, HULL_SYNC_MAX - 1) : 0;
	ssize_t n;

	m.type = type;
	m.errnum = errnum;
	m.len = data ? (uint32_t)len + 1 : 0;
	if (data) {
		memcpy(m.data, data, len);
		m.data[len] = '\0';
	}
	do
		n = send(fd, &m, offsetof(struct hull_sync_msg, data) + m.len, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -1 : 0;
}

int hull_sync_recv(int fd, struct hull_sync_msg *m)
{
	ssize_t n;

	do
		n = recv(fd, m, sizeof(*m), 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
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
	static const char *const names[] = {"?",     "GO",    "LOG",  "HOOKS", "HOOKS_DONE",
					    "READY", "START", "EXEC", "ERROR", "ABORT"};

	return type < sizeof(names) / sizeof(names[0]) ? names[type] : "?";
}
