// SPDX-License-Identifier: GPL-2.0
/* bpfreplay: the source lines and function names of a record file's
 * program, from its line info, func info and BTF (raw, as the kernel keeps
 * it). Everything here comes from a file and is checked before use.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpfreplay.h"

#define BTF_MAGIC_LE	0xeB9F

struct btf_hdr {
	uint16_t magic;
	uint8_t version;
	uint8_t flags;
	uint32_t hdr_len;
	uint32_t type_off;
	uint32_t type_len;
	uint32_t str_off;
	uint32_t str_len;
};

/* the bytes that follow a struct btf_type of @kind with @vlen members */
static long btf_extra(unsigned int kind, unsigned int vlen)
{
	switch (kind) {
	case 1: case 14: case 17:	/* INT, VAR, DECL_TAG */
		return 4;
	case 2: case 7: case 8: case 9: case 10: case 11: case 12: case 16: case 18:
		return 0;		/* PTR, FWD, modifiers, FUNC, FLOAT, TYPE_TAG */
	case 3:				/* ARRAY */
		return 12;
	case 4: case 5: case 15: case 19: /* STRUCT, UNION, DATASEC, ENUM64 */
		return 12L * vlen;
	case 6: case 13:		/* ENUM, FUNC_PROTO */
		return 8L * vlen;
	}
	return -1;
}

/* Check the program's line info, func info and BTF; index the types.
 * NULL if they are sound, else what is wrong.
 */
const char *rr_btf_init(struct rr_prog *p)
{
	const struct btf_hdr *h = (const void *)p->btf;
	const uint8_t *t, *end;
	uint32_t i, n = 0, cap = 0, *offs = NULL;

	for (i = 0; i < p->nr_linfo; i++)
		if (p->linfo[i].insn_off >= p->nr_insns ||
		    (i && p->linfo[i].insn_off <= p->linfo[i - 1].insn_off))
			return "line info out of order or past the instructions";
	for (i = 0; i < p->nr_finfo; i++)
		if (p->finfo[i].insn_off >= p->nr_insns ||
		    (i && p->finfo[i].insn_off <= p->finfo[i - 1].insn_off))
			return "func info out of order or past the instructions";
	if (!p->btf_len)
		return NULL;
	if (p->btf_len < sizeof(*h) || h->magic != BTF_MAGIC_LE || h->hdr_len < sizeof(*h) ||
	    (uint64_t)h->hdr_len + h->str_off + h->str_len > p->btf_len ||
	    (uint64_t)h->hdr_len + h->type_off + h->type_len > p->btf_len)
		return "bad BTF header";
	p->strs = (const char *)p->btf + h->hdr_len + h->str_off;
	p->str_len = h->str_len;
	if (!p->str_len || p->strs[p->str_len - 1])
		return "BTF strings do not end in a NUL";
	t = p->btf + h->hdr_len + h->type_off;
	end = t + h->type_len;
	/* type ids start at 1 */
	while (t < end) {
		uint32_t info;
		long extra;

		if (end - t < 12) {
			free(offs);
			return "a BTF type runs past the types";
		}
		memcpy(&info, t + 4, 4);
		extra = btf_extra((info >> 24) & 0x1f, info & 0xffff);
		if (extra < 0 || end - t - 12 < extra) {
			free(offs);
			return "a BTF type of unknown kind or past the types";
		}
		if (n == cap) {
			uint32_t *o = realloc(offs, (cap = cap ? cap * 2 : 256) * sizeof(*o));

			if (!o) {
				free(offs);
				return "out of memory";
			}
			offs = o;
		}
		offs[n++] = t - p->btf;
		t += 12 + extra;
	}
	p->type_offs = offs;
	p->nr_types = n;
	return NULL;
}

static const char *btf_str(const struct rr_prog *p, uint32_t off)
{
	return p->strs && off < p->str_len ? p->strs + off : NULL;
}

/* the name of the function that @pc is in, or NULL */
static const char *func_name(const struct rr_prog *p, uint32_t pc)
{
	const struct bpf_func_info *f = NULL;
	uint32_t i, name_off;

	for (i = 0; i < p->nr_finfo && p->finfo[i].insn_off <= pc; i++)
		f = &p->finfo[i];
	if (!f || !f->type_id || f->type_id > p->nr_types)
		return NULL;
	memcpy(&name_off, p->btf + p->type_offs[f->type_id - 1], 4);
	return btf_str(p, name_off);
}

/* The number of arguments of the program's main function, from its
 * FUNC_PROTO; -1 if the file's func info and BTF do not say
 */
int rr_main_nargs(const struct rr_prog *p)
{
	uint32_t info, proto, id = p->nr_finfo ? p->finfo[0].type_id : 0;
	const uint8_t *t;

	if (!p->nr_finfo || p->finfo[0].insn_off || !id || id > p->nr_types)
		return -1;
	t = p->btf + p->type_offs[id - 1];
	memcpy(&info, t + 4, 4);
	memcpy(&proto, t + 8, 4);
	if (((info >> 24) & 0x1f) != 12 || !proto || proto > p->nr_types)
		return -1;			/* not a FUNC */
	t = p->btf + p->type_offs[proto - 1];
	memcpy(&info, t + 4, 4);
	if (((info >> 24) & 0x1f) != 13)	/* not a FUNC_PROTO */
		return -1;
	return info & 0xffff;
}

/* the line info that @pc is under, or NULL */
const struct bpf_line_info *rr_line(const struct rr_prog *p, uint32_t pc)
{
	const struct bpf_line_info *l = NULL;
	uint32_t i;

	for (i = 0; i < p->nr_linfo && p->linfo[i].insn_off <= pc; i++)
		l = &p->linfo[i];
	return l;
}

/* "FILE:LINE:COL in FUNC(): SOURCE" for @pc, as much of it as the file
 * has; "" without line info
 */
const char *rr_src(const struct rr_prog *p, uint32_t pc, char *buf, size_t size)
{
	const struct bpf_line_info *l = rr_line(p, pc);
	const char *file, *src, *fn, *slash;
	size_t n = 0;

	buf[0] = 0;
	if (!l || pc >= p->nr_insns)
		return buf;
	file = btf_str(p, l->file_name_off);
	src = btf_str(p, l->line_off);
	fn = func_name(p, pc);
	slash = file ? strrchr(file, '/') : NULL;
	n += snprintf(buf + n, size - n, "%s:%u:%u", file ? (slash ? slash + 1 : file) : "line",
		      BPF_LINE_INFO_LINE_NUM(l->line_col), BPF_LINE_INFO_LINE_COL(l->line_col));
	if (fn && n < size)
		n += snprintf(buf + n, size - n, " in %s()", fn);
	if (src && *src && n < size) {
		while (*src == ' ' || *src == '\t')
			src++;
		snprintf(buf + n, size - n, ": %s", src);
	}
	return buf;
}
