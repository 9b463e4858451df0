// SPDX-License-Identifier: GPL-2.0
/*
 * execaudit: audit every exec with its full argv, refuse denied files at
 * exec and when mapped executable, and count execs per uid. See
 * execaudit.8.
 *
 * Two threads: the main one reads the ring buffer (a bounded batch at a
 * time) and serves the control FIFO and the signals; the statistics
 * thread flips the statistics buffers, waits with bpf_map_sync_access()
 * and drains, so that a slow grace period never stalls event reading.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <linux/hash_info.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "rules.h"
#include "execaudit.skel.h"

#define LSM_FILE "/sys/kernel/security/lsm"
/* Ring-buffer records handled before the FIFO and signals are looked at. */
#define CONSUME_BUDGET 64

static const char usage_text[] =
"Usage: execaudit [OPTION]...\n"
"       execaudit ctl FIFO COMMAND [ARG]\n"
"       execaudit --list --pin DIR\n"
"Audit every exec on this machine with its full argv, refuse denied files\n"
"(at exec, and when mapped executable) with EPERM, and count execs per uid.\n"
"\n"
"  --deny PATH         refuse the file at PATH, by its identity (device, inode,\n"
"                      generation): links, renames and bind mounts of it too\n"
"  --deny-hash SHA256  refuse any file with this content (64 hex digits), by\n"
"                      the hash IMA computes: copies too (needs CONFIG_IMA)\n"
"  --hash-max BYTES    with hash rules, refuse (EACCES) files larger than BYTES\n"
"                      rather than hash them (K, M, G suffixes; default 512M)\n"
"  --max-args BYTES    capture at most BYTES of argv per exec (K, M suffixes;\n"
"                      default 64K, at most 1M); longer ones are truncated\n"
"  --ring-size BYTES   ring buffer size (a power of 2, 64K to 1G; default 16M)\n"
"  --interval SECS     swap, sync and drain the per-uid statistics every SECS\n"
"                      seconds (1 to 3600, default 1)\n"
"  --duration SECS     stop after SECS seconds (1 to 31536000; default: run\n"
"                      until SIGINT/SIGTERM); SECS may end in 's'\n"
"  --control FIFO      read rules at run time from FIFO (made if missing), one\n"
"                      per line: deny PATH | allow PATH | deny-hash SHA256 |\n"
"                      allow-hash SHA256 | max-args BYTES | list;\n"
"                      'execaudit ctl FIFO ...' sends one and waits for the answer\n"
"  --pin DIR           pin the programs, links and maps in DIR (on bpffs), so\n"
"                      that the rules stay enforced when execaudit ends; a\n"
"                      later run with the same DIR takes them over\n"
"  --list              with --pin DIR: print the rules pinned there and exit\n"
"  --json              one JSON object per line instead of text\n"
"  --verbose           also show libbpf's info and debug messages (its warnings,\n"
"                      the verifier log among them, always show)\n"
"  --help              this text\n"
"\n"
"Without --pin, the rules end with the process: when execaudit exits, for\n"
"whatever reason, nothing is refused any more.\n"
"At exit it prints the events read from the ring buffer and the counts of\n"
"the drained statistics; it exits with 3 when they differ or records were\n"
"dropped. See execaudit(8).\n"
"Needs root, the bpf LSM (lsm=...,bpf) and a kernel with the BPF series\n"
"(bpf_copy_from_user_dynptr(), BPF_SYNC_MAP_ACCESS).\n";

static struct {
	unsigned long max_args, interval, duration, ring_size, hash_max;
	bool max_args_set, ring_size_set, hash_max_set;
	const char *control, *pin;
	bool json, verbose, list;
	struct ea_rule rules[2 * EA_MAX_DENY];
	int nrules;
} opt = {
	.max_args = EA_ARGS_DEFAULT,
	.hash_max = EA_HASH_MAX_DEFAULT,
	.interval = 1,
	.ring_size = EA_RINGBUF_SIZE,
};

/* Counts of what was read; the statistics thread writes the stats_ ones. */
static struct {
	unsigned long long exec_events, exec_bytes, header_only, deny_events, fail_events;
	struct ea_stat stats;
} totals;

static struct execaudit_bpf *skel;
static volatile sig_atomic_t stopping;
static bool resumed;	/* the programs run from links pinned by an earlier run */

/* The statistics thread, and how the main thread stops it. */
static pthread_t stats_thread;
static pthread_mutex_t stats_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t stats_cond;
static bool stats_stop;
static int stats_err;

