// SPDX-License-Identifier: GPL-2.0
/* bpfreplay: commands and record files (see bpfreplay.1) */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bpfreplay.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: bpfreplay check [-v] [-t] [-n N] FILE...  -t: time the replay, -n: N times\n"
		"       bpfreplay replay [-v] [-r SEQ] FILE...   trace each instruction\n"
		"       bpfreplay show FILE...                   print the records' items\n"
		"The programs of all FILEs are those that runs may tail call into.\n");
}

/* A program of a record file, and its records */
struct rr_file {
	const char *path;
	struct rr_file_hdr hdr;
	struct rr_prog prog;
	uint8_t *data;		/* the records */
	size_t len;
};

static struct rr_file *files;
static int nr_files;

/* where the records of the program at @buf end: at the next program's
 * header, or at the end of the file
 */
static size_t records_len(const uint8_t *buf, size_t size)
{
	size_t off = 0;

	while (size - off >= 8 && memcmp(buf + off, RR_FILE_MAGIC, 8)) {
		const struct bpf_record_hdr *h = (const void *)(buf + off);

		/* next_rec() reports what is wrong with a bad record */
		if (size - off < sizeof(*h) || h->len < sizeof(*h) || h->len % 8 ||
		    h->len > size - off)
			return size;
		off += h->len;
	}
	return off < size && size - off < 8 ? size : off;
}

