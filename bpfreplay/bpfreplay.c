// SPDX-License-Identifier: GPL-2.0
/* bpfreplay: replay the recorded runs of a BPF program outside the kernel.
 *
 * A record file (Documentation/bpf/record.rst of the series) holds the
 * instructions that the verifier was given and the records of runs. The
 * replayer interprets those instructions itself: every ALU operation,
 * jump, stack load and store is computed; every other load, every helper
 * and kfunc call, every resolved 64-bit immediate is taken from the record,
 * whose items must come in the order the replay reaches them, each tagged
 * with the instruction it belongs to. A record that misses an input, or one
 * whose values disagree with what the replay computes, is a divergence.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>

#include "bpfreplay.h"

#define STACK_WINDOW	(64 * 1024)	/* below the main frame pointer */
#define FRAME_SIZE	512		/* MAX_BPF_STACK */
#define MAX_FRAMES	16
#define MAX_STEPS	(64ULL << 20)
#define BPF_MAX_LOOPS	(8 * 1024 * 1024)

struct frame {
	uint64_t fp;
	uint64_t saved[4];	/* R6-R9 of the caller */
	bool saved_sp[4];
	uint32_t ret_pc;
	uint64_t loops;		/* may_goto budget of this frame */
	/* A callback, invoked by the helper or kfunc call at ret_pc: R0-R5
	 * of the caller as they were at the call, which goes on after it.
	 */
	bool callback;
	uint64_t call_regs[6];
	bool call_init[6], call_sp[6];
	/* this frame's call at the pc it is at ran callbacks */
	bool ran_callbacks;
};

/* the value that a callback's 64-bit immediate load took, and its insn */
struct func {
	uint64_t addr;
	uint32_t pc;
};

#define MAX_FUNCS	64

struct vm {
	const struct rr_prog *prog;	/* the one the run is in */
	const struct rr_prog *first;	/* the one it began in */
	const struct bpf_record_hdr *hdr;
	const uint8_t *item, *end;	/* next item, end of the items */
	uint32_t items_left;
	uint64_t regs[11];
	bool init[11];
	/* Registers that hold a pointer derived from R10, and 8-byte stack
	 * slots that hold one spilled: what the verifier types PTR_TO_STACK.
	 * A load through anything else was recorded and needs its item, even
	 * where it reads the replayed stack.
	 */
	bool sp[11];
	uint8_t *stack_sp;
	struct frame frames[MAX_FRAMES];
	int nframes;
	uint64_t stack_lo;		/* main fp - STACK_WINDOW */
	uint8_t *stack;			/* STACK_WINDOW bytes */
	uint8_t *stack_ok;		/* initialized bytes */
	uint64_t steps;
	struct func funcs[MAX_FUNCS];
	int nfuncs;
	const struct rr_opts *opts;
	char why[512];
	/* the instruction that diverged, and its program */
	uint32_t why_pc;
	const struct rr_prog *why_prog;
};

static int diverge(struct vm *vm, uint32_t pc, const char *fmt, ...)
{
	size_t n;
	va_list ap;

	vm->why_pc = pc;
	vm->why_prog = vm->prog;
	n = snprintf(vm->why, sizeof(vm->why), "insn %u (%s)%s%.16s: ", pc,
		     pc < vm->prog->nr_insns ? rr_insn_str(&vm->prog->insns[pc]) : "?",
		     vm->prog != vm->first ? " of tail-called program " : "",
		     vm->prog != vm->first ? vm->prog->name : "");
	va_start(ap, fmt);
	vsnprintf(vm->why + n, sizeof(vm->why) - n, fmt, ap);
	va_end(ap);
	return -1;
}

static const char *kind_str(unsigned int kind)
{
	static const char *const names[] = {
		[BPF_RECORD_LOAD] = "load", [BPF_RECORD_LDIMM64] = "ldimm64",
		[BPF_RECORD_CALL] = "call", [BPF_RECORD_MEM] = "mem",
		[BPF_RECORD_ATOMIC] = "atomic", [BPF_RECORD_STORE] = "store",
		[BPF_RECORD_FRAME] = "frame", [BPF_RECORD_EXIT] = "exit",
		[BPF_RECORD_CALLBACK] = "callback", [BPF_RECORD_RETURN] = "return",
		[BPF_RECORD_TAIL_CALL] = "tail call",
	};

	return kind < sizeof(names) / sizeof(names[0]) && names[kind] ? names[kind] : "unknown";
}

/* The next item, which must be of @kind for insn @pc */
static const struct bpf_record_item *take(struct vm *vm, uint32_t pc, unsigned int kind,
					  uint32_t min_len, int *err)
{
	const struct bpf_record_item *it = (const void *)vm->item;

	*err = 0;
	if (!vm->items_left) {
		if (vm->hdr->flags & BPF_RECORD_TRUNCATED) {
			*err = 1;	/* the record stops here, by design */
			return NULL;
		}
		*err = diverge(vm, pc, "the replay needs a %s item; the record has no more",
			       kind_str(kind));
		return NULL;
	}
	if (it->kind == BPF_RECORD_EXIT && kind != BPF_RECORD_EXIT &&
	    (vm->hdr->flags & BPF_RECORD_TRUNCATED) && vm->items_left == 1) {
		*err = 1;
		return NULL;
	}
	if (it->kind != kind || (kind != BPF_RECORD_EXIT && it->insn != pc)) {
		*err = diverge(vm, pc, "the replay needs a %s item here; the record has a %s item for insn %u",
			       kind_str(kind), kind_str(it->kind), it->insn);
		return NULL;
	}
	if (it->len < min_len) {
		*err = diverge(vm, pc, "%s item of %u bytes, at least %u expected",
			       kind_str(kind), it->len, min_len);
		return NULL;
	}
	vm->item += sizeof(*it) + ((it->len + 7) & ~7u);
	vm->items_left--;
	return it;
}