static void msg(const char *fmt, ...)
{
	va_list ap;

	flockfile(stderr);
	fputs("execaudit: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	funlockfile(stderr);
}

static void on_signal(int sig)
{
	stopping = 1;
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	if (!opt.verbose && level != LIBBPF_WARN)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static int add_rule(int op, const char *arg)
{
	struct ea_rule *r = &opt.rules[opt.nrules];
	int err;

	if (opt.nrules == 2 * EA_MAX_DENY) {
		msg("more than %d rules", 2 * EA_MAX_DENY);
		return -1;
	}
	memset(r, 0, sizeof(*r));
	r->op = op;
	if (op == EA_RULE_DENY) {
		err = ea_rule_path(arg, r->path);
		if (err) {
			msg("--deny %s: %s", arg, err == -EINVAL ?
			    "give an absolute path" : "path too long");
			return -1;
		}
	} else if (ea_parse_hash(arg, strlen(arg), r->hash)) {
		msg("--deny-hash %s: give a SHA-256 as 64 hex digits (sha256sum FILE prints it)", arg);
		return -1;
	}
	opt.nrules++;
	return 0;
}

static int parse_args(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "deny", required_argument, NULL, 'd' },
		{ "deny-hash", required_argument, NULL, 'H' },
		{ "max-args", required_argument, NULL, 'm' },
		{ "hash-max", required_argument, NULL, 'M' },
		{ "ring-size", required_argument, NULL, 'r' },
		{ "interval", required_argument, NULL, 'i' },
		{ "duration", required_argument, NULL, 't' },
		{ "control", required_argument, NULL, 'c' },
		{ "pin", required_argument, NULL, 'p' },
		{ "list", no_argument, NULL, 'l' },
		{ "json", no_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	int c, err;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (add_rule(EA_RULE_DENY, optarg))
				return -1;
			break;
		case 'H':
			if (add_rule(EA_RULE_DENY_HASH, optarg))
				return -1;
			break;
		case 'm':
			err = ea_parse_bytes(optarg, EA_ARGS_MAX, &opt.max_args);
			if (err) {
				msg("--max-args %s: %s", optarg, err == -ERANGE ?
				     "at most 1M" : "a byte count such as 4096, 64K or 1M");
				return -1;
			}
			opt.max_args_set = true;
			break;
		case 'M':
			err = ea_parse_bytes(optarg, EA_HASH_MAX_MAX, &opt.hash_max);
			if (err || !opt.hash_max) {
				msg("--hash-max %s: a byte count from 1 to 1024G, such as 64M or 2G",
				    optarg);
				return -1;
			}
			opt.hash_max_set = true;
			break;
		case 'r':
			err = ea_parse_bytes(optarg, EA_RINGBUF_MAX, &opt.ring_size);
			if (err || opt.ring_size < EA_RINGBUF_MIN ||
			    (opt.ring_size & (opt.ring_size - 1))) {
				msg("--ring-size %s: a power of 2 from 64K to 1024M", optarg);
				return -1;
			}
			opt.ring_size_set = true;
			break;
		case 'i':
			if (ea_parse_seconds(optarg, 1, 3600, &opt.interval)) {
				msg("--interval %s: whole seconds from 1 to 3600", optarg);
				return -1;
			}
			break;
		case 't':
			if (ea_parse_seconds(optarg, 1, 365 * 86400UL, &opt.duration)) {
				msg("--duration %s: whole seconds from 1 to 31536000 (a year)", optarg);
				return -1;
			}
			break;
		case 'c':
			opt.control = optarg;
			break;
		case 'p':
			opt.pin = optarg;
			break;
		case 'l':
			opt.list = true;
			break;
		case 'j':
			opt.json = true;
			break;
		case 'v':
			opt.verbose = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			exit(0);
		default:
			fputs("Try 'execaudit --help'.\n", stderr);
			return -1;
		}
	}
	if (optind < argc) {
		msg("unexpected argument '%s'; try 'execaudit --help'", argv[optind]);
		return -1;
	}
	if (opt.list && !opt.pin) {
		msg("--list needs --pin DIR (a running execaudit lists its rules with 'execaudit ctl FIFO list')");
		return -1;
	}
	return 0;
}

static bool lsm_active(const char *lsms, const char *name)
{
	char copy[512], *tok, *save;

	snprintf(copy, sizeof(copy), "%s", lsms);
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (!strcmp(tok, name))
			return true;
	return false;
}

static bool want_hash(void)
{
	int i;

	for (i = 0; i < opt.nrules; i++)
		if (opt.rules[i].op == EA_RULE_DENY_HASH)
			return true;
	return false;
}

/* Say what is missing before libbpf's own errors would. */
static int preflight(void)
{
	char lsms[512] = "";
	struct utsname u;
	struct btf *btf;
	FILE *f;

	uname(&u);
	if (geteuid() != 0) {
		msg("must run as root: loading BPF LSM programs needs CAP_BPF and CAP_SYS_ADMIN (try sudo execaudit)");
		return -1;
	}
	f = fopen(LSM_FILE, "r");
	if (!f) {
		msg("cannot read %s (%s): mount securityfs there (mount -t securityfs securityfs /sys/kernel/security)",
		     LSM_FILE, strerror(errno));
		return -1;
	}
	if (!fgets(lsms, sizeof(lsms), f))
		lsms[0] = '\0';
	fclose(f);
	lsms[strcspn(lsms, "\n")] = '\0';
	if (!lsm_active(lsms, "bpf")) {
		msg("the bpf LSM is not active (active: %s): boot with lsm=%s%sbpf on the kernel command line (the kernel needs CONFIG_BPF_LSM=y)",
		     lsms[0] ? lsms : "none", lsms, lsms[0] ? "," : "");
		return -1;
	}
	if (want_hash() && !lsm_active(lsms, "ima")) {
		msg("--deny-hash needs IMA, which is not active (active: %s): the kernel needs CONFIG_IMA=y",
		    lsms);
		return -1;
	}
	btf = btf__load_vmlinux_btf();
	if (!btf) {
		msg("kernel %s has no BTF (/sys/kernel/btf/vmlinux): it needs CONFIG_DEBUG_INFO_BTF=y",
		     u.release);
		return -1;
	}
	if (btf__find_by_name_kind(btf, "bpf_copy_from_user_dynptr", BTF_KIND_FUNC) < 0) {
		btf__free(btf);
		msg("kernel %s lacks bpf_copy_from_user_dynptr(): it was built without the BPF series this tool needs; boot a kernel with the series (make run in the series' repository does)",
		     u.release);
		return -1;
	}
	btf__free(btf);
	return 0;
}

/*
 * The replies of a control command: to the writer's reply FIFO when it
 * named one, and to standard error in any case.
 */
struct reply {
	FILE *f;
	bool failed;
};

static void reply_line(struct reply *r, const char *fmt, ...)
{
	va_list ap;

	if (!r->f)
		return;
	va_start(ap, fmt);
	vfprintf(r->f, fmt, ap);
	va_end(ap);
	fputc('\n', r->f);
}

