// SPDX-License-Identifier: GPL-2.0
/* execaudit: parsing of options and control lines, and output formatting. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
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

int ea_rule_path(const char *in, char out[EA_PATH_LEN])
{
	char resolved[PATH_MAX];
	const char *p = in;

	if (in[0] != '/')
		return -EINVAL;
	if (realpath(in, resolved))
		p = resolved;
	if (strlen(p) >= EA_PATH_LEN)
		return -ENAMETOOLONG;
	memset(out, 0, EA_PATH_LEN);
	strcpy(out, p);
	return 0;
}

int ea_parse_control(const char *line, struct ea_rule *rule, char *err,
		     size_t errlen)
{
	const char *p = line, *arg;
	unsigned long v;
	size_t n, alen;
	int ret;

	memset(rule, 0, sizeof(*rule));
	while (isspace((unsigned char)*p))
		p++;
	if (!*p || *p == '#')
		return 0;
	for (n = 0; p[n] && !isspace((unsigned char)p[n]); n++)
		;
	arg = p + n;
	while (isspace((unsigned char)*arg))
		arg++;
	alen = strlen(arg);
	while (alen && isspace((unsigned char)arg[alen - 1]))
		alen--;

	if ((n == 4 && !strncmp(p, "deny", 4)) ||
	    (n == 5 && !strncmp(p, "allow", 5))) {
		char path[PATH_MAX];

		rule->op = n == 4 ? EA_RULE_DENY : EA_RULE_ALLOW;
		if (!alen) {
			snprintf(err, errlen, "'%.*s' needs a path", (int)n, p);
			return -EINVAL;
		}
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
			snprintf(err, errlen, "'%s' is longer than %d bytes",
				 path, EA_PATH_LEN - 1);
			return -EINVAL;
		}
		return 1;
	}
	if (n == 8 && !strncmp(p, "max-args", 8)) {
		char num[32];

		rule->op = EA_RULE_MAX_ARGS;
		if (!alen || alen >= sizeof(num)) {
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
	snprintf(err, errlen, "unknown command '%.*s' (deny PATH, allow PATH, max-args BYTES)",
		 (int)n, p);
	return -EINVAL;
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
	case EA_RULE_MAX_ARGS:
		snprintf(buf, len, "max-args %u", rule->value);
		break;
	default:
		snprintf(buf, len, "rule %u", rule->op);
	}
}

void ea_json_string(FILE *f, const char *s, size_t len)
{
	size_t i;

	fputc('"', f);
	for (i = 0; i < len; i++) {
		unsigned char c = s[i];

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static bool safe_char(unsigned char c)
{
	return isalnum(c) || strchr("_@%+=:,./-", c);
}

void ea_print_word(FILE *f, const char *s, size_t len)
{
	bool quote = !len;
	size_t i;

	for (i = 0; i < len && !quote; i++)
		quote = !safe_char(s[i]);
	if (!quote) {
		fwrite(s, 1, len, f);
		return;
	}
	fputc('\'', f);
	for (i = 0; i < len; i++) {
		unsigned char c = s[i];

		if (c == '\'' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
	fputc('\'', f);
}

void ea_print_argv(FILE *f, const char *args, size_t len, bool json)
{
	const char *p = args, *end = args + len;
	bool first = true;
	size_t n;

	if (json)
		fputc('[', f);
	while (p < end) {
		n = strnlen(p, end - p);
		if (!first)
			fputc(json ? ',' : ' ', f);
		if (json)
			ea_json_string(f, p, n);
		else
			ea_print_word(f, p, n);
		first = false;
		p += n + 1;
	}
	if (json)
		fputc(']', f);
}
