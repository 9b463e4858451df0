// SPDX-License-Identifier: GPL-2.0
/* execaudit's command line: the options into opt, the rules into opt.rules. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include "tool.h"

static const char usage_text[] =
"Usage: execaudit [OPTION]...\n"
"       execaudit ctl FIFO COMMAND [ARG]\n"
"       execaudit --list --pin DIR\n"
"Audit every exec on this machine with its full argv, refuse denied files\n"
"(at exec, and when mapped executable) with EPERM, and count execs per uid.\n"
"\n"
"  --deny PATH         refuse the file at PATH, by its identity (device, inode,\n"
"                      generation): links, renames and bind mounts of it too\n"
"  --deny-hash SHA256  refuse any file with this content (64 hex digits), by\n"
"                      the hash IMA computes: copies too (needs CONFIG_IMA)\n"
"  --hash-max BYTES    with hash rules, refuse (EACCES) files larger than BYTES\n"
"                      rather than hash them (K, M, G suffixes; default 512M)\n"
"  --max-args BYTES    capture at most BYTES of argv per exec (K, M suffixes;\n"
"                      default 64K, at most 1M); longer ones are truncated\n"
"  --ring-size BYTES   ring buffer size (a power of 2, 64K to 1G; default 16M)\n"
"  --interval SECS     swap, sync and drain the per-uid statistics every SECS\n"
"                      seconds (1 to 3600, default 1)\n"
"  --resolve-timeout SECS\n"
"                      give up on resolving a rule's file after SECS seconds\n"
"                      (1 to 3600, default 5): a FUSE server may never answer\n"
"  --duration SECS     stop after SECS seconds (1 to 31536000; default: run\n"
"                      until SIGINT/SIGTERM); SECS may end in 's'\n"
"  --control FIFO      read rules at run time from FIFO (made if missing), one\n"
"                      per line: deny PATH | allow PATH | deny-hash SHA256 |\n"
"                      allow-hash SHA256 | max-args BYTES | list;\n"
"                      'execaudit ctl FIFO ...' sends one and waits for the answer\n"
"  --pin DIR           pin the programs, links and maps in DIR (on bpffs), so\n"
"                      that the rules stay enforced when execaudit ends; a\n"
"                      later run with the same DIR takes them over\n"
"  --list              with --pin DIR: print the rules pinned there and exit\n"
"  --uid UID           record and count only what processes of real uid UID do\n"
"                      (a number or a user name); the rules hold for everyone\n"
"  --cgroup DIR        record and count only what the tasks of the cgroup v2 at\n"
"                      DIR and its descendants do; the rules hold for everyone\n"
"  --json              one JSON object per line instead of text\n"
"  --verbose           also show libbpf's info and debug messages (its warnings,\n"
"                      the verifier log among them, always show)\n"
"  --help              this text\n"
"\n"
"Without --pin, the rules end with the process: when execaudit exits, for\n"
"whatever reason, nothing is refused any more.\n"
"At exit it prints the events read from the ring buffer and the counts of\n"
"the drained statistics; it exits with 3 when they differ or records were\n"
"dropped. See execaudit(8).\n"
"Needs root, the bpf LSM (lsm=...,bpf) and a kernel with the BPF series\n"
"(bpf_copy_from_user_dynptr(), BPF_SYNC_MAP_ACCESS).\n";

struct options opt = {
	.max_args = EA_ARGS_DEFAULT,
	.hash_max = EA_HASH_MAX_DEFAULT,
	.interval = 1,
	.resolve_timeout = 5,
	.ring_size = EA_RINGBUF_SIZE,
};

static int add_rule(int op, const char *arg)
{
	struct ea_rule *r = &opt.rules[opt.nrules];
	int err;

	if (opt.nrules == 2 * EA_MAX_DENY) {
		msg("more than %d rules", 2 * EA_MAX_DENY);
		return -1;
	}
	memset(r, 0, sizeof(*r));
	r->op = op;
	if (op == EA_RULE_DENY) {
		err = ea_rule_path(arg, r->path);
		if (err) {
			msg("--deny %s: %s", arg, err == -EINVAL ?
			    "give an absolute path" : "path too long");
			return -1;
		}
	} else if (ea_parse_hash(arg, strlen(arg), r->hash)) {
		msg("--deny-hash %s: give a SHA-256 as 64 hex digits (sha256sum FILE prints it)", arg);
		return -1;
	}
	opt.nrules++;
	return 0;
}

/* --uid: a number, or a user name. */
static int parse_uid(const char *arg)
{
	unsigned long v;
	struct passwd *pw;
	char *end;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (*arg && !*end && !errno && v < (__u32)-1 && arg[0] != '-') {
		opt.uid = v;
	} else {
		pw = getpwnam(arg);
		if (!pw) {
			msg("--uid %s: neither a uid nor a user name", arg);
			return -1;
		}
		opt.uid = pw->pw_uid;
	}
	opt.uid_set = true;
	return 0;
}

