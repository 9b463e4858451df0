// SPDX-License-Identifier: GPL-2.0
/* Unit tests of execaudit's parsing and formatting (rules.c), on the host. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "rules.h"

static int checks, failures;
static bool quiet;

#define CHECK(cond, ...) do {					\
	bool ok_ = (cond);					\
								\
	checks++;						\
	failures += !ok_;					\
	if (!ok_ || !quiet) {					\
		printf("%s %d - ", ok_ ? "ok" : "not ok", checks); \
		printf(__VA_ARGS__);				\
		putchar('\n');					\
	}							\
} while (0)

static void test_bytes(void)
{
	unsigned long v = 7;

	CHECK(!ea_parse_bytes("4096", EA_ARGS_MAX, &v) && v == 4096, "bytes: 4096");
	CHECK(!ea_parse_bytes("64K", EA_ARGS_MAX, &v) && v == 65536, "bytes: 64K");
	CHECK(!ea_parse_bytes("1m", EA_ARGS_MAX, &v) && v == 1048576, "bytes: 1m");
	CHECK(!ea_parse_bytes("0", EA_ARGS_MAX, &v) && v == 0, "bytes: 0");
	v = 7;
	CHECK(ea_parse_bytes("2M", EA_ARGS_MAX, &v) == -ERANGE && v == 7, "bytes: 2M out of range");
	CHECK(ea_parse_bytes("1048577", EA_ARGS_MAX, &v) == -ERANGE, "bytes: 1M + 1 out of range");
	CHECK(ea_parse_bytes("99999999999999999999999", EA_ARGS_MAX, &v) == -ERANGE, "bytes: overflow");
	CHECK(ea_parse_bytes("", EA_ARGS_MAX, &v) == -EINVAL, "bytes: empty");
	CHECK(ea_parse_bytes("-1", EA_ARGS_MAX, &v) == -EINVAL, "bytes: negative");
	CHECK(ea_parse_bytes(" 12", EA_ARGS_MAX, &v) == -EINVAL, "bytes: leading space");
	CHECK(ea_parse_bytes("12KB", EA_ARGS_MAX, &v) == -EINVAL, "bytes: 12KB");
	CHECK(ea_parse_bytes("4T", EA_ARGS_MAX, &v) == -EINVAL, "bytes: unknown suffix");
	CHECK(ea_parse_bytes("4G", EA_ARGS_MAX, &v) == -ERANGE, "bytes: G above max");
	CHECK(ea_parse_bytes("2G", 1UL << 40, &v) == 0 && v == 2UL << 30, "bytes: G");
}

static void test_seconds(void)
{
	unsigned long v = 7;

	CHECK(!ea_parse_seconds("5", 1, 3600, &v) && v == 5, "seconds: 5");
	CHECK(!ea_parse_seconds("10s", 1, 3600, &v) && v == 10, "seconds: 10s");
	CHECK(ea_parse_seconds("0", 1, 3600, &v) == -ERANGE, "seconds: 0 below minimum");
	CHECK(ea_parse_seconds("3601", 1, 3600, &v) == -ERANGE, "seconds: above maximum");
	CHECK(ea_parse_seconds("1.5", 1, 3600, &v) == -EINVAL, "seconds: fraction");
	CHECK(ea_parse_seconds("x", 1, 3600, &v) == -EINVAL, "seconds: word");
}

static void test_paths(void)
{
	char out[PATH_MAX], dir[] = "/tmp/execaudit-test.XXXXXX", real[PATH_MAX];
	char file[PATH_MAX + 8], link[PATH_MAX + 8], big[2 * PATH_MAX];
	char fifo[PATH_MAX + 8], fifolink[PATH_MAX + 8];
	struct stat st, st2;
	const char *step;
	int fd, ret;
	FILE *f;

	CHECK(!ea_rule_path("/no/such/dir/x", out) && !strcmp(out, "/no/such/dir/x"),
	      "path: a missing path is kept as written");
	CHECK(ea_rule_path("bin/true", out) == -EINVAL, "path: relative refused");
	memset(big, 'a', sizeof(big));
	big[0] = '/';
	big[PATH_MAX] = '\0';
	CHECK(ea_rule_path(big, out) == -ENAMETOOLONG, "path: %d bytes refused", PATH_MAX);
	big[EA_PATH_LEN + 100] = '\0';
	CHECK(!ea_rule_path(big, out) && strlen(out) == EA_PATH_LEN + 100,
	      "path: %d bytes accepted (a file rule has no path length limit)", EA_PATH_LEN + 100);

	if (!mkdtemp(dir)) {
		CHECK(0, "path: mkdtemp: %s", strerror(errno));
		return;
	}
	/* /tmp may itself be a symbolic link: compare with the real path. */
	if (!realpath(dir, real)) {
		CHECK(0, "path: realpath %s: %s", dir, strerror(errno));
		rmdir(dir);
		return;
	}
	snprintf(file, sizeof(file), "%s/prog", real);
	snprintf(link, sizeof(link), "%s/link", dir);
	snprintf(fifo, sizeof(fifo), "%s/fifo", real);
	snprintf(fifolink, sizeof(fifolink), "%s/fifolink", dir);
	f = fopen(file, "w");
	if (f)
		fclose(f);
	CHECK(f && !symlink(file, link) && !mkfifo(fifo, 0600) && !symlink(fifo, fifolink),
	      "path: file, FIFO and symlinks made");
	CHECK(!ea_rule_path(link, out) && !strcmp(out, link),
	      "path: kept as written (ea_open_rule_file() resolves it)");
	fd = ea_open_rule_file(link, out, &step);
	CHECK(fd >= 0 && !strcmp(out, file) && !fstat(fd, &st) && !stat(file, &st2) &&
	      st.st_ino == st2.st_ino && st.st_dev == st2.st_dev,
	      "open: a symbolic link followed, once, to its target (%d, %s)", fd, out);
	if (fd >= 0)
		close(fd);
	snprintf(big, sizeof(big), "%s/../%s/prog", dir, strrchr(dir, '/') + 1);
	fd = ea_open_rule_file(big, out, &step);
	CHECK(fd >= 0 && !strcmp(out, file), "open: .. resolved (%d, %s)", fd, out);
	if (fd >= 0)
		close(fd);
	fd = ea_open_rule_file("/no/such/dir/x", out, &step);
	CHECK(fd == -ENOENT && !strcmp(step, "open"), "open: a missing file: ENOENT at the open (%d)", fd);
	fd = ea_open_rule_file(fifolink, out, &step);
	CHECK(fd == -EA_OPEN_NOT_REGULAR && !strcmp(out, fifo),
	      "open: a link to a FIFO: not a regular file, named by its own path (%d, %s)", fd, out);
	fd = ea_open_rule_file(real, out, &step);
	CHECK(fd == -EA_OPEN_NOT_REGULAR, "open: a directory: not a regular file (%d)", fd);
	fd = open(file, O_RDONLY);
	snprintf(big, sizeof(big), "/proc/self/fd/%d", fd);
	ret = ea_open_rule_file(big, out, &step);
	CHECK(fd >= 0 && ret == -ELOOP, "open: a /proc magic link refused with ELOOP (%d)", ret);
	if (fd >= 0)
		close(fd);
	unlink(fifolink);
	unlink(fifo);
	unlink(link);
	unlink(file);
	rmdir(real);
}

