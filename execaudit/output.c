// SPDX-License-Identifier: GPL-2.0
/*
 * What execaudit prints: the records as text or JSON lines, the statistics
 * and drop lines, the totals; and its messages on standard error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "tool.h"

struct totals totals;

/*
 * The output. Each line is made in memory and written with write(2), not
 * through stdio's buffer, so that the tool knows which lines a failed
 * write (a full file system, a closed pipe) lost: they are counted (a line
 * cut by one too), never fatal. The programs go on enforcing whatever
 * happens to the output.
 */
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned long long lines_lost, records_lost, lost_reported;
static int out_errno;

struct line {
	FILE *f;
	char *buf;
	size_t len;
};

static FILE *line_start(struct line *l)
{
	l->buf = NULL;
	l->len = 0;
	l->f = open_memstream(&l->buf, &l->len);
	return l->f;
}

static int write_all(const char *buf, size_t len)
{
	ssize_t n;

	while (len) {
		n = write(STDOUT_FILENO, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? errno : EIO;
		buf += n;
		len -= n;
	}
	return 0;
}

/* Write the line, or count it (a record of the ring buffer or another). */
static void line_done(struct line *l, bool record)
{
	int err = ENOMEM;

	pthread_mutex_lock(&out_lock);
	if (l->f && !fclose(l->f))
		err = write_all(l->buf, l->len);
	if (err) {
		lines_lost++;
		records_lost += record;
		if (!out_errno)
			msg("writing the output failed (%s): execaudit goes on enforcing the rules, and counts the lines it cannot write",
			    strerror(err));
		out_errno = err;
	} else if (out_errno) {
		msg("writing the output works again; %llu lines (%llu records) could not be written",
		    lines_lost, records_lost);
		out_errno = 0;
		lost_reported = lines_lost;
	}
	pthread_mutex_unlock(&out_lock);
	free(l->buf);
}

/* Every interval: what could not be written since the last report. */
void output_report(void)
{
	pthread_mutex_lock(&out_lock);
	if (lines_lost != lost_reported) {
		msg("%llu lines (%llu records) not written so far: %s", lines_lost, records_lost,
		    out_errno ? strerror(out_errno) : "the output works again");
		lost_reported = lines_lost;
	}
	pthread_mutex_unlock(&out_lock);
}

unsigned long long output_lost(void)
{
	unsigned long long n;

	pthread_mutex_lock(&out_lock);
	n = lines_lost;
	pthread_mutex_unlock(&out_lock);
	return n;
}

void msg(const char *fmt, ...)
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
	return type == EA_EXEC ? "exec" : type == EA_DENY ? "deny" :
	       type == EA_EXIT ? "exit" : "exec_failed";
}

/* An id for the exec that no later exec has, pid reuse or not, in a boot. */
static void exec_id(const struct ea_event *e, char *buf, size_t len)
{
	snprintf(buf, len, "%u-%llu", e->pid, (unsigned long long)e->exec_ts);
}

static const char *json_bool(bool b)
{
	return b ? "true" : "false";
}

/* A u32 id that is (__u32)-1 when unset: as a number, or null/unset. */
static void print_id(FILE *f, __u32 id, bool json)
{
	if (id == (__u32)-1)
		fputs(json ? "null" : "unset", f);
	else
		fprintf(f, "%u", id);
}