/* whether the next item is of @kind for insn @pc */
static bool next_is(struct vm *vm, uint32_t pc, unsigned int kind)
{
	const struct bpf_record_item *it = (const void *)vm->item;

	return vm->items_left && it->kind == kind && it->insn == pc;
}

/* A store (or an atomic's fetch) item must match what the replay computes.
 * Off the stack it is required; on the stack there is one only where the
 * verifier saw the instruction go elsewhere too.
 */
static int check_item(struct vm *vm, uint32_t pc, unsigned int kind, uint64_t addr,
		      uint64_t val, uint32_t size, bool required)
{
	const struct bpf_record_item *it;
	uint64_t rec[2];
	int err;

	if (!required && !next_is(vm, pc, kind))
		return 0;
	it = take(vm, pc, kind, 16, &err);
	if (!it)
		return err;
	memcpy(rec, it + 1, 16);
	if (size < 8)
		rec[1] &= (1ULL << (size * 8)) - 1, val &= (1ULL << (size * 8)) - 1;
	if (rec[0] != addr || rec[1] != val)
		return diverge(vm, pc, "%s of %#" PRIx64 " at %#" PRIx64 " in the replay, of %#" PRIx64 " at %#" PRIx64 " in the record",
			       kind_str(kind), val, addr, rec[1], rec[0]);
	return 0;
}

/* the value of the next item, which must be of @kind for @pc at @addr */
static int take_value(struct vm *vm, uint32_t pc, unsigned int kind, uint64_t addr,
		      uint64_t *val)
{
	const struct bpf_record_item *it;
	uint64_t rec[2];
	int err;

	it = take(vm, pc, kind, 16, &err);
	if (!it)
		return err;
	memcpy(rec, it + 1, 16);
	if (rec[0] != addr)
		return diverge(vm, pc, "%s at %#" PRIx64 " in the replay, at %#" PRIx64 " in the record",
			       kind_str(kind), addr, rec[0]);
	*val = rec[1];
	return 0;
}

static bool in_stack(struct vm *vm, uint64_t addr, uint32_t size)
{
	int i;

	for (i = 0; i < vm->nframes; i++)
		if (addr >= vm->frames[i].fp - FRAME_SIZE && addr + size <= vm->frames[i].fp)
			return true;
	return false;
}

/* whether the run wrote every byte at @addr */
static bool stack_written(struct vm *vm, uint64_t addr, uint32_t size)
{
	uint64_t off = addr - vm->stack_lo;

	if (addr < vm->stack_lo || off + size > STACK_WINDOW)
		return false;
	return !memchr(vm->stack_ok + off, 0, size);
}

static int stack_rw(struct vm *vm, uint32_t pc, uint64_t addr, void *buf, uint32_t size,
		    bool write)
{
	uint64_t off = addr - vm->stack_lo;
	uint32_t i;

	if (addr < vm->stack_lo || off + size > STACK_WINDOW)
		return diverge(vm, pc, "stack access at %#" PRIx64 " outside the replayed stack", addr);
	if (write) {
		memcpy(vm->stack + off, buf, size);
		memset(vm->stack_ok + off, 1, size);
		for (i = off / 8; i <= (off + size - 1) / 8; i++)
			vm->stack_sp[i] = 0;
		return 0;
	}
	for (i = 0; i < size; i++)
		if (!vm->stack_ok[off + i])
			return diverge(vm, pc, "reads stack byte %#" PRIx64 " that the run never wrote (and the record does not hold)",
				       addr + i);
	memcpy(buf, vm->stack + off, size);
	return 0;
}

static uint32_t size_bytes(uint8_t code)
{
	switch (BPF_SIZE(code)) {
	case BPF_B: return 1;
	case BPF_H: return 2;
	case BPF_W: return 4;
	default: return 8;
	}
}

static uint64_t load_ext(const void *p, uint32_t size, bool sx)
{
	switch (size) {
	case 1: return sx ? (uint64_t)(int64_t)*(const int8_t *)p : *(const uint8_t *)p;
	case 2: return sx ? (uint64_t)(int64_t)*(const int16_t *)p : *(const uint16_t *)p;
	case 4: return sx ? (uint64_t)(int64_t)*(const int32_t *)p : *(const uint32_t *)p;
	default: return *(const uint64_t *)p;
	}
}

