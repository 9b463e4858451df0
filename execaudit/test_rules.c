// SPDX-License-Identifier: GPL-2.0
/* Unit tests of execaudit's parsing and formatting (rules.c), on the host. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
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
	CHECK(ea_parse_bytes("4G", EA_ARGS_MAX, &v) == -EINVAL, "bytes: unknown suffix");
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
	char out[EA_PATH_LEN], dir[] = "/tmp/execaudit-test.XXXXXX", real[PATH_MAX];
	char file[PATH_MAX + 8], link[PATH_MAX + 8], big[2 * PATH_MAX];
	FILE *f;
	bool padded = true;
	int i;

	CHECK(!ea_rule_path("/no/such/dir/x", out) && !strcmp(out, "/no/such/dir/x"),
	      "path: a missing path is kept as written");
	for (i = strlen(out); i < EA_PATH_LEN; i++)
		padded &= !out[i];
	CHECK(padded, "path: zero-padded to %d bytes", EA_PATH_LEN);
	CHECK(ea_rule_path("bin/true", out) == -EINVAL, "path: relative refused");
	memset(big, 'a', sizeof(big));
	big[0] = '/';
	big[EA_PATH_LEN] = '\0';
	CHECK(ea_rule_path(big, out) == -ENAMETOOLONG, "path: %d bytes refused", EA_PATH_LEN);
	big[EA_PATH_LEN - 1] = '\0';
	CHECK(!ea_rule_path(big, out), "path: %d bytes accepted", EA_PATH_LEN - 1);

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
	f = fopen(file, "w");
	if (f)
		fclose(f);
	CHECK(f && !symlink(file, link), "path: file and symlink made");
	CHECK(!ea_rule_path(link, out) && !strcmp(out, file),
	      "path: a symbolic link resolves to its target");
	snprintf(big, sizeof(big), "%s/../%s/prog", dir, strrchr(dir, '/') + 1);
	CHECK(!ea_rule_path(big, out) && !strcmp(out, file), "path: .. resolved");
	unlink(link);
	unlink(file);
	rmdir(real);
}

static void test_control(void)
{
	struct ea_rule r;
	char err[512], s[EA_PATH_LEN + 32];

	CHECK(ea_parse_control("deny /no/such/x\n", &r, err, sizeof(err)) == 1 &&
	      r.op == EA_RULE_DENY && !strcmp(r.path, "/no/such/x"), "control: deny");
	CHECK(ea_parse_control("  allow   /no/such/a b  \n", &r, err, sizeof(err)) == 1 &&
	      r.op == EA_RULE_ALLOW && !strcmp(r.path, "/no/such/a b"),
	      "control: allow, path with a space, spaces trimmed");
	CHECK(ea_parse_control("max-args 16K", &r, err, sizeof(err)) == 1 &&
	      r.op == EA_RULE_MAX_ARGS && r.value == 16384, "control: max-args 16K");
	CHECK(ea_parse_control("max-args 0", &r, err, sizeof(err)) == 1 &&
	      r.op == EA_RULE_MAX_ARGS && r.value == 0,
	      "control: max-args 0");
	CHECK(ea_parse_control("", &r, err, sizeof(err)) == 0 && r.op == 0,
	      "control: empty line, no rule left from the line before");
	ea_parse_control("deny /x", &r, err, sizeof(err));
	CHECK(ea_parse_control("   # comment", &r, err, sizeof(err)) == 0 && r.op == 0,
	      "control: comment, no rule left from the line before");
	CHECK(ea_parse_control("deny", &r, err, sizeof(err)) == -EINVAL &&
	      !strcmp(err, "'deny' needs a path"), "control: deny without path: %s", err);
	CHECK(ea_parse_control("deny x/y", &r, err, sizeof(err)) == -EINVAL &&
	      !strcmp(err, "'x/y' is not an absolute path"), "control: relative: %s", err);
	CHECK(ea_parse_control("max-args 2M", &r, err, sizeof(err)) == -EINVAL &&
	      !strcmp(err, "max-args '2M': more than 1M"), "control: %s", err);
	CHECK(ea_parse_control("max-args lots", &r, err, sizeof(err)) == -EINVAL &&
	      strstr(err, "not a byte count"), "control: %s", err);
	CHECK(ea_parse_control("denyall /x", &r, err, sizeof(err)) == -EINVAL &&
	      !strcmp(err, "unknown command 'denyall' (deny PATH, allow PATH, max-args BYTES)"),
	      "control: %s", err);
	ea_parse_control("max-args 1K", &r, err, sizeof(err));
	ea_rule_str(&r, s, sizeof(s));
	CHECK(!strcmp(s, "max-args 1024"), "control: rule spelled back: %s", s);
}

/* What f printed, as a string the caller frees. */
static char *printed(void (*fn)(FILE *, const char *, size_t, bool),
		     const char *in, size_t len, bool json)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	fn(f, in, len, json);
	fclose(f);
	return buf;
}

static void json_string(FILE *f, const char *s, size_t len, bool unused)
{
	ea_json_string(f, s, len);
}

static void word(FILE *f, const char *s, size_t len, bool unused)
{
	ea_print_word(f, s, len);
}

static void test_format(void)
{
	static const char argv[] = "echo\0a b\0it's\0\0tab\there\0";
	static const char trunc[] = "ls\0-l\0/us";
	char *s;

	s = printed(json_string, "q\"b\\n\n\x01\xff", 8, false);
	CHECK(!strcmp(s, "\"q\\\"b\\\\n\\n\\u0001\\u00ff\""), "json string: %s", s);
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

/* -q: print only the failed checks and the summary. */
int main(int argc, char **argv)
{
	quiet = argc > 1 && !strcmp(argv[1], "-q");
	test_bytes();
	test_seconds();
	test_paths();
	test_control();
	test_format();
	printf("execaudit unit tests: %d passed, %d failed\n", checks - failures, failures);
	return failures ? 1 : 0;
}
