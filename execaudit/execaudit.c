// SPDX-License-Identifier: GPL-2.0
/*
 * execaudit: audit every exec with its full argv, refuse denied
 * executables, and count execs per uid. See execaudit.8.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "rules.h"
#include "execaudit.skel.h"

#define LSM_FILE "/sys/kernel/security/lsm"

static const char usage_text[] =
"Usage: execaudit [OPTION]...\n"
"Audit every exec on this machine with its full argv, refuse the exec of\n"
"denied executables with EPERM, and count execs per uid.\n"
"\n"
"  --deny PATH        refuse exec of the executable PATH (absolute; repeatable)\n"
"  --max-args BYTES   capture at most BYTES of argv per exec (K, M suffixes;\n"
"                     default 64K, at most 1M); longer ones are truncated\n"
"  --interval SECS    swap, sync and drain the per-uid statistics every SECS\n"
"                     seconds (1 to 3600, default 1)\n"
"  --duration SECS    stop after SECS seconds (1 to 31536000; default: run\n"
"                     until SIGINT/SIGTERM); SECS may end in 's'\n"
"  --control FIFO     read rules at run time from FIFO (made if missing), one\n"
"                     per line: deny PATH | allow PATH | max-args BYTES\n"
"  --json             one JSON object per line instead of text\n"
"  --verbose          also show libbpf's info and debug messages (its warnings,\n"
"                     the verifier log among them, always show)\n"
"  --help             this text\n"
"\n"
"At exit it prints the exec events seen on the ring buffer and the execs\n"
"counted in the drained statistics; it exits with 3 when they differ or\n"
"events were lost. See execaudit(8).\n"
"Needs root, the bpf LSM (lsm=...,bpf) and a kernel with the BPF series\n"
"(bpf_copy_from_user_dynptr(), BPF_SYNC_MAP_ACCESS).\n";

static struct {
	unsigned long max_args, interval, duration;
	const char *control;
	bool json, verbose;
	struct ea_rule deny[EA_MAX_DENY];
	int ndeny;
} opt = {
	.max_args = EA_ARGS_DEFAULT,
	.interval = 1,
};

static struct {
	unsigned long long exec_events, exec_bytes, deny_events;
	unsigned long long stats_execs, stats_bytes;
} totals;

static struct execaudit_bpf *skel;
static struct user_ring_buffer *urb;
static volatile sig_atomic_t stopping;

static void msg(const char *fmt, ...)
{
	va_list ap;

	fputs("execaudit: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
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

static int parse_args(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "deny", required_argument, NULL, 'd' },
		{ "max-args", required_argument, NULL, 'm' },
		{ "interval", required_argument, NULL, 'i' },
		{ "duration", required_argument, NULL, 't' },
		{ "control", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	int c, err;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (opt.ndeny == EA_MAX_DENY) {
				msg("more than %d --deny rules", EA_MAX_DENY);
				return -1;
			}
			opt.deny[opt.ndeny].op = EA_RULE_DENY;
			err = ea_rule_path(optarg, opt.deny[opt.ndeny].path);
			if (err) {
				msg("--deny %s: %s", optarg, err == -EINVAL ?
				     "give an absolute path" : "path too long");
				return -1;
			}
			opt.ndeny++;
			break;
		case 'm':
			err = ea_parse_bytes(optarg, EA_ARGS_MAX, &opt.max_args);
			if (err) {
				msg("--max-args %s: %s", optarg, err == -ERANGE ?
				     "at most 1M" : "a byte count such as 4096, 64K or 1M");
				return -1;
			}
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
	return 0;
}

/* Say what is missing before libbpf's own errors would. */
static int preflight(void)
{
	char lsms[512] = "", *tok, *save;
	struct utsname u;
	struct btf *btf;
	bool bpf_lsm = false;
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
	{
		char copy[sizeof(lsms)];

		strcpy(copy, lsms);
		for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
			bpf_lsm |= !strcmp(tok, "bpf");
	}
	if (!bpf_lsm) {
		msg("the bpf LSM is not active (active: %s): boot with lsm=%s%sbpf on the kernel command line (the kernel needs CONFIG_BPF_LSM=y)",
		     lsms[0] ? lsms : "none", lsms, lsms[0] ? "," : "");
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

/* Send one rule through the user ring buffer and let the program drain it. */
static int send_rule(const struct ea_rule *rule)
{
	LIBBPF_OPTS(bpf_test_run_opts, run);
	__u64 before = skel->bss->rules_applied;
	struct ea_rule *r;
	char what[EA_PATH_LEN + 32];
	int err;

	ea_rule_str(rule, what, sizeof(what));
	r = user_ring_buffer__reserve(urb, sizeof(*r));
	if (!r) {
		msg("rule '%s': no room in the rules ring buffer: %s", what, strerror(errno));
		return -1;
	}
	memcpy(r, rule, sizeof(*r));
	user_ring_buffer__submit(urb, r);
	err = bpf_prog_test_run_opts(bpf_program__fd(skel->progs.apply_rules), &run);
	if (err || (int)run.retval < 0) {
		msg("rule '%s': running apply_rules failed: %s", what,
		     strerror(err ? errno : -(int)run.retval));
		return -1;
	}
	if (skel->bss->rules_applied != before + 1) {
		msg("rule '%s': the program drained %llu rules, not 1", what,
		     skel->bss->rules_applied - before);
		return -1;
	}
	if (skel->bss->rule_error) {
		int e = -skel->bss->rule_error;

		msg("rule '%s' refused: %s", what, e == ENOENT ? "no such deny rule" :
		     e == E2BIG ? "too many deny rules" : strerror(e));
		return -1;
	}
	return 0;
}

static void print_event(const struct ea_event *e, const char *args)
{
	bool trunc = e->flags & EA_TRUNCATED, fault = e->flags & EA_FAULT;

	if (opt.json) {
		printf("{\"type\":\"%s\",\"pid\":%u,\"ppid\":%u,\"uid\":%u,\"path\":",
		       e->type == EA_EXEC ? "exec" : "deny", e->pid, e->ppid, e->uid);
		ea_json_string(stdout, e->path, strnlen(e->path, EA_PATH_LEN));
		printf(",\"argc\":%u", e->argc);
		if (e->type == EA_DENY) {
			printf(",\"error\":\"EPERM\"}\n");
			return;
		}
		printf(",\"args_bytes\":%u,\"truncated\":%s,\"fault\":%s,\"argv\":",
		       e->args_len, trunc ? "true" : "false", fault ? "true" : "false");
		ea_print_argv(stdout, args, e->args_len, true);
		printf("}\n");
		return;
	}
	printf("%s pid %u ppid %u uid %u ", e->type == EA_EXEC ? "exec" : "deny",
	       e->pid, e->ppid, e->uid);
	ea_print_word(stdout, e->path, strnlen(e->path, EA_PATH_LEN));
	if (e->type == EA_DENY) {
		printf(": refused (EPERM)\n");
		return;
	}
	printf(" [%u args, %u bytes%s%s]: ", e->argc, e->args_len,
	       trunc ? ", truncated" : "", fault ? ", unreadable" : "");
	ea_print_argv(stdout, args, e->args_len, false);
	putchar('\n');
}

static int handle_event(void *ctx, void *data, size_t size)
{
	const struct ea_event *e = data;

	if (size < sizeof(*e) || size != sizeof(*e) + e->args_len) {
		msg("malformed record of %zu bytes", size);
		return 0;
	}
	if (e->type == EA_EXEC) {
		totals.exec_events++;
		totals.exec_bytes += e->args_len;
	} else {
		totals.deny_events++;
	}
	print_event(e, (const char *)(e + 1));
	return 0;
}

/* Read and empty one statistics map that no program can still write. */
static int drain_stats(int fd)
{
	struct ea_stat s;
	__u32 uid;

	while (!bpf_map_get_next_key(fd, NULL, &uid)) {
		if (bpf_map_lookup_elem(fd, &uid, &s) || bpf_map_delete_elem(fd, &uid)) {
			msg("draining the statistics: %s", strerror(errno));
			return -1;
		}
		totals.stats_execs += s.execs;
		totals.stats_bytes += s.bytes;
		if (opt.json)
			printf("{\"type\":\"stats\",\"uid\":%u,\"execs\":%llu,\"bytes\":%llu}\n",
			       uid, (unsigned long long)s.execs, (unsigned long long)s.bytes);
		else
			printf("stats uid %u: %llu execs, %llu bytes\n", uid,
			       (unsigned long long)s.execs, (unsigned long long)s.bytes);
	}
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
	return drain_stats(fd);
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

/* Apply the complete lines that have arrived on the control FIFO. */
static void read_control(int fd)
{
	static char buf[8192];
	static size_t len;
	static bool discard;
	char err[EA_PATH_LEN + 128], what[EA_PATH_LEN + 32], *nl;
	struct ea_rule rule;
	size_t used;
	ssize_t n;

	while ((n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0) {
		len += n;
		while ((nl = memchr(buf, '\n', len))) {
			*nl = '\0';
			used = nl + 1 - buf;
			if (discard) {
				discard = false;
			} else if (strlen(buf) != used - 1) {
				msg("control: line with a NUL byte ignored");
			} else if (ea_parse_control(buf, &rule, err, sizeof(err)) < 0) {
				msg("control: %s", err);
			} else if (rule.op && !send_rule(&rule)) {
				ea_rule_str(&rule, what, sizeof(what));
				msg("rule applied: %s", what);
			}
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

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Stop the programs, wait for runs still going, and take what they left. */
static int finish(struct ring_buffer *rb)
{
	int err = 0;

	/*
	 * A run may still be entering record_exec through the trampoline
	 * as the links go: it sees stopped and leaves the maps alone. Runs
	 * past that check are waited for by the syncs.
	 */
	__atomic_store_n(&skel->bss->stopped, 1, __ATOMIC_SEQ_CST);
	execaudit_bpf__detach(skel);
	err |= sync_map(bpf_map__fd(skel->maps.stats0));
	err |= sync_map(bpf_map__fd(skel->maps.stats1));
	err |= drain_stats(bpf_map__fd(skel->maps.stats0));
	err |= drain_stats(bpf_map__fd(skel->maps.stats1));
	if (ring_buffer__consume(rb) < 0) {
		msg("reading the ring buffer: %s", strerror(errno));
		err = -1;
	}
	return err;
}

static bool report(void)
{
	unsigned long long lost = skel->bss->lost_events, lost_stats = skel->bss->lost_stats;
	bool match = totals.exec_events == totals.stats_execs &&
		     totals.exec_bytes == totals.stats_bytes && !lost_stats;

	if (opt.json)
		printf("{\"type\":\"totals\",\"exec_events\":%llu,\"exec_bytes\":%llu,\"deny_events\":%llu,"
		       "\"stats_execs\":%llu,\"stats_bytes\":%llu,\"lost_events\":%llu,\"lost_stats\":%llu,\"match\":%s}\n",
		       totals.exec_events, totals.exec_bytes, totals.deny_events,
		       totals.stats_execs, totals.stats_bytes, lost, lost_stats,
		       match ? "true" : "false");
	else
		printf("totals: ring buffer %llu exec events (%llu argv bytes), %llu refused; drained statistics %llu execs (%llu argv bytes): %s\n",
		       totals.exec_events, totals.exec_bytes, totals.deny_events,
		       totals.stats_execs, totals.stats_bytes, match ? "match" : "MISMATCH");
	fflush(stdout);
	if (lost)
		msg("%llu events lost: the ring buffer was full", lost);
	if (lost_stats)
		msg("%llu statistics updates lost: more than %d uids", lost_stats, EA_MAX_UIDS);
	if (!match)
		msg("the ring buffer and the statistics disagree");
	return match && !lost;
}

int main(int argc, char **argv)
{
	struct ring_buffer *rb = NULL;
	struct sigaction sa = { .sa_handler = on_signal };
	struct ea_rule cap = { .op = EA_RULE_MAX_ARGS };
	double start, next_swap;
	int err, i, ctl = -1, ret = 1;

	if (parse_args(argc, argv))
		return 2;
	libbpf_set_print(libbpf_print);
	if (preflight())
		return 1;

	skel = execaudit_bpf__open_and_load();
	if (!skel) {
		err = errno;
		msg("loading the BPF programs failed: %s (libbpf's messages above say where)",
		    strerror(err));
		return 1;
	}
	/* The series' command; a kernel without it answers EINVAL. */
	if (bpf_map_sync_access(bpf_map__fd(skel->maps.stats0), NULL)) {
		msg("BPF_SYNC_MAP_ACCESS failed (%s): the kernel lacks the BPF series this tool needs",
		     strerror(errno));
		goto out;
	}
	urb = user_ring_buffer__new(bpf_map__fd(skel->maps.rules), NULL);
	if (!urb) {
		msg("the rules ring buffer: %s", strerror(errno));
		goto out;
	}
	cap.value = opt.max_args;
	if (send_rule(&cap))
		goto out;
	for (i = 0; i < opt.ndeny; i++)
		if (send_rule(&opt.deny[i]))
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
	if (execaudit_bpf__attach(skel)) {
		msg("attaching the LSM programs failed: %s", strerror(errno));
		goto out;
	}
	msg("watching execs (max-args %lu, %d deny rule%s, statistics every %lu s)%s",
	     opt.max_args, opt.ndeny, opt.ndeny == 1 ? "" : "s", opt.interval,
	     opt.duration ? "" : "; Ctrl-C stops");

	start = now();
	next_swap = start + opt.interval;
	while (!stopping) {
		err = ring_buffer__poll(rb, 100);
		if (err < 0 && err != -EINTR) {
			msg("reading the ring buffer: %s", strerror(-err));
			goto out;
		}
		if (ctl >= 0)
			read_control(ctl);
		if (now() >= next_swap) {
			if (swap_stats())
				goto out;
			next_swap += opt.interval;
		}
		if (opt.duration && now() - start >= opt.duration)
			break;
		if (fflush(stdout) || ferror(stdout)) {
			msg("writing the output failed: %s", strerror(errno));
			goto out;
		}
	}
	if (finish(rb))
		goto out;
	ret = report() ? 0 : 3;
out:
	if (!ret && (fflush(stdout) || ferror(stdout))) {
		msg("writing the output failed: %s", strerror(errno));
		ret = 1;
	}
	ring_buffer__free(rb);
	user_ring_buffer__free(urb);
	execaudit_bpf__destroy(skel);
	if (ctl >= 0)
		close(ctl);
	return ret;
}
