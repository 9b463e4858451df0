// SPDX-License-Identifier: GPL-2.0
/*
 * The statistics thread: every interval it points the programs at the
 * other per-uid map, waits with bpf_map_sync_access() until no program
 * can still write the old one, and drains it, so that a slow grace period
 * never stalls the reading of the ring buffer.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "tool.h"

static pthread_t stats_thread;
static pthread_mutex_t stats_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t stats_cond;
static bool stats_stop;
int stats_err;
/* The lost counters at the previous interval line. */
static struct ea_lost lost_prev;

/* The overflow bucket of an inner map: the key its uids beyond go to. */
static int overflow_key(int fd)
{
	struct ea_stat zero = {};
	__u32 key = EA_UID_OVERFLOW;

	if (bpf_map_update_elem(fd, &key, &zero, BPF_NOEXIST) && errno != EEXIST) {
		msg("the statistics' overflow bucket: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* At start, in both maps (a map of a pinned run may have it already). */
int stats_overflow_keys(void)
{
	if (overflow_key(bpf_map__fd(skel->maps.stats0)) ||
	    overflow_key(bpf_map__fd(skel->maps.stats1)))
		return -1;
	lost_now(&lost_prev);
	return 0;
}

/*
 * Read and empty one statistics map that no program can still write;
 * print its lines and the records dropped in it.
 */
int drain_stats(int fd, bool interval)
{
	struct ea_stat s, sum = {};
	struct ea_lost now, delta;
	char by_uid[512] = "";
	unsigned int omitted = 0;
	size_t used = 0;
	__u32 uid;

	while (!bpf_map_get_next_key(fd, NULL, &uid)) {
		if (bpf_map_lookup_elem(fd, &uid, &s) || bpf_map_delete_elem(fd, &uid)) {
			msg("draining the statistics: %s", strerror(errno));
			return -1;
		}
		/* An overflow bucket with nothing in it says nothing. */
		if (uid == EA_UID_OVERFLOW && !s.execs && !s.failed && !s.denied && !s.dropped)
			continue;
		sum.execs += s.execs;
		sum.bytes += s.bytes;
		sum.failed += s.failed;
		sum.denied += s.denied;
		sum.header_only += s.header_only;
		sum.dropped += s.dropped;
		if (s.dropped && used < sizeof(by_uid) - 64 && uid == EA_UID_OVERFLOW)
			used += snprintf(by_uid + used, sizeof(by_uid) - used,
					 opt.json ? "%s\"overflow\":%llu" : "%suid overflow: %llu",
					 used ? (opt.json ? "," : ", ") : "",
					 (unsigned long long)s.dropped);
		else if (s.dropped && used < sizeof(by_uid) - 64)
			used += snprintf(by_uid + used, sizeof(by_uid) - used,
					 opt.json ? "%s\"%u\":%llu" : "%suid %u: %llu",
					 used ? (opt.json ? "," : ", ") : "", uid,
					 (unsigned long long)s.dropped);
		else if (s.dropped)
			omitted++;	/* in the stats records above, not listed here */
		print_stat(uid, &s);
	}
	totals.stats.execs += sum.execs;
	totals.stats.bytes += sum.bytes;
	totals.stats.failed += sum.failed;
	totals.stats.denied += sum.denied;
	totals.stats.header_only += sum.header_only;
	totals.stats.dropped += sum.dropped;
	/* Emptied: the bucket goes back for the next turn of this map. */
	if (overflow_key(fd))
		return -1;
	/* The drop delta: every interval, dropped or not. */
	if (interval) {
		lost_now(&now);
		lost_sub(&delta, &now, &lost_prev);
		lost_prev = now;
		print_drops(&sum, by_uid, omitted, &delta);
	}
	return 0;
}

int sync_map(int fd)
{
	if (bpf_map_sync_access(fd, NULL)) {
		msg("bpf_map_sync_access: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* Point the programs at the other buffer, wait for the old one, drain it. */
int swap_stats(void)
{
	__u32 old = bss->stats_index & 1;
	int fd = bpf_map__fd(old ? skel->maps.stats1 : skel->maps.stats0);

	__atomic_store_n(&bss->stats_index, !old, __ATOMIC_SEQ_CST);
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
		output_report();
		pthread_mutex_lock(&stats_lock);
	}
	pthread_mutex_unlock(&stats_lock);
	return NULL;
}

int start_stats_thread(void)
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

void stop_stats_thread(void)
{
	pthread_mutex_lock(&stats_lock);
	stats_stop = true;
	pthread_cond_signal(&stats_cond);
	pthread_mutex_unlock(&stats_lock);
	pthread_join(stats_thread, NULL);
}

