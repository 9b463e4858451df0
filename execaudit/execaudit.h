/* SPDX-License-Identifier: GPL-2.0 */
/* What the BPF programs of execaudit and its user space share. */
#ifndef EXECAUDIT_H
#define EXECAUDIT_H

/* Longest executable path recorded and matched by deny rules, with NUL. */
#define EA_PATH_LEN		256
/* Argv bytes captured per exec: default and largest --max-args. */
#define EA_ARGS_DEFAULT		(64 * 1024)
#define EA_ARGS_MAX		(1024 * 1024)
/* MAX_ARG_STRLEN: the longest single argv string, NUL included. */
#define EA_ARG_STRLEN		(32 * 4096)
/* Ring buffer size; a record is at most EA_ARGS_MAX plus its header. */
#define EA_RINGBUF_SIZE		(16 * 1024 * 1024)
#define EA_RULES_SIZE		(256 * 1024)
#define EA_MAX_DENY		1024
#define EA_MAX_UIDS		8192

enum ea_event_type {
	EA_EXEC = 1,	/* an exec that happened, with its argv */
	EA_DENY = 2,	/* an exec refused by a deny rule (EPERM), no argv */
};

enum ea_event_flags {
	EA_TRUNCATED = 1,	/* argv was longer than the cap */
	EA_FAULT = 2,		/* argv could not be read (bytes zeroed) */
};

/* A ring-buffer record: this header, then args_len bytes of argv. */
struct ea_event {
	__u32 type;
	__u32 flags;
	__u32 pid;
	__u32 ppid;
	__u32 uid;
	__u32 argc;		/* argument count of the exec */
	__u32 args_len;		/* argv bytes that follow, NULs included */
	__u32 pad;
	char path[EA_PATH_LEN];	/* the executable, resolved */
};

enum ea_rule_op {
	EA_RULE_DENY = 1,	/* refuse exec of path */
	EA_RULE_ALLOW = 2,	/* remove the deny rule for path */
	EA_RULE_MAX_ARGS = 3,	/* capture at most value argv bytes */
};

/* A record of the rules user ring buffer. */
struct ea_rule {
	__u32 op;
	__u32 value;
	char path[EA_PATH_LEN];
};

/* Per-uid statistics, values of the double-buffered inner maps. */
struct ea_stat {
	__u64 execs;
	__u64 bytes;
};

#endif
