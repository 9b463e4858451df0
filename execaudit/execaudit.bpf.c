// SPDX-License-Identifier: GPL-2.0
/*
 * execaudit's BPF side.
 *
 * record_exec (lsm.s/bprm_committed_creds) runs in the new process once
 * the exec is committed: the new mm is installed and argv sits on its
 * stack (not yet moved to its final place), the binary not yet mapped.
 * It is sleepable, so it can fault in the argv pages.
 * It measures argv, reserves a ring-buffer record of exactly the size
 * needed and copies argv into it straight from user memory with
 * bpf_copy_from_user_dynptr(). check_exec (lsm.s/bprm_check_security)
 * refuses the exec of a denied path. apply_rules (a syscall program that
 * user space runs) drains the rules user ring buffer into the deny map
 * and the capture cap. Per-uid statistics go into one of two inner maps
 * of an array of maps: user space flips stats_index, waits with
 * BPF_SYNC_MAP_ACCESS until no program can still write the old one, and
 * drains it.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "execaudit.h"

#define EPERM		1
#define EINVAL		22
#define ENOENT		2

/* The series' kfuncs (pahole of Debian 12 leaves them out of vmlinux.h). */
extern int bpf_copy_from_user_dynptr(struct bpf_dynptr *dptr, u64 off, u64 size,
				     const void *unsafe_ptr__ign) __ksym;
extern int bpf_copy_from_user_str_dynptr(struct bpf_dynptr *dptr, u64 off, u64 size,
					 const void *unsafe_ptr__ign) __ksym;

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, EA_RINGBUF_SIZE);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_USER_RINGBUF);
	__uint(max_entries, EA_RULES_SIZE);
} rules SEC(".maps");

/* Denied executable paths (zero-padded); the value is unused. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, EA_MAX_DENY);
	__type(key, char[EA_PATH_LEN]);
	__type(value, __u8);
} deny SEC(".maps");

struct uid_stats {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, EA_MAX_UIDS);
	__type(key, __u32);
	__type(value, struct ea_stat);
} stats0 SEC(".maps"), stats1 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, struct uid_stats);
} stats SEC(".maps") = {
	.values = { &stats0, &stats1 },
};

/*
 * Where record_exec measures argv strings. Only the lengths the copies
 * return matter, so programs on several CPUs may share it.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, char[EA_ARG_STRLEN]);
} scratch SEC(".maps");

/* Which inner map of stats the programs write; user space flips it. */
__u32 stats_index;
/* The capture cap, set by EA_RULE_MAX_ARGS rules. */
__u32 max_args = EA_ARGS_DEFAULT;
/* Entries of deny: check_exec skips the path lookup while it is 0. */
__u32 deny_rules;
/* Rules drained, and the error of the last one refused (0: none). */
__u64 rules_applied;
__s32 rule_error;
/* Set by user space before its final sync: record nothing more. */
__u32 stopped;
/* Records the ring buffer had no room for; stats updates that failed. */
__u64 lost_events;
__u64 lost_stats;

static long apply_rule(struct bpf_dynptr *dp, void *ctx)
{
	struct ea_rule r;
	__u8 one = 1;
	long err = 0;

	if (bpf_dynptr_read(&r, sizeof(r), dp, 0, 0)) {
		err = -EINVAL;
		goto out;
	}
	r.path[EA_PATH_LEN - 1] = '\0';
	switch (r.op) {
	case EA_RULE_DENY:
		err = bpf_map_update_elem(&deny, r.path, &one, BPF_NOEXIST);
		if (!err)
			deny_rules++;
		/* Denying a denied path again is no error. */
		if (err == -17 /* EEXIST */)
			err = 0;
		break;
	case EA_RULE_ALLOW:
		err = bpf_map_delete_elem(&deny, r.path);
		if (!err)
			deny_rules--;
		break;
	case EA_RULE_MAX_ARGS:
		if (r.value > EA_ARGS_MAX)
			err = -EINVAL;
		else
			max_args = r.value;
		break;
	default:
		err = -EINVAL;
	}
out:
	rule_error = err;
	__sync_fetch_and_add(&rules_applied, 1);
	return 0;
}

SEC("syscall")
int apply_rules(void *ctx)
{
	return bpf_user_ringbuf_drain(&rules, apply_rule, NULL, 0);
}

/* d_path() leaves bytes behind the NUL: clear them to make a map key. */
static long path_key(struct file *file, char *key)
{
	long len;
	int i;

	len = bpf_d_path(&file->f_path, key, EA_PATH_LEN);
	if (len <= 0 || len > EA_PATH_LEN)
		return -ENOENT;
	bpf_for(i, len, EA_PATH_LEN)
		key[i & (EA_PATH_LEN - 1)] = '\0';
	return len;
}