static void print_json(FILE *f, const struct ea_event *e, const char *args, const char *when)
{
	char id[64];
	bool lossy;
	size_t cut;

	fprintf(f, "{\"version\":%d,\"type\":\"%s\",\"time\":\"%s\",\"boot_ns\":%llu,"
		"\"pid\":%u,\"tid\":%u,\"ppid\":%u,\"parent_start_ns\":%llu,"
		"\"uid\":%u,\"euid\":%u,\"loginuid\":",
		EA_JSON_VERSION, type_name(e->type), when, (unsigned long long)e->ts_boot,
		e->pid, e->tid, e->ppid, (unsigned long long)e->parent_start, e->uid, e->euid);
	print_id(f, e->loginuid, true);
	fprintf(f, ",\"sessionid\":");
	print_id(f, e->sessionid, true);
	fprintf(f, ",\"comm\":");
	lossy = ea_json_string(f, e->comm, strnlen(e->comm, EA_COMM_LEN));
	fprintf(f, ",\"cgroup_id\":%llu,\"pidns\":%u,\"mntns\":%u,\"other_mntns\":%s,\"other_root\":%s",
		(unsigned long long)e->cgroup_id, e->pidns, e->mntns,
		json_bool(e->flags & EA_OTHER_MNTNS), json_bool(e->flags & EA_OTHER_ROOT));
	if (e->type == EA_EXEC || e->type == EA_EXIT) {
		exec_id(e, id, sizeof(id));
		fprintf(f, ",\"exec_id\":\"%s\"", id);
	}
	if (e->type == EA_EXIT) {
		int sig = e->exit_code & 0x7f;

		fprintf(f, ",\"run_ns\":%llu,\"exit_code\":",
			(unsigned long long)(e->ts_boot - e->exec_ts));
		if (sig)
			fprintf(f, "null,\"signal\":\"%s\",\"core_dumped\":%s",
				sigabbrev_np(sig) ?: "?", json_bool(e->exit_code & 0x80));
		else
			fprintf(f, "%d,\"signal\":null,\"core_dumped\":false",
				(e->exit_code >> 8) & 0xff);
		fprintf(f, ",\"lossy\":%s}\n", json_bool(lossy));
		return;
	}
	fprintf(f, ",\"path\":");
	lossy |= ea_json_string(f, e->path, strnlen(e->path, EA_PATH_LEN));
	fprintf(f, ",\"path_cut\":%s", json_bool(e->flags & EA_PATH_CUT));
	if (e->type != EA_EXEC_FAILED)
		fprintf(f, ",\"dev\":\"%u:%u\",\"ino\":%llu", e->file.dev >> 20,
			e->file.dev & 0xfffff, (unsigned long long)e->file.ino);
	if (e->type != EA_EXEC)
		fprintf(f, ",\"errno\":%d,\"error\":\"%s\"", e->err, errno_name(e->err));
	if (e->type == EA_DENY) {
		fprintf(f, ",\"hook\":\"%s\",\"reason\":\"%s\"", hook_name(e->hook),
			reason_name(e->reason));
		if (e->flags & EA_HASHED) {
			char hex[2 * EA_HASH_LEN + 1];

			ea_hash_str(e->hash, hex);
			fprintf(f, ",\"sha256\":\"%s\"", hex);
		}
	}
	if (e->type == EA_EXEC || e->hook == EA_HOOK_EXEC)
		fprintf(f, ",\"argc\":%u", e->argc);
	if (e->type == EA_EXEC) {
		fprintf(f, ",\"args_bytes\":%u,\"truncated\":%s,\"header_only\":%s,\"fault\":%s,\"argv\":",
			e->args_len, json_bool(e->flags & EA_TRUNCATED),
			json_bool(e->flags & EA_HEADER_ONLY), json_bool(e->flags & EA_FAULT));
		lossy |= ea_print_argv_max(f, args, e->args_len, true,
					   ea_argv_bound(args, e->args_len), &cut);
		fprintf(f, ",\"argv_cut\":%zu", cut);
	}
	fprintf(f, ",\"lossy\":%s}\n", json_bool(lossy));
}

