/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the files of execaudit's user space share. One file per job:
 *   execaudit.c  the flow: start, read the ring buffer, stop
 *   options.c    the command line
 *   preflight.c  what the kernel must have, said before libbpf would
 *   resolve.c    rules: a path to a file identity, applied to the maps
 *   control.c    the control FIFO and 'execaudit ctl'
 *   output.c     records, statistics and totals as text or JSON; messages
 *   stats.c      the statistics thread: flip, sync, drain
 *   pin.c        --pin: pinned maps and links, taking them over
 */
#ifndef EXECAUDIT_TOOL_H
#define EXECAUDIT_TOOL_H

#include <stdbool.h>
#include <stdio.h>
#include <signal.h>
#include "rules.h"
#include "execaudit.skel.h"

/* options.c */
struct options {
	unsigned long max_args, interval, duration, ring_size, hash_max, resolve_timeout;
	bool max_args_set, ring_size_set, hash_max_set;
	const char *control, *pin;
	bool json, verbose, list;
	bool uid_set;
	__u32 uid;			/* --uid */
	const char *cgroup;		/* --cgroup */
	struct ea_rule rules[2 * EA_MAX_DENY];
	int nrules;
};

extern struct options opt;
int parse_args(int argc, char **argv);

/* preflight.c */
int preflight(void);

/*
 * The BPF object, and its global variables as the programs see them: the
 * tool's own shared mappings of .bss and .data (pin.c), which also hold
 * for maps reused from a --pin directory.
 */
extern struct execaudit_bpf *skel;
extern struct execaudit_bpf__bss *bss;
extern struct execaudit_bpf__data *data;
extern volatile sig_atomic_t stopping;

/* control.c: the answers to one command (to the writer's FIFO, if any). */
struct reply {
	FILE *f;
	bool failed;
};

void reply_line(struct reply *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void reply_error(struct reply *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int open_control(const char *path);
void read_control(int fd);
int ctl_main(int argc, char **argv);

/* resolve.c */
int apply_rule(struct ea_rule *rule, struct reply *r);
void resolve_close(void);
void list_rules(int files_fd, int hashes_fd, __u32 max_args, struct reply *r, FILE *out);

/* output.c */
void msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Counts of what was read; the statistics thread writes stats. */
struct totals {
	unsigned long long exec_events, exec_bytes, header_only, deny_events, fail_events;
	unsigned long long exit_events;
	struct ea_stat stats;
};

extern struct totals totals;
int handle_event(void *ctx, void *data, size_t size);
void print_stat(__u32 uid, const struct ea_stat *s);
void print_drops(const struct ea_stat *sum, const char *by_uid, unsigned int omitted,
		 const struct ea_lost *delta);
void lost_now(struct ea_lost *l);
void lost_sub(struct ea_lost *d, const struct ea_lost *a, const struct ea_lost *b);
/* The totals; true when they match and nothing was lost since start. */
bool report(const struct ea_lost *start);
/* Lines that could not be written (and a report of them, every interval). */
unsigned long long output_lost(void);
void output_report(void);

/* stats.c */
int sync_map(int fd);
int drain_stats(int fd, bool interval);
int stats_overflow_keys(void);
int swap_stats(void);
int start_stats_thread(void);
void stop_stats_thread(void);
extern int stats_err;

/* pin.c */
extern bool resumed;
int list_pinned(void);
int setup_pins(void);
int map_globals(void);
int attach(void);
void detach(void);

#endif