int parse_args(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "deny", required_argument, NULL, 'd' },
		{ "deny-hash", required_argument, NULL, 'H' },
		{ "max-args", required_argument, NULL, 'm' },
		{ "hash-max", required_argument, NULL, 'M' },
		{ "ring-size", required_argument, NULL, 'r' },
		{ "interval", required_argument, NULL, 'i' },
		{ "duration", required_argument, NULL, 't' },
		{ "resolve-timeout", required_argument, NULL, 'T' },
		{ "control", required_argument, NULL, 'c' },
		{ "pin", required_argument, NULL, 'p' },
		{ "list", no_argument, NULL, 'l' },
		{ "uid", required_argument, NULL, 'u' },
		{ "cgroup", required_argument, NULL, 'g' },
		{ "json", no_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	int c, err;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (add_rule(EA_RULE_DENY, optarg))
				return -1;
			break;
		case 'H':
			if (add_rule(EA_RULE_DENY_HASH, optarg))
				return -1;
			break;
		case 'm':
			err = ea_parse_bytes(optarg, EA_ARGS_MAX, &opt.max_args);
			if (err) {
				msg("--max-args %s: %s", optarg, err == -ERANGE ?
				     "at most 1M" : "a byte count such as 4096, 64K or 1M");
				return -1;
			}
			opt.max_args_set = true;
			break;
		case 'M':
			err = ea_parse_bytes(optarg, EA_HASH_MAX_MAX, &opt.hash_max);
			if (err || !opt.hash_max) {
				msg("--hash-max %s: a byte count from 1 to 1024G, such as 64M or 2G",
				    optarg);
				return -1;
			}
			opt.hash_max_set = true;
			break;
		case 'r':
			err = ea_parse_bytes(optarg, EA_RINGBUF_MAX, &opt.ring_size);
			if (err || opt.ring_size < EA_RINGBUF_MIN ||
			    (opt.ring_size & (opt.ring_size - 1))) {
				msg("--ring-size %s: a power of 2 from 64K to 1024M", optarg);
				return -1;
			}
			opt.ring_size_set = true;
			break;
		case 'i':
			if (ea_parse_seconds(optarg, 1, 3600, &opt.interval)) {
				msg("--interval %s: whole seconds from 1 to 3600", optarg);
				return -1;
			}
			break;
		case 'T':
			if (ea_parse_seconds(optarg, 1, 3600, &opt.resolve_timeout)) {
				msg("--resolve-timeout %s: whole seconds from 1 to 3600", optarg);
				return -1;
			}
			break;
		case 't':
			if (ea_parse_seconds(optarg, 1, 365 * 86400UL, &opt.duration)) {
				msg("--duration %s: whole seconds from 1 to 31536000 (a year)", optarg);
				return -1;
			}
			break;
		case 'c':
			opt.control = optarg;
			break;
		case 'p':
			opt.pin = optarg;
			break;
		case 'l':
			opt.list = true;
			break;
		case 'u':
			if (parse_uid(optarg))
				return -1;
			break;
		case 'g':
			opt.cgroup = optarg;
			break;
		case 'j':
			opt.json = true;
			break;
		case 'v':
			opt.verbose = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			exit(0);
		default:
			fputs("Try 'execaudit --help'.\n", stderr);
			return -1;
		}
	}
	if (optind < argc) {
		msg("unexpected argument '%s'; try 'execaudit --help'", argv[optind]);
		return -1;
	}
	if (opt.list && !opt.pin) {
		msg("--list needs --pin DIR (a running execaudit lists its rules with 'execaudit ctl FIFO list')");
		return -1;
	}
	return 0;
}