static int alu(struct vm *vm, uint32_t pc, const struct bpf_insn *in)
{
	bool is64 = BPF_CLASS(in->code) == BPF_ALU64;
	uint8_t op = BPF_OP(in->code);
	uint64_t dst = vm->regs[in->dst_reg], src;
	int64_t sd, ss;
	bool x;

	if (BPF_SRC(in->code) == BPF_X) {
		if (!vm->init[in->src_reg])
			return diverge(vm, pc, "reads r%u, which holds no value", in->src_reg);
		src = vm->regs[in->src_reg];
	} else {
		src = is64 ? (uint64_t)(int64_t)in->imm : (uint32_t)in->imm;
	}
	if (op != BPF_MOV && op != BPF_END && !vm->init[in->dst_reg])
		return diverge(vm, pc, "reads r%u, which holds no value", in->dst_reg);
	if (!is64) {
		dst = (uint32_t)dst;
		src = (uint32_t)src;
	}
	sd = is64 ? (int64_t)dst : (int32_t)dst;
	ss = is64 ? (int64_t)src : (int32_t)src;

	switch (op) {
	case BPF_ADD: dst += src; break;
	case BPF_SUB: dst -= src; break;
	case BPF_MUL: dst *= src; break;
	case BPF_OR: dst |= src; break;
	case BPF_AND: dst &= src; break;
	case BPF_XOR: dst ^= src; break;
	case BPF_LSH: dst <<= src & (is64 ? 63 : 31); break;
	case BPF_RSH: dst >>= src & (is64 ? 63 : 31); break;
	case BPF_ARSH:
		dst = is64 ? (uint64_t)(sd >> (src & 63)) : (uint32_t)((int32_t)dst >> (src & 31));
		break;
	case BPF_NEG: dst = -dst; break;
	case BPF_DIV:
		if (in->off == 1)	/* sdiv: x / 0 = 0, INT_MIN / -1 = INT_MIN */
			dst = !ss ? 0 : ss == -1 ? (uint64_t)-sd : (uint64_t)(sd / ss);
		else
			dst = src ? dst / src : 0;
		break;
	case BPF_MOD:
		if (in->off == 1)	/* smod: x % 0 = x, x % -1 = 0 */
			dst = !ss ? dst : ss == -1 ? 0 : (uint64_t)(sd % ss);
		else
			dst = src ? dst % src : dst;
		break;
	case BPF_MOV:
		if (in->off == BPF_ADDR_SPACE_CAST && in->imm)
			return diverge(vm, pc, "arena address space casts are not replayed");
		if (BPF_SRC(in->code) == BPF_X && in->off)	/* movsx */
			src = in->off == 8 ? (uint64_t)(int64_t)(int8_t)src :
			      in->off == 16 ? (uint64_t)(int64_t)(int16_t)src :
			      (uint64_t)(int64_t)(int32_t)src;
		dst = src;
		break;
	case BPF_END:
		if (!vm->init[in->dst_reg])
			return diverge(vm, pc, "reads r%u, which holds no value", in->dst_reg);
		dst = vm->regs[in->dst_reg];
		if (BPF_SRC(in->code) == BPF_TO_BE || BPF_CLASS(in->code) == BPF_ALU64) {
			/* the machine is little-endian: to_be and bswap swap */
			switch (in->imm) {
			case 16: dst = __builtin_bswap16(dst); break;
			case 32: dst = __builtin_bswap32(dst); break;
			default: dst = __builtin_bswap64(dst); break;
			}
		} else {
			dst = in->imm == 16 ? (uint16_t)dst : in->imm == 32 ? (uint32_t)dst : dst;
		}
		vm->regs[in->dst_reg] = dst;
		vm->sp[in->dst_reg] = false;
		return 0;
	default:
		return diverge(vm, pc, "unknown ALU operation %#x", op);
	}
	vm->regs[in->dst_reg] = is64 ? dst : (uint32_t)dst;
	vm->init[in->dst_reg] = true;
	/* pointer arithmetic keeps a stack pointer one */
	x = BPF_SRC(in->code) == BPF_X && vm->sp[in->src_reg];
	if (!is64)
		vm->sp[in->dst_reg] = false;
	else if (op == BPF_MOV)
		vm->sp[in->dst_reg] = x && !in->off;
	else if (op == BPF_ADD)
		vm->sp[in->dst_reg] = vm->sp[in->dst_reg] || x;
	else if (op == BPF_SUB)
		vm->sp[in->dst_reg] = vm->sp[in->dst_reg] && !x;
	else
		vm->sp[in->dst_reg] = false;
	return 0;
}

static int jump_taken(struct vm *vm, uint32_t pc, const struct bpf_insn *in, bool *taken)
{
	bool is64 = BPF_CLASS(in->code) == BPF_JMP;
	uint64_t a = vm->regs[in->dst_reg], b;

	if (!vm->init[in->dst_reg])
		return diverge(vm, pc, "compares r%u, which holds no value", in->dst_reg);
	if (BPF_SRC(in->code) == BPF_X) {
		if (!vm->init[in->src_reg])
			return diverge(vm, pc, "compares r%u, which holds no value", in->src_reg);
		b = vm->regs[in->src_reg];
	} else {
		b = (uint64_t)(int64_t)in->imm;
	}
	if (!is64) {
		a = (uint32_t)a;
		b = (uint32_t)b;
	}
#define S(x) (is64 ? (int64_t)(x) : (int64_t)(int32_t)(x))
	switch (BPF_OP(in->code)) {
	case BPF_JEQ: *taken = a == b; break;
	case BPF_JNE: *taken = a != b; break;
	case BPF_JGT: *taken = a > b; break;
	case BPF_JGE: *taken = a >= b; break;
	case BPF_JLT: *taken = a < b; break;
	case BPF_JLE: *taken = a <= b; break;
	case BPF_JSET: *taken = a & b; break;
	case BPF_JSGT: *taken = S(a) > S(b); break;
	case BPF_JSGE: *taken = S(a) >= S(b); break;
	case BPF_JSLT: *taken = S(a) < S(b); break;
	case BPF_JSLE: *taken = S(a) <= S(b); break;
	default:
		return diverge(vm, pc, "unknown jump %#x", BPF_OP(in->code));
	}
#undef S
	return 0;
}

