// SPDX-License-Identifier: GPL-2.0
/*
 * Rules: a file rule's path resolved to the identity the hooks see (by
 * probe_file), hash rules checked against IMA, and each applied with
 * direct map updates.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/hash_info.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "tool.h"

/*
 * One resolution, done by a worker thread: the main thread waits for it
 * at most opt.resolve_timeout seconds (--resolve-timeout). A job the main
 * thread gave up on is freed by its worker, if it ever ends; until then
 * no other resolution starts, as both would use the one answer of
 * probe_file. A hash rule resolves execaudit's own executable first (to
 * learn IMA's hash algorithm), and hashing it takes the longest.
 */
struct job {
	char path[PATH_MAX];		/* as the rule gave it */
	char resolved[PATH_MAX];	/* the file's, as the kernel names it */
	struct ea_probe probe;
	int err;		/* errno, EA_OPEN_* or JOB_NO_ANSWER */
	const char *step;	/* which step of the open failed */
	bool done, abandoned;
};

enum {
	JOB_NO_ANSWER = -1,
};

static pthread_mutex_t job_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t job_cond;		/* on CLOCK_MONOTONIC: see job_init() */
static pthread_once_t job_once = PTHREAD_ONCE_INIT;
static bool job_running;
/* Set by resolve_close(): the skeleton (bss) is going, do not touch it. */
static bool job_closed;

static void job_init(void)
{
	pthread_condattr_t attr;

	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&job_cond, &attr);
	pthread_condattr_destroy(&attr);
}

/*
 * Before the skeleton is destroyed: a worker given up on may still end
 * (its server answers late), and must then not read bss, unmapped.
 */
void resolve_close(void)
{
	pthread_mutex_lock(&job_lock);
	job_closed = true;
	pthread_mutex_unlock(&job_lock);
}

/* bss->probe's sequence number, or false once resolve_close() was called. */
static bool probe_seq(__u32 *seq, struct ea_probe *copy)
{
	bool ok;

	pthread_mutex_lock(&job_lock);
	ok = !job_closed;
	if (ok) {
		*seq = __atomic_load_n(&bss->probe.seq, __ATOMIC_ACQUIRE);
		if (copy)
			*copy = bss->probe;
	}
	pthread_mutex_unlock(&job_lock);
	return ok;
}

static void *resolve_worker(void *arg)
{
	struct job *job = arg;
	__u32 seq, seq2;
	int fd;

	fd = ea_open_rule_file(job->path, job->resolved, &job->step);
	if (fd < 0) {
		job->err = -fd;
	} else {
		job->err = JOB_NO_ANSWER;
		if (probe_seq(&seq, NULL) && ioctl(fd, EA_IOCTL_PROBE, 0) == -1 &&
		    errno == ENOTTY && probe_seq(&seq2, &job->probe) && seq2 != seq)
			job->err = 0;
		close(fd);
	}
	pthread_mutex_lock(&job_lock);
	job->done = true;
	job_running = false;
	pthread_cond_broadcast(&job_cond);
	if (job->abandoned) {
		msg("the resolution of %s given up on earlier has ended", job->path);
		free(job);
	}
	pthread_mutex_unlock(&job_lock);
	return NULL;
}

/*
 * The identity of the file at path, as the hooks will see it: open it and
 * let probe_file answer EA_IOCTL_PROBE. Also its hash, when IMA gives one,
 * and in resolved (when not NULL) the file's path. The whole resolution,
 * the path's included, is done by the worker: a path on a FUSE server
 * that never answers blocks it, not the tool.
 */