SEC("lsm.s/bprm_check_security")
int BPF_PROG(check_exec, struct linux_binprm *bprm)
{
	char key[EA_PATH_LEN] = {};
	struct task_struct *task;
	struct ea_event *e;

	/* Rules change only in apply_rules, which user space runs alone. */
	if (!*(volatile __u32 *)&deny_rules ||
	    path_key(bprm->file, key) < 0 || !bpf_map_lookup_elem(&deny, key))
		return 0;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&lost_events, 1);
		return -EPERM;
	}
	task = bpf_get_current_task_btf();
	e->type = EA_DENY;
	e->flags = 0;
	e->pid = bpf_get_current_pid_tgid() >> 32;
	e->ppid = BPF_CORE_READ(task, real_parent, tgid);
	e->uid = (__u32)bpf_get_current_uid_gid();
	e->argc = bprm->argc;
	e->args_len = 0;
	e->pad = 0;
	__builtin_memcpy(e->path, key, sizeof(e->path));
	bpf_ringbuf_submit(e, 0);
	return -EPERM;
}

static void count_exec(__u32 uid, __u64 bytes)
{
	struct ea_stat init = {}, *s;
	__u32 idx = *(volatile __u32 *)&stats_index & 1;
	void *inner;

	inner = bpf_map_lookup_elem(&stats, &idx);
	if (!inner)
		goto lost;
	s = bpf_map_lookup_elem(inner, &uid);
	if (!s) {
		bpf_map_update_elem(inner, &uid, &init, BPF_NOEXIST);
		s = bpf_map_lookup_elem(inner, &uid);
		if (!s)
			goto lost;
	}
	__sync_fetch_and_add(&s->execs, 1);
	__sync_fetch_and_add(&s->bytes, bytes);
	return;
lost:
	__sync_fetch_and_add(&lost_stats, 1);
}

/*
 * Bytes of argv to capture: the strings that fit in cap. The argv strings
 * start at bprm->p in the new process's memory, each with its NUL.
 * Not inlined: its local dynptr keeps its own stack frame, which clang
 * would otherwise reuse for the caller's temporaries.
 */
static __noinline __u32 measure_argv(unsigned long p, __u32 argc, __u32 cap,
			  __u32 *flags)
{
	struct bpf_dynptr dp;
	__u32 zero = 0, off = 0;
	__u64 avail, want;
	void *buf;
	int i, n;

	buf = bpf_map_lookup_elem(&scratch, &zero);
	if (!buf)
		return 0;
	bpf_dynptr_from_mem(buf, EA_ARG_STRLEN, 0, &dp);
	bpf_for(i, 0, argc) {
		avail = cap - off;
		/* One byte more than fits shows a string that does not. */
		want = avail + 1 < EA_ARG_STRLEN ? avail + 1 : EA_ARG_STRLEN;
		n = bpf_copy_from_user_str_dynptr(&dp, 0, want,
						  (void *)(p + off));
		if (n <= 0) {
			*flags |= EA_FAULT;
			break;
		}
		if (n > avail) {
			off = cap;
			*flags |= EA_TRUNCATED;
			break;
		}
		off += n;
		if (off == cap && i + 1 < argc) {
			*flags |= EA_TRUNCATED;
			break;
		}
	}
	return off;
}

SEC("lsm.s/bprm_committed_creds")
int BPF_PROG(record_exec, struct linux_binprm *bprm)
{
	struct task_struct *task = bpf_get_current_task_btf();
	unsigned long p = bprm->p;
	__u32 argc = bprm->argc, cap = max_args, flags = 0, len, uid;
	struct bpf_dynptr rec;
	struct ea_event *e;

	if (*(volatile __u32 *)&stopped)
		return 0;
	if (cap > EA_ARGS_MAX)
		cap = EA_ARGS_MAX;
	len = measure_argv(p, argc, cap, &flags);

	if (bpf_ringbuf_reserve_dynptr(&events, sizeof(*e) + len, 0, &rec)) {
		bpf_ringbuf_discard_dynptr(&rec, 0);
		__sync_fetch_and_add(&lost_events, 1);
		return 0;
	}
	e = bpf_dynptr_data(&rec, 0, sizeof(*e));
	if (!e) {
		bpf_ringbuf_discard_dynptr(&rec, 0);
		return 0;
	}
	/* Straight from the new process's memory into the record. */
	if (len && bpf_copy_from_user_dynptr(&rec, sizeof(*e), len, (void *)p))
		flags |= EA_FAULT;
	uid = (__u32)bpf_get_current_uid_gid();
	e->type = EA_EXEC;
	e->flags = flags;
	e->pid = bpf_get_current_pid_tgid() >> 32;
	e->ppid = BPF_CORE_READ(task, real_parent, tgid);
	e->uid = uid;
	e->argc = argc;
	e->args_len = len;
	e->pad = 0;
	if (bpf_d_path(&bprm->file->f_path, e->path, sizeof(e->path)) < 0)
		__builtin_memcpy(e->path, "?", 2);
	bpf_ringbuf_submit_dynptr(&rec, 0);
	count_exec(uid, len);
	return 0;
}
