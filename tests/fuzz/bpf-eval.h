/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef HULL_FUZZ_BPF_EVAL_H
#define HULL_FUZZ_BPF_EVAL_H

/*
 * A classic-BPF interpreter for seccomp programs, for tests: runs a
 * program over a struct seccomp_data as the kernel would, and combines
 * several filters as the kernel does (every filter runs; the answer of
 * highest precedence wins, the most recently loaded one on a tie).
 * Instructions the kernel refuses in seccomp make the run fail (-1).
 */

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline bool bpf_eval(const struct sock_fprog *prog, const struct seccomp_data *d,
			    uint32_t *ret)
{
	uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = {0};
	unsigned char raw[sizeof(*d)];

	memcpy(raw, d, sizeof(raw));
	for (size_t pc = 0; pc < prog->len; pc++) {
		const struct sock_filter *f = &prog->filter[pc];
		uint32_t src = BPF_SRC(f->code) == BPF_X ? x : f->k;
		size_t skip = 0;

		switch (BPF_CLASS(f->code)) {
		case BPF_LD:
			if (f->code == (BPF_LD | BPF_W | BPF_ABS)) {
				if (f->k % 4 || f->k + 4 > sizeof(raw))
					return false;
				memcpy(&a, raw + f->k, 4);
			} else if (f->code == (BPF_LD | BPF_W | BPF_LEN)) {
				a = sizeof(raw);
			} else if (f->code == (BPF_LD | BPF_IMM)) {
				a = f->k;
			} else if (f->code == (BPF_LD | BPF_MEM) && f->k < BPF_MEMWORDS) {
				a = mem[f->k];
			} else {
				return false;
			}
			break;
		case BPF_LDX:
			if (f->code == (BPF_LDX | BPF_W | BPF_LEN))
				x = sizeof(raw);
			else if (f->code == (BPF_LDX | BPF_IMM))
				x = f->k;
			else if (f->code == (BPF_LDX | BPF_MEM) && f->k < BPF_MEMWORDS)
				x = mem[f->k];
			else
				return false;
			break;
		case BPF_ST:
		case BPF_STX:
			if (f->k >= BPF_MEMWORDS)
				return false;
			mem[f->k] = BPF_CLASS(f->code) == BPF_ST ? a : x;
			break;
		case BPF_ALU:
			switch (BPF_OP(f->code)) {
			case BPF_ADD:
				a += src;
				break;
			case BPF_SUB:
				a -= src;
				break;
			case BPF_MUL:
				a *= src;
				break;
			case BPF_DIV:
				if (!src)
					return false;
				a /= src;
				break;
			case BPF_MOD:
				if (!src)
					return false;
				a %= src;
				break;
			case BPF_AND:
				a &= src;
				break;
			case BPF_OR:
				a |= src;
				break;
			case BPF_XOR:
				a ^= src;
				break;
			case BPF_LSH:
				a = src < 32 ? a << src : 0;
				break;
			case BPF_RSH:
				a = src < 32 ? a >> src : 0;
				break;
			case BPF_NEG:
				a = -a;
				break;
			default:
				return false;
			}
			break;
		case BPF_JMP:
			if (BPF_OP(f->code) == BPF_JA) {
				skip = f->k;
			} else {
				bool t;
				switch (BPF_OP(f->code)) {
				case BPF_JEQ:
					t = a == src;
					break;
				case BPF_JGT:
					t = a > src;
					break;
				case BPF_JGE:
					t = a >= src;
					break;
				case BPF_JSET:
					t = (a & src) != 0;
					break;
				default:
					return false;
				}
				skip = t ? f->jt : f->jf;
			}
			if (pc + skip + 1 >= prog->len)
				return false;
			pc += skip;
			break;
		case BPF_RET:
			*ret = BPF_RVAL(f->code) == BPF_A ? a : f->k;
			return true;
		case BPF_MISC:
			if (BPF_MISCOP(f->code) == BPF_TAX)
				x = a;
			else
				a = x;
			break;
		default:
			return false;
		}
	}
	return false; /* fell off the end: the kernel's checker refuses that */
}

/* The kernel's order: a lower signed action value is more restrictive. */
static inline bool bpf_eval_all(const struct sock_fprog *progs, size_t n,
				const struct seccomp_data *d, uint32_t *ret)
{
	bool have = false;

	/* the last loaded runs first and keeps a tie */
	for (size_t i = n; i-- > 0;) {
		uint32_t r;
		if (!bpf_eval(&progs[i], d, &r))
			return false;
		if (!have || (int32_t)(r & SECCOMP_RET_ACTION_FULL) <
				 (int32_t)(*ret & SECCOMP_RET_ACTION_FULL))
			*ret = r;
		have = true;
	}
	return have;
}

#endif
