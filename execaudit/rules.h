/* SPDX-License-Identifier: GPL-2.0 */
/*
 * execaudit's user-space parsing and formatting. Free of libbpf, so that
 * the unit tests (test_rules.c) run on any host.
 */
#ifndef EXECAUDIT_RULES_H
#define EXECAUDIT_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <linux/types.h>
#include "execaudit.h"

/*
 * A byte count: digits with an optional K or M (KiB, MiB) suffix, within
 * [0, max]. Returns 0, -EINVAL for a malformed one or -ERANGE.
 */
int ea_parse_bytes(const char *s, unsigned long max, unsigned long *out);

/* Whole seconds within [min, max]; 0, -EINVAL or -ERANGE. */
int ea_parse_seconds(const char *s, unsigned long min, unsigned long max,
		     unsigned long *out);

/*
 * The path a deny rule matches: absolute, and resolved like the kernel
 * shows an executable (symbolic links followed) when it exists; a path
 * that does not exist yet is kept as written. 0, -EINVAL (not absolute)
 * or -ENAMETOOLONG.
 */
int ea_rule_path(const char *in, char out[EA_PATH_LEN]);

/*
 * One line of the control FIFO into a rule:
 *   deny PATH | allow PATH | max-args BYTES
 * Returns 1 for a rule, 0 for a blank or '#' line, -EINVAL with a message
 * in err otherwise.
 */
int ea_parse_control(const char *line, struct ea_rule *rule, char *err,
		     size_t errlen);

/* A rule as the control FIFO spells it, for messages. */
void ea_rule_str(const struct ea_rule *rule, char *buf, size_t len);

/* s (len bytes) as a JSON string, quotes included. */
void ea_json_string(FILE *f, const char *s, size_t len);

/*
 * A word for reading: as is when it holds only [A-Za-z0-9_@%+=:,./-],
 * else in single quotes with \' and \\ for ' and \, and \xNN for bytes
 * outside printable ASCII (so a newline cannot fake a line of output).
 */
void ea_print_word(FILE *f, const char *s, size_t len);

/*
 * argv (len bytes of NUL-terminated strings; the last one may lack its
 * NUL when the capture was truncated): as a JSON array, or as words
 * (ea_print_word()) separated by spaces.
 */
void ea_print_argv(FILE *f, const char *args, size_t len, bool json);

#endif
