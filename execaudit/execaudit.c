// SPDX-License-Identifier: GPL-2.0
/*
 * execaudit: audit every exec with its full argv, refuse denied files at
 * exec and when mapped executable, and count execs per uid. See
 * execaudit.8; tool.h says which file does what.
 *
 * Two threads: the main one reads the ring buffer (a bounded batch at a
 * time) and serves the control FIFO and the signals; the statistics
 * thread flips the statistics buffers, waits with bpf_map_sync_access()
 * and drains, so that a slow grace period never stalls event reading.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <linux/magic.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "tool.h"

/* Ring-buffer records handled before the FIFO and signals are looked at. */
#define CONSUME_BUDGET 64

struct execaudit_bpf *skel;
volatile sig_atomic_t stopping;
/* The programs' lost counters when this run started (--pin: not 0). */
static struct ea_lost lost_start;

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
		__atomic_store_n(&bss->stopped, 1, __ATOMIC_SEQ_CST);
		detach();
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

/* A kernel dev_t (major << 20 | minor) from a user-space one. */
static __u32 kernel_dev(dev_t dev)
{
	return major(dev) << 20 | minor(dev);
}

/*
 * Who the tool is, for probe_file: its tgid in its own pid namespace,
 * named by that namespace's device and inode (the tool may run in one);
 * and where pid 1 is, for the records' other-mntns and other-root.
 */
static int set_identities(void)
{
	struct stat ns, mnt, root;

	if (stat("/proc/self/ns/pid", &ns) || stat("/proc/1/ns/mnt", &mnt) ||
	    stat("/proc/1/root/", &root)) {
		msg("/proc/self/ns/pid, /proc/1/ns/mnt, /proc/1/root: %s (is /proc mounted?)",
		    strerror(errno));
		return -1;
	}
	bss->tool_pidns_dev = kernel_dev(ns.st_dev);
	bss->tool_pidns_ino = ns.st_ino;
	bss->tool_tgid = getpid();
	bss->init_mntns = mnt.st_ino;
	bss->init_root.dev = kernel_dev(root.st_dev);
	bss->init_root.ino = root.st_ino;
	return 0;
}

/* Whether path is on cgroup2 (errno ENOTDIR when not). */
static int statfs_cgroup2(const char *path)
{
	struct statfs fs;

	if (statfs(path, &fs))
		return -1;
	if (fs.f_type != CGROUP2_SUPER_MAGIC) {
		errno = ENOTDIR;
		return -1;
	}
	return 0;
}

/*
 * The cgroup v2 at path: its id (the directory's inode number) and its
 * level (the directories between it and the hierarchy's root, whose
 * parent is on another file system, or is itself).
 */
static int cgroup_id_level(const char *path, __u64 *id, __u32 *level)
{
	char up[PATH_MAX];
	struct stat st, parent;
	size_t len;

	if (statfs_cgroup2(path) || stat(path, &st))
		return -1;
	*id = st.st_ino;
	*level = 0;
	snprintf(up, sizeof(up), "%s", path);
	for (;;) {
		len = strlen(up);
		if (len + 4 >= sizeof(up)) {
			errno = ENAMETOOLONG;
			return -1;
		}
		strcpy(up + len, "/..");
		if (stat(up, &parent))
			return -1;
		if (parent.st_dev != st.st_dev || parent.st_ino == st.st_ino)
			return 0;
		(*level)++;
		st = parent;
	}
}

/* --uid and --cgroup, in the programs (each run says its own). */
static int set_filters(void)
{
	__u64 id;
	__u32 level;

	bss->filter_uid = opt.uid;
	bss->filter_uid_on = opt.uid_set;
	bss->filter_cgroup_on = 0;
	if (!opt.cgroup)
		return 0;
	if (cgroup_id_level(opt.cgroup, &id, &level)) {
		msg("--cgroup %s: %s (a directory of the cgroup v2 hierarchy, such as /sys/fs/cgroup/system.slice)",
		    opt.cgroup, strerror(errno));
		return -1;
	}
	bss->filter_cgroup_id = id;
	bss->filter_cgroup_level = level;
	bss->filter_cgroup_on = 1;
	return 0;
}