static void reply_error(struct reply *r, const char *fmt, ...)
{
	char buf[PATH_MAX + 256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	msg("%s", buf);
	reply_line(r, "error: %s", buf);
	r->failed = true;
}

/*
 * The identity of the file at path, as the hooks will see it: open it and
 * let probe_file answer EA_IOCTL_PROBE. Also its hash, when IMA gives one.
 */
static int probe_path(const char *path, struct ea_probe *out, struct reply *r)
{
	struct ea_probe *p = &skel->bss->probe;
	struct stat st;
	__u32 seq;
	int fd, ret = -1;

	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		reply_error(r, "%s: %s: a file rule needs the file", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		reply_error(r, "%s: not a regular file", path);
		goto out;
	}
	seq = __atomic_load_n(&p->seq, __ATOMIC_ACQUIRE);
	if (ioctl(fd, EA_IOCTL_PROBE, 0) != -1 || errno != ENOTTY ||
	    __atomic_load_n(&p->seq, __ATOMIC_ACQUIRE) == seq) {
		reply_error(r, "%s: the probe program did not answer (is it attached?)", path);
		goto out;
	}
	*out = *p;
	ret = 0;
out:
	close(fd);
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
	__atomic_store_n(&skel->bss->hash_rules, n, __ATOMIC_SEQ_CST);
	__atomic_fetch_add(&skel->bss->hash_rules_gen, 1, __ATOMIC_SEQ_CST);
}

static void list_rules(int files_fd, int hashes_fd, __u32 max_args, struct reply *r,
		       FILE *out)
{
	struct ea_file_id id, next, *prev = NULL;
	__u8 h[EA_HASH_LEN], hnext[EA_HASH_LEN], *hprev = NULL;
	char hex[2 * EA_HASH_LEN + 1];
	struct ea_file_rule fr;

	while (!bpf_map_get_next_key(files_fd, prev, &next)) {
		id = next;
		prev = &id;
		if (bpf_map_lookup_elem(files_fd, &id, &fr))
			continue;
		fr.path[EA_PATH_LEN - 1] = '\0';
		if (out)
			fprintf(out, "deny %s (dev %u:%u ino %llu gen %u)\n", fr.path,
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

	if (ima_ok)
		return 0;
	if (probe_path("/proc/self/exe", &p, r))
		return -1;
	if (p.hash_algo != HASH_ALGO_SHA256) {
		reply_error(r, "hash rules: bpf_ima_file_hash() gives %s, not SHA-256: the kernel needs CONFIG_IMA=y with CONFIG_IMA_DEFAULT_HASH_SHA256=y (or ima_hash=sha256)",
			    p.hash_algo < 0 ? strerror(-p.hash_algo) : "another algorithm");
		return -1;
	}
	ima_ok = true;
	return 0;
}

/* Apply one rule with direct map updates; 0 or -1 (said to r). */
static int apply_rule(const struct ea_rule *rule, struct reply *r)
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
		if (probe_path(rule->path, &p, r))
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
		__atomic_fetch_add(&skel->bss->hash_rules, 1, __ATOMIC_SEQ_CST);
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
		__atomic_store_n(&skel->data->max_args, rule->value, __ATOMIC_SEQ_CST);
		return 0;
	case EA_RULE_LIST:
		list_rules(files, hashes, skel->data->max_args, r, NULL);
		return 0;
	}
	reply_error(r, "unknown rule %d", rule->op);
	return -1;
}

static const char *hook_name(int hook)
{
	return hook == EA_HOOK_EXEC ? "exec" : hook == EA_HOOK_MMAP ? "mmap" :
	       hook == EA_HOOK_MPROTECT ? "mprotect" : "?";
}

static const char *reason_name(int reason)
{
	return reason == EA_REASON_FILE ? "file" : reason == EA_REASON_HASH ? "hash" :
	       reason == EA_REASON_UNDECIDED ? "undecided" : "?";
}

static const char *errno_name(int err)
{
	const char *s = strerrorname_np(err);

	return s ? s : "E?";
}

/* A CLOCK_BOOTTIME stamp as UTC wall-clock time, ISO 8601. */
static void wall_time(__u64 boot_ns, char *buf, size_t len)
{
	struct timespec real, boot;
	long long ns;
	time_t sec;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &real);
	clock_gettime(CLOCK_BOOTTIME, &boot);
	ns = (long long)real.tv_sec * 1000000000LL + real.tv_nsec -
	     ((long long)boot.tv_sec * 1000000000LL + boot.tv_nsec) + (long long)boot_ns;
	sec = ns / 1000000000LL;
	gmtime_r(&sec, &tm);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (ns % 1000000000LL) / 1000);
}

static const char *type_name(int type)
{
	return type == EA_EXEC ? "exec" : type == EA_DENY ? "deny" : "exec_failed";
}

static void print_json(const struct ea_event *e, const char *args, const char *when)
{
	bool lossy;

	printf("{\"version\":%d,\"type\":\"%s\",\"time\":\"%s\",\"boot_ns\":%llu,"
	       "\"pid\":%u,\"tid\":%u,\"ppid\":%u,\"parent_start_ns\":%llu,"
	       "\"uid\":%u,\"euid\":%u,\"loginuid\":",
	       EA_JSON_VERSION, type_name(e->type), when, (unsigned long long)e->ts_boot,
	       e->pid, e->tid, e->ppid, (unsigned long long)e->parent_start, e->uid, e->euid);
	if (e->loginuid == (__u32)-1)
		printf("null");
	else
		printf("%u", e->loginuid);
	printf(",\"comm\":");
	lossy = ea_json_string(stdout, e->comm, strnlen(e->comm, EA_COMM_LEN));
	printf(",\"cgroup_id\":%llu,\"pidns\":%u,\"mntns\":%u,\"path\":",
	       (unsigned long long)e->cgroup_id, e->pidns, e->mntns);
	lossy |= ea_json_string(stdout, e->path, strnlen(e->path, EA_PATH_LEN));
	printf(",\"path_cut\":%s", e->flags & EA_PATH_CUT ? "true" : "false");
	if (e->type != EA_EXEC_FAILED)
		printf(",\"dev\":\"%u:%u\",\"ino\":%llu", e->file.dev >> 20,
		       e->file.dev & 0xfffff, (unsigned long long)e->file.ino);
	if (e->type != EA_EXEC)
		printf(",\"errno\":%d,\"error\":\"%s\"", e->err, errno_name(e->err));
	if (e->type == EA_DENY) {
		printf(",\"hook\":\"%s\",\"reason\":\"%s\"", hook_name(e->hook),
		       reason_name(e->reason));
		if (e->flags & EA_HASHED) {
			char hex[2 * EA_HASH_LEN + 1];

			ea_hash_str(e->hash, hex);
			printf(",\"sha256\":\"%s\"", hex);
		}
	}
	if (e->type == EA_EXEC || e->hook == EA_HOOK_EXEC)
		printf(",\"argc\":%u", e->argc);
	if (e->type == EA_EXEC) {
		printf(",\"args_bytes\":%u,\"truncated\":%s,\"header_only\":%s,\"fault\":%s,\"argv\":",
		       e->args_len, e->flags & EA_TRUNCATED ? "true" : "false",
		       e->flags & EA_HEADER_ONLY ? "true" : "false",
		       e->flags & EA_FAULT ? "true" : "false");
		lossy |= ea_print_argv(stdout, args, e->args_len, true);
	}
	printf(",\"lossy\":%s}\n", lossy ? "true" : "false");
}

