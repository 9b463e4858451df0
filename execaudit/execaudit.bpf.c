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
 * Failed execs are seen at the exit of execve()/execveat(), with the name
 * taken at the entry; the end of a process whose exec was recorded at
 * sched_process_exit. Per-uid statistics go into one of two inner maps of
 * an array of maps: user space flips stats_index, waits with
 * BPF_SYNC_MAP_ACCESS until no program can still write the old one, and
 * drains it.
 *
 * Records other than execs (refusals, failed execs, exits) use at most
 * half of the ring buffer, and refusals and failed execs at most
 * EA_UID_BUDGET a second per uid: a flood loses its own records first,
 * counted, and exec records keep their room. --uid and --cgroup filter
 * what is recorded and counted, never what is enforced.
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
#define ATTR_SIZE	(1 << 3)
#define SIGNAL_GROUP_EXIT 0x4
#define SB_KERNMOUNT	(1 << 22)
#define FMODE_BACKING	(1 << 24)
#define FUSE_SUPER_MAGIC 0x65735546
#define OVERLAYFS_SUPER_MAGIC 0x794c7630
/* Overlays stack at most this deep (FILESYSTEM_MAX_STACK_DEPTH). */
#define EA_OVL_DEPTH	2

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
 * as it was: no open for writing and no change of size since (check_open
 * and check_setattr count them in writes, 64 bits: it never wraps), same
 * ctime and size. The fields under the lock are one verdict: a reader
 * copies them whole, and two hooks caching at once cannot mix theirs.
 */
struct verdict {
	struct bpf_spin_lock lock;
	__u32 verdict;		/* enum ea_verdict; 0: none */
	__u32 gen;		/* hash_rules_gen it was made for */
	__u32 ctime_nsec;
	__s64 ctime_sec;
	__s64 size;
	__u64 writes_at;	/* writes when the hash began */
	__u64 writes;		/* not under the lock: atomic adds */
};
/* 2^32 opens for writing must not bring a count back to a cached one. */
_Static_assert(sizeof(((struct verdict *)0)->writes) == 8 &&
	       sizeof(((struct verdict *)0)->writes_at) == 8, "writes counts wrap");

struct {
	__uint(type, BPF_MAP_TYPE_INODE_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct verdict);
} verdicts SEC(".maps");

/*
 * The verdicts of files reached through an overlay, kept with the identity
 * of the real file, which the reads and mappings go to: the overlay's
 * inode sees no write to its lower file made outside the overlay, and
 * there is no trusted pointer to the real inode to keep them with (the
 * overlay file's private_data). check_open and check_setattr count the
 * writes of the real file here too; check_inode_free forgets an inode's
 * entry when it goes. When full, nothing more is cached: every such exec
 * and mapping is hashed again, and file_mprotect, which cannot hash,
 * refuses the file (EACCES).
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, EA_MAX_REAL);
	__type(key, struct ea_file_id);
	__type(value, struct verdict);
} real_verdicts SEC(".maps");

/*
 * An exec between the entry and the exit of its syscall, kept with the
 * task (which a successful exec from another thread than the leader
 * keeps, under the leader's pid): nothing to evict, nothing left behind.
 */
struct inflight {
	__u32 active;		/* between the entry and the exit */
	__u32 denied;		/* refused by check_exec, which recorded it */
	__u32 wanted;		/* the filters let its records through */
	__u32 name_cut;		/* the name did not fit, or could not be read */
	char filename[EA_PATH_LEN];	/* as execve() was given it, at the entry */
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct inflight);
} inflight SEC(".maps");

/*
 * A process whose exec was recorded, kept with its leader (the task that
 * execs is the leader once the exec is committed): its exit record names
 * that exec.
 */
struct proc {
	__u64 exec_ts;		/* the exec record's ts_boot */
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct proc);
} procs SEC(".maps");

/* The records a uid has written in the current second (EA_UID_BUDGET). */
struct budget {
	__u64 second;
	__u64 used;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, EA_MAX_UIDS);
	__type(key, __u32);
	__type(value, struct budget);
} budgets SEC(".maps");