static int probe_path(const char *path, struct ea_probe *out, char *resolved, struct reply *r)
{
	struct timespec until;
	sigset_t all, old;
	struct job *job;
	pthread_attr_t attr;
	pthread_t worker;
	int err = 0, ret = -1;

	pthread_once(&job_once, job_init);
	pthread_mutex_lock(&job_lock);
	if (job_running) {
		pthread_mutex_unlock(&job_lock);
		reply_error(r, "%s: an earlier resolution is still blocked (on FUSE?); try again later",
			    path);
		return -1;
	}
	job = calloc(1, sizeof(*job));
	if (!job) {
		pthread_mutex_unlock(&job_lock);
		reply_error(r, "%s: %s", path, strerror(ENOMEM));
		return -1;
	}
	snprintf(job->path, sizeof(job->path), "%s", path);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	/* Signals go to the main thread: a worker may block for ever. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	err = pthread_create(&worker, &attr, resolve_worker, job);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	if (err) {
		pthread_mutex_unlock(&job_lock);
		free(job);
		reply_error(r, "%s: cannot start a worker: %s", path, strerror(err));
		return -1;
	}
	job_running = true;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += opt.resolve_timeout;
	while (!job->done && !err)
		err = pthread_cond_timedwait(&job_cond, &job_lock, &until);
	if (!job->done) {
		job->abandoned = true;
		pthread_mutex_unlock(&job_lock);
		reply_error(r, "%s: no answer within %lu s (a FUSE file system?): no rule", path,
			    opt.resolve_timeout);
		return -1;
	}
	pthread_mutex_unlock(&job_lock);
	if (job->err == EA_OPEN_NOT_REGULAR)
		reply_error(r, "%s: not a regular file", job->resolved[0] ? job->resolved : path);
	else if (job->err == JOB_NO_ANSWER)
		reply_error(r, "%s: the probe program did not answer (is it attached?)", path);
	else if (job->err == EA_OPEN_CHANGED)
		reply_error(r, "%s: the file changed while it was resolved (%s is another file now): no rule",
			    path, job->resolved);
	else if (job->err == ELOOP)
		reply_error(r, "%s: a /proc magic link, or too many symbolic links, in the path: no rule",
			    path);
	else if (job->err && !strcmp(job->step, "open"))
		reply_error(r, "%s: %s: a file rule needs the file", path, strerror(job->err));
	else if (job->err)
		reply_error(r, "%s: %s: %s: no rule", path, job->step, strerror(job->err));
	else
		ret = 0;
	if (!ret) {
		*out = job->probe;
		if (resolved)
			strcpy(resolved, job->resolved);
	}
	free(job);
	return ret;
}

/* Recount the hash rules and invalidate the cached verdicts. */
static void hash_rules_changed(void)
{
	int fd = bpf_map__fd(skel->maps.deny_hashes);
	__u8 key[EA_HASH_LEN], next[EA_HASH_LEN];
	__u32 n = 0;
	void *prev = NULL;

	while (!bpf_map_get_next_key(fd, prev, next)) {
		memcpy(key, next, sizeof(key));
		prev = key;
		n++;
	}
	__atomic_store_n(&bss->hash_rules, n, __ATOMIC_SEQ_CST);
	__atomic_fetch_add(&bss->hash_rules_gen, 1, __ATOMIC_SEQ_CST);
}

void list_rules(int files_fd, int hashes_fd, __u32 max_args, struct reply *r,
		       FILE *out)
{
	struct ea_file_id id, next, *prev = NULL;
	__u8 h[EA_HASH_LEN], hnext[EA_HASH_LEN], *hprev = NULL;
	char hex[2 * EA_HASH_LEN + 1];
	struct ea_file_rule fr;
	char esc[4 * EA_PATH_LEN + 1];

	while (!bpf_map_get_next_key(files_fd, prev, &next)) {
		id = next;
		prev = &id;
		if (bpf_map_lookup_elem(files_fd, &id, &fr))
			continue;
		fr.path[EA_PATH_LEN - 1] = '\0';
		ea_escape_line(fr.path, esc, sizeof(esc));
		if (out)
			fprintf(out, "deny %s (dev %u:%u ino %llu gen %u)\n", esc,
				id.dev >> 20, id.dev & 0xfffff, (unsigned long long)id.ino, id.gen);
		reply_line(r, "deny %s (dev %u:%u ino %llu gen %u)", fr.path,
			   id.dev >> 20, id.dev & 0xfffff, (unsigned long long)id.ino, id.gen);
	}
	while (!bpf_map_get_next_key(hashes_fd, hprev, hnext)) {
		memcpy(h, hnext, sizeof(h));
		hprev = h;
		ea_hash_str(h, hex);
		if (out)
			fprintf(out, "deny-hash %s\n", hex);
		reply_line(r, "deny-hash %s", hex);
	}
	if (out)
		fprintf(out, "max-args %u\n", max_args);
	reply_line(r, "max-args %u", max_args);
}

/*
 * A hash rule holds only if the kernel's IMA hashes files with SHA-256:
 * ask probe_file for the hash of our own executable. Without that, every
 * exec would be undecided, and refused.
 */
static int check_ima(struct reply *r)
{
	static bool ima_ok;
	struct ea_probe p;

	char exe[PATH_MAX];
	ssize_t n;

	if (ima_ok)
		return 0;
	/* Our own executable, by its path. */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0) {
		reply_error(r, "/proc/self/exe: %s", strerror(errno));
		return -1;
	}
	exe[n] = '\0';
	if (probe_path(exe, &p, NULL, r))
		return -1;
	if (p.hash_algo != HASH_ALGO_SHA256) {
		reply_error(r, "hash rules: bpf_ima_file_hash() gives %s, not SHA-256: the kernel needs CONFIG_IMA=y with CONFIG_IMA_DEFAULT_HASH_SHA256=y (or ima_hash=sha256)",
			    p.hash_algo < 0 ? strerror(-p.hash_algo) : "another algorithm");
		return -1;
	}
	ima_ok = true;
	return 0;
}