static void test_control(void)
{
	struct ea_rule r;
	char err[512], s[PATH_MAX + 32], reply[256];
	const char *h = "00112233445566778899aabbccddeeffFFEEDDCCBBAA99887766554433221100";

	CHECK(ea_parse_control("deny /no/such/x\n", &r, reply, sizeof(reply), err, sizeof(err)) == 1 &&
	      r.op == EA_RULE_DENY && !strcmp(r.path, "/no/such/x") && !reply[0],
	      "control: deny");
	CHECK(ea_parse_control("  allow   /no/such/a b  \n", &r, reply, sizeof(reply), err, sizeof(err)) == 1 &&
	      r.op == EA_RULE_ALLOW && !strcmp(r.path, "/no/such/a b"),
	      "control: allow, path with a space, spaces trimmed");
	CHECK(ea_parse_control("max-args 16K", &r, reply, sizeof(reply), err, sizeof(err)) == 1 &&
	      r.op == EA_RULE_MAX_ARGS && r.value == 16384, "control: max-args 16K");
	CHECK(ea_parse_control("max-args 0", &r, reply, sizeof(reply), err, sizeof(err)) == 1 &&
	      r.op == EA_RULE_MAX_ARGS && r.value == 0,
	      "control: max-args 0");
	CHECK(ea_parse_control("", &r, reply, sizeof(reply), err, sizeof(err)) == 0 && r.op == 0,
	      "control: empty line, no rule left from the line before");
	ea_parse_control("deny /x", &r, reply, sizeof(reply), err, sizeof(err));
	CHECK(ea_parse_control("   # comment", &r, reply, sizeof(reply), err, sizeof(err)) == 0 && r.op == 0,
	      "control: comment, no rule left from the line before");
	CHECK(ea_parse_control("deny", &r, reply, sizeof(reply), err, sizeof(err)) == -EINVAL &&
	      !strcmp(err, "'deny' needs a path"), "control: deny without path: %s", err);
	CHECK(ea_parse_control("deny x/y", &r, reply, sizeof(reply), err, sizeof(err)) == -EINVAL &&
	      !strcmp(err, "'x/y' is not an absolute path"), "control: relative: %s", err);
	CHECK(ea_parse_control("max-args 2M", &r, reply, sizeof(reply), err, sizeof(err)) == -EINVAL &&
	      !strcmp(err, "max-args '2M': more than 1M"), "control: %s", err);
	CHECK(ea_parse_control("max-args lots", &r, reply, sizeof(reply), err, sizeof(err)) == -EINVAL &&
	      strstr(err, "not a byte count"), "control: %s", err);
	CHECK(ea_parse_control("denyall /x", &r, reply, sizeof(reply), err, sizeof(err)) == -EINVAL &&
	      strstr(err, "unknown command 'denyall' (deny PATH, allow PATH, deny-hash SHA256"),
	      "control: %s", err);
	ea_parse_control("max-args 1K", &r, reply, sizeof(reply), err, sizeof(err));
	ea_rule_str(&r, s, sizeof(s));
	CHECK(!strcmp(s, "max-args 1024"), "control: rule spelled back: %s", s);
	snprintf(s, sizeof(s), "deny-hash %s", h);
	CHECK(ea_parse_control(s, &r, reply, sizeof(reply), err, sizeof(err)) == 1 &&
	      r.op == EA_RULE_DENY_HASH && r.hash[0] == 0 && r.hash[1] == 0x11 &&
	      r.hash[16] == 0xff && r.hash[31] == 0, "control: deny-hash, either case");
	ea_rule_str(&r, s, sizeof(s));
	CHECK(!strcmp(s, "deny-hash 00112233445566778899aabbccddeeffffeeddccbbaa99887766554433221100"),
	      "control: hash spelled back in lower case: %s", s);
	CHECK(ea_parse_control("allow-hash 0011", &r, reply, sizeof(reply), err, sizeof(err)) == -EINVAL &&
	      strstr(err, "is not a SHA-256 (64 hex digits)"), "control: short hash: %s", err);
	s[20] = 'g';
	CHECK(ea_parse_control(s, &r, reply, sizeof(reply), err, sizeof(err)) == -EINVAL,
	      "control: hash with a non-hex digit");
	CHECK(ea_parse_control("@/tmp/r.1/reply list", &r, reply, sizeof(reply), err, sizeof(err)) == 1 &&
	      r.op == EA_RULE_LIST && !strcmp(reply, "/tmp/r.1/reply"), "control: list with a reply FIFO");
	CHECK(ea_parse_control("list all", &r, reply, sizeof(reply), err, sizeof(err)) == -EINVAL &&
	      !strcmp(err, "'list' takes no argument"), "control: %s", err);
	CHECK(ea_parse_control("@tmp/reply list", &r, reply, sizeof(reply), err, sizeof(err)) == -EINVAL,
	      "control: relative reply FIFO refused");
	CHECK(ea_parse_control("@/r deny x", &r, reply, sizeof(reply), err, sizeof(err)) == -EINVAL &&
	      !strcmp(reply, "/r"), "control: an error still names the reply FIFO");
}

