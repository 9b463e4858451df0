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
 * bpf_copy_from_user_dynptr(); with no room for that, a header-only
 * record; with no room at all, a drop counted per uid.
 *
 * Enforcement matches files, not names. A file rule is the identity of a
 * file (device, inode, generation); a hash rule is the SHA-256 of its
 * content, from bpf_ima_file_hash(), which only sleepable programs may
 * call. Three hooks refuse a denied file: check_exec (exec), check_mmap
 * (a mapping with PROT_EXEC: the ELF loader run by hand, a memfd) and
 * check_mprotect (PROT_EXEC added later). check_mprotect cannot sleep, so
 * it cannot hash: it relies on the verdicts the sleepable hooks cached
 * and refuses (EACCES) what it cannot decide while hash rules exist.
 * User space changes the rules by updating the maps directly.
 *
 * Failed execs are seen at the exit of execve()/execveat(). Per-uid
 * statistics go into one of two inner maps of an array of maps: user
 * space flips stats_index, waits with BPF_SYNC_MAP_ACCESS until no
 * program can still write the old one, and drains it.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "execaudit.h"

#define EPERM		1
#define EACCES		13
#define ENOTTY		25
#define E2BIG		7
#define PROT_EXEC	0x4
#define VM_EXEC		0x4
#define FMODE_WRITE	0x2
#define SB_KERNMOUNT	(1 << 22)
#define FUSE_SUPER_MAGIC 0x65735546

/* The series' kfuncs (pahole of Debian 12 leaves them out of vmlinux.h). */
extern int bpf_copy_from_user_dynptr(struct bpf_dynptr *dptr, u64 off, u64 size,
				     const void *unsafe_ptr__ign) __ksym;
extern int bpf_copy_from_user_str_dynptr(struct bpf_dynptr *dptr, u64 off, u64 size,
					 const void *unsafe_ptr__ign) __ksym;

char LICENSE[] SEC("license") = "GPL";

/* Its size is set by user space (--ring-size) before loading. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, EA_RINGBUF_SIZE);
} events SEC(".maps");

/* File rules: the identity of a denied file, and the path it came as. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, EA_MAX_DENY);
	__type(key, struct ea_file_id);
	__type(value, struct ea_file_rule);
} deny_files SEC(".maps");

/* Hash rules: the SHA-256 of denied content; the value is unused. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, EA_MAX_DENY);
	__type(key, __u8[EA_HASH_LEN]);
	__type(value, __u8);
} deny_hashes SEC(".maps");

/*
 * The hash verdict of a file, kept with its inode (so that nobody can
 * evict another's), for the current hash rules, as long as the file stays
 * as it was: no open for writing since (check_open counts them in
 * writes), same ctime and size (truncate(2) opens nothing). The verdict,
 * the rules generation and the writes it was made at are one word, which
 * a reader gets whole.
 */
struct verdict {
	__u64 state;		/* VERDICT_STATE(); 0: none */
	__u32 writes;		/* opens for writing seen by check_open */
	__u32 ctime_nsec;
	__s64 ctime_sec;
	__s64 size;
};

#define VERDICT_GEN_MASK	0x3fffffffu
#define VERDICT_STATE(verdict, gen, writes) \
	((__u64)(writes) << 32 | ((gen) & VERDICT_GEN_MASK) << 2 | (verdict))

struct {
	__uint(type, BPF_MAP_TYPE_INODE_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct verdict);
} verdicts SEC(".maps");

/*
 * An exec between the entry and the exit of its syscall, kept with the
 * task (which a successful exec from another thread than the leader
 * keeps, under the leader's pid): nothing to evict, nothing left behind.
 */
struct inflight {
	__u64 filename;		/* the user pointer execve() was given */
	__u32 active;		/* between the entry and the exit */
	__u32 denied;		/* refused by check_exec, which recorded it */
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct inflight);
} inflight SEC(".maps");

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
/* The capture cap (max-args). */
__u32 max_args = EA_ARGS_DEFAULT;
/* Entries of deny_hashes; bumped generation of them at each change. */
__u32 hash_rules;
__u32 hash_rules_gen;
/* Larger files are not hashed: their hash is unknown (--hash-max). */
__u64 hash_max = EA_HASH_MAX_DEFAULT;
/* Set by user space before its final sync: record nothing more. */
__u32 stopped;
/* The process of execaudit whose EA_IOCTL_PROBE probe_file answers. */
__u32 tool_tgid;
struct ea_probe probe;
/* Records the ring buffer had no room for; stats updates that failed. */
__u64 lost_execs;
__u64 lost_other;
__u64 lost_stats;
/* Execs whose failure could not be watched (no memory for the task's). */
__u64 lost_inflight;

