// SPDX-License-Identifier: GPL-2.0
/*
 * The control FIFO: rules at run time, one per line, answered on the
 * writer's reply FIFO; and 'execaudit ctl', such a writer.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "tool.h"

/*
 * The replies of a control command: to the writer's reply FIFO when it
 * named one, and to standard error in any case.
 */
void reply_line(struct reply *r, const char *fmt, ...)
{
	char buf[PATH_MAX + 256], esc[4 * sizeof(buf) + 1];
	va_list ap;

	if (!r->f)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	ea_escape_line(buf, esc, sizeof(esc));
	fprintf(r->f, "%s\n", esc);
}

void reply_error(struct reply *r, const char *fmt, ...)
{
	char buf[PATH_MAX + 256], esc[4 * sizeof(buf) + 1];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	ea_escape_line(buf, esc, sizeof(esc));
	msg("%s", esc);
	reply_line(r, "error: %s", buf);
	r->failed = true;
}

/*
 * The FIFO gives root's programs their rules: it must be a FIFO that we
 * own and that nobody else can write, and no symbolic link.
 */
int open_control(const char *path)
{
	struct stat st;
	int fd;

	if (mkfifo(path, 0600) && errno != EEXIST) {
		msg("--control %s: cannot make the FIFO: %s", path, strerror(errno));
		return -1;
	}
	/* Read-write: no end of file when a writer closes. */
	fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		msg("--control %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) || !S_ISFIFO(st.st_mode)) {
		msg("--control %s: exists and is not a FIFO", path);
		goto err;
	}
	if (st.st_uid != geteuid() || (st.st_mode & 022)) {
		msg("--control %s: must belong to uid %u and be writable by nobody else (chmod 600 or remove it)",
		    path, geteuid());
		goto err;
	}
	return fd;
err:
	close(fd);
	return -1;
}

/* The writer's reply FIFO: it holds it open for reading, we never block. */
static FILE *open_reply(const char *path)
{
	struct stat st;
	FILE *f;
	int fd;

	fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		msg("control: reply FIFO %s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) || !S_ISFIFO(st.st_mode)) {
		msg("control: reply %s is not a FIFO", path);
		close(fd);
		return NULL;
	}
	/* Blocking from here: a listing may not fit in the pipe at once. */
	fcntl(fd, F_SETFL, 0);
	f = fdopen(fd, "w");
	if (!f)
		close(fd);
	return f;
}

static void control_line(char *line)
{
	char err[PATH_MAX + 128], what[PATH_MAX + 32], reply_path[PATH_MAX];
	struct reply r = {};
	struct ea_rule rule;
	int ret;

	ret = ea_parse_control(line, &rule, reply_path, sizeof(reply_path), err, sizeof(err));
	if (reply_path[0])
		r.f = open_reply(reply_path);
	if (ret < 0)
		reply_error(&r, "control: %s", err);
	else if (ret > 0 && !apply_rule(&rule, &r)) {
		ea_rule_str(&rule, what, sizeof(what));
		if (rule.op != EA_RULE_LIST) {
			char esc[4 * sizeof(what) + 1];

			ea_escape_line(what, esc, sizeof(esc));
			msg("rule applied: %s", esc);
		}
		reply_line(&r, "ok %s", what);
	}
	if (r.f)
		fclose(r.f);
}

/* Apply the complete lines that have arrived on the control FIFO. */
void read_control(int fd)
{
	static char buf[8192];
	static size_t len;
	static bool discard;
	char *nl;
	size_t used;
	ssize_t n;

	while ((n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0) {
		len += n;
		while ((nl = memchr(buf, '\n', len))) {
			*nl = '\0';
			used = nl + 1 - buf;
			if (discard)
				discard = false;
			else if (strlen(buf) != used - 1)
				msg("control: line with a NUL byte ignored");
			else
				control_line(buf);
			len -= used;
			memmove(buf, nl + 1, len);
		}
		if (len == sizeof(buf) - 1) {
			msg("control: line longer than %zu bytes ignored", len);
			discard = true;
			len = 0;
		}
	}
}

/* execaudit ctl FIFO COMMAND [ARG]: send one control line, print the answer. */
int ctl_main(int argc, char **argv)
{
	char dir[] = "/tmp/execaudit-ctl.XXXXXX", reply[64], line[PATH_MAX + 128];
	char buf[4096], last[PATH_MAX + 256] = "";
	struct pollfd pfd;
	size_t len = 0;
	ssize_t n;
	int fd, rfd = -1, i, ret = 1;

	if (argc < 4 || argc > 5) {
		fputs("Usage: execaudit ctl FIFO COMMAND [ARG]\n"
		      "  COMMAND: deny PATH | allow PATH | deny-hash SHA256 | allow-hash SHA256 |\n"
		      "           max-args BYTES | list\n", stderr);
		return 2;
	}
	if (!mkdtemp(dir)) {
		msg("ctl: %s", strerror(errno));
		return 1;
	}
	snprintf(reply, sizeof(reply), "%s/reply", dir);
	if (mkfifo(reply, 0600) ||
	    (rfd = open(reply, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) < 0) {
		msg("ctl: reply FIFO %s: %s", reply, strerror(errno));
		goto out;
	}
	snprintf(line, sizeof(line), "@%s %s%s%s\n", reply, argv[3], argc == 5 ? " " : "",
		 argc == 5 ? argv[4] : "");
	if (strlen(line) > PIPE_BUF) {
		msg("ctl: command longer than %d bytes", PIPE_BUF);
		goto out;
	}
	/* Non-blocking: no daemon reading the FIFO is an error, not a hang. */
	fd = open(argv[2], O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		msg("ctl: %s: %s%s", argv[2], strerror(errno),
		    errno == ENXIO ? " (no execaudit reads it)" : "");
		goto out;
	}
	n = write(fd, line, strlen(line));
	close(fd);
	if (n != (ssize_t)strlen(line)) {
		msg("ctl: writing %s: %s", argv[2], n < 0 ? strerror(errno) : "short write");
		goto out;
	}
	/* Lines until "ok ..." or "error: ...", 10 s at most. */
	pfd.fd = rfd;
	pfd.events = POLLIN;
	for (i = 0; i < 100; i++) {
		if (poll(&pfd, 1, 100) < 0 && errno != EINTR)
			break;
		while ((n = read(rfd, buf, sizeof(buf))) > 0) {
			fwrite(buf, 1, n, stdout);
			for (ssize_t j = 0; j < n; j++) {
				if (buf[j] == '\n') {
					last[len] = '\0';
					if (!strncmp(last, "ok ", 3) || !strncmp(last, "error: ", 7)) {
						ret = last[0] == 'o' ? 0 : 1;
						goto out;
					}
					len = 0;
				} else if (len < sizeof(last) - 1) {
					last[len++] = buf[j];
				}
			}
		}
	}
	msg("ctl: no answer from the execaudit reading %s within 10 s", argv[2]);
out:
	if (rfd >= 0)
		close(rfd);
	unlink(reply);
	rmdir(dir);
	fflush(stdout);
	return ret;
}