static int enter_frame(struct vm *vm, uint32_t pc);
static void forget_frame(struct vm *vm, uint64_t fp);

/* A callback that the call at @pc invokes, as the record's next item says:
 * its first insn must be where an argument of the call points, the
 * address of a function the replay loaded. Its frame keeps R0-R5 of the
 * call, which the replay takes up again when the callback returns.
 */
static int invoke_callback(struct vm *vm, uint32_t *pc)
{
	const struct bpf_record_item *it = (const void *)vm->item;
	const struct bpf_record_callback *cb;
	struct frame *caller = &vm->frames[vm->nframes - 1], *f;
	uint32_t start = it->insn, call_pc = *pc;
	int err, i, j;

	for (i = 1; i <= 5; i++) {
		if (!vm->init[i])
			continue;
		for (j = 0; j < vm->nfuncs; j++)
			if (vm->funcs[j].addr == vm->regs[i] && vm->funcs[j].pc == start)
				break;
		if (j < vm->nfuncs)
			break;
	}
	if (i > 5)
		return diverge(vm, call_pc, "the record invokes a callback at insn %u, where no argument of the call points",
			       start);
	it = take(vm, start, BPF_RECORD_CALLBACK, sizeof(*cb), &err);
	if (!it)
		return err;
	cb = (const void *)(it + 1);
	if (vm->nframes == MAX_FRAMES)
		return diverge(vm, call_pc, "more than %d frames", MAX_FRAMES);
	f = &vm->frames[vm->nframes];
	memset(f, 0, sizeof(*f));
	memcpy(f->saved, &vm->regs[6], sizeof(f->saved));
	memcpy(f->saved_sp, &vm->sp[6], sizeof(f->saved_sp));
	memcpy(f->call_regs, vm->regs, sizeof(f->call_regs));
	memcpy(f->call_init, vm->init, sizeof(f->call_init));
	memcpy(f->call_sp, vm->sp, sizeof(f->call_sp));
	f->ret_pc = call_pc;
	f->callback = true;
	caller->ran_callbacks = true;
	/* a pointer that the call was given to the stack stays one */
	for (i = 1; i <= 5; i++) {
		bool sp = false;

		for (j = 1; j <= 5; j++)
			sp |= f->call_sp[j] && f->call_init[j] && f->call_regs[j] == cb->args[i - 1];
		vm->regs[i] = cb->args[i - 1];
		vm->init[i] = true;
		vm->sp[i] = sp;
	}
	vm->init[0] = vm->sp[0] = false;
	if (vm->opts->verbose > 1)
		printf("    %u: callback at %u (%#" PRIx64 ", %#" PRIx64 ")\n", call_pc, start,
		       (uint64_t)cb->args[0], (uint64_t)cb->args[1]);
	*pc = start;
	return enter_frame(vm, start);
}

/* After the call item of a bpf_tail_call(): whether it fell through, or
 * the program that the run went on in, in the frame of the main program,
 * with the context in R1 and nothing else: the replay goes on at its first
 * insn.
 */
static int tail_call(struct vm *vm, uint32_t *pcp, const struct bpf_record_call *c)
{
	const struct bpf_record_tail_call *t;
	const struct bpf_record_item *it;
	const struct rr_prog *to = NULL;
	uint32_t pc = *pcp - 1;
	int err, i;

	it = take(vm, pc, BPF_RECORD_TAIL_CALL, sizeof(*t), &err);
	if (!it)
		return err;
	t = (const void *)(it + 1);
	if (!t->prog_id) {
		if (vm->opts->verbose > 1)
			printf("    %u: tail call to index %" PRIu64 " falls through\n", pc,
			       (uint64_t)c->args[2]);
		vm->init[0] = vm->sp[0] = false;
		for (i = 1; i <= 5; i++)
			vm->init[i] = vm->sp[i] = false;
		return 0;
	}
	/* into a program that the recorder could not record: the record
	 * stops at the call, as a truncated one does
	 */
	if (t->flags & BPF_RECORD_TAIL_UNRECORDED) {
		if (!(vm->hdr->flags & BPF_RECORD_TRUNCATED) || vm->items_left > 0)
			return diverge(vm, pc, "the run goes on unrecorded, yet the record goes on");
		return 1;
	}
	if (vm->nframes != 1)
		return diverge(vm, pc, "the record tail calls from a subprogram");
	for (i = 0; i < vm->opts->nr_progs; i++)
		if (vm->opts->progs[i]->prog_id == t->prog_id &&
		    !memcmp(vm->opts->progs[i]->tag, t->prog_tag, 8))
			to = vm->opts->progs[i];
	if (!to)
		return diverge(vm, pc, "the run tail calls program %u, which no file given holds",
			       t->prog_id);
	if (vm->opts->verbose > 1)
		printf("    %u: tail call to index %" PRIu64 ": program %u (%s)\n", pc,
		       (uint64_t)c->args[2], to->prog_id, to->name);
	vm->prog = to;
	/* a program of its own: the caller's registers, stack and
	 * callback addresses are gone
	 */
	for (i = 0; i <= 9; i++)
		vm->init[i] = vm->sp[i] = false;
	vm->regs[1] = c->args[0];
	vm->init[1] = true;
	forget_frame(vm, vm->frames[0].fp);
	vm->frames[0].loops = BPF_MAX_LOOPS;
	vm->frames[0].ran_callbacks = false;
	vm->nfuncs = 0;
	*pcp = 0;
	return 0;
}