static void print_text(const struct ea_event *e, const char *args, const char *when)
{
	printf("%s pid %u tid %u ppid %u uid %u euid %u auid ",
	       e->type == EA_EXEC ? "exec" : e->type == EA_DENY ? "deny" : "fail",
	       e->pid, e->tid, e->ppid, e->uid, e->euid);
	if (e->loginuid == (__u32)-1)
		printf("unset");
	else
		printf("%u", e->loginuid);
	printf(" comm ");
	ea_print_word(stdout, e->comm, strnlen(e->comm, EA_COMM_LEN));
	printf(" cgroup %llu pidns %u mntns %u at %s ", (unsigned long long)e->cgroup_id,
	       e->pidns, e->mntns, when);
	if (e->flags & EA_PATH_CUT)
		printf(".../");
	ea_print_word(stdout, e->path, strnlen(e->path, EA_PATH_LEN));
	if (e->type == EA_EXEC_FAILED) {
		printf(": failed (%s)\n", errno_name(e->err));
		return;
	}
	if (e->type == EA_DENY) {
		printf(": refused (%s) at %s, %s%s", errno_name(e->err), hook_name(e->hook),
		       e->reason == EA_REASON_UNDECIDED ? "hash unknown" : reason_name(e->reason),
		       e->reason == EA_REASON_UNDECIDED ? "" : " rule");
		printf(" (dev %u:%u ino %llu", e->file.dev >> 20, e->file.dev & 0xfffff,
		       (unsigned long long)e->file.ino);
		if (e->flags & EA_HASHED) {
			char hex[2 * EA_HASH_LEN + 1];

			ea_hash_str(e->hash, hex);
			printf(" sha256 %s", hex);
		}
		printf(")\n");
		return;
	}
	printf(" [%u args, %u bytes%s%s%s]: ", e->argc, e->args_len,
	       e->flags & EA_TRUNCATED ? ", truncated" : "",
	       e->flags & EA_HEADER_ONLY ? ", header only" : "",
	       e->flags & EA_FAULT ? ", unreadable" : "");
	ea_print_argv(stdout, args, e->args_len, false);
	putchar('\n');
}

static int handle_event(void *ctx, void *data, size_t size)
{
	const struct ea_event *e = data;
	char when[64];

	if (size < sizeof(*e) || size != sizeof(*e) + e->args_len) {
		msg("malformed record of %zu bytes", size);
		return 0;
	}
	switch (e->type) {
	case EA_EXEC:
		totals.exec_events++;
		totals.exec_bytes += e->args_len;
		totals.header_only += !!(e->flags & EA_HEADER_ONLY);
		break;
	case EA_DENY:
		totals.deny_events++;
		break;
	default:
		totals.fail_events++;
	}
	wall_time(e->ts_boot, when, sizeof(when));
	flockfile(stdout);
	if (opt.json)
		print_json(e, (const char *)(e + 1), when);
	else
		print_text(e, (const char *)(e + 1), when);
	funlockfile(stdout);
	return 0;
}

/*
 * Read and empty one statistics map that no program can still write;
 * print its lines and the records dropped in it.
 */
static int drain_stats(int fd, bool interval)
{
	struct ea_stat s, sum = {};
	char by_uid[512] = "";
	unsigned int omitted = 0;
	size_t used = 0;
	__u32 uid;

	flockfile(stdout);
	while (!bpf_map_get_next_key(fd, NULL, &uid)) {
		if (bpf_map_lookup_elem(fd, &uid, &s) || bpf_map_delete_elem(fd, &uid)) {
			funlockfile(stdout);
			msg("draining the statistics: %s", strerror(errno));
			return -1;
		}
		sum.execs += s.execs;
		sum.bytes += s.bytes;
		sum.failed += s.failed;
		sum.denied += s.denied;
		sum.header_only += s.header_only;
		sum.dropped += s.dropped;
		if (s.dropped && used < sizeof(by_uid) - 64)
			used += snprintf(by_uid + used, sizeof(by_uid) - used,
					 opt.json ? "%s\"%u\":%llu" : "%suid %u: %llu",
					 used ? (opt.json ? "," : ", ") : "", uid,
					 (unsigned long long)s.dropped);
		else if (s.dropped)
			omitted++;	/* in the stats records above, not listed here */
		if (opt.json)
			printf("{\"version\":%d,\"type\":\"stats\",\"uid\":%u,\"execs\":%llu,\"bytes\":%llu,"
			       "\"failed\":%llu,\"denied\":%llu,\"header_only\":%llu,\"dropped\":%llu}\n",
			       EA_JSON_VERSION, uid, (unsigned long long)s.execs,
			       (unsigned long long)s.bytes, (unsigned long long)s.failed,
			       (unsigned long long)s.denied, (unsigned long long)s.header_only,
			       (unsigned long long)s.dropped);
		else
			printf("stats uid %u: %llu execs, %llu bytes, %llu failed, %llu refused, %llu header-only, %llu dropped\n",
			       uid, (unsigned long long)s.execs, (unsigned long long)s.bytes,
			       (unsigned long long)s.failed, (unsigned long long)s.denied,
			       (unsigned long long)s.header_only, (unsigned long long)s.dropped);
	}
	totals.stats.execs += sum.execs;
	totals.stats.bytes += sum.bytes;
	totals.stats.failed += sum.failed;
	totals.stats.denied += sum.denied;
	totals.stats.header_only += sum.header_only;
	totals.stats.dropped += sum.dropped;
	/* The drop delta: every interval, dropped or not. */
	if (interval) {
		if (opt.json)
			printf("{\"version\":%d,\"type\":\"drops\",\"dropped\":%llu,\"total\":%llu,\"uids\":{%s},\"uids_omitted\":%u}\n",
			       EA_JSON_VERSION, (unsigned long long)sum.dropped,
			       (unsigned long long)totals.stats.dropped, by_uid, omitted);
		else
			printf("drops: %llu records in the last %lu s (%s%s%.0u%s), %llu in all\n",
			       (unsigned long long)sum.dropped, opt.interval,
			       used ? by_uid : "none", omitted ? ", and " : "", omitted,
			       omitted ? " more uids" : "",
			       (unsigned long long)totals.stats.dropped);
	}
	fflush(stdout);
	funlockfile(stdout);
	return 0;
}