/* What f printed, as a string the caller frees. */
static char *printed(bool (*fn)(FILE *, const char *, size_t, bool),
		     const char *in, size_t len, bool json)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	fn(f, in, len, json);
	fclose(f);
	return buf;
}

static bool lossy;

static bool json_string(FILE *f, const char *s, size_t len, bool unused)
{
	return lossy = ea_json_string(f, s, len);
}

static bool word(FILE *f, const char *s, size_t len, bool unused)
{
	ea_print_word(f, s, len);
	return false;
}

static void test_format(void)
{
	static const char argv[] = "echo\0a b\0it's\0\0tab\there\0";
	static const char trunc[] = "ls\0-l\0/us";
	char *s;

	s = printed(json_string, "q\"b\\n\n\x01\x7f", 8, false);
	CHECK(!strcmp(s, "\"q\\\"b\\\\n\\n\\u0001\x7f\"") && !lossy,
	      "json string: escapes only what JSON requires: %s", s);
	free(s);
	s = printed(json_string, "h\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 12, false);
	CHECK(!strcmp(s, "\"h\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"") && !lossy,
	      "json string: valid UTF-8 as is: %s", s);
	free(s);
	/* A lone continuation, a cut sequence, overlong '/', a surrogate, > U+10FFFF. */
	s = printed(json_string, "\x80" "a\xc3\xc0\xaf\xed\xa0\x80\xf4\x90\x80\x80\xff", 13, false);
	CHECK(!strcmp(s, "\"\\ufffda\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd"
			 "\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\"") && lossy,
	      "json string: each byte of invalid UTF-8 is U+FFFD: %s", s);
	free(s);
	s = printed(ea_print_argv, argv, sizeof(argv) - 1, true);
	CHECK(!strcmp(s, "[\"echo\",\"a b\",\"it's\",\"\",\"tab\\there\"]"), "json argv: %s", s);
	free(s);
	s = printed(ea_print_argv, argv, sizeof(argv) - 1, false);
	CHECK(!strcmp(s, "echo 'a b' 'it\\'s' '' 'tab\\x09here'"), "text argv: %s", s);
	free(s);
	s = printed(ea_print_argv, trunc, sizeof(trunc) - 1, false);
	CHECK(!strcmp(s, "ls -l /us"), "truncated argv without its last NUL: %s", s);
	free(s);
	s = printed(word, "/tmp/a\nexec pid 1", 17, false);
	CHECK(!strcmp(s, "'/tmp/a\\x0aexec pid 1'"), "a newline in a path cannot start a line: %s", s);
	free(s);
	s = printed(ea_print_argv, "", 0, true);
	CHECK(!strcmp(s, "[]"), "empty argv: %s", s);
	free(s);
}

/* What ea_print_argv_max() printed within ea_argv_bound(), and its cut. */
static char *bounded(const char *args, size_t len, bool json, size_t *cut, size_t *out)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, out);

	ea_print_argv_max(f, args, len, json, ea_argv_bound(args, len), cut);
	fclose(f);
	return buf;
}

