/* SPDX-License-Identifier: GPL-2.0 */
/* What the BPF programs of execaudit and its user space share. */
#ifndef EXECAUDIT_H
#define EXECAUDIT_H

/* The version of the JSON records ("version" in each object). */
#define EA_JSON_VERSION		3
/* Longest executable path recorded, with NUL; a longer one is cut. */
#define EA_PATH_LEN		256
#define EA_COMM_LEN		16
#define EA_HASH_LEN		32	/* SHA-256 */
/* Argv bytes captured per exec: default and largest --max-args. */
#define EA_ARGS_DEFAULT		(64 * 1024)
#define EA_ARGS_MAX		(1024 * 1024)
/* MAX_ARG_STRLEN: the longest single argv string, NUL included. */
#define EA_ARG_STRLEN		(32 * 4096)
/* Ring buffer size: default, and the bounds of --ring-size. */
#define EA_RINGBUF_SIZE		(16 * 1024 * 1024)
#define EA_RINGBUF_MIN		(64 * 1024)
#define EA_RINGBUF_MAX		(1024 * 1024 * 1024)
#define EA_MAX_DENY		1024	/* file rules; hash rules alike */
#define EA_MAX_REAL		16384	/* verdicts of files reached through overlays */
#define EA_MAX_UIDS		8192
/*
 * The per-uid statistics of uids beyond EA_MAX_UIDS go to this key (no
 * uid: (uid_t)-1 is invalid, and -2 is never given out either).
 */
#define EA_UID_OVERFLOW		0xfffffffeu
/*
 * Refusal and failed-exec records a uid may write per second; more are
 * dropped and counted, so that a flood loses its own records first.
 * These records, and exit records, use at most half of the ring buffer:
 * the rest is kept for exec records.
 */
#define EA_UID_BUDGET		256
#define EA_HASH_MAX_DEFAULT	(512ULL << 20)	/* --hash-max */
#define EA_HASH_MAX_MAX		(1ULL << 40)
/*
 * The ioctl command with which execaudit asks its probe_file program for
 * the identity (and the hash) of a file it opened. No driver uses it: it
 * is in the range of type 0xea, which ioctl-number.rst does not assign.
 */
#define EA_IOCTL_PROBE		0xea00ea01u

enum ea_event_type {
	EA_EXEC = 1,		/* an exec that happened, with its argv */
	EA_DENY = 2,		/* refused by a rule or undecided, no argv */
	EA_EXEC_FAILED = 3,	/* an exec that failed for another reason */
	EA_EXIT = 4,		/* the end of a process whose exec was recorded */
};

/* Where a refusal happened. */
enum ea_hook {
	EA_HOOK_EXEC = 1,	/* bprm_check_security */
	EA_HOOK_MMAP = 2,	/* mmap_file with PROT_EXEC */
	EA_HOOK_MPROTECT = 3,	/* file_mprotect adding PROT_EXEC */
};

/* Why: the refused errno is EPERM for a rule, EACCES for undecided. */
enum ea_reason {
	EA_REASON_FILE = 1,	/* a file rule: device, inode, generation */
	EA_REASON_HASH = 2,	/* a hash rule: the content's SHA-256 */
	EA_REASON_UNDECIDED = 3, /* hash rules exist, the hash is unknown */
};

enum ea_event_flags {
	EA_TRUNCATED = 1,	/* argv was longer than the cap */
	EA_FAULT = 2,		/* argv could not be read (bytes zeroed) */
	EA_HEADER_ONLY = 4,	/* no room for argv: the record is the header */
	EA_PATH_CUT = 8,	/* path longer than EA_PATH_LEN - 1: cut */
	EA_HASHED = 16,		/* hash holds the file's SHA-256 */
	EA_OTHER_MNTNS = 32,	/* in another mount namespace than pid 1 */
	EA_OTHER_ROOT = 64,	/* another root directory than pid 1's */
};

/* A file as the kernel knows it: a key of the file rules. */
struct ea_file_id {
	__u64 ino;
	__u32 dev;		/* the kernel's dev_t: major << 20 | minor */
	__u32 gen;		/* i_generation, against inode number reuse */
};

/* A ring-buffer record: this header, then args_len bytes of argv. */
struct ea_event {
	__u32 type;
	__u32 flags;
	__u32 pid;
	__u32 tid;
	__u32 ppid;
	__u32 uid;
	__u32 euid;
	__u32 loginuid;		/* (__u32)-1 when unset */
	__u32 sessionid;	/* the audit session id; (__u32)-1 when unset */
	__u32 argc;		/* argument count of the exec */
	__u32 args_len;		/* argv bytes that follow, NULs included */
	__s32 err;		/* errno of a refused or failed exec; 0 */
	__s32 exit_code;	/* EA_EXIT: a wait status, code << 8 | signal */
	__u16 hook;		/* enum ea_hook, for EA_DENY */
	__u16 reason;		/* enum ea_reason, for EA_DENY */
	__u64 ts_boot;		/* CLOCK_BOOTTIME, ns */
	__u64 exec_ts;		/* the exec's ts_boot: with pid, the exec id */
	__u64 parent_start;	/* the parent's start, CLOCK_BOOTTIME ns */
	__u64 cgroup_id;
	__u32 pidns;		/* inode numbers of the namespaces */
	__u32 mntns;
	struct ea_file_id file;	/* the executable (or mapped file) */
	__u8 hash[EA_HASH_LEN];	/* with EA_HASHED */
	char comm[EA_COMM_LEN];
	char path[EA_PATH_LEN];	/* the executable, resolved */
};

/* Value of a file rule: the path it was given as, for listing. */
struct ea_file_rule {
	char path[EA_PATH_LEN];
};

enum ea_verdict {
	EA_VERDICT_ALLOW = 1,
	EA_VERDICT_DENY = 2,
};

/* Per-uid statistics, values of the double-buffered inner maps. */
struct ea_stat {
	__u64 execs;		/* execs that happened */
	__u64 bytes;		/* argv bytes of their records */
	__u64 failed;		/* execs that failed */
	__u64 denied;		/* refusals of the rules, all hooks */
	__u64 header_only;	/* exec records cut to their header */
	__u64 dropped;		/* records lost: no room, or over the budget */
};

/* The programs' counts of what they could not do, in .bss. */
struct ea_lost {
	__u64 execs;		/* exec records with no room at all */
	__u64 other;		/* refusal and failed-exec records with no room */
	__u64 budget;		/* refusal and failed-exec records over budget */
	__u64 exits;		/* exit records with no room */
	__u64 stats;		/* statistics updates with no entry */
	__u64 inflight;		/* execs not watched for failure (no memory) */
};

/* What probe_file found about the file of an EA_IOCTL_PROBE. */
struct ea_probe {
	struct ea_file_id id;
	__s32 hash_algo;	/* bpf_ima_file_hash()'s return */
	__u32 seq;		/* bumped by each answer */
	__u8 hash[EA_HASH_LEN];
};

#endif
