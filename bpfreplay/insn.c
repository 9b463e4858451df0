// SPDX-License-Identifier: GPL-2.0
/* A short text for an instruction, for messages */
#include <stdio.h>

#include "bpfreplay.h"

const char *rr_insn_str(const struct bpf_insn *in)
{
	static const char *const cls[] = { "ld", "ldx", "st", "stx", "alu", "jmp", "jmp32", "alu64" };
	static char buf[96];

	snprintf(buf, sizeof(buf), "%s code=%#04x dst=r%u src=r%u off=%d imm=%d",
		 cls[BPF_CLASS(in->code)], in->code, in->dst_reg, in->src_reg, in->off, in->imm);
	return buf;
}