static void test_bound(void)
{
	static const char argv[] = "echo\0a b\0it's\0\0tab\there\0q\"uote\0";
	char bad[2000], empty[100], plain[3000];
	size_t cut, out, i;
	char *s, *want;

	for (i = 0; i < 2; i++) {
		want = printed(ea_print_argv, argv, sizeof(argv) - 1, i);
		s = bounded(argv, sizeof(argv) - 1, i, &cut, &out);
		CHECK(!strcmp(s, want) && !cut, "bound: a plain %s argv is whole: %s",
		      i ? "JSON" : "text", s);
		free(s);
		free(want);
	}
	memset(empty, 0, sizeof(empty));
	s = bounded(empty, sizeof(empty), false, &cut, &out);
	CHECK(!cut && out == 3 * sizeof(empty) - 1, "bound: %zu empty strings are whole (%zu bytes)",
	      sizeof(empty), out);
	free(s);
	memset(plain, 'a', sizeof(plain));
	for (i = 99; i < sizeof(plain); i += 100)
		plain[i] = '\0';
	s = bounded(plain, sizeof(plain), true, &cut, &out);
	CHECK(!cut && out == sizeof(plain) + 2 * 30 + 1, "bound: printable JSON argv whole (%zu bytes)",
	      out);
	free(s);
	memset(bad, 0xff, sizeof(bad));
	bad[sizeof(bad) - 1] = '\0';
	for (i = 0; i < 2; i++) {
		s = bounded(bad, sizeof(bad), i, &cut, &out);
		CHECK(cut > 0 && out <= ea_argv_bound(bad, sizeof(bad)) + 2 &&
		      out > ea_argv_bound(bad, sizeof(bad)) - 16 &&
		      s[out - 1] == (i ? ']' : '\'') && (!i || s[out - 2] == '"'),
		      "bound: %zu bytes of \\xff cut in %s: %zu printed, %zu not shown",
		      sizeof(bad), i ? "JSON" : "text", out, cut);
		free(s);
	}
}

static void test_escape(void)
{
	char out[64];

	ea_escape_line("/a\nok list\\b\x7f\tc", out, sizeof(out));
	CHECK(!strcmp(out, "/a\\x0aok list\\x5cb\\x7f\\x09c"),
	      "escape: newline, backslash, DEL and tab as \\xNN (%s)", out);
	ea_escape_line("/\n\n\n\n", out, 5);
	CHECK(!strcmp(out, "/"), "escape: cut before an escape that does not fit (%s)", out);
	ea_escape_line("héllo", out, sizeof(out));
	CHECK(!strcmp(out, "héllo"), "escape: bytes above 0x7f kept (%s)", out);
}

/* -q: print only the failed checks and the summary. */
int main(int argc, char **argv)
{
	quiet = argc > 1 && !strcmp(argv[1], "-q");
	test_bytes();
	test_seconds();
	test_paths();
	test_escape();
	test_control();
	test_format();
	test_bound();
	printf("execaudit unit tests: %d passed, %d failed\n", checks - failures, failures);
	return failures ? 1 : 0;
}