/* A helper or kfunc call: the callbacks it invoked, then its arguments
 * checked, stack bytes and R0 taken
 */
static int call(struct vm *vm, uint32_t *pcp, const struct bpf_insn *in)
{
	const struct bpf_record_item *it;
	const struct bpf_record_call *c;
	struct frame *self = &vm->frames[vm->nframes - 1];
	uint32_t pc = *pcp;
	int err, i, nargs;

	it = (const void *)vm->item;
	if (vm->items_left && it->kind == BPF_RECORD_CALLBACK)
		return invoke_callback(vm, pcp);
	(*pcp)++;
	it = take(vm, pc, BPF_RECORD_CALL, sizeof(*c), &err);
	if (!it)
		return err;
	c = (const void *)(it + 1);
	if (c->func != in->imm ||
	    !!(c->flags & BPF_RECORD_CALL_KFUNC) != (in->src_reg == BPF_PSEUDO_KFUNC_CALL))
		return diverge(vm, pc, "the record calls %s %d", c->flags & BPF_RECORD_CALL_KFUNC ?
			       "kfunc" : "helper", c->func);
	/* bpf_tail_call() takes three: the recorder keeps no R4 and R5 */
	nargs = in->src_reg == 0 && in->imm == BPF_FUNC_tail_call ? 3 : 5;
	for (i = 0; i < nargs; i++) {
		if (vm->init[1 + i] && vm->regs[1 + i] != c->args[i])
			return diverge(vm, pc, "argument r%d is %#" PRIx64 " in the replay, %#" PRIx64 " in the record",
				       1 + i, vm->regs[1 + i], (uint64_t)c->args[i]);
	}
	if (vm->opts->verbose > 1)
		printf("    %u: call %s %d -> %#" PRIx64 "\n", pc,
		       c->flags & BPF_RECORD_CALL_KFUNC ? "kfunc" : "helper", c->func,
		       (uint64_t)c->ret);
	/* what the call left in the stack it was given */
	while (vm->items_left) {
		const struct bpf_record_item *m = (const void *)vm->item;
		uint64_t addr;

		if (m->kind != BPF_RECORD_MEM || m->insn != pc)
			break;
		it = take(vm, pc, BPF_RECORD_MEM, 8, &err);
		if (!it)
			return err;
		addr = *(const uint64_t *)(it + 1);
		for (i = 0; i < (int)it->len - 8; i++) {
			uint8_t byte = ((const uint8_t *)(it + 1))[8 + i];

			/* bytes between frames are the JIT's, not the program's */
			if (!in_stack(vm, addr + i, 1))
				continue;
			/* callbacks wrote what the call's helper does not */
			if (self->ran_callbacks && stack_written(vm, addr + i, 1) &&
			    vm->stack[addr + i - vm->stack_lo] != byte)
				return diverge(vm, pc, "the callbacks left %#x at stack %#" PRIx64 " in the replay, %#x in the record",
					       vm->stack[addr + i - vm->stack_lo], addr + i, byte);
			if (stack_rw(vm, pc, addr + i, &byte, 1, true))
				return -1;
		}
	}
	self->ran_callbacks = false;
	if (in->src_reg == 0 && in->imm == BPF_FUNC_tail_call)
		return tail_call(vm, pcp, c);
	vm->regs[0] = c->ret;
	vm->init[0] = true;
	vm->sp[0] = false;
	for (i = 1; i <= 5; i++)
		vm->init[i] = vm->sp[i] = false;
	return 0;
}

