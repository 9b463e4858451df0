// SPDX-License-Identifier: GPL-2.0
/* execaudit: parsing of options and control lines, and output formatting. */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include "rules.h"

static int parse_ulong(const char *s, const char **end, unsigned long *out)
{
	char *e;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	*out = strtoul(s, &e, 10);
	if (errno == ERANGE)
		return -ERANGE;
	*end = e;
	return 0;
}

int ea_parse_bytes(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long v, mult = 1;
	const char *e;
	int err;

	err = parse_ulong(s, &e, &v);
	if (err)
		return err;
	if (*e == 'K' || *e == 'k')
		mult = 1024, e++;
	else if (*e == 'M' || *e == 'm')
		mult = 1024 * 1024, e++;
	else if (*e == 'G' || *e == 'g')
		mult = 1024 * 1024 * 1024, e++;
	if (*e)
		return -EINVAL;
	if (v > max / mult)
		return -ERANGE;
	*out = v * mult;
	return 0;
}

int ea_parse_seconds(const char *s, unsigned long min, unsigned long max,
		     unsigned long *out)
{
	unsigned long v;
	const char *e;
	int err;

	err = parse_ulong(s, &e, &v);
	if (err)
		return err;
	if (*e == 's')
		e++;
	if (*e)
		return -EINVAL;
	if (v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int ea_rule_path(const char *in, char out[PATH_MAX])
{
	if (in[0] != '/')
		return -EINVAL;
	if (strlen(in) >= PATH_MAX)
		return -ENAMETOOLONG;
	strcpy(out, in);
	return 0;
}

int ea_open_rule_file(const char *path, char resolved[PATH_MAX], const char **step)
{
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC,
		.resolve = RESOLVE_NO_MAGICLINKS,
	};
	char proc[64];
	struct stat st, st2;
	int pfd, fd, err;
	ssize_t n;

	*step = "open";
	resolved[0] = '\0';
	/* No fallback without openat2 (5.6; the BPF LSM needs 5.7). */
	pfd = syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof(how));
	if (pfd < 0)
		return -errno;
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", pfd);
	*step = "readlink";
	n = readlink(proc, resolved, PATH_MAX - 1);
	if (n < 0 || n == PATH_MAX - 1) {
		/* PATH_MAX - 1 bytes may be a path cut short */
		err = n < 0 ? -errno : -ENAMETOOLONG;
		resolved[0] = '\0';
		goto out;
	}
	resolved[n] = '\0';
	*step = "stat";
	if (fstat(pfd, &st)) {
		err = -errno;
		goto out;
	}
	err = -EA_OPEN_NOT_REGULAR;
	if (!S_ISREG(st.st_mode))
		goto out;
	/*
	 * The path listed must name this file: resolve it once more, with no
	 * link at all. A rename, an unlink (" (deleted)") or a detached mount
	 * since the open gives another file or none: refused.
	 */
	*step = "check";
	how.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
	fd = syscall(SYS_openat2, AT_FDCWD, resolved, &how, sizeof(how));
	if (fd < 0 || fstat(fd, &st2) || st2.st_dev != st.st_dev || st2.st_ino != st.st_ino) {
		if (fd >= 0)
			close(fd);
		err = -EA_OPEN_CHANGED;
		goto out;
	}
	close(fd);
	*step = "reopen";
	fd = open(proc, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		goto out;
	}
	err = -EA_OPEN_CHANGED;
	if (fstat(fd, &st2) || st2.st_dev != st.st_dev || st2.st_ino != st.st_ino) {
		close(fd);
		goto out;
	}
	err = fd;
out:
	close(pfd);
	return err;
}