enum stat_field {
	ST_EXECS, ST_FAILED, ST_DENIED, ST_HEADER_ONLY, ST_DROPPED,
};

static void count(__u32 uid, enum stat_field field, __u64 bytes)
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
	switch (field) {
	case ST_EXECS:
		__sync_fetch_and_add(&s->execs, 1);
		__sync_fetch_and_add(&s->bytes, bytes);
		break;
	case ST_FAILED:
		__sync_fetch_and_add(&s->failed, 1);
		break;
	case ST_DENIED:
		__sync_fetch_and_add(&s->denied, 1);
		break;
	case ST_HEADER_ONLY:
		__sync_fetch_and_add(&s->header_only, 1);
		break;
	case ST_DROPPED:
		__sync_fetch_and_add(&s->dropped, 1);
		break;
	}
	return;
lost:
	__sync_fetch_and_add(&lost_stats, 1);
}

static __always_inline void file_id(struct file *file, struct ea_file_id *id)
{
	struct inode *inode = BPF_CORE_READ(file, f_inode);

	id->ino = BPF_CORE_READ(inode, i_ino);
	id->dev = BPF_CORE_READ(inode, i_sb, s_dev);
	id->gen = BPF_CORE_READ(inode, i_generation);
}

/* Who runs, where, and when: the fields every record has. */
static __always_inline void fill_task(struct ea_event *e, __u32 type)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct pid_namespace *pidns;
	struct pid *pid;
	unsigned int level;

	e->type = type;
	e->pid = pid_tgid >> 32;
	e->tid = (__u32)pid_tgid;
	e->ppid = BPF_CORE_READ(task, real_parent, tgid);
	e->parent_start = BPF_CORE_READ(task, real_parent, start_boottime);
	e->uid = (__u32)bpf_get_current_uid_gid();
	e->euid = BPF_CORE_READ(task, cred, euid.val);
	e->loginuid = BPF_CORE_READ(task, loginuid.val);
	e->cgroup_id = bpf_get_current_cgroup_id();
	e->mntns = BPF_CORE_READ(task, nsproxy, mnt_ns, ns.inum);
	/* The task's own pid namespace: the deepest level of its pid. */
	pid = BPF_CORE_READ(task, thread_pid);
	level = BPF_CORE_READ(pid, level);
	pidns = NULL;
	/* A probe read: no bound needed for the verifier (levels go to 32). */
	bpf_core_read(&pidns, sizeof(pidns), &pid->numbers[level].ns);
	e->pidns = BPF_CORE_READ(pidns, ns.inum);
	e->ts_boot = bpf_ktime_get_boot_ns();
	bpf_get_current_comm(e->comm, sizeof(e->comm));
}

/* The last component of file's path, where d_path() is not allowed or fails. */
static __always_inline void file_name(struct file *file, char *buf)
{
	const unsigned char *name = BPF_CORE_READ(file, f_path.dentry, d_name.name);

	if (bpf_probe_read_kernel_str(buf, EA_PATH_LEN, name) < 0)
		__builtin_memcpy(buf, "?", 2);
}

static __always_inline void file_path(struct file *file, char *buf, __u32 *flags)
{
	if (bpf_d_path(&file->f_path, buf, EA_PATH_LEN) < 0) {
		file_name(file, buf);
		*flags |= EA_PATH_CUT;
	}
}