static int mem(struct vm *vm, uint32_t pc, const struct bpf_insn *in)
{
	uint8_t class = BPF_CLASS(in->code), mode = BPF_MODE(in->code);
	uint32_t size = size_bytes(in->code);
	int areg = class == BPF_LDX ? in->src_reg : in->dst_reg;
	uint64_t addr, val, off;
	uint8_t buf[8];
	int err;

	if (!vm->init[areg])
		return diverge(vm, pc, "address register r%d holds no value", areg);
	addr = vm->regs[areg] + in->off;

	if (class == BPF_LDX) {
		bool sx = mode == BPF_MEMSX;

		if (in_stack(vm, addr, size) && vm->sp[areg]) {
			if (stack_rw(vm, pc, addr, buf, size, false))
				return -1;
			val = load_ext(buf, size, sx);
			/* a load the verifier saw go elsewhere too is recorded */
			if (check_item(vm, pc, BPF_RECORD_LOAD, addr, val, size, false))
				return -1;
		} else {
			err = take_value(vm, pc, BPF_RECORD_LOAD, addr, &val);
			if (err)
				return err;
			if (vm->opts->verbose > 1)
				printf("    %u: load %#" PRIx64 " from %#" PRIx64 "\n", pc, val, addr);
			/* through a pointer a call returned, into the stack: the
			 * replayed stack, where the run wrote it, must agree
			 */
			if (in_stack(vm, addr, size) && stack_written(vm, addr, size) &&
			    !stack_rw(vm, pc, addr, buf, size, false) &&
			    load_ext(buf, size, false) != (size < 8 ? val & ((1ULL << size * 8) - 1) : val))
				return diverge(vm, pc, "the record loads %#" PRIx64 " from stack %#" PRIx64 ", the replayed stack holds %#" PRIx64,
					       val, addr, load_ext(buf, size, false));
		}
		vm->regs[in->dst_reg] = val;
		vm->init[in->dst_reg] = true;
		off = addr - vm->stack_lo;
		vm->sp[in->dst_reg] = size == 8 && in_stack(vm, addr, size) && !(off % 8) &&
				      vm->stack_sp[off / 8];
		return 0;
	}

	if (class == BPF_STX && !vm->init[in->src_reg])
		return diverge(vm, pc, "stores r%u, which holds no value", in->src_reg);
	val = class == BPF_ST ? (uint64_t)(int64_t)in->imm : vm->regs[in->src_reg];

	if (mode == BPF_ATOMIC) {
		int32_t op = in->imm;
		bool fetch = op & BPF_FETCH || op == BPF_XCHG || op == BPF_CMPXCHG;
		int freg = op == BPF_CMPXCHG ? 0 : in->src_reg;
		uint64_t old = 0, new;

		if (!in_stack(vm, addr, size)) {
			if (!fetch)
				return 0;
			err = take_value(vm, pc, BPF_RECORD_ATOMIC, addr, &vm->regs[freg]);
			if (err)
				return err;
			vm->init[freg] = true;
			vm->sp[freg] = false;
			return 0;
		}
		if (stack_rw(vm, pc, addr, buf, size, false))
			return -1;
		old = load_ext(buf, size, false);
		switch (op & ~BPF_FETCH) {
		case BPF_ADD: new = old + val; break;
		case BPF_AND: new = old & val; break;
		case BPF_OR: new = old | val; break;
		case BPF_XOR: new = old ^ val; break;
		case BPF_XCHG & ~BPF_FETCH: new = val; break;
		case BPF_CMPXCHG & ~BPF_FETCH:
			new = (size == 4 ? (uint32_t)vm->regs[0] : vm->regs[0]) == old ? val : old;
			break;
		default:
			return diverge(vm, pc, "unknown atomic operation %#x", op);
		}
		memcpy(buf, &new, size);
		if (stack_rw(vm, pc, addr, buf, size, true))
			return -1;
		if (fetch) {
			if (check_item(vm, pc, BPF_RECORD_ATOMIC, addr, old, size, false))
				return -1;
			vm->regs[freg] = old;
			vm->init[freg] = true;
			vm->sp[freg] = false;
		}
		return 0;
	}

	if (in_stack(vm, addr, size)) {
		memcpy(buf, &val, size);
		if (check_item(vm, pc, BPF_RECORD_STORE, addr, val, size, false))
			return -1;
		if (stack_rw(vm, pc, addr, buf, size, true))
			return -1;
		/* a spilled stack pointer */
		off = addr - vm->stack_lo;
		if (class == BPF_STX && size == 8 && !(off % 8))
			vm->stack_sp[off / 8] = vm->sp[in->src_reg];
		return 0;
	}
	if (!(vm->hdr->flags & BPF_RECORD_HAS_STORES))
		return 0;
	return check_item(vm, pc, BPF_RECORD_STORE, addr, val, size, true);
}

/* A frame that starts holds nothing yet, and one that ended nothing more:
 * the kernel's own frames may come to lie where it was.
 */
static void forget_frame(struct vm *vm, uint64_t fp)
{
	uint64_t lo = fp - FRAME_SIZE - vm->stack_lo;

	memset(vm->stack_ok + lo, 0, FRAME_SIZE);
	memset(vm->stack_sp + lo / 8, 0, FRAME_SIZE / 8);
}

static int enter_frame(struct vm *vm, uint32_t pc)
{
	const struct bpf_record_item *it;
	int err;

	it = take(vm, pc, BPF_RECORD_FRAME, 8, &err);
	if (!it)
		return err;
	if (vm->nframes == MAX_FRAMES)
		return diverge(vm, pc, "more than %d frames", MAX_FRAMES);
	vm->frames[vm->nframes].fp = *(const uint64_t *)(it + 1);
	if (vm->frames[vm->nframes].fp < vm->stack_lo + FRAME_SIZE ||
	    vm->frames[vm->nframes].fp >= vm->frames[vm->nframes - 1].fp)
		return diverge(vm, pc, "frame pointer %#" PRIx64 " is not below the caller's",
			       vm->frames[vm->nframes].fp);
	vm->regs[10] = vm->frames[vm->nframes].fp;
	vm->frames[vm->nframes].loops = BPF_MAX_LOOPS;
	vm->frames[vm->nframes].ran_callbacks = false;
	forget_frame(vm, vm->frames[vm->nframes].fp);
	vm->nframes++;
	return 0;
}