/* EA_MAX_UIDS uids and the overflow key, which user space keeps in each. */
struct uid_stats {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, EA_MAX_UIDS + 1);
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
/* real_verdicts has had an entry: check_inode_free has work. */
__u32 real_cached;
/* Set by user space before its final sync: record nothing more. */
__u32 stopped;
/*
 * The process of execaudit whose EA_IOCTL_PROBE probe_file answers: its
 * tgid in its own pid namespace, which the device and inode number of
 * /proc/self/ns/pid name.
 */
__u32 tool_tgid;
__u64 tool_pidns_dev;
__u64 tool_pidns_ino;
struct ea_probe probe;
/* What could not be recorded or counted. */
struct ea_lost lost;
/* --uid and --cgroup: the cgroup's id, and its level in the hierarchy. */
__u32 filter_uid_on;
__u32 filter_uid;
__u32 filter_cgroup_on;
__u32 filter_cgroup_level;
__u64 filter_cgroup_id;
/* pid 1's mount namespace and root directory, for EA_OTHER_*. */
__u32 init_mntns;
struct ea_file_id init_root;

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
	}
	if (!s) {
		/* The map is full: the bucket of the uids beyond it. */
		uid = EA_UID_OVERFLOW;
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
	__sync_fetch_and_add(&lost.stats, 1);
}

static __always_inline void inode_id(struct inode *inode, struct ea_file_id *id)
{
	id->ino = BPF_CORE_READ(inode, i_ino);
	id->dev = BPF_CORE_READ(inode, i_sb, s_dev);
	id->gen = BPF_CORE_READ(inode, i_generation);
}

static __always_inline void file_id(struct file *file, struct ea_file_id *id)
{
	inode_id(BPF_CORE_READ(file, f_inode), id);
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
	e->sessionid = BPF_CORE_READ(task, sessionid);
	e->exit_code = 0;
	e->exec_ts = 0;
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

/* EA_OTHER_MNTNS and EA_OTHER_ROOT: not where pid 1 is. */
static __always_inline __u32 where_flags(void)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct dentry *root = BPF_CORE_READ(task, fs, root.dentry);
	__u32 flags = 0;

	if (BPF_CORE_READ(task, nsproxy, mnt_ns, ns.inum) != init_mntns)
		flags |= EA_OTHER_MNTNS;
	if (BPF_CORE_READ(root, d_inode, i_ino) != init_root.ino ||
	    BPF_CORE_READ(root, d_sb, s_dev) != init_root.dev)
		flags |= EA_OTHER_ROOT;
	return flags;
}

/*
 * Whether --uid and --cgroup let the current task's records through. The
 * cgroup is an ancestor (or the task's own) at its level: a helper that
 * takes the RCU read lock itself, as the sleepable programs need
 * (bpf_current_task_under_cgroup() does not).
 */
static __always_inline bool wanted(void)
{
	if (*(volatile __u32 *)&filter_uid_on &&
	    (__u32)bpf_get_current_uid_gid() != *(volatile __u32 *)&filter_uid)
		return false;
	if (*(volatile __u32 *)&filter_cgroup_on &&
	    bpf_get_current_ancestor_cgroup_id(*(volatile __u32 *)&filter_cgroup_level) !=
	    *(volatile __u64 *)&filter_cgroup_id)
		return false;
	return true;
}

/* Whether a record other than an exec may take room: half is theirs. */
static __always_inline bool room_for_other(void)
{
	return bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) <
	       bpf_ringbuf_query(&events, BPF_RB_RING_SIZE) / 2;
}

/*
 * Whether uid may write one more refusal or failed-exec record this
 * second. A uid the LRU map has no entry for (evicted, or no memory)
 * gets none: its record is dropped and counted.
 */
