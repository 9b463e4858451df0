// SPDX-License-Identifier: GPL-2.0
/*
 * Attaching the programs, and --pin: the maps and links pinned in DIR, so
 * that the rules outlive the process, and a later run taking them over.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "tool.h"

struct execaudit_bpf__bss *bss;
struct execaudit_bpf__data *data;
bool resumed;	/* the programs run from links pinned by an earlier run */

/* The links of the programs attached here (probe_file's is the skeleton's). */
static struct bpf_link *links[32];
static int nlinks;

/* --pin: where each map and link lives in DIR. */
static void pin_path(char *buf, size_t len, const char *kind, const char *name)
{
	const char *dot = strrchr(name, '.');

	/* Internal maps are "execaudi.bss": keep what follows the dot. */
	snprintf(buf, len, "%s/%s/%s", opt.pin, kind, dot ? dot + 1 : name);
}

/* execaudit --list --pin DIR: the rules of the pinned maps. */
int list_pinned(void)
{
	char path[PATH_MAX];
	int files, hashes, data_fd;
	__u32 zero = 0;
	struct execaudit_bpf__data d;
	struct reply r = {};

	pin_path(path, sizeof(path), "maps", "deny_files");
	files = bpf_obj_get(path);
	pin_path(path, sizeof(path), "maps", "deny_hashes");
	hashes = bpf_obj_get(path);
	pin_path(path, sizeof(path), "maps", ".data");
	data_fd = bpf_obj_get(path);
	if (files < 0 || hashes < 0 || data_fd < 0 ||
	    bpf_map_lookup_elem(data_fd, &zero, &d)) {
		msg("--list: no rules pinned in %s: %s", opt.pin, strerror(errno));
		return 1;
	}
	list_rules(files, hashes, d.max_args, &r, stdout);
	return 0;
}

/*
 * Before loading: with --pin, every map pinned in DIR/maps. When DIR holds
 * the links of an earlier run, its maps are reused, its programs keep
 * running, and only probe_file is loaded.
 */
int setup_pins(void)
{
	char path[PATH_MAX];
	struct bpf_program *prog;
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	struct bpf_map *map;
	int fd;

	snprintf(path, sizeof(path), "%s/links", opt.pin);
	if ((mkdir(opt.pin, 0700) && errno != EEXIST) ||
	    (mkdir(path, 0700) && errno != EEXIST)) {
		msg("--pin %s: %s (it must be on a bpffs: mount -t bpf bpf /sys/fs/bpf)",
		    path, strerror(errno));
		return -1;
	}
	snprintf(path, sizeof(path), "%s/maps", opt.pin);
	if (mkdir(path, 0700) && errno != EEXIST) {
		msg("--pin %s: %s", path, strerror(errno));
		return -1;
	}
	/* One execaudit per DIR: two would flip and drain the same maps. The
	 * lock goes with the process (the descriptor is never closed).
	 */
	fd = open(opt.pin, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB)) {
		msg("--pin %s: %s", opt.pin, errno == EWOULDBLOCK ?
		    "another execaudit runs with this directory" : strerror(errno));
		return -1;
	}
	bpf_object__for_each_map(map, skel->obj) {
		pin_path(path, sizeof(path), "maps", bpf_map__name(map));
		if (bpf_map__set_pin_path(map, path))
			return -1;
	}
	pin_path(path, sizeof(path), "links", "record_exec");
	resumed = !access(path, F_OK);
	if (!resumed)
		return 0;
	/* Take over the pinned ring buffer as it is. */
	pin_path(path, sizeof(path), "maps", "events");
	fd = bpf_obj_get(path);
	if (fd < 0 || bpf_map_get_info_by_fd(fd, &info, &len)) {
		msg("--pin %s: links pinned but no ring buffer: %s (rm -r %s to start afresh)",
		    opt.pin, strerror(errno), opt.pin);
		return -1;
	}
	close(fd);
	if (opt.ring_size_set && opt.ring_size != info.max_entries)
		msg("--ring-size ignored: the pinned ring buffer has %u bytes", info.max_entries);
	opt.ring_size = info.max_entries;
	bpf_object__for_each_program(prog, skel->obj) {
		if (prog == skel->progs.probe_file)
			continue;
		/* Every link, or the rules would not all be enforced. */
		pin_path(path, sizeof(path), "links", bpf_program__name(prog));
		if (access(path, F_OK)) {
			msg("--pin %s: %s is missing: the pinned programs are incomplete (rm -r %s to start afresh)",
			    opt.pin, path, opt.pin);
			return -1;
		}
		bpf_program__set_autoload(prog, false);
	}
	return 0;
}

/*
 * The programs' global variables, mapped here from the maps' descriptors:
 * for a map libbpf created and for a pinned one it reused alike (libbpf
 * maps only the former; for the latter skel->bss would be its private
 * copy, which no program sees).
 */
static void *map_global(struct bpf_map *map)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t size = (bpf_map__value_size(map) + page - 1) / page * page;
	void *p;

	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, bpf_map__fd(map), 0);
	if (p == MAP_FAILED) {
		msg("mapping the programs' %s: %s", bpf_map__name(map), strerror(errno));
		return NULL;
	}
	return p;
}

int map_globals(void)
{
	bss = map_global(skel->maps.bss);
	data = map_global(skel->maps.data);
	return bss && data ? 0 : -1;
}

/* Attach the programs, pinning their links with --pin. */
int attach(void)
{
	struct bpf_program *prog;
	struct bpf_link *link;
	char path[PATH_MAX];

	bpf_object__for_each_program(prog, skel->obj) {
		if (!bpf_program__autoload(prog) || prog == skel->progs.probe_file)
			continue;
		if (nlinks == (int)(sizeof(links) / sizeof(*links))) {
			msg("attaching %s: more programs than links", bpf_program__name(prog));
			return -1;
		}
		link = bpf_program__attach(prog);
		if (!link) {
			msg("attaching %s failed: %s", bpf_program__name(prog), strerror(errno));
			return -1;
		}
		links[nlinks++] = link;
		if (!opt.pin)
			continue;
		pin_path(path, sizeof(path), "links", bpf_program__name(prog));
		if (bpf_link__pin(link, path)) {
			msg("pinning %s: %s", path, strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* Release the links attached here: without --pin, that detaches them. */
void detach(void)
{
	while (nlinks)
		bpf_link__destroy(links[--nlinks]);
}