/* The window of one run, 136 KiB: a calloc() and free() of it per run,
 * which the allocator handed back to the kernel each time, cost more than
 * most runs. Runs are replayed one at a time.
 */
static uint8_t run_stack[STACK_WINDOW], run_stack_ok[STACK_WINDOW];
static uint8_t run_stack_sp[STACK_WINDOW / 8];

/* Replay one run; 0 when it replays, 1 when it replays up to its truncation */
int rr_replay(const struct rr_prog *prog, const struct bpf_record_hdr *hdr,
	      const struct rr_opts *opts, struct rr_result *res)
{
	struct vm vm = { .prog = prog, .first = prog, .hdr = hdr, .opts = opts };
	const struct bpf_line_info *line = NULL;
	const struct bpf_record_item *it;
	uint32_t pc = 0;
	int err = 0, i, nargs;

	vm.item = (const uint8_t *)(hdr + 1);
	vm.end = (const uint8_t *)hdr + hdr->len;
	vm.items_left = hdr->nr_items;
	vm.stack = memset(run_stack, 0, sizeof(run_stack));
	vm.stack_ok = memset(run_stack_ok, 0, sizeof(run_stack_ok));
	vm.stack_sp = memset(run_stack_sp, 0, sizeof(run_stack_sp));
	vm.stack_lo = hdr->fp - STACK_WINDOW;
	vm.frames[0].fp = hdr->fp;
	vm.nframes = 1;
	vm.frames[0].loops = BPF_MAX_LOOPS;
	for (i = 0; i < 5; i++)
		vm.regs[1 + i] = hdr->regs[i];
	/* The context; a timer or bpf_wq callback's map, key and value; an
	 * extension's arguments, those of the function it replaces (all five
	 * registers where the file has no BTF to count them: the header holds
	 * each as it was at entry)
	 */
	nargs = 1;
	if (hdr->flags & BPF_RECORD_ASYNC) {
		nargs = 3;
	} else if (prog->prog_type == BPF_PROG_TYPE_EXT) {
		nargs = rr_main_nargs(prog);
		if (nargs < 0 || nargs > 5)
			nargs = 5;
	}
	for (i = 1; i <= nargs; i++)
		vm.init[i] = true;
	vm.regs[10] = hdr->fp;
	vm.init[10] = true;
	vm.sp[10] = true;
	pc = hdr->start_insn;

	/* items are complete before the first is used */
	{
		const uint8_t *p = vm.item;
		uint32_t n;

		for (n = 0; n < hdr->nr_items; n++) {
			it = (const void *)p;
			if (p + sizeof(*it) > vm.end ||
			    p + sizeof(*it) + ((it->len + 7) & ~7u) > vm.end) {
				snprintf(res->why, sizeof(res->why),
					 "item %u runs past the record's %u bytes", n, hdr->len);
				err = -1;
				goto out;
			}
			p += sizeof(*it) + ((it->len + 7) & ~7u);
		}
	}

	/* A timer or bpf_wq callback's run starts at its first insn, whose
	 * instrumented body records its frame first: the run's.
	 */
	if (!(hdr->flags & BPF_RECORD_ASYNC) && pc) {
		err = diverge(&vm, pc, "the run starts here, and is not an async callback's");
		goto done;
	}
	if (hdr->flags & BPF_RECORD_ASYNC) {
		if (pc >= prog->nr_insns) {
			err = diverge(&vm, pc, "the callback's run starts past the program's %u insns",
				      prog->nr_insns);
			goto done;
		}
		it = take(&vm, pc, BPF_RECORD_FRAME, 8, &err);
		if (!it)
			goto done;
		if (*(const uint64_t *)(it + 1) != hdr->fp) {
			err = diverge(&vm, pc, "the callback's frame is %#" PRIx64 ", the run's %#" PRIx64,
				      *(const uint64_t *)(it + 1), (uint64_t)hdr->fp);
			goto done;
		}
	}

	for (;;) {
		const struct bpf_insn *in;
		uint8_t class;
		bool taken = false;

		if (pc >= vm.prog->nr_insns) {
			err = diverge(&vm, pc, "runs past the program's %u insns", vm.prog->nr_insns);
			break;
		}
		if (++vm.steps > MAX_STEPS) {
			err = diverge(&vm, pc, "more than %llu steps", (unsigned long long)MAX_STEPS);
			break;
		}
		in = &vm.prog->insns[pc];
		class = BPF_CLASS(in->code);
		if (opts->verbose > 2) {
			const struct bpf_line_info *l = rr_line(vm.prog, pc);
			char src[512];

			/* the source line, as bpftool prints it, where it changes */
			if (l && l != line) {
				rr_src(vm.prog, pc, src, sizeof(src));
				printf("  ; %s\n", src);
			}
			line = l;
			printf("  %5u: %-40s r0=%#" PRIx64 " r1=%#" PRIx64 " r2=%#" PRIx64 "\n", pc,
			       rr_insn_str(in), vm.regs[0], vm.regs[1], vm.regs[2]);
		}

		switch (class) {
		case BPF_ALU:
		case BPF_ALU64:
			err = alu(&vm, pc, in);
			pc++;
			break;
		case BPF_LD:
			if (in->code != (BPF_LD | BPF_IMM | BPF_DW)) {
				err = diverge(&vm, pc, "LD_ABS and LD_IND are not recordable");
				break;
			}
			if (pc + 1 >= vm.prog->nr_insns) {
				err = diverge(&vm, pc, "truncated 64-bit immediate");
				break;
			}
			if (!in->src_reg) {
				vm.regs[in->dst_reg] = (uint32_t)in->imm |
						       (uint64_t)(uint32_t)in[1].imm << 32;
			} else {
				it = take(&vm, pc, BPF_RECORD_LDIMM64, 8, &err);
				if (!it)
					break;
				vm.regs[in->dst_reg] = *(const uint64_t *)(it + 1);
				/* a callback's address, for the calls given it */
				if (in->src_reg == BPF_PSEUDO_FUNC && vm.nfuncs < MAX_FUNCS) {
					vm.funcs[vm.nfuncs].addr = vm.regs[in->dst_reg];
					vm.funcs[vm.nfuncs++].pc = pc + 1 + in->imm;
				}
			}
			vm.init[in->dst_reg] = true;
			vm.sp[in->dst_reg] = false;
			pc += 2;
			break;
		case BPF_LDX:
		case BPF_ST:
		case BPF_STX:
			err = mem(&vm, pc, in);
			pc++;
			break;
		case BPF_JMP:
		case BPF_JMP32:
			switch (BPF_OP(in->code)) {
			case BPF_JA:
				pc += 1 + (class == BPF_JMP32 ? in->imm : in->off);
				break;
			case BPF_JCOND: {	/* may_goto */
				uint64_t *loops = &vm.frames[vm.nframes - 1].loops;

				if (!*loops)
					pc += 1 + in->off;
				else
					--*loops, pc++;
				break;
			}
			case BPF_CALL:
				if (in->src_reg == BPF_PSEUDO_CALL) {
					struct frame *f = &vm.frames[vm.nframes];

					memset(f, 0, sizeof(*f));
					memcpy(f->saved, &vm.regs[6], sizeof(f->saved));
					memcpy(f->saved_sp, &vm.sp[6], sizeof(f->saved_sp));
					f->ret_pc = pc + 1;
					pc += 1 + in->imm;
					err = enter_frame(&vm, pc);
				} else {
					err = call(&vm, &pc, in);
				}
				break;
			case BPF_EXIT:
				if (!vm.init[0]) {
					err = diverge(&vm, pc, "exits with r0 holding no value");
					break;
				}
				if (vm.nframes > 1) {
					struct frame *f = &vm.frames[vm.nframes - 1];

					/* what the helper got back from a callback */
					if (f->callback) {
						it = take(&vm, pc, BPF_RECORD_RETURN, 8, &err);
						if (!it)
							break;
						if (*(const uint64_t *)(it + 1) != vm.regs[0]) {
							err = diverge(&vm, pc, "the callback returns %#" PRIx64 " in the replay, %#" PRIx64 " in the record",
								      vm.regs[0], *(const uint64_t *)(it + 1));
							break;
						}
					}
					vm.nframes--;
					forget_frame(&vm, f->fp);
					memcpy(&vm.regs[6], f->saved, sizeof(f->saved));
					memcpy(&vm.sp[6], f->saved_sp, sizeof(f->saved_sp));
					vm.regs[10] = vm.frames[vm.nframes - 1].fp;
					if (f->callback) {
						/* back to the call, for its next callback or its item */
						memcpy(vm.regs, f->call_regs, sizeof(f->call_regs));
						memcpy(vm.init, f->call_init, sizeof(f->call_init));
						memcpy(vm.sp, f->call_sp, sizeof(f->call_sp));
					} else {
						vm.sp[0] = false;
						for (i = 1; i <= 5; i++)
							vm.init[i] = vm.sp[i] = false;
					}
					pc = f->ret_pc;
					break;
				}
				it = take(&vm, pc, BPF_RECORD_EXIT, 8, &err);
				if (!it)
					break;
				if (*(const uint64_t *)(it + 1) != vm.regs[0]) {
					err = diverge(&vm, pc, "returns %#" PRIx64 " in the replay, %#" PRIx64 " in the record",
						      vm.regs[0], *(const uint64_t *)(it + 1));
					break;
				}
				if (vm.items_left) {
					err = diverge(&vm, pc, "exits with %u items of the record left",
						      vm.items_left);
					break;
				}
				res->ret = vm.regs[0];
				goto done;
			default:
				if (jump_taken(&vm, pc, in, &taken))
					err = -1;
				else
					pc += 1 + (taken ? in->off : 0);
				break;
			}
			break;
		default:
			err = diverge(&vm, pc, "unknown instruction class %#x", class);
		}
		if (err)
			break;
	}
done:
	res->steps = vm.steps;
	res->pc = pc;
	res->prog = vm.prog;
	if (err < 0) {
		snprintf(res->why, sizeof(res->why), "%s", vm.why);
		res->pc = vm.why_pc;
		res->prog = vm.why_prog;
	}
out:
	return err;
}