/*
 * Whether file may run: 0, or the enum ea_reason of a refusal. A sleepable
 * caller (can_hash) computes a missing hash verdict; hash receives the
 * hash when one was computed (EA_HASHED in *flags).
 *
 * The hash is unknown (a refusal while hash rules exist) for a file larger
 * than hash_max and for one on FUSE, whose server could hold the hook, and
 * with it every RCU tasks trace grace period, for as long as it likes, or
 * answer the hash's reads with other bytes than the exec's.
 *
 * A verdict is cached only when no writer could have changed the file
 * while it was hashed: none before (i_writecount <= 0; an exec makes it
 * negative), and no open for writing since. A writer raises i_writecount
 * before check_open counts its open, so reading i_writecount again before
 * the count catches one that came and went. Files of kernel-internal
 * mounts (memfd) are never cached: their writable fds bypass both.
 */
static __always_inline int decide(struct file *file, bool can_hash,
				  __u8 *hash, __u32 *flags)
{
	struct inode *inode = file->f_inode;
	struct verdict *v;
	struct ea_file_id id;
	__u32 gen, writes = 0, verdict;
	__s64 ctime_sec, size;
	__u32 ctime_nsec;
	bool cacheable;
	__u64 state;
	long algo;

	file_id(file, &id);
	if (bpf_map_lookup_elem(&deny_files, &id))
		return EA_REASON_FILE;
	if (!*(volatile __u32 *)&hash_rules)
		return 0;
	gen = *(volatile __u32 *)&hash_rules_gen & VERDICT_GEN_MASK;
	ctime_sec = BPF_CORE_READ(inode, i_ctime_sec);
	ctime_nsec = BPF_CORE_READ(inode, i_ctime_nsec);
	size = BPF_CORE_READ(inode, i_size);
	cacheable = !(BPF_CORE_READ(inode, i_sb, s_flags) & SB_KERNMOUNT);
	if (!cacheable)
		v = NULL;
	else if (can_hash)
		v = bpf_inode_storage_get(&verdicts, inode, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	else
		v = bpf_inode_storage_get(&verdicts, inode, 0, 0);
	if (v) {
		state = *(volatile __u64 *)&v->state;
		writes = *(volatile __u32 *)&v->writes;
		if (state && (state >> 2 & VERDICT_GEN_MASK) == gen &&
		    state >> 32 == writes && v->ctime_sec == ctime_sec &&
		    v->ctime_nsec == ctime_nsec && v->size == size)
			return (state & 3) == EA_VERDICT_DENY ? EA_REASON_HASH : 0;
	}
	if (!can_hash || size > *(volatile __u64 *)&hash_max ||
	    BPF_CORE_READ(inode, i_sb, s_magic) == FUSE_SUPER_MAGIC)
		return EA_REASON_UNDECIDED;
	if (BPF_CORE_READ(inode, i_writecount.counter) > 0)
		cacheable = false;
	algo = bpf_ima_file_hash(file, hash, EA_HASH_LEN);
	if (algo != HASH_ALGO_SHA256)
		return EA_REASON_UNDECIDED;
	*flags |= EA_HASHED;
	verdict = bpf_map_lookup_elem(&deny_hashes, hash) ?
		  EA_VERDICT_DENY : EA_VERDICT_ALLOW;
	if (v && cacheable && BPF_CORE_READ(inode, i_writecount.counter) <= 0 &&
	    *(volatile __u32 *)&v->writes == writes) {
		v->ctime_sec = ctime_sec;
		v->ctime_nsec = ctime_nsec;
		v->size = size;
		*(volatile __u64 *)&v->state = VERDICT_STATE(verdict, gen, writes);
	}
	return verdict == EA_VERDICT_DENY ? EA_REASON_HASH : 0;
}

/* Record a refusal and return its errno. */
static __always_inline int refuse(struct file *file, enum ea_hook hook, int reason,
		  __u8 *hash, __u32 flags, __u32 argc, bool can_d_path)
{
	int err = reason == EA_REASON_UNDECIDED ? -EACCES : -EPERM;
	__u32 uid = (__u32)bpf_get_current_uid_gid();
	struct ea_event *e;

	count(uid, ST_DENIED, 0);
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&lost_other, 1);
		count(uid, ST_DROPPED, 0);
		return err;
	}
	fill_task(e, EA_DENY);
	e->argc = argc;
	e->args_len = 0;
	e->err = -err;
	e->hook = hook;
	e->reason = reason;
	file_id(file, &e->file);
	if (flags & EA_HASHED)
		__builtin_memcpy(e->hash, hash, EA_HASH_LEN);
	else
		__builtin_memset(e->hash, 0, EA_HASH_LEN);
	if (can_d_path) {
		file_path(file, e->path, &flags);
	} else {
		file_name(file, e->path);
		flags |= EA_PATH_CUT;
	}
	e->flags = flags;
	bpf_ringbuf_submit(e, 0);
	return err;
}