/* Open and load the BPF object (taking over a --pin directory's). */
static int load(void)
{
	skel = execaudit_bpf__open();
	if (!skel) {
		msg("opening the BPF object failed: %s", strerror(errno));
		return -1;
	}
	if (opt.pin && setup_pins())
		return -1;
	bpf_map__set_max_entries(skel->maps.events, opt.ring_size);
	if (execaudit_bpf__load(skel)) {
		msg("loading the BPF programs failed: %s (libbpf's messages above say where)",
		    strerror(errno));
		return -1;
	}
	if (map_globals())
		return -1;
	/* The series' command; a kernel without it answers EINVAL. */
	if (bpf_map_sync_access(bpf_map__fd(skel->maps.stats0), NULL)) {
		msg("BPF_SYNC_MAP_ACCESS failed (%s): the kernel lacks the BPF series this tool needs",
		     strerror(errno));
		return -1;
	}
	if (set_identities() || set_filters())
		return -1;
	skel->links.probe_file = bpf_program__attach(skel->progs.probe_file);
	if (!skel->links.probe_file) {
		msg("attaching probe_file failed: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* The settings and rules of the command line (a pinned run keeps its own). */
static int apply_options(void)
{
	struct ea_rule cap = { .op = EA_RULE_MAX_ARGS };
	struct reply r = {};
	int i;

	if (stats_overflow_keys())
		return -1;
	if (!resumed || opt.hash_max_set)
		__atomic_store_n(&data->hash_max, opt.hash_max, __ATOMIC_SEQ_CST);
	if (!resumed || opt.max_args_set) {
		cap.value = opt.max_args;
		apply_rule(&cap, &r);
	}
	for (i = 0; i < opt.nrules; i++)
		if (apply_rule(&opt.rules[i], &r))
			return -1;
	return 0;
}

/* Read the ring buffer and serve the FIFO until told to stop; 0 or -1. */
static int watch(struct ring_buffer *rb, int ctl)
{
	struct pollfd pfd[2] = {
		{ .fd = ring_buffer__epoll_fd(rb), .events = POLLIN },
		{ .fd = ctl, .events = POLLIN },
	};
	int n, nfd = ctl >= 0 ? 2 : 1;
	double start = now();

	while (!stopping) {
		/* A bounded batch, so that the FIFO and signals get their turn. */
		n = ring_buffer__consume_n(rb, CONSUME_BUDGET);
		if (n < 0) {
			msg("reading the ring buffer: %s", strerror(-n));
			return -1;
		}
		if (ctl >= 0)
			read_control(ctl);
		if (opt.duration && now() - start >= opt.duration)
			break;
		if (n < CONSUME_BUDGET && poll(pfd, nfd, 100) < 0 && errno != EINTR) {
			msg("poll: %s", strerror(errno));
			return -1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct ring_buffer *rb = NULL;
	bool stats_started = false;
	int ctl = -1, ret = 1;

	if (argc > 1 && !strcmp(argv[1], "ctl"))
		return ctl_main(argc, argv);
	if (parse_args(argc, argv))
		return 2;
	libbpf_set_print(libbpf_print);
	if (opt.list)
		return list_pinned();
	if (preflight())
		return 1;
	if (load() || apply_options())
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
	/* A closed output is counted, not a silent death (output.c). */
	signal(SIGPIPE, SIG_IGN);
	lost_now(&lost_start);
	if (!resumed && attach())
		goto out;
	if (start_stats_thread())
		goto out;
	stats_started = true;
	if (resumed)
		msg("took over the programs and rules pinned in %s", opt.pin);
	msg("watching execs (max-args %u, %d rule%s given, statistics every %lu s)%s%s",
	     data->max_args, opt.nrules, opt.nrules == 1 ? "" : "s", opt.interval,
	     opt.pin ? "; rules stay enforced after exit (--pin)" : "; rules end with this process",
	     opt.duration ? "" : "; Ctrl-C stops");

	if (watch(rb, ctl))
		goto out;
	stop_stats_thread();
	stats_started = false;
	if (stats_err || finish(rb))
		goto out;
	ret = report(&lost_start) ? 0 : 3;
out:
	if (stats_started)
		stop_stats_thread();
	/* Lines not written fail the run, once it was asked to stop. */
	if (!ret && output_lost())
		ret = 1;
	ring_buffer__free(rb);
	detach();
	resolve_close();
	execaudit_bpf__destroy(skel);
	if (ctl >= 0)
		close(ctl);
	return ret;
}