static __always_inline bool take_budget(__u32 uid)
{
	struct budget init = {}, *b;
	__u64 second = bpf_ktime_get_boot_ns() / 1000000000ULL;

	b = bpf_map_lookup_elem(&budgets, &uid);
	if (!b) {
		bpf_map_update_elem(&budgets, &uid, &init, BPF_NOEXIST);
		b = bpf_map_lookup_elem(&budgets, &uid);
		if (!b)
			return false;
	}
	if (*(volatile __u64 *)&b->second != second) {
		/* Racy, as a new second may be: a few records more at most. */
		b->second = second;
		b->used = 0;
	}
	__sync_fetch_and_add(&b->used, 1);
	return *(volatile __u64 *)&b->used <= EA_UID_BUDGET;
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
 * The file that the reads and mappings of an overlay file go to: its
 * private_data, the real file opened when it was (an overlay's lower
 * layer may be another overlay: again). Each file on the way is checked
 * against the file rules, so that a file rule holds through any overlay,
 * a user namespace's over /usr/bin too. Returns 0, or the reason of a
 * refusal: EA_REASON_FILE, or EA_REASON_UNDECIDED for an overlay file
 * whose real file cannot be told, or was copied up since it was opened
 * (its reads then go to the upper file, its mappings to the lower one).
 * *real is the real file, or file itself; *rid its identity.
 */
static __always_inline int real_file(struct file *file, struct file **real,
				     struct ea_file_id *rid)
{
	struct file *f = file, *next;
	struct inode *inode, *upper;
	void *oi;
	int i;

	file_id(file, rid);
	if (bpf_map_lookup_elem(&deny_files, rid))
		return EA_REASON_FILE;
	for (i = 0; i < EA_OVL_DEPTH + 1; i++) {
		inode = BPF_CORE_READ(f, f_inode);
		if (BPF_CORE_READ(inode, i_sb, s_magic) != OVERLAYFS_SUPER_MAGIC)
			break;
		if (i == EA_OVL_DEPTH)
			return EA_REASON_UNDECIDED;
		next = (struct file *)BPF_CORE_READ(f, private_data);
		if (!next)
			return EA_REASON_UNDECIDED;
		/* Copied up since it was opened: the upper inode is another. */
		oi = (void *)inode - bpf_core_field_offset(struct ovl_inode, vfs_inode);
		upper = BPF_CORE_READ((struct ovl_inode *)oi, __upperdentry, d_inode);
		if (upper && upper != BPF_CORE_READ(next, f_inode))
			return EA_REASON_UNDECIDED;
		f = next;
		file_id(f, rid);
		if (bpf_map_lookup_elem(&deny_files, rid))
			return EA_REASON_FILE;
	}
	*real = f;
	return 0;
}

/*
 * Whether file may run: 0, or the enum ea_reason of a refusal. A sleepable
 * caller (can_hash) computes a missing hash verdict; hash receives the
 * hash when one was computed (EA_HASHED in *flags).
 *
 * The hash is unknown (a refusal while hash rules exist) for a file larger
 * than hash_max and for one on FUSE, whose server could hold the hook, and
 * with it every RCU tasks trace grace period, for as long as it likes, or
 * answer the hash's reads with other bytes than the exec's. For a file of
 * an overlay, all of this is decided on its real file (real_file()): its
 * size, its file system, its writers, and the verdict is cached with the
 * real file's identity (real_verdicts). So is the verdict of an
 * overlay's backing file, which file_mprotect sees in the mapping.
 *
 * A verdict is cached only when no writer could have changed the file
 * while it was hashed: none before (i_writecount <= 0; an exec makes it
 * negative), and no open for writing or size change since, which the
 * verdict's writes_at checks against writes. A writer raises i_writecount
 * before check_open counts its open, so reading i_writecount again after
 * the hash catches one that came and went. Files of kernel-internal
 * mounts (memfd) are never cached: their writable fds bypass both.
 */
static __always_inline int decide(struct file *file, bool can_hash,
				  __u8 *hash, __u32 *flags)
{
	struct inode *inode = file->f_inode, *rinode;
	__u32 gen, verdict, c_verdict, c_gen, c_nsec, ctime_nsec;
	__s64 ctime_sec, size, c_sec, c_size;
	__u64 writes = 0, c_writes;
	struct verdict *v, init = {};
	struct file *real = file, *again = file;
	struct ea_file_id rid;
	bool cacheable, via;
	int reason;
	long algo;

	reason = real_file(file, &real, &rid);
	if (reason == EA_REASON_FILE)
		return reason;
	if (!*(volatile __u32 *)&hash_rules)
		return 0;
	if (reason)
		return reason;
	via = real != file || (file->f_mode & FMODE_BACKING);
	rinode = BPF_CORE_READ(real, f_inode);
	gen = *(volatile __u32 *)&hash_rules_gen;
	ctime_sec = BPF_CORE_READ(rinode, i_ctime_sec);
	ctime_nsec = BPF_CORE_READ(rinode, i_ctime_nsec);
	size = BPF_CORE_READ(rinode, i_size);
	cacheable = !(BPF_CORE_READ(rinode, i_sb, s_flags) & SB_KERNMOUNT);
	if (!cacheable) {
		v = NULL;
	} else if (via) {
		v = bpf_map_lookup_elem(&real_verdicts, &rid);
		if (!v && can_hash) {
			if (!*(volatile __u32 *)&real_cached)
				real_cached = 1;
			bpf_map_update_elem(&real_verdicts, &rid, &init, BPF_NOEXIST);
			v = bpf_map_lookup_elem(&real_verdicts, &rid);
		}
	} else if (can_hash) {
		v = bpf_inode_storage_get(&verdicts, inode, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	} else {
		v = bpf_inode_storage_get(&verdicts, inode, 0, 0);
	}
	if (v) {
		writes = *(volatile __u64 *)&v->writes;
		bpf_spin_lock(&v->lock);
		c_verdict = v->verdict;
		c_gen = v->gen;
		c_sec = v->ctime_sec;
		c_nsec = v->ctime_nsec;
		c_size = v->size;
		c_writes = v->writes_at;
		bpf_spin_unlock(&v->lock);
		if (c_verdict && c_gen == gen && c_writes == writes && c_sec == ctime_sec &&
		    c_nsec == ctime_nsec && c_size == size)
			return c_verdict == EA_VERDICT_DENY ? EA_REASON_HASH : 0;
	}
	if (!can_hash || size > *(volatile __u64 *)&hash_max ||
	    BPF_CORE_READ(rinode, i_sb, s_magic) == FUSE_SUPER_MAGIC)
		return EA_REASON_UNDECIDED;
	if (BPF_CORE_READ(rinode, i_writecount.counter) > 0)
		cacheable = false;
	algo = bpf_ima_file_hash(file, hash, EA_HASH_LEN);
	if (algo != HASH_ALGO_SHA256)
		return EA_REASON_UNDECIDED;
	/* Copied up while it was hashed: some bytes may be the upper's. */
	if (real != file && (real_file(file, &again, &rid) || again != real))
		return EA_REASON_UNDECIDED;
	*flags |= EA_HASHED;
	verdict = bpf_map_lookup_elem(&deny_hashes, hash) ?
		  EA_VERDICT_DENY : EA_VERDICT_ALLOW;
	if (v && cacheable && BPF_CORE_READ(rinode, i_writecount.counter) <= 0 &&
	    *(volatile __u64 *)&v->writes == writes) {
		bpf_spin_lock(&v->lock);
		v->verdict = verdict;
		v->gen = gen;
		v->ctime_sec = ctime_sec;
		v->ctime_nsec = ctime_nsec;
		v->size = size;
		v->writes_at = writes;
		bpf_spin_unlock(&v->lock);
	}
	return verdict == EA_VERDICT_DENY ? EA_REASON_HASH : 0;
}

/*
 * Whether a refusal or failed-exec record of uid may be written: within
 * its budget and the half of the ring buffer such records may use. One
 * that may not is counted as dropped (the caller counted the event).
 */
static __always_inline bool may_record_other(__u32 uid)
{
	if (!take_budget(uid)) {
		__sync_fetch_and_add(&lost.budget, 1);
		count(uid, ST_DROPPED, 0);
		return false;
	}
	if (!room_for_other()) {
		__sync_fetch_and_add(&lost.other, 1);
		count(uid, ST_DROPPED, 0);
		return false;
	}
	return true;
}

/* Record a refusal (if the filters want it) and return its errno. */
static __always_inline int refuse(struct file *file, enum ea_hook hook, int reason,
		  __u8 *hash, __u32 flags, __u32 argc, bool can_d_path)
{
	int err = reason == EA_REASON_UNDECIDED ? -EACCES : -EPERM;
	__u32 uid = (__u32)bpf_get_current_uid_gid();
	struct ea_event *e;

	if (!wanted())
		return err;
	count(uid, ST_DENIED, 0);
	if (!may_record_other(uid))
		return err;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&lost.other, 1);
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
	e->flags = flags | where_flags();
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
 * A change to come (see check_open, check_setattr): no verdict holds, the
 * inode's own or one made through an overlay whose real file it is.
 */
static __always_inline void count_write(struct inode *inode)
{
	struct ea_file_id id;
	struct verdict *v;

	v = bpf_inode_storage_get(&verdicts, inode, 0, 0);
	if (v)
		__sync_fetch_and_add(&v->writes, 1);
	if (!*(volatile __u32 *)&real_cached)
		return;
	inode_id(inode, &id);
	v = bpf_map_lookup_elem(&real_verdicts, &id);
	if (v)
		__sync_fetch_and_add(&v->writes, 1);
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
	if (!(file->f_mode & FMODE_WRITE) || !*(volatile __u32 *)&hash_rules)
		return 0;
	count_write(file->f_inode);
	return 0;
}

/*
 * A change of size changes the content without an open for writing:
 * truncate(2), and open(O_RDONLY | O_TRUNC). Within one clock tick it may
 * keep ctime, and a truncate back to the size keeps size too.
 */
SEC("lsm/inode_setattr")
int BPF_PROG(check_setattr, struct mnt_idmap *idmap, struct dentry *dentry,
	     struct iattr *attr)
{
	if (!(attr->ia_valid & ATTR_SIZE) || !*(volatile __u32 *)&hash_rules)
		return 0;
	count_write(dentry->d_inode);
	return 0;
}

/*
 * An inode that goes takes its verdict through overlays with it: a later
 * inode of the same identity starts afresh, and the map keeps room.
 */
SEC("lsm/inode_free_security")
int BPF_PROG(check_inode_free, struct inode *inode)
{
	struct ea_file_id id;

	if (!*(volatile __u32 *)&real_cached)
		return 0;
	inode_id(inode, &id);
	bpf_map_delete_elem(&real_verdicts, &id);
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
	struct bpf_pidns_info ns = {};
	struct file *real = file;
	struct ea_file_id rid;

	if (cmd != EA_IOCTL_PROBE ||
	    bpf_get_ns_current_pid_tgid(tool_pidns_dev, tool_pidns_ino, &ns, sizeof(ns)) ||
	    ns.tgid != *(volatile __u32 *)&tool_tgid)
		return 0;
	file_id(file, &probe.id);
	/* Bounded as in decide(), on the real file: the tool waits for it. */
	if (real_file(file, &real, &rid) == EA_REASON_UNDECIDED)
		probe.hash_algo = -EACCES;
	else if (BPF_CORE_READ(real, f_inode, i_size) > *(volatile __u64 *)&hash_max)
		probe.hash_algo = -E2BIG;
	else if (BPF_CORE_READ(real, f_inode, i_sb, s_magic) == FUSE_SUPER_MAGIC)
		probe.hash_algo = -EACCES;
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

/* The fields of an exec record after fill_task(). */
static __always_inline void fill_exec(struct ea_event *e, struct linux_binprm *bprm,
				      __u32 argc, __u32 len, __u32 flags, __u64 ts)
{
	fill_task(e, EA_EXEC);
	e->ts_boot = ts;
	e->exec_ts = ts;
	e->argc = argc;
	e->args_len = len;
	e->err = 0;
	e->hook = 0;
	e->reason = 0;
	file_id(bprm->file, &e->file);
	__builtin_memset(e->hash, 0, EA_HASH_LEN);
	file_path(bprm->file, e->path, &flags);
	e->flags = flags | where_flags();
}

SEC("lsm.s/bprm_committed_creds")
int BPF_PROG(record_exec, struct linux_binprm *bprm)
{
	unsigned long p = bprm->p;
	__u32 argc = bprm->argc, cap = max_args, flags = 0, len, uid;
	struct bpf_dynptr rec;
	struct ea_event *e;
	struct proc *pr;
	__u64 ts;

	if (*(volatile __u32 *)&stopped || !wanted())
		return 0;
	uid = (__u32)bpf_get_current_uid_gid();
	/* The exec's id, pid and this time, which its exit record names. */
	ts = bpf_ktime_get_boot_ns();
	pr = bpf_task_storage_get(&procs, bpf_get_current_task_btf(), 0,
				  BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (pr)
		pr->exec_ts = ts;
	else
		__sync_fetch_and_add(&lost.exits, 1);
	if (cap > EA_ARGS_MAX)
		cap = EA_ARGS_MAX;
	len = measure_argv(p, argc, cap, &flags);

	if (bpf_ringbuf_reserve_dynptr(&events, sizeof(*e) + len, 0, &rec)) {
		bpf_ringbuf_discard_dynptr(&rec, 0);
		/* No room for argv: a header that says so, if that fits. */
		e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
		if (!e) {
			__sync_fetch_and_add(&lost.execs, 1);
			count(uid, ST_DROPPED, 0);
			count(uid, ST_EXECS, 0);
			return 0;
		}
		flags = (flags & ~EA_FAULT) | EA_TRUNCATED | EA_HEADER_ONLY;
		fill_exec(e, bprm, argc, 0, flags, ts);
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
	fill_exec(e, bprm, argc, len, flags, ts);
	bpf_ringbuf_submit_dynptr(&rec, 0);
	count(uid, ST_EXECS, len);
	return 0;
}

/*
 * Failed execs: take the name at the syscall's entry, where the kernel
 * takes it too (another thread may change that memory before the exit),
 * and look at the result at the exit.
 */
static __always_inline void exec_enter(__u64 filename)
{
	struct inflight *in;
	long n;

	if (*(volatile __u32 *)&stopped)
		return;
	in = bpf_task_storage_get(&inflight, bpf_get_current_task_btf(), 0,
				  BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!in) {
		/* No memory: if this exec fails, it goes unrecorded. */
		__sync_fetch_and_add(&lost.inflight, 1);
		return;
	}
	in->denied = 0;
	in->wanted = wanted();
	in->name_cut = 0;
	if (in->wanted) {
		n = bpf_probe_read_user_str(in->filename, sizeof(in->filename),
					    (void *)filename);
		if (n < 0)
			__builtin_memcpy(in->filename, "?", 2);
		in->name_cut = n < 0 || n == sizeof(in->filename);
	}
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
	if (ret >= 0 || in->denied || !in->wanted || *(volatile __u32 *)&stopped)
		goto out;
	uid = (__u32)bpf_get_current_uid_gid();
	count(uid, ST_FAILED, 0);
	if (!may_record_other(uid))
		goto out;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&lost.other, 1);
		count(uid, ST_DROPPED, 0);
		goto out;
	}
	fill_task(e, EA_EXEC_FAILED);
	e->flags = where_flags() | (in->name_cut ? EA_PATH_CUT : 0);
	e->argc = 0;
	e->args_len = 0;
	e->err = -ret;
	e->hook = 0;
	e->reason = 0;
	__builtin_memset(&e->file, 0, sizeof(e->file));
	__builtin_memset(e->hash, 0, EA_HASH_LEN);
	__builtin_memcpy(e->path, in->filename, sizeof(e->path));
	bpf_ringbuf_submit(e, 0);
out:
	in->active = 0;
}

/*
 * The end of a process whose exec was recorded: when its last thread
 * exits (signal->live fell to 0 before this tracepoint), with the exit
 * status as wait(2) gives it and the exec's id. Two threads that exit at
 * the same moment may both see 0: then the exit is recorded twice, with
 * the same exec id.
 */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(record_exit, struct task_struct *task)
{
	struct task_struct *leader;
	struct ea_event *e;
	struct proc *pr;
	int code;

	if (*(volatile __u32 *)&stopped || BPF_CORE_READ(task, signal, live.counter))
		return 0;
	leader = task->group_leader;
	pr = bpf_task_storage_get(&procs, leader, 0, 0);
	if (!pr || !pr->exec_ts)
		return 0;
	if (!room_for_other()) {
		__sync_fetch_and_add(&lost.exits, 1);
		return 0;
	}
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&lost.exits, 1);
		return 0;
	}
	fill_task(e, EA_EXIT);
	if (BPF_CORE_READ(task, signal, flags) & SIGNAL_GROUP_EXIT)
		code = BPF_CORE_READ(task, signal, group_exit_code);
	else
		code = task->exit_code;
	e->exit_code = code;
	e->exec_ts = pr->exec_ts;
	/* Once: a later exit of the same task cannot name the exec again. */
	pr->exec_ts = 0;
	e->flags = 0;
	e->argc = 0;
	e->args_len = 0;
	e->err = 0;
	e->hook = 0;
	e->reason = 0;
	__builtin_memset(&e->file, 0, sizeof(e->file));
	__builtin_memset(e->hash, 0, EA_HASH_LEN);
	e->path[0] = '\0';
	bpf_ringbuf_submit(e, 0);
	return 0;
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