static void print_text(FILE *f, const struct ea_event *e, const char *args, const char *when)
{
	static const char *const word[] = {
		[EA_EXEC] = "exec", [EA_DENY] = "deny", [EA_EXEC_FAILED] = "fail",
		[EA_EXIT] = "exit",
	};
	char id[64];
	size_t cut;

	fprintf(f, "%s pid %u tid %u ppid %u uid %u euid %u auid ",
		e->type <= EA_EXIT ? word[e->type] : "?", e->pid, e->tid, e->ppid, e->uid,
		e->euid);
	print_id(f, e->loginuid, false);
	fprintf(f, " ses ");
	print_id(f, e->sessionid, false);
	fprintf(f, " comm ");
	ea_print_word(f, e->comm, strnlen(e->comm, EA_COMM_LEN));
	fprintf(f, " cgroup %llu pidns %u mntns %u%s%s at %s ", (unsigned long long)e->cgroup_id,
		e->pidns, e->mntns, e->flags & EA_OTHER_MNTNS ? " other-mntns" : "",
		e->flags & EA_OTHER_ROOT ? " other-root" : "", when);
	if (e->type == EA_EXEC || e->type == EA_EXIT) {
		exec_id(e, id, sizeof(id));
		fprintf(f, "id %s ", id);
	}
	if (e->type == EA_EXIT) {
		int sig = e->exit_code & 0x7f;
		__u64 run = e->ts_boot - e->exec_ts;

		if (sig)
			fprintf(f, "killed by %s%s", sigabbrev_np(sig) ? "SIG" : "signal ",
				sigabbrev_np(sig) ?: "?");
		else
			fprintf(f, "exited %d", (e->exit_code >> 8) & 0xff);
		fprintf(f, "%s after %llu.%06llu s\n", e->exit_code & 0x80 ? " (core dumped)" : "",
			(unsigned long long)(run / 1000000000), (unsigned long long)(run % 1000000000 / 1000));
		return;
	}
	if (e->type == EA_EXEC)
		fprintf(f, "dev %u:%u ino %llu ", e->file.dev >> 20, e->file.dev & 0xfffff,
			(unsigned long long)e->file.ino);
	/* A failed exec's name is cut at its end; another path, at its start. */
	if (e->flags & EA_PATH_CUT && e->type != EA_EXEC_FAILED)
		fprintf(f, ".../");
	ea_print_word(f, e->path, strnlen(e->path, EA_PATH_LEN));
	if (e->type == EA_EXEC_FAILED) {
		fprintf(f, "%s: failed (%s)\n", e->flags & EA_PATH_CUT ? "..." : "",
			errno_name(e->err));
		return;
	}
	if (e->type == EA_DENY) {
		fprintf(f, ": refused (%s) at %s, %s%s", errno_name(e->err), hook_name(e->hook),
			e->reason == EA_REASON_UNDECIDED ? "hash unknown" : reason_name(e->reason),
			e->reason == EA_REASON_UNDECIDED ? "" : " rule");
		fprintf(f, " (dev %u:%u ino %llu", e->file.dev >> 20, e->file.dev & 0xfffff,
			(unsigned long long)e->file.ino);
		if (e->flags & EA_HASHED) {
			char hex[2 * EA_HASH_LEN + 1];

			ea_hash_str(e->hash, hex);
			fprintf(f, " sha256 %s", hex);
		}
		fprintf(f, ")\n");
		return;
	}
	fprintf(f, " [%u args, %u bytes%s%s%s]: ", e->argc, e->args_len,
		e->flags & EA_TRUNCATED ? ", truncated" : "",
		e->flags & EA_HEADER_ONLY ? ", header only" : "",
		e->flags & EA_FAULT ? ", unreadable" : "");
	ea_print_argv_max(f, args, e->args_len, false, ea_argv_bound(args, e->args_len), &cut);
	/* A word with '[' is quoted: no argv prints this. */
	if (cut)
		fprintf(f, " [cut: %zu bytes not shown]", cut);
	fputc('\n', f);
}

int handle_event(void *ctx, void *data, size_t size)
{
	const struct ea_event *e = data;
	struct line l;
	char when[64];
	FILE *f;

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
	case EA_EXIT:
		totals.exit_events++;
		break;
	default:
		totals.fail_events++;
	}
	wall_time(e->ts_boot, when, sizeof(when));
	f = line_start(&l);
	if (f) {
		if (opt.json)
			print_json(f, e, (const char *)(e + 1), when);
		else
			print_text(f, e, (const char *)(e + 1), when);
	}
	line_done(&l, true);
	return 0;
}