static int sync_map(int fd)
{
	if (bpf_map_sync_access(fd, NULL)) {
		msg("bpf_map_sync_access: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* Point the programs at the other buffer, wait for the old one, drain it. */
static int swap_stats(void)
{
	__u32 old = skel->bss->stats_index & 1;
	int fd = bpf_map__fd(old ? skel->maps.stats1 : skel->maps.stats0);

	__atomic_store_n(&skel->bss->stats_index, !old, __ATOMIC_SEQ_CST);
	if (sync_map(fd))
		return -1;
	return drain_stats(fd, true);
}

static void *stats_main(void *arg)
{
	struct timespec next;

	clock_gettime(CLOCK_MONOTONIC, &next);
	pthread_mutex_lock(&stats_lock);
	while (!stats_stop) {
		next.tv_sec += opt.interval;
		while (!stats_stop &&
		       pthread_cond_timedwait(&stats_cond, &stats_lock, &next) != ETIMEDOUT)
			;
		if (stats_stop)
			break;
		pthread_mutex_unlock(&stats_lock);
		if (swap_stats()) {
			stats_err = -1;
			stopping = 1;
			return NULL;
		}
		pthread_mutex_lock(&stats_lock);
	}
	pthread_mutex_unlock(&stats_lock);
	return NULL;
}

static int start_stats_thread(void)
{
	pthread_condattr_t attr;
	sigset_t all, old;
	int err;

	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&stats_cond, &attr);
	pthread_condattr_destroy(&attr);
	/* Signals go to the main thread, whose poll() they interrupt. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	err = pthread_create(&stats_thread, NULL, stats_main, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		msg("starting the statistics thread: %s", strerror(err));
		return -1;
	}
	return 0;
}

static void stop_stats_thread(void)
{
	pthread_mutex_lock(&stats_lock);
	stats_stop = true;
	pthread_cond_signal(&stats_cond);
	pthread_mutex_unlock(&stats_lock);
	pthread_join(stats_thread, NULL);
}

/*
 * The FIFO gives root's programs their rules: it must be a FIFO that we
 * own and that nobody else can write, and no symbolic link.
 */
static int open_control(const char *path)
{
	struct stat st;
	int fd;

	if (mkfifo(path, 0600) && errno != EEXIST) {
		msg("--control %s: cannot make the FIFO: %s", path, strerror(errno));
		return -1;
	}
	/* Read-write: no end of file when a writer closes. */
	fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		msg("--control %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) || !S_ISFIFO(st.st_mode)) {
		msg("--control %s: exists and is not a FIFO", path);
		goto err;
	}
	if (st.st_uid != geteuid() || (st.st_mode & 022)) {
		msg("--control %s: must belong to uid %u and be writable by nobody else (chmod 600 or remove it)",
		    path, geteuid());
		goto err;
	}
	return fd;
err:
	close(fd);
	return -1;
}

/* The writer's reply FIFO: it holds it open for reading, we never block. */
static FILE *open_reply(const char *path)
{
	struct stat st;
	FILE *f;
	int fd;

	fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		msg("control: reply FIFO %s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) || !S_ISFIFO(st.st_mode)) {
		msg("control: reply %s is not a FIFO", path);
		close(fd);
		return NULL;
	}
	/* Blocking from here: a listing may not fit in the pipe at once. */
	fcntl(fd, F_SETFL, 0);
	f = fdopen(fd, "w");
	if (!f)
		close(fd);
	return f;
}

static void control_line(char *line)
{
	char err[PATH_MAX + 128], what[PATH_MAX + 32], reply_path[PATH_MAX];
	struct reply r = {};
	struct ea_rule rule;
	int ret;

	ret = ea_parse_control(line, &rule, reply_path, sizeof(reply_path), err, sizeof(err));
	if (reply_path[0])
		r.f = open_reply(reply_path);
	if (ret < 0)
		reply_error(&r, "control: %s", err);
	else if (ret > 0 && !apply_rule(&rule, &r)) {
		ea_rule_str(&rule, what, sizeof(what));
		if (rule.op != EA_RULE_LIST)
			msg("rule applied: %s", what);
		reply_line(&r, "ok %s", what);
	}
	if (r.f)
		fclose(r.f);
}

/* Apply the complete lines that have arrived on the control FIFO. */
static void read_control(int fd)
{
	static char buf[8192];
	static size_t len;
	static bool discard;
	char *nl;
	size_t used;
	ssize_t n;

	while ((n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0) {
		len += n;
		while ((nl = memchr(buf, '\n', len))) {
			*nl = '\0';
			used = nl + 1 - buf;
			if (discard)
				discard = false;
			else if (strlen(buf) != used - 1)
				msg("control: line with a NUL byte ignored");
			else
				control_line(buf);
			len -= used;
			memmove(buf, nl + 1, len);
		}
		if (len == sizeof(buf) - 1) {
			msg("control: line longer than %zu bytes ignored", len);
			discard = true;
			len = 0;
		}
	}
}

/* execaudit ctl FIFO COMMAND [ARG]: send one control line, print the answer. */
static int ctl_main(int argc, char **argv)
{
	char dir[] = "/tmp/execaudit-ctl.XXXXXX", reply[64], line[PATH_MAX + 128];
	char buf[4096], last[PATH_MAX + 256] = "";
	struct pollfd pfd;
	size_t len = 0;
	ssize_t n;
	int fd, rfd = -1, i, ret = 1;

	if (argc < 4 || argc > 5) {
		fputs("Usage: execaudit ctl FIFO COMMAND [ARG]\n"
		      "  COMMAND: deny PATH | allow PATH | deny-hash SHA256 | allow-hash SHA256 |\n"
		      "           max-args BYTES | list\n", stderr);
		return 2;
	}
	if (!mkdtemp(dir)) {
		msg("ctl: %s", strerror(errno));
		return 1;
	}
	snprintf(reply, sizeof(reply), "%s/reply", dir);
	if (mkfifo(reply, 0600) ||
	    (rfd = open(reply, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) < 0) {
		msg("ctl: reply FIFO %s: %s", reply, strerror(errno));
		goto out;
	}
	snprintf(line, sizeof(line), "@%s %s%s%s\n", reply, argv[3], argc == 5 ? " " : "",
		 argc == 5 ? argv[4] : "");
	if (strlen(line) > PIPE_BUF) {
		msg("ctl: command longer than %d bytes", PIPE_BUF);
		goto out;
	}
	/* Non-blocking: no daemon reading the FIFO is an error, not a hang. */
	fd = open(argv[2], O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		msg("ctl: %s: %s%s", argv[2], strerror(errno),
		    errno == ENXIO ? " (no execaudit reads it)" : "");
		goto out;
	}
	n = write(fd, line, strlen(line));
	close(fd);
	if (n != (ssize_t)strlen(line)) {
		msg("ctl: writing %s: %s", argv[2], n < 0 ? strerror(errno) : "short write");
		goto out;
	}
	/* Lines until "ok ..." or "error: ...", 10 s at most. */
	pfd.fd = rfd;
	pfd.events = POLLIN;
	for (i = 0; i < 100; i++) {
		if (poll(&pfd, 1, 100) < 0 && errno != EINTR)
			break;
		while ((n = read(rfd, buf, sizeof(buf))) > 0) {
			fwrite(buf, 1, n, stdout);
			for (ssize_t j = 0; j < n; j++) {
				if (buf[j] == '\n') {
					last[len] = '\0';
					if (!strncmp(last, "ok ", 3) || !strncmp(last, "error: ", 7)) {
						ret = last[0] == 'o' ? 0 : 1;
						goto out;
					}
					len = 0;
				} else if (len < sizeof(last) - 1) {
					last[len++] = buf[j];
				}
			}
		}
	}
	msg("ctl: no answer from the execaudit reading %s within 10 s", argv[2]);
out:
	if (rfd >= 0)
		close(rfd);
	unlink(reply);
	rmdir(dir);
	fflush(stdout);
	return ret;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* --pin: where each map and link lives in DIR. */
static void pin_path(char *buf, size_t len, const char *kind, const char *name)
{
	const char *dot = strrchr(name, '.');

	/* Internal maps are "execaudi.bss": keep what follows the dot. */
	snprintf(buf, len, "%s/%s/%s", opt.pin, kind, dot ? dot + 1 : name);
}

/* execaudit --list --pin DIR: the rules of the pinned maps. */
static int list_pinned(void)
{
	char path[PATH_MAX];
	int files, hashes, data;
	__u32 zero = 0;
	struct execaudit_bpf__data d;
	struct reply r = {};

	pin_path(path, sizeof(path), "maps", "deny_files");
	files = bpf_obj_get(path);
	pin_path(path, sizeof(path), "maps", "deny_hashes");
	hashes = bpf_obj_get(path);
	pin_path(path, sizeof(path), "maps", ".data");
	data = bpf_obj_get(path);
	if (files < 0 || hashes < 0 || data < 0 ||
	    bpf_map_lookup_elem(data, &zero, &d)) {
		msg("--list: no rules pinned in %s: %s", opt.pin, strerror(errno));
		return 1;
	}
	list_rules(files, hashes, d.max_args, &r, stdout);
	return 0;
}

static struct bpf_link **prog_link(struct bpf_program *prog)
{
	struct bpf_link **links = (struct bpf_link **)&skel->links;
	struct bpf_program **progs = (struct bpf_program **)&skel->progs;
	size_t i;

	for (i = 0; i < sizeof(skel->progs) / sizeof(*progs); i++)
		if (progs[i] == prog)
			return &links[i];
	return NULL;
}

/*
 * Before loading: with --pin, every map pinned in DIR/maps. When DIR holds
 * the links of an earlier run, its maps are reused, its programs keep
 * running, and only probe_file is loaded.
 */
static int setup_pins(void)
{
	char path[PATH_MAX];
	struct bpf_program *prog;
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	struct bpf_map *map;
	int fd;

	snprintf(path, sizeof(path), "%s/links", opt.pin);
	if ((mkdir(opt.pin, 0700) && errno != EEXIST) ||
	    (mkdir(path, 0700) && errno != EEXIST)) {
		msg("--pin %s: %s (it must be on a bpffs: mount -t bpf bpf /sys/fs/bpf)",
		    path, strerror(errno));
		return -1;
	}
	snprintf(path, sizeof(path), "%s/maps", opt.pin);
	if (mkdir(path, 0700) && errno != EEXIST) {
		msg("--pin %s: %s", path, strerror(errno));
		return -1;
	}
	/* One execaudit per DIR: two would flip and drain the same maps. The
	 * lock goes with the process (the descriptor is never closed).
	 */
	fd = open(opt.pin, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB)) {
		msg("--pin %s: %s", opt.pin, errno == EWOULDBLOCK ?
		    "another execaudit runs with this directory" : strerror(errno));
		return -1;
	}
	bpf_object__for_each_map(map, skel->obj) {
		pin_path(path, sizeof(path), "maps", bpf_map__name(map));
		if (bpf_map__set_pin_path(map, path))
			return -1;
	}
	pin_path(path, sizeof(path), "links", "record_exec");
	resumed = !access(path, F_OK);
	if (!resumed)
		return 0;
	/* Take over the pinned ring buffer as it is. */
	pin_path(path, sizeof(path), "maps", "events");
	fd = bpf_obj_get(path);
	if (fd < 0 || bpf_map_get_info_by_fd(fd, &info, &len)) {
		msg("--pin %s: links pinned but no ring buffer: %s (rm -r %s to start afresh)",
		    opt.pin, strerror(errno), opt.pin);
		return -1;
	}
	close(fd);
	if (opt.ring_size_set && opt.ring_size != info.max_entries)
		msg("--ring-size ignored: the pinned ring buffer has %u bytes", info.max_entries);
	opt.ring_size = info.max_entries;
	bpf_object__for_each_program(prog, skel->obj) {
		if (prog == skel->progs.probe_file)
			continue;
		/* Every link, or the rules would not all be enforced. */
		pin_path(path, sizeof(path), "links", bpf_program__name(prog));
		if (access(path, F_OK)) {
			msg("--pin %s: %s is missing: the pinned programs are incomplete (rm -r %s to start afresh)",
			    opt.pin, path, opt.pin);
			return -1;
		}
		bpf_program__set_autoload(prog, false);
	}
	return 0;
}

/*
 * libbpf maps .bss and .data over the maps it creates, not over pinned
 * maps it reuses: there, skel->bss would be a private copy that the
 * programs never see. Map the reused ones at the same address.
 */
static int remap_globals(void)
{
	struct bpf_map *maps[] = { skel->maps.bss, skel->maps.data };
	void *addrs[] = { skel->bss, skel->data };
	long page = sysconf(_SC_PAGESIZE);
	size_t i, size;

	for (i = 0; i < 2; i++) {
		size = (bpf_map__value_size(maps[i]) + page - 1) / page * page;
		if (mmap(addrs[i], size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
			 bpf_map__fd(maps[i]), 0) == MAP_FAILED) {
			msg("--pin: mapping the pinned %s: %s", bpf_map__name(maps[i]),
			    strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* Attach the programs, pinning their links with --pin. */
static int attach(void)
{
	struct bpf_program *prog;
	struct bpf_link **link;
	char path[PATH_MAX];

	bpf_object__for_each_program(prog, skel->obj) {
		if (!bpf_program__autoload(prog) || prog == skel->progs.probe_file)
			continue;
		link = prog_link(prog);
		*link = bpf_program__attach(prog);
		if (!*link) {
			msg("attaching %s failed: %s", bpf_program__name(prog), strerror(errno));
			return -1;
		}
		if (!opt.pin)
			continue;
		pin_path(path, sizeof(path), "links", bpf_program__name(prog));
		if (bpf_link__pin(*link, path)) {
			msg("pinning %s: %s", path, strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* Stop the programs, wait for runs still going, and take what they left. */
static int finish(struct ring_buffer *rb)
{
	int err = 0;

	if (opt.pin) {
		/* The programs go on: drain what the current buffer holds. */
		err |= swap_stats();
	} else {
		/*
		 * A run may still be entering record_exec through the
		 * trampoline as the links go: it sees stopped and leaves the
		 * maps alone. One sync waits for the runs past that check:
		 * every program uses the outer statistics map.
		 */
		__atomic_store_n(&skel->bss->stopped, 1, __ATOMIC_SEQ_CST);
		execaudit_bpf__detach(skel);
		err |= sync_map(bpf_map__fd(skel->maps.stats));
		err |= drain_stats(bpf_map__fd(skel->maps.stats0), false);
		err |= drain_stats(bpf_map__fd(skel->maps.stats1), false);
	}
	if (ring_buffer__consume(rb) < 0) {
		msg("reading the ring buffer: %s", strerror(errno));
		err = -1;
	}
	return err;
}

static bool report(void)
{
	unsigned long long lost = skel->bss->lost_execs, lost_other = skel->bss->lost_other;
	unsigned long long lost_stats = skel->bss->lost_stats;
	const struct ea_stat *s = &totals.stats;
	bool match = totals.exec_events + lost == s->execs &&
		     totals.exec_bytes == s->bytes && totals.header_only == s->header_only &&
		     totals.deny_events + totals.fail_events + lost_other == s->denied + s->failed &&
		     lost + lost_other == s->dropped && !lost_stats;

	/* Pinned programs outlive us: their counts cannot be closed. */
	if (opt.pin)
		match = true;
	if (opt.json)
		printf("{\"version\":%d,\"type\":\"totals\",\"exec_events\":%llu,\"exec_bytes\":%llu,"
		       "\"header_only\":%llu,\"deny_events\":%llu,\"failed_events\":%llu,"
		       "\"stats_execs\":%llu,\"stats_bytes\":%llu,\"stats_header_only\":%llu,"
		       "\"stats_denied\":%llu,\"stats_failed\":%llu,\"dropped\":%llu,"
		       "\"lost_execs\":%llu,\"lost_other\":%llu,\"lost_stats\":%llu,\"match\":%s}\n",
		       EA_JSON_VERSION, totals.exec_events, totals.exec_bytes, totals.header_only,
		       totals.deny_events, totals.fail_events, (unsigned long long)s->execs,
		       (unsigned long long)s->bytes, (unsigned long long)s->header_only,
		       (unsigned long long)s->denied, (unsigned long long)s->failed,
		       (unsigned long long)s->dropped, lost, lost_other, lost_stats,
		       match ? "true" : "false");
	else
		printf("totals: ring buffer %llu exec events (%llu argv bytes, %llu header-only), %llu refused, %llu failed, %llu dropped; drained statistics %llu execs (%llu argv bytes, %llu header-only), %llu refused, %llu failed, %llu dropped: %s\n",
		       totals.exec_events, totals.exec_bytes, totals.header_only,
		       totals.deny_events, totals.fail_events, lost + lost_other,
		       (unsigned long long)s->execs, (unsigned long long)s->bytes,
		       (unsigned long long)s->header_only, (unsigned long long)s->denied,
		       (unsigned long long)s->failed, (unsigned long long)s->dropped,
		       opt.pin ? "not compared (--pin)" : match ? "match" : "MISMATCH");
	fflush(stdout);
	if (lost + lost_other)
		msg("%llu records dropped (%llu execs): the ring buffer was full; every exec is still counted in the statistics",
		    lost + lost_other, lost);
	if (lost_stats)
		msg("%llu statistics updates lost: more than %d uids", lost_stats, EA_MAX_UIDS);
	if (skel->bss->lost_inflight)
		msg("%llu execs not watched for failure: no memory for their state",
		    (unsigned long long)skel->bss->lost_inflight);
	if (!match)
		msg("the ring buffer and the statistics disagree");
	if (opt.pin)
		msg("the programs pinned in %s go on enforcing the rules: rm -r %s ends them",
		    opt.pin, opt.pin);
	return match && !(lost + lost_other) && !lost_stats && !skel->bss->lost_inflight;
}

int main(int argc, char **argv)
{
	struct ring_buffer *rb = NULL;
	struct sigaction sa = { .sa_handler = on_signal };
	struct ea_rule cap = { .op = EA_RULE_MAX_ARGS };
	struct pollfd pfd[2];
	bool stats_started = false;
	struct reply r = {};
	double start;
	int err, i, ctl = -1, ret = 1, nfd;

	if (argc > 1 && !strcmp(argv[1], "ctl"))
		return ctl_main(argc, argv);
	if (parse_args(argc, argv))
		return 2;
	libbpf_set_print(libbpf_print);
	if (opt.list)
		return list_pinned();
	if (preflight())
		return 1;

	skel = execaudit_bpf__open();
	if (!skel) {
		msg("opening the BPF object failed: %s", strerror(errno));
		return 1;
	}
	if (opt.pin && setup_pins())
		goto out;
	bpf_map__set_max_entries(skel->maps.events, opt.ring_size);
	if (execaudit_bpf__load(skel)) {
		err = errno;
		msg("loading the BPF programs failed: %s (libbpf's messages above say where)",
		    strerror(err));
		goto out;
	}
	if (opt.pin && remap_globals())
		goto out;
	/* The series' command; a kernel without it answers EINVAL. */
	if (bpf_map_sync_access(bpf_map__fd(skel->maps.stats0), NULL)) {
		msg("BPF_SYNC_MAP_ACCESS failed (%s): the kernel lacks the BPF series this tool needs",
		     strerror(errno));
		goto out;
	}
	skel->bss->tool_tgid = getpid();
	skel->links.probe_file = bpf_program__attach(skel->progs.probe_file);
	if (!skel->links.probe_file) {
		msg("attaching probe_file failed: %s", strerror(errno));
		goto out;
	}
	if (!resumed || opt.hash_max_set)
		__atomic_store_n(&skel->data->hash_max, opt.hash_max, __ATOMIC_SEQ_CST);
	if (!resumed || opt.max_args_set) {
		cap.value = opt.max_args;
		apply_rule(&cap, &r);
	}
	for (i = 0; i < opt.nrules; i++)
		if (apply_rule(&opt.rules[i], &r))
			goto out;
	if (opt.control) {
		ctl = open_control(opt.control);
		if (ctl < 0)
			goto out;
	}
	rb = ring_buffer__new(bpf_map__fd(skel->maps.events), handle_event, NULL, NULL);
	if (!rb) {
		msg("the events ring buffer: %s", strerror(errno));
		goto out;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* A closed output is an error to report, not a silent death. */
	signal(SIGPIPE, SIG_IGN);
	if (!resumed && attach())
		goto out;
	if (start_stats_thread())
		goto out;
	stats_started = true;
	if (resumed)
		msg("took over the programs and rules pinned in %s", opt.pin);
	msg("watching execs (max-args %u, %d rule%s given, statistics every %lu s)%s%s",
	     skel->data->max_args, opt.nrules, opt.nrules == 1 ? "" : "s", opt.interval,
	     opt.pin ? "; rules stay enforced after exit (--pin)" : "; rules end with this process",
	     opt.duration ? "" : "; Ctrl-C stops");

	start = now();
	pfd[0].fd = ring_buffer__epoll_fd(rb);
	pfd[0].events = POLLIN;
	pfd[1].fd = ctl;
	pfd[1].events = POLLIN;
	nfd = ctl >= 0 ? 2 : 1;
	while (!stopping) {
		/* A bounded batch, so that the FIFO and signals get their turn. */
		err = ring_buffer__consume_n(rb, CONSUME_BUDGET);
		if (err < 0) {
			msg("reading the ring buffer: %s", strerror(-err));
			goto out;
		}
		if (ctl >= 0)
			read_control(ctl);
		if (opt.duration && now() - start >= opt.duration)
			break;
		flockfile(stdout);
		if (fflush(stdout) || ferror(stdout)) {
			funlockfile(stdout);
			msg("writing the output failed: %s", strerror(errno));
			goto out;
		}
		funlockfile(stdout);
		if (err < CONSUME_BUDGET &&
		    poll(pfd, nfd, 100) < 0 && errno != EINTR) {
			msg("poll: %s", strerror(errno));
			goto out;
		}
	}
	stop_stats_thread();
	stats_started = false;
	if (stats_err || finish(rb))
		goto out;
	ret = report() ? 0 : 3;
out:
	if (stats_started)
		stop_stats_thread();
	if (!ret && (fflush(stdout) || ferror(stdout))) {
		msg("writing the output failed: %s", strerror(errno));
		ret = 1;
	}
	ring_buffer__free(rb);
	execaudit_bpf__destroy(skel);
	if (ctl >= 0)
		close(ctl);
	return ret;
}
