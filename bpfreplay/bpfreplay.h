/* SPDX-License-Identifier: GPL-2.0 */
#ifndef BPFREPLAY_H
#define BPFREPLAY_H

#include <stdint.h>
#include <linux/bpf.h>

/* The program of a record file: the instructions the verifier was given */
struct rr_prog {
	uint32_t prog_id;
	uint32_t prog_type;
	uint8_t tag[8];
	char name[16];
	uint32_t nr_insns;
	struct bpf_insn *insns;
};

struct rr_opts {
	int verbose;
	/* the programs that a run may tail call into, by id and tag */
	const struct rr_prog *const *progs;
	int nr_progs;
};

struct rr_result {
	uint64_t ret;
	uint64_t steps;
	uint32_t pc;
	char why[600];
};

int rr_replay(const struct rr_prog *prog, const struct bpf_record_hdr *hdr,
	      const struct rr_opts *opts, struct rr_result *res);
const char *rr_insn_str(const struct bpf_insn *in);



/* A record file: this header, nr_insns instructions, then the records of
 * runs as the ring buffer gave them, each bpf_record_hdr.len bytes; then,
 * optionally, further programs in the same form, which the runs may tail
 * call into (with records of their own, or none).
 */
#define RR_FILE_MAGIC	"BPFREC\0\1"

struct rr_file_hdr {
	char magic[8];
	uint32_t hdr_len;	/* sizeof(struct rr_file_hdr) */
	uint32_t prog_id;
	uint32_t prog_type;
	uint32_t nr_insns;
	uint8_t tag[8];
	char name[16];
};
#endif
