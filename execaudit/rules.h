/* SPDX-License-Identifier: GPL-2.0 */
/*
 * execaudit's user-space parsing and formatting. Free of libbpf, so that
 * the unit tests (test_rules.c) run on any host.
 */
#ifndef EXECAUDIT_RULES_H
#define EXECAUDIT_RULES_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <linux/types.h>
#include "execaudit.h"

enum ea_rule_op {
	EA_RULE_DENY = 1,	/* refuse the file at path */
	EA_RULE_ALLOW,		/* remove the file rule of the file at path */
	EA_RULE_DENY_HASH,	/* refuse files whose SHA-256 is hash */
	EA_RULE_ALLOW_HASH,	/* remove that hash rule */
	EA_RULE_MAX_ARGS,	/* capture at most value argv bytes */
	EA_RULE_LIST,		/* list the rules (control only) */
};

/* A rule, from the command line or a control line. */
struct ea_rule {
	int op;
	__u32 value;
	__u8 hash[EA_HASH_LEN];
	char path[PATH_MAX];
};

/*
 * A byte count: digits with an optional K or M (KiB, MiB) suffix, within
 * [0, max]. Returns 0, -EINVAL for a malformed one or -ERANGE.
 */
int ea_parse_bytes(const char *s, unsigned long max, unsigned long *out);

/* Whole seconds within [min, max]; 0, -EINVAL or -ERANGE. */
int ea_parse_seconds(const char *s, unsigned long min, unsigned long max,
		     unsigned long *out);

/*
 * The path of a file rule as given: absolute, and shorter than PATH_MAX.
 * Nothing is resolved here: ea_open_rule_file() resolves it, once. 0,
 * -EINVAL (not absolute) or -ENAMETOOLONG (PATH_MAX or more).
 */
int ea_rule_path(const char *in, char out[PATH_MAX]);

enum {
	EA_OPEN_NOT_REGULAR = 4096,	/* not a regular file */
	EA_OPEN_CHANGED,		/* another file by its own path, or at the reopen */
};

/*
 * Open the file that path names, for reading: the path is resolved once,
 * symbolic links followed as the kernel follows them, and the file's own
 * path (as the kernel names it, in resolved) is then resolved with no
 * link at all and must lead to the same file, so no rename or link made
 * meanwhile can bind the rule to another file than the one shown: that
 * is -EA_OPEN_CHANGED. /proc magic links (another process's root or
 * fds) are refused (-ELOOP). The O_PATH open that resolves opens nothing
 * (no FIFO's writer let go, no device armed); the file is reopened
 * through /proc/self/fd, which names that inode and no path, only when it
 * is a regular file. resolved gets the file's path as the kernel names it
 * (what the hooks' records show). Returns the descriptor, or -errno,
 * -EA_OPEN_NOT_REGULAR or -EA_OPEN_CHANGED, with *step saying which step
 * failed. May block as long as the file system does (FUSE): call it where
 * that can be given up on.
 */
int ea_open_rule_file(const char *path, char resolved[PATH_MAX], const char **step);

/*
 * in as one line of a reply or message: control characters, DEL and
 * backslash as \xNN, so that no name (a path's components are anyone's)
 * can end a line or forge one. Cut to fit outlen, NUL included.
 */
void ea_escape_line(const char *in, char *out, size_t outlen);

/* 64 hex digits into a SHA-256; 0 or -EINVAL. */
int ea_parse_hash(const char *s, size_t len, __u8 out[EA_HASH_LEN]);

/* A SHA-256 as 64 lower-case hex digits and a NUL. */
void ea_hash_str(const __u8 hash[EA_HASH_LEN], char out[2 * EA_HASH_LEN + 1]);

/*
 * One line of the control FIFO into a rule:
 *   [@REPLY] deny PATH | allow PATH | deny-hash SHA256 | allow-hash SHA256 |
 *            max-args BYTES | list
 * @REPLY, an absolute path, names the FIFO that gets the answer; it goes
 * to reply (empty without it). Returns 1 for a rule, 0 for a blank or '#'
 * line, -EINVAL with a message in err otherwise.
 */
int ea_parse_control(const char *line, struct ea_rule *rule, char *reply,
		     size_t replylen, char *err, size_t errlen);

/* A rule as the control FIFO spells it, for messages. */
void ea_rule_str(const struct ea_rule *rule, char *buf, size_t len);

/*
 * s (len bytes) as a JSON string, quotes included. Valid UTF-8 passes as
 * is; only what JSON requires is escaped: " and \, and control
 * characters below 0x20 (\n, \t, \r, \b, \f or \u00NN). A byte that is
 * not part of valid UTF-8 (overlong forms and surrogates included) becomes
 * U+FFFD, \ufffd. Returns true when that happened.
 */
bool ea_json_string(FILE *f, const char *s, size_t len);

/* Bytes of the valid UTF-8 sequence at s (at most len), or 0. */
size_t ea_utf8_len(const unsigned char *s, size_t len);

/*
 * A word for reading: as is when it holds only [A-Za-z0-9_@%+=:,./-],
 * else in single quotes with \' and \\ for ' and \, and \xNN for bytes
 * outside printable ASCII (so a newline cannot fake a line of output).
 */
void ea_print_word(FILE *f, const char *s, size_t len);

/*
 * argv (len bytes of NUL-terminated strings; the last one may lack its
 * NUL when the capture was truncated): as a JSON array, or as words
 * (ea_print_word()) separated by spaces. Returns true when a JSON string
 * had invalid UTF-8 replaced.
 */
bool ea_print_argv(FILE *f, const char *args, size_t len, bool json);

/*
 * What one record's argv may print: twice its bytes and three bytes per
 * string (quotes and a separator), and 16. All of a printable argv fits;
 * one of bytes that print as \xNN or \ufffd is cut.
 */
size_t ea_argv_bound(const char *args, size_t len);

/*
 * ea_print_argv() in at most max bytes (brackets aside): a string that
 * does not fit is cut at a character, and what follows is left out.
 * *cut gets the argv bytes not shown (0 when all were).
 */
bool ea_print_argv_max(FILE *f, const char *args, size_t len, bool json, size_t max,
		       size_t *cut);

#endif