/* One uid's statistics of a drain (or the uids beyond the map's). */
void print_stat(__u32 uid, const struct ea_stat *s)
{
	struct line l;
	FILE *f = line_start(&l);

	if (!f)
		goto out;
	if (opt.json) {
		fprintf(f, "{\"version\":%d,\"type\":\"stats\",\"uid\":", EA_JSON_VERSION);
		if (uid == EA_UID_OVERFLOW)
			fputs("null", f);
		else
			fprintf(f, "%u", uid);
		fprintf(f, ",\"execs\":%llu,\"bytes\":%llu,\"failed\":%llu,\"denied\":%llu,"
			"\"header_only\":%llu,\"dropped\":%llu}\n",
			(unsigned long long)s->execs, (unsigned long long)s->bytes,
			(unsigned long long)s->failed, (unsigned long long)s->denied,
			(unsigned long long)s->header_only, (unsigned long long)s->dropped);
	} else {
		fputs("stats uid ", f);
		if (uid == EA_UID_OVERFLOW)
			fputs("overflow", f);
		else
			fprintf(f, "%u", uid);
		fprintf(f, ": %llu execs, %llu bytes, %llu failed, %llu refused, %llu header-only, %llu dropped\n",
			(unsigned long long)s->execs, (unsigned long long)s->bytes,
			(unsigned long long)s->failed, (unsigned long long)s->denied,
			(unsigned long long)s->header_only, (unsigned long long)s->dropped);
	}
out:
	line_done(&l, false);
}

/* The lost_* counters, as text or as a JSON object's members. */
static void print_lost(FILE *f, const struct ea_lost *d)
{
	if (opt.json)
		fprintf(f, "\"execs\":%llu,\"other\":%llu,\"budget\":%llu,\"exits\":%llu,"
			"\"stats\":%llu,\"inflight\":%llu",
			(unsigned long long)d->execs, (unsigned long long)d->other,
			(unsigned long long)d->budget, (unsigned long long)d->exits,
			(unsigned long long)d->stats, (unsigned long long)d->inflight);
	else
		fprintf(f, "execs %llu, other %llu, budget %llu, exits %llu, stats %llu, inflight %llu",
			(unsigned long long)d->execs, (unsigned long long)d->other,
			(unsigned long long)d->budget, (unsigned long long)d->exits,
			(unsigned long long)d->stats, (unsigned long long)d->inflight);
}

/* The programs' lost counters now (they only grow). */
void lost_now(struct ea_lost *l)
{
	l->execs = __atomic_load_n(&bss->lost.execs, __ATOMIC_RELAXED);
	l->other = __atomic_load_n(&bss->lost.other, __ATOMIC_RELAXED);
	l->budget = __atomic_load_n(&bss->lost.budget, __ATOMIC_RELAXED);
	l->exits = __atomic_load_n(&bss->lost.exits, __ATOMIC_RELAXED);
	l->stats = __atomic_load_n(&bss->lost.stats, __ATOMIC_RELAXED);
	l->inflight = __atomic_load_n(&bss->lost.inflight, __ATOMIC_RELAXED);
}

void lost_sub(struct ea_lost *d, const struct ea_lost *a, const struct ea_lost *b)
{
	d->execs = a->execs - b->execs;
	d->other = a->other - b->other;
	d->budget = a->budget - b->budget;
	d->exits = a->exits - b->exits;
	d->stats = a->stats - b->stats;
	d->inflight = a->inflight - b->inflight;
}

/*
 * The drop delta of an interval (by_uid lists the uids that fit), and
 * the change of every lost counter since the previous interval line.
 */
void print_drops(const struct ea_stat *sum, const char *by_uid, unsigned int omitted,
		 const struct ea_lost *delta)
{
	struct line l;
	FILE *f = line_start(&l);

	if (!f)
		goto out;
	if (opt.json)
		fprintf(f, "{\"version\":%d,\"type\":\"drops\",\"dropped\":%llu,\"total\":%llu,\"uids\":{%s},\"uids_omitted\":%u,\"lost\":{",
			EA_JSON_VERSION, (unsigned long long)sum->dropped,
			(unsigned long long)totals.stats.dropped, by_uid, omitted);
	else
		fprintf(f, "drops: %llu records in the last %lu s (%s%s%.0u%s), %llu in all; lost: ",
			(unsigned long long)sum->dropped, opt.interval,
			by_uid[0] ? by_uid : "none", omitted ? ", and " : "", omitted,
			omitted ? " more uids" : "",
			(unsigned long long)totals.stats.dropped);
	print_lost(f, delta);
	fputs(opt.json ? "}}\n" : "\n", f);
out:
	line_done(&l, false);
}

/*
 * The totals at exit. The lost counters are this run's: with --pin the
 * programs' own add up across takeovers, since they were loaded.
 */