static int load(const char *path)
{
	FILE *fp = fopen(path, "rb");
	size_t cap = 1 << 20, n;
	uint8_t *buf = NULL;
	size_t size = 0, off = 0;
	const uint8_t *p;
	const char *bad;
	struct rr_file *f;
	uint64_t part;

	if (!fp) {
		fprintf(stderr, "bpfreplay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	buf = malloc(cap);
	while (buf && (n = fread(buf + size, 1, cap - size, fp)) > 0) {
		size += n;
		if (size == cap)
			buf = realloc(buf, cap *= 2);
	}
	fclose(fp);
	if (!buf) {
		fprintf(stderr, "bpfreplay: out of memory\n");
		return -1;
	}
	if (size < 8 || memcmp(buf, RR_FILE_MAGIC, RR_FILE_MAGIC_LEN)) {
		fprintf(stderr, "bpfreplay: %s: not a record file\n", path);
		return -1;
	}
	if (memcmp(buf, RR_FILE_MAGIC, 8)) {
		fprintf(stderr, "bpfreplay: %s: record file version %u; this bpfreplay reads version %u\n",
			path, buf[6] << 8 | buf[7], RR_FILE_MAGIC[6] << 8 | RR_FILE_MAGIC[7]);
		return -1;
	}
	/* each program, its instructions and its records */
	while (off < size) {
		files = realloc(files, (nr_files + 1) * sizeof(*files));
		if (!files) {
			fprintf(stderr, "bpfreplay: out of memory\n");
			return -1;
		}
		f = &files[nr_files++];
		memset(f, 0, sizeof(*f));
		f->path = path;
		if (size - off < sizeof(f->hdr)) {
			fprintf(stderr, "bpfreplay: %s: truncated program at byte %zu\n", path, off);
			return -1;
		}
		memcpy(&f->hdr, buf + off, sizeof(f->hdr));
		/* the program's part: header, insns, line and func info, BTF */
		part = (uint64_t)f->hdr.hdr_len + (uint64_t)f->hdr.nr_insns * 8 +
		       (uint64_t)f->hdr.nr_line_info * sizeof(struct bpf_line_info) +
		       (uint64_t)f->hdr.nr_func_info * sizeof(struct bpf_func_info) +
		       (((uint64_t)f->hdr.btf_len + 7) & ~7ULL);
		if (f->hdr.hdr_len < sizeof(f->hdr) || f->hdr.hdr_len % 8 || part > size - off) {
			fprintf(stderr, "bpfreplay: %s: truncated program at byte %zu\n", path, off);
			return -1;
		}
		f->prog.prog_id = f->hdr.prog_id;
		f->prog.prog_type = f->hdr.prog_type;
		memcpy(f->prog.tag, f->hdr.tag, 8);
		memcpy(f->prog.name, f->hdr.name, 16);
		f->prog.name[15] = 0;
		f->prog.nr_insns = f->hdr.nr_insns;
		p = buf + off + f->hdr.hdr_len;
		f->prog.insns = (struct bpf_insn *)p;
		p += (size_t)f->hdr.nr_insns * 8;
		f->prog.linfo = (const void *)p;
		f->prog.nr_linfo = f->hdr.nr_line_info;
		p += (size_t)f->hdr.nr_line_info * sizeof(struct bpf_line_info);
		f->prog.finfo = (const void *)p;
		f->prog.nr_finfo = f->hdr.nr_func_info;
		p += (size_t)f->hdr.nr_func_info * sizeof(struct bpf_func_info);
		f->prog.btf = p;
		f->prog.btf_len = f->hdr.btf_len;
		bad = rr_btf_init(&f->prog);
		if (bad) {
			fprintf(stderr, "bpfreplay: %s: program %u at byte %zu: %s\n", path,
				f->hdr.prog_id, off, bad);
			return -1;
		}
		off += part;
		f->data = buf + off;
		f->len = records_len(buf + off, size - off);
		off += f->len;
	}
	return 0;
}

/* the next record, or NULL at the end; *bad on a malformed one */
static const struct bpf_record_hdr *next_rec(const struct rr_file *f, size_t *off,
					     const char **bad)
{
	const struct bpf_record_hdr *h;

	*bad = NULL;
	if (*off == f->len)
		return NULL;
	h = (const void *)(f->data + *off);
	if (f->len - *off < sizeof(*h))
		*bad = "a record header runs past the end of the file";
	else if (h->magic != BPF_RECORD_MAGIC || h->version != BPF_RECORD_VERSION)
		*bad = "bad record magic or version";
	else if (h->len < sizeof(*h) || h->len % 8 || h->len > f->len - *off)
		*bad = "bad record length";
	else if (h->prog_id != f->hdr.prog_id || memcmp(h->prog_tag, f->hdr.tag, 8))
		*bad = "a record of another program";
	if (*bad)
		return NULL;
	*off += h->len;
	return h;
}

static void show(const struct rr_file *f, const struct bpf_record_hdr *h)
{
	const uint8_t *p = (const void *)(h + 1);
	uint32_t i;

	printf("run %" PRIu64 ": cpu %u pid %u tid %u time %" PRIu64 " items %u len %u%s",
	       (uint64_t)h->seq, h->cpu, h->pid, h->tid, (uint64_t)h->time_ns, h->nr_items,
	       h->len, h->flags & BPF_RECORD_TRUNCATED ? " truncated" : "");
	if (h->flags & BPF_RECORD_ASYNC)
		printf(" async callback at %u", h->start_insn);
	printf("\n");
	for (i = 0; i < h->nr_items; i++) {
		const struct bpf_record_item *it = (const void *)p;
		const uint64_t *d = (const void *)(it + 1);

		printf("  %5d %-8u len %-4u", it->insn == UINT32_MAX ? -1 : (int)it->insn,
		       it->kind, it->len);
		if (it->len >= 16)
			printf(" %#" PRIx64 " %#" PRIx64, d[0], d[1]);
		else if (it->len >= 8)
			printf(" %#" PRIx64, d[0]);
		printf("\n");
		p += sizeof(*it) + ((it->len + 7) & ~7u);
	}
	(void)f;
}

struct totals {
	unsigned long runs, truncated;
	uint64_t steps;
};

/* show, replay or check the runs of one program of a file */
static int replay_file(struct rr_file *f, const char *cmd, const struct rr_opts *opts,
		       long long only, struct totals *t)
{
	const struct bpf_record_hdr *h;
	const char *bad;
	size_t off = 0;
	char src[512];

	while ((h = next_rec(f, &off, &bad))) {
		struct rr_result res = {};
		int err;

		if (only >= 0 && h->seq != (uint64_t)only)
			continue;
		if (!strcmp(cmd, "show")) {
			show(f, h);
			continue;
		}
		if (opts->verbose)
			printf("run %" PRIu64 " (cpu %u, %u items)\n", (uint64_t)h->seq, h->cpu,
			       h->nr_items);
		err = rr_replay(&f->prog, h, opts, &res);
		if (err < 0) {
			printf("bpfreplay: %s: run %" PRIu64 " diverges at %s\n", f->path,
			       (uint64_t)h->seq, res.why);
			if (res.prog && *rr_src(res.prog, res.pc, src, sizeof(src)))
				printf("  at %s\n", src);
			return 1;
		}
		t->runs++;
		t->truncated += err == 1;
		t->steps += res.steps;
		if (opts->verbose)
			printf("run %" PRIu64 ": %s after %" PRIu64 " steps, r0 = %#" PRIx64 "\n",
			       (uint64_t)h->seq, err ? "replays up to its truncation" : "replays",
			       res.steps, res.ret);
	}
	if (bad) {
		printf("bpfreplay: %s: at byte %zu of the records of program %u: %s\n",
		       f->path, off, f->prog.prog_id, bad);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct rr_opts opts = {};
	long long only = -1, times = 1, rep;
	int timed = 0;
	struct timespec t0, t1;
	double secs;
	struct totals t = {};
	const struct rr_prog **progs;
	const char *cmd;
	int c, i;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	cmd = argv[1];
	optind = 2;
	while ((c = getopt(argc, argv, "vr:tn:h")) != -1) {
		switch (c) {
		case 'v':
			opts.verbose++;
			break;
		case 'r':
			only = strtoll(optarg, NULL, 0);
			break;
		case 't':
			timed = 1;
			break;
		case 'n':
			times = strtoll(optarg, NULL, 0);
			if (times < 1) {
				usage(stderr);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc ||
	    (strcmp(cmd, "check") && strcmp(cmd, "replay") && strcmp(cmd, "show"))) {
		usage(stderr);
		return 2;
	}
	if ((timed || times > 1) && strcmp(cmd, "check")) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(cmd, "replay"))
		opts.verbose += 3;
	for (i = optind; i < argc; i++)
		if (load(argv[i]))
			return 2;
	progs = calloc(nr_files, sizeof(*progs));
	if (!progs)
		return 2;
	for (i = 0; i < nr_files; i++)
		progs[i] = &files[i].prog;
	opts.progs = progs;
	opts.nr_progs = nr_files;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (rep = 0; rep < times; rep++)
		for (i = 0; i < nr_files; i++)
			if (replay_file(&files[i], cmd, &opts, only, &t))
				return 1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (strcmp(cmd, "show"))
		printf("%s: program %u (%s): %lu runs replayed (%lu truncated), %" PRIu64 " instructions\n",
		       argv[optind], files[0].prog.prog_id, files[0].prog.name, t.runs,
		       t.truncated, t.steps);
	if (timed) {
		secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
		printf("%s: %" PRIu64 " instructions in %.3f s: %.0f instructions/s\n",
		       argv[optind], t.steps, secs, secs > 0 ? t.steps / secs : 0);
	}
	return 0;
}