void ea_escape_line(const char *in, char *out, size_t outlen)
{
	size_t o = 0;
	unsigned char c;

	if (!outlen)
		return;
	for (; *in; in++) {
		c = *in;
		if (c < 0x20 || c == 0x7f || c == '\\') {
			if (o + 4 >= outlen)
				break;
			o += snprintf(out + o, outlen - o, "\\x%02x", c);
		} else {
			if (o + 1 >= outlen)
				break;
			out[o++] = c;
		}
	}
	out[o] = '\0';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int ea_parse_hash(const char *s, size_t len, __u8 out[EA_HASH_LEN])
{
	int i, hi, lo;

	if (len != 2 * EA_HASH_LEN)
		return -EINVAL;
	for (i = 0; i < EA_HASH_LEN; i++) {
		hi = hexval(s[2 * i]);
		lo = hexval(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[i] = hi << 4 | lo;
	}
	return 0;
}

void ea_hash_str(const __u8 hash[EA_HASH_LEN], char out[2 * EA_HASH_LEN + 1])
{
	int i;

	for (i = 0; i < EA_HASH_LEN; i++)
		sprintf(out + 2 * i, "%02x", hash[i]);
}

static const struct {
	const char *word;
	int op;
	bool arg;
} commands[] = {
	{ "deny", EA_RULE_DENY, true },
	{ "allow", EA_RULE_ALLOW, true },
	{ "deny-hash", EA_RULE_DENY_HASH, true },
	{ "allow-hash", EA_RULE_ALLOW_HASH, true },
	{ "max-args", EA_RULE_MAX_ARGS, true },
	{ "list", EA_RULE_LIST, false },
};

int ea_parse_control(const char *line, struct ea_rule *rule, char *reply,
		     size_t replylen, char *err, size_t errlen)
{
	const char *p = line, *arg;
	unsigned long v;
	size_t n, alen, i;
	int ret;

	memset(rule, 0, sizeof(*rule));
	reply[0] = '\0';
	while (isspace((unsigned char)*p))
		p++;
	if (!*p || *p == '#')
		return 0;
	if (*p == '@') {
		for (n = 1; p[n] && !isspace((unsigned char)p[n]); n++)
			;
		if (p[1] != '/' || n - 1 >= replylen) {
			snprintf(err, errlen, "'%.*s': a reply FIFO needs an absolute path shorter than %zu bytes",
				 (int)n, p, replylen);
			return -EINVAL;
		}
		memcpy(reply, p + 1, n - 1);
		reply[n - 1] = '\0';
		p += n;
		while (isspace((unsigned char)*p))
			p++;
	}
	for (n = 0; p[n] && !isspace((unsigned char)p[n]); n++)
		;
	arg = p + n;
	while (isspace((unsigned char)*arg))
		arg++;
	alen = strlen(arg);
	while (alen && isspace((unsigned char)arg[alen - 1]))
		alen--;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strlen(commands[i].word) == n && !strncmp(p, commands[i].word, n))
			break;
	if (i == sizeof(commands) / sizeof(commands[0])) {
		snprintf(err, errlen, "unknown command '%.*s' (deny PATH, allow PATH, deny-hash SHA256, allow-hash SHA256, max-args BYTES, list)",
			 (int)n, p);
		return -EINVAL;
	}
	rule->op = commands[i].op;
	if (!commands[i].arg) {
		if (alen) {
			snprintf(err, errlen, "'%s' takes no argument", commands[i].word);
			return -EINVAL;
		}
		return 1;
	}
	if (!alen) {
		snprintf(err, errlen, "'%s' needs %s", commands[i].word,
			 rule->op == EA_RULE_MAX_ARGS ? "a byte count" :
			 rule->op == EA_RULE_DENY || rule->op == EA_RULE_ALLOW ?
			 "a path" : "a SHA-256 in hex");
		return -EINVAL;
	}
	switch (rule->op) {
	case EA_RULE_DENY:
	case EA_RULE_ALLOW: {
		char path[PATH_MAX];

		if (alen >= sizeof(path)) {
			snprintf(err, errlen, "path too long");
			return -EINVAL;
		}
		memcpy(path, arg, alen);
		path[alen] = '\0';
		ret = ea_rule_path(path, rule->path);
		if (ret == -EINVAL) {
			snprintf(err, errlen, "'%s' is not an absolute path", path);
			return -EINVAL;
		}
		if (ret) {
			snprintf(err, errlen, "'%.64s...' is longer than %d bytes",
				 path, PATH_MAX - 1);
			return -EINVAL;
		}
		return 1;
	}
	case EA_RULE_DENY_HASH:
	case EA_RULE_ALLOW_HASH:
		if (ea_parse_hash(arg, alen, rule->hash)) {
			snprintf(err, errlen, "'%.*s' is not a SHA-256 (64 hex digits)",
				 (int)(alen > 80 ? 80 : alen), arg);
			return -EINVAL;
		}
		return 1;
	}
	/* EA_RULE_MAX_ARGS */
	{
		char num[32];

		if (alen >= sizeof(num)) {
			snprintf(err, errlen, "'max-args' needs a byte count");
			return -EINVAL;
		}
		memcpy(num, arg, alen);
		num[alen] = '\0';
		ret = ea_parse_bytes(num, EA_ARGS_MAX, &v);
		if (ret) {
			snprintf(err, errlen, "max-args '%s': %s", num,
				 ret == -ERANGE ? "more than 1M" :
				 "not a byte count (N, NK or NM)");
			return -EINVAL;
		}
		rule->value = v;
		return 1;
	}
}

void ea_rule_str(const struct ea_rule *rule, char *buf, size_t len)
{
	switch (rule->op) {
	case EA_RULE_DENY:
		snprintf(buf, len, "deny %s", rule->path);
		break;
	case EA_RULE_ALLOW:
		snprintf(buf, len, "allow %s", rule->path);
		break;
	case EA_RULE_DENY_HASH:
	case EA_RULE_ALLOW_HASH: {
		char hex[2 * EA_HASH_LEN + 1];

		ea_hash_str(rule->hash, hex);
		snprintf(buf, len, "%s %s", rule->op == EA_RULE_DENY_HASH ?
			 "deny-hash" : "allow-hash", hex);
		break;
	}
	case EA_RULE_LIST:
		snprintf(buf, len, "list");
		break;
	case EA_RULE_MAX_ARGS:
		snprintf(buf, len, "max-args %u", rule->value);
		break;
	default:
		snprintf(buf, len, "rule %u", rule->op);
	}
}

size_t ea_utf8_len(const unsigned char *s, size_t len)
{
	size_t n, i;
	unsigned char lo = 0x80, hi = 0xbf;

	if (s[0] < 0x80)
		return 1;
	if (s[0] < 0xc2 || s[0] > 0xf4)	/* continuation, overlong, > U+10FFFF */
		return 0;
	n = s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : 4;
	if (len < n)
		return 0;
	/* The second byte's range rules out overlongs, surrogates, > U+10FFFF. */
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

/*
 * The escaped form of one byte or UTF-8 sequence at u (at most len bytes)
 * into out (at least 7 bytes): its length in out, and in *n the bytes of
 * u it stands for.
 */
static size_t json_char(const unsigned char *u, size_t len, char *out, size_t *n, bool *lossy)
{
	unsigned char c = u[0];

	*n = ea_utf8_len(u, len);
	if (!*n) {
		*lossy = true;
		*n = 1;
		return (size_t)sprintf(out, "\\ufffd");
	}
	if (*n > 1) {
		memcpy(out, u, *n);
		return *n;
	}
	switch (c) {
	case '"':
	case '\\':
		return (size_t)sprintf(out, "\\%c", c);
	case '\n':
		return (size_t)sprintf(out, "\\n");
	case '\t':
		return (size_t)sprintf(out, "\\t");
	case '\r':
		return (size_t)sprintf(out, "\\r");
	case '\b':
		return (size_t)sprintf(out, "\\b");
	case '\f':
		return (size_t)sprintf(out, "\\f");
	}
	if (c < 0x20)
		return (size_t)sprintf(out, "\\u%04x", c);
	out[0] = c;
	return 1;
}

/*
 * s as a JSON string in at most *room bytes (quotes included, at least
 * 2): stops before a character that would not fit. Returns the bytes of
 * s shown; *room loses what was written.
 */
static size_t json_string_max(FILE *f, const char *s, size_t len, size_t *room, bool *lossy)
{
	const unsigned char *u = (const unsigned char *)s;
	char out[8];
	size_t i, n, w;

	fputc('"', f);
	*room -= 2;
	for (i = 0; i < len; i += n) {
		w = json_char(u + i, len - i, out, &n, lossy);
		if (w > *room)
			break;
		fwrite(out, 1, w, f);
		*room -= w;
	}
	fputc('"', f);
	return i;
}

bool ea_json_string(FILE *f, const char *s, size_t len)
{
	size_t room = SIZE_MAX;
	bool lossy = false;

	json_string_max(f, s, len, &room, &lossy);
	return lossy;
}

static bool safe_char(unsigned char c)
{
	return isalnum(c) || strchr("_@%+=:,./-", c);
}

/* The quoted form of byte c into out (at least 5 bytes); its length. */
static size_t word_char(unsigned char c, char *out)
{
	if (c == '\'' || c == '\\')
		return (size_t)sprintf(out, "\\%c", c);
	if (c < 0x20 || c >= 0x7f)
		return (size_t)sprintf(out, "\\x%02x", c);
	out[0] = c;
	return 1;
}

/* ea_print_word() in at most *room bytes (at least 2), as json_string_max(). */
static size_t print_word_max(FILE *f, const char *s, size_t len, size_t *room)
{
	bool quote = !len;
	char out[8];
	size_t i, w;

	for (i = 0; i < len && !quote; i++)
		quote = !safe_char(s[i]);
	if (!quote) {
		w = len < *room ? len : *room;
		fwrite(s, 1, w, f);
		*room -= w;
		return w;
	}
	fputc('\'', f);
	*room -= 2;
	for (i = 0; i < len; i++) {
		w = word_char(s[i], out);
		if (w > *room)
			break;
		fwrite(out, 1, w, f);
		*room -= w;
	}
	fputc('\'', f);
	return i;
}

void ea_print_word(FILE *f, const char *s, size_t len)
{
	size_t room = SIZE_MAX;

	print_word_max(f, s, len, &room);
}

size_t ea_argv_bound(const char *args, size_t len)
{
	size_t i, strings = len && args[len - 1];

	for (i = 0; i < len; i++)
		strings += !args[i];
	return 2 * len + 3 * strings + 16;
}

bool ea_print_argv_max(FILE *f, const char *args, size_t len, bool json, size_t max,
		       size_t *cut)
{
	const char *p = args, *end = args + len;
	bool first = true, lossy = false;
	size_t n, shown, room = max;

	*cut = 0;
	if (json)
		fputc('[', f);
	while (p < end) {
		n = strnlen(p, end - p);
		/* A separator, two quotes and one character at least. */
		if (room < 4 + 6) {
			*cut = end - p;
			break;
		}
		if (!first) {
			fputc(json ? ',' : ' ', f);
			room--;
		}
		if (json)
			shown = json_string_max(f, p, n, &room, &lossy);
		else
			shown = print_word_max(f, p, n, &room);
		first = false;
		if (shown < n) {
			*cut = end - p - shown;
			break;
		}
		p += n + 1;
	}
	if (json)
		fputc(']', f);
	return lossy;
}

bool ea_print_argv(FILE *f, const char *args, size_t len, bool json)
{
	size_t cut;

	return ea_print_argv_max(f, args, len, json, SIZE_MAX, &cut);
}