bool report(const struct ea_lost *start)
{
	const struct ea_stat *s = &totals.stats;
	struct ea_lost all, run;
	unsigned long long unwritten = output_lost(), dropped;
	bool match;
	struct line l;
	FILE *f;

	lost_now(&all);
	lost_sub(&run, &all, start);
	dropped = run.execs + run.other + run.budget;
	match = totals.exec_events + run.execs == s->execs &&
		totals.exec_bytes == s->bytes && totals.header_only == s->header_only &&
		totals.deny_events + totals.fail_events + run.other + run.budget ==
		s->denied + s->failed &&
		dropped == s->dropped && !run.stats && !run.inflight;
	/* Pinned programs outlive us: their counts cannot be closed. */
	if (opt.pin)
		match = true;
	f = line_start(&l);
	if (f && opt.json) {
		fprintf(f, "{\"version\":%d,\"type\":\"totals\",\"exec_events\":%llu,\"exec_bytes\":%llu,"
			"\"header_only\":%llu,\"deny_events\":%llu,\"failed_events\":%llu,"
			"\"exit_events\":%llu,\"stats_execs\":%llu,\"stats_bytes\":%llu,"
			"\"stats_header_only\":%llu,\"stats_denied\":%llu,\"stats_failed\":%llu,"
			"\"dropped\":%llu,\"lost_execs\":%llu,\"lost_other\":%llu,\"lost_stats\":%llu,"
			"\"lost\":{",
			EA_JSON_VERSION, totals.exec_events, totals.exec_bytes, totals.header_only,
			totals.deny_events, totals.fail_events, totals.exit_events,
			(unsigned long long)s->execs, (unsigned long long)s->bytes,
			(unsigned long long)s->header_only, (unsigned long long)s->denied,
			(unsigned long long)s->failed, (unsigned long long)s->dropped,
			(unsigned long long)run.execs, (unsigned long long)run.other,
			(unsigned long long)run.stats);
		print_lost(f, &run);
		fputs("},\"lost_since_load\":{", f);
		print_lost(f, &all);
		fprintf(f, "},\"unwritten\":%llu,\"match\":%s}\n", unwritten, json_bool(match));
	} else if (f) {
		fprintf(f, "totals: ring buffer %llu exec events (%llu argv bytes, %llu header-only), %llu refused, %llu failed, %llu dropped, %llu exits; drained statistics %llu execs (%llu argv bytes, %llu header-only), %llu refused, %llu failed, %llu dropped; lost: ",
			totals.exec_events, totals.exec_bytes, totals.header_only,
			totals.deny_events, totals.fail_events, dropped, totals.exit_events,
			(unsigned long long)s->execs, (unsigned long long)s->bytes,
			(unsigned long long)s->header_only, (unsigned long long)s->denied,
			(unsigned long long)s->failed, (unsigned long long)s->dropped);
		print_lost(f, &run);
		if (opt.pin) {
			fputs(" (since the pinned programs were loaded, across takeovers: ", f);
			print_lost(f, &all);
			fputc(')', f);
		}
		fprintf(f, "; %llu lines not written: %s\n", unwritten,
			opt.pin ? "not compared (--pin)" : match ? "match" : "MISMATCH");
	}
	line_done(&l, false);
	if (dropped)
		msg("%llu records dropped (%llu execs; %llu refusals and failed execs over their uid's budget): the ring buffer was full; every exec is still counted in the statistics",
		    dropped, (unsigned long long)run.execs, (unsigned long long)run.budget);
	if (run.stats)
		msg("%llu statistics updates lost", (unsigned long long)run.stats);
	if (run.inflight)
		msg("%llu execs not watched for failure: no memory for their state",
		    (unsigned long long)run.inflight);
	if (run.exits)
		msg("%llu exit records lost", (unsigned long long)run.exits);
	if (!match)
		msg("the ring buffer and the statistics disagree");
	unwritten = output_lost();
	if (unwritten)
		msg("%llu lines (%llu records) could not be written to the output", unwritten,
		    records_lost);
	if (opt.pin)
		msg("the programs pinned in %s go on enforcing the rules: rm -r %s ends them",
		    opt.pin, opt.pin);
	return match && !dropped && !run.stats && !run.inflight && !run.exits;
}