SEC("lsm.s/bprm_check_security")
int BPF_PROG(check_exec, struct linux_binprm *bprm)
{
	__u8 hash[EA_HASH_LEN];
	struct inflight *in;
	__u32 flags = 0;
	int reason;

	reason = decide(bprm->file, true, hash, &flags);
	if (!reason)
		return 0;
	/* This refusal is the record of the failed exec. */
	in = bpf_task_storage_get(&inflight, bpf_get_current_task_btf(), 0, 0);
	if (in && in->active)
		in->denied = 1;
	return refuse(bprm->file, EA_HOOK_EXEC, reason, hash, flags, bprm->argc, true);
}

/* A file about to be mapped executable: 0, or the errno of a refusal. */
static __always_inline int check_map_exec(struct file *file, enum ea_hook hook,
					  bool sleepable)
{
	__u8 hash[EA_HASH_LEN];
	__u32 fl = 0;
	int reason;

	reason = decide(file, sleepable, hash, &fl);
	if (!reason)
		return 0;
	return refuse(file, hook, reason, hash, fl, 0, sleepable);
}

SEC("lsm.s/mmap_file")
int BPF_PROG(check_mmap, struct file *file, unsigned long reqprot,
	     unsigned long prot, unsigned long flags)
{
	if (!file || !(prot & PROT_EXEC))
		return 0;
	return check_map_exec(file, EA_HOOK_MMAP, true);
}

SEC("lsm/file_mprotect")
int BPF_PROG(check_mprotect, struct vm_area_struct *vma, unsigned long reqprot,
	     unsigned long prot)
{
	struct file *file = vma->vm_file;

	if (!file || !(prot & PROT_EXEC) || (vma->vm_flags & VM_EXEC))
		return 0;
	/* It cannot sleep: no hash, and no d_path() either. */
	return check_map_exec(file, EA_HOOK_MPROTECT, false);
}

/*
 * A file opened for writing may change: its hash verdict, and one being
 * made while it is hashed, no longer holds. Only files with a verdict (or
 * one being made) have storage. Without hash rules there is nothing to
 * count: a verdict made before the rules last changed is of another
 * generation.
 */
SEC("lsm/file_open")
int BPF_PROG(check_open, struct file *file)
{
	struct verdict *v;

	if (!(file->f_mode & FMODE_WRITE) || !*(volatile __u32 *)&hash_rules)
		return 0;
	v = bpf_inode_storage_get(&verdicts, file->f_inode, 0, 0);
	if (v)
		__sync_fetch_and_add(&v->writes, 1);
	return 0;
}

/*
 * execaudit resolves a rule's path to a file identity by opening the file
 * and sending EA_IOCTL_PROBE on it: this answers with what the hooks will
 * see, on any filesystem, and with the file's hash when IMA gives one.
 */
SEC("lsm.s/file_ioctl")
int BPF_PROG(probe_file, struct file *file, unsigned int cmd, unsigned long arg)
{
	if (cmd != EA_IOCTL_PROBE ||
	    bpf_get_current_pid_tgid() >> 32 != *(volatile __u32 *)&tool_tgid)
		return 0;
	file_id(file, &probe.id);
	/* Bounded as in decide(): the tool waits for the answer. */
	if (BPF_CORE_READ(file, f_inode, i_size) > *(volatile __u64 *)&hash_max)
		probe.hash_algo = -E2BIG;
	else
		probe.hash_algo = bpf_ima_file_hash(file, probe.hash, EA_HASH_LEN);
	__sync_fetch_and_add(&probe.seq, 1);
	return -ENOTTY;
}

