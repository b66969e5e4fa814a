/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"
#include "terminal.h"
#include "path.h"
#include "utils.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

int hull_console_socket_connect(const char *path, hull_error **err)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	cleanup_close int fd = -1;

	if (strlen(path) >= sizeof(addr.sun_path))
		return hull_fail(err, ENAMETOOLONG, "--console-socket %s: path too long", path);
	strcpy(addr.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return hull_fail_errno(err, "--console-socket: socket");
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return hull_fail_errno(err, "--console-socket: connect %s", path);
	return TAKE_FD(fd);
}

int hull_terminal_open(int rootfd, int *master, int *slave, hull_error **err)
{
	cleanup_close int m = hull_open_in_root(rootfd, "/dev/pts/ptmx", O_RDWR | O_NOCTTY, 0);
	int s;

	if (m < 0)
		return hull_fail_errno(err,
				       "process.terminal: open /dev/pts/ptmx in the container (is "
				       "devpts mounted at /dev/pts?)");
	if (unlockpt(m) < 0)
		return hull_fail_errno(err, "process.terminal: unlockpt");
	s = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (s < 0)
		return hull_fail_errno(err, "process.terminal: open the pty's peer");
	*master = TAKE_FD(m);
	*slave = s;
	return 0;
}

int hull_terminal_send_master(int sock, int master, hull_error **err)
{
	char data[] = "/dev/ptmx";
	struct iovec iov = {.iov_base = data, .iov_len = sizeof(data) - 1};
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr msg = {.msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = u.buf,
			     .msg_controllen = sizeof(u.buf)};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &master, sizeof(int));
	if (sendmsg(sock, &msg, MSG_NOSIGNAL) < 0)
		return hull_fail_errno(err, "--console-socket: send the terminal");
	return 0;
}

int hull_terminal_make_stdio(int slave, const oci_box *size, hull_error **err)
{
	if (size) {
		struct winsize ws = {.ws_row = (unsigned short)size->height,
				     .ws_col = (unsigned short)size->width};
		if (ioctl(slave, TIOCSWINSZ, &ws) < 0)
			return hull_fail_errno(err, "process.consoleSize");
	}
	if (setsid() < 0 && errno != EPERM)
		return hull_fail_errno(err, "setsid");
	if (ioctl(slave, TIOCSCTTY, 0) < 0)
		return hull_fail_errno(err, "make the terminal the controlling one");
	for (int fd = 0; fd < 3; fd++)
		if (dup2(slave, fd) < 0)
			return hull_fail_errno(err, "terminal on fd %d", fd);
	return 0;
}

int hull_terminal_receive(int sock, hull_error **err)
{
	char data[64];
	struct iovec iov = {.iov_base = data, .iov_len = sizeof(data)};
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr msg = {.msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = u.buf,
			     .msg_controllen = sizeof(u.buf)};
	struct cmsghdr *c;
	int fd;

	if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) <= 0)
		return hull_fail_errno(err, "receive the container's terminal");
	c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_type != SCM_RIGHTS || c->cmsg_len != CMSG_LEN(sizeof(int)))
		return hull_fail(err, EPROTO, "receive the container's terminal: no fd");
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

void hull_terminal_pump(int from, int to, int *slot)
{
	char buf[4096];
	ssize_t n = read(from, buf, sizeof(buf));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0 || write_all(to, buf, (size_t)n) < 0)
		*slot = -1;
}

void hull_terminal_copy_size(int from_tty, int to_pty)
{
	struct winsize ws;

	if (ioctl(from_tty, TIOCGWINSZ, &ws) == 0)
		ioctl(to_pty, TIOCSWINSZ, &ws);
}

static struct termios saved_termios;

static void restore_stdin(void)
{
	tcsetattr(0, TCSANOW, &saved_termios);
}

void hull_terminal_raw_stdin(void)
{
	struct termios raw;

	if (tcgetattr(0, &saved_termios) < 0)
		return;
	raw = saved_termios;
	cfmakeraw(&raw);
	if (tcsetattr(0, TCSANOW, &raw) == 0)
		atexit(restore_stdin);
}
