/* SPDX-License-Identifier: GPL-2.0 */
#ifndef BPFREPLAY_H
#define BPFREPLAY_H

#include <stddef.h>
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
	/* their line and func info (insn_off: an index into insns), and the
	 * program's raw BTF, which the file may lack
	 */
	const struct bpf_line_info *linfo;
	uint32_t nr_linfo;
	const struct bpf_func_info *finfo;
	uint32_t nr_finfo;
	const uint8_t *btf;
	uint32_t btf_len;
	/* rr_btf_init(): the BTF's strings, and where each type starts */
	const char *strs;
	uint32_t str_len;
	uint32_t *type_offs;
	uint32_t nr_types;
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
	/* where the replay stopped: @pc of @prog (another one after a tail call) */
	const struct rr_prog *prog;
	uint32_t pc;
	char why[600];
};

int rr_replay(const struct rr_prog *prog, const struct bpf_record_hdr *hdr,
	      const struct rr_opts *opts, struct rr_result *res);
const char *rr_insn_str(const struct bpf_insn *in);
const char *rr_btf_init(struct rr_prog *p);
int rr_main_nargs(const struct rr_prog *p);
const struct bpf_line_info *rr_line(const struct rr_prog *p, uint32_t pc);
const char *rr_src(const struct rr_prog *p, uint32_t pc, char *buf, size_t size);



/* A record file: this header, nr_insns instructions, nr_line_info struct
 * bpf_line_info, nr_func_info struct bpf_func_info, btf_len bytes of BTF
 * padded to 8, then the records of runs as the ring buffer gave them, each
 * bpf_record_hdr.len bytes; then, optionally, further programs in the same
 * form, which the runs may tail call into (with records of their own, or
 * none). Documentation/bpf/record.rst in the series.
 */
#define RR_FILE_MAGIC	"BPFREC\0\2"
#define RR_FILE_MAGIC_LEN 6	/* then the version, 2 bytes */

struct rr_file_hdr {
	char magic[8];
	uint32_t hdr_len;	/* sizeof(struct rr_file_hdr) */
	uint32_t prog_id;
	uint32_t prog_type;
	uint32_t nr_insns;
	uint8_t tag[8];
	char name[16];
	uint32_t nr_line_info;
	uint32_t nr_func_info;
	uint32_t btf_len;
	uint32_t btf_id;
};
#endif