/* Bytes of argv to capture: the strings that fit in cap. The argv strings
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
	unsigned long p = bprm->p;
	__u32 argc = bprm->argc, cap = max_args, flags = 0, len, uid;
	struct bpf_dynptr rec;
	struct ea_event *e;

	if (*(volatile __u32 *)&stopped)
		return 0;
	uid = (__u32)bpf_get_current_uid_gid();
	if (cap > EA_ARGS_MAX)
		cap = EA_ARGS_MAX;
	len = measure_argv(p, argc, cap, &flags);

	if (bpf_ringbuf_reserve_dynptr(&events, sizeof(*e) + len, 0, &rec)) {
		bpf_ringbuf_discard_dynptr(&rec, 0);
		/* No room for argv: a header that says so, if that fits. */
		e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
		if (!e) {
			__sync_fetch_and_add(&lost_execs, 1);
			count(uid, ST_DROPPED, 0);
			count(uid, ST_EXECS, 0);
			return 0;
		}
		fill_task(e, EA_EXEC);
		flags = (flags & ~EA_FAULT) | EA_TRUNCATED | EA_HEADER_ONLY;
		e->argc = argc;
		e->args_len = 0;
		e->err = 0;
		e->hook = 0;
		e->reason = 0;
		file_id(bprm->file, &e->file);
		__builtin_memset(e->hash, 0, EA_HASH_LEN);
		file_path(bprm->file, e->path, &flags);
		e->flags = flags;
		bpf_ringbuf_submit(e, 0);
		count(uid, ST_HEADER_ONLY, 0);
		count(uid, ST_EXECS, 0);
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
	fill_task(e, EA_EXEC);
	e->argc = argc;
	e->args_len = len;
	e->err = 0;
	e->hook = 0;
	e->reason = 0;
	file_id(bprm->file, &e->file);
	__builtin_memset(e->hash, 0, EA_HASH_LEN);
	file_path(bprm->file, e->path, &flags);
	e->flags = flags;
	bpf_ringbuf_submit_dynptr(&rec, 0);
	count(uid, ST_EXECS, len);
	return 0;
}

/* Failed execs: remember the name at syscall entry, look at the result. */
static __always_inline void exec_enter(__u64 filename)
{
	struct inflight *in;

	if (*(volatile __u32 *)&stopped)
		return;
	in = bpf_task_storage_get(&inflight, bpf_get_current_task_btf(), 0,
				  BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!in) {
		/* No memory: if this exec fails, it goes unrecorded. */
		__sync_fetch_and_add(&lost_inflight, 1);
		return;
	}
	in->filename = filename;
	in->denied = 0;
	in->active = 1;
}

static __always_inline void exec_exit(long ret)
{
	struct inflight *in;
	struct ea_event *e;
	__u32 uid;

	in = bpf_task_storage_get(&inflight, bpf_get_current_task_btf(), 0, 0);
	if (!in || !in->active)
		return;
	if (ret >= 0 || in->denied || *(volatile __u32 *)&stopped)
		goto out;
	uid = (__u32)bpf_get_current_uid_gid();
	count(uid, ST_FAILED, 0);
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&lost_other, 1);
		count(uid, ST_DROPPED, 0);
		goto out;
	}
	fill_task(e, EA_EXEC_FAILED);
	e->flags = 0;
	e->argc = 0;
	e->args_len = 0;
	e->err = -ret;
	e->hook = 0;
	e->reason = 0;
	__builtin_memset(&e->file, 0, sizeof(e->file));
	__builtin_memset(e->hash, 0, EA_HASH_LEN);
	/* The name as execve() got it: the old memory is still there. */
	if (bpf_probe_read_user_str(e->path, sizeof(e->path), (void *)in->filename) < 0)
		__builtin_memcpy(e->path, "?", 2);
	bpf_ringbuf_submit(e, 0);
out:
	in->active = 0;
}

SEC("tracepoint/syscalls/sys_enter_execve")
int execve_enter(struct trace_event_raw_sys_enter *ctx)
{
	exec_enter(ctx->args[0]);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_execveat")
int execveat_enter(struct trace_event_raw_sys_enter *ctx)
{
	exec_enter(ctx->args[1]);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_execve")
int execve_exit(struct trace_event_raw_sys_exit *ctx)
{
	exec_exit(ctx->ret);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_execveat")
int execveat_exit(struct trace_event_raw_sys_exit *ctx)
{
	exec_exit(ctx->ret);
	return 0;
}