/*
 * Apply one rule with direct map updates; 0 or -1 (said to r). A file
 * rule's path becomes the file's path as its resolution found it.
 */
int apply_rule(struct ea_rule *rule, struct reply *r)
{
	int files = bpf_map__fd(skel->maps.deny_files);
	int hashes = bpf_map__fd(skel->maps.deny_hashes);
	struct ea_file_rule fr = {};
	struct ea_probe p;
	__u8 one = 1;
	size_t len;
	int err;

	switch (rule->op) {
	case EA_RULE_DENY:
	case EA_RULE_ALLOW:
		if (probe_path(rule->path, &p, rule->path, r))
			return -1;
		if (rule->op == EA_RULE_ALLOW) {
			if (bpf_map_delete_elem(files, &p.id)) {
				reply_error(r, "allow %s: %s", rule->path, errno == ENOENT ?
					    "no file rule for that file" : strerror(errno));
				return -1;
			}
			return 0;
		}
		/* The listing shows a longer path as "..." and its end. */
		len = strlen(rule->path);
		if (len < sizeof(fr.path))
			memcpy(fr.path, rule->path, len);
		else
			memcpy(stpcpy(fr.path, "..."), rule->path + len - (sizeof(fr.path) - 4),
			       sizeof(fr.path) - 4);
		if (bpf_map_update_elem(files, &p.id, &fr, BPF_ANY)) {
			reply_error(r, "deny %s: %s", rule->path, errno == E2BIG ?
				    "too many file rules" : strerror(errno));
			return -1;
		}
		return 0;
	case EA_RULE_DENY_HASH:
		if (check_ima(r))
			return -1;
		/* Count it first: the hooks skip the hash while the count is 0. */
		__atomic_fetch_add(&bss->hash_rules, 1, __ATOMIC_SEQ_CST);
		err = bpf_map_update_elem(hashes, rule->hash, &one, BPF_ANY) ? errno : 0;
		hash_rules_changed();
		if (err) {
			reply_error(r, "deny-hash: %s", err == E2BIG ?
				    "too many hash rules" : strerror(err));
			return -1;
		}
		return 0;
	case EA_RULE_ALLOW_HASH:
		if (bpf_map_delete_elem(hashes, rule->hash)) {
			reply_error(r, "allow-hash: %s", errno == ENOENT ?
				    "no such hash rule" : strerror(errno));
			return -1;
		}
		hash_rules_changed();
		return 0;
	case EA_RULE_MAX_ARGS:
		__atomic_store_n(&data->max_args, rule->value, __ATOMIC_SEQ_CST);
		return 0;
	case EA_RULE_LIST:
		list_rules(files, hashes, data->max_args, r, NULL);
		return 0;
	}
	reply_error(r, "unknown rule %d", rule->op);
	return -1;
}

