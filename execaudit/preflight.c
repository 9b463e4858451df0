// SPDX-License-Identifier: GPL-2.0
/* Say what the kernel lacks before libbpf's own errors would. */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "tool.h"

#define LSM_FILE "/sys/kernel/security/lsm"

static bool lsm_active(const char *lsms, const char *name)
{
	char copy[512], *tok, *save;

	snprintf(copy, sizeof(copy), "%s", lsms);
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (!strcmp(tok, name))
			return true;
	return false;
}

static bool want_hash(void)
{
	int i;

	for (i = 0; i < opt.nrules; i++)
		if (opt.rules[i].op == EA_RULE_DENY_HASH)
			return true;
	return false;
}

int preflight(void)
{
	char lsms[512] = "";
	struct utsname u;
	struct btf *btf;
	FILE *f;

	uname(&u);
	if (geteuid() != 0) {
		msg("must run as root: loading BPF LSM programs needs CAP_BPF and CAP_SYS_ADMIN (try sudo execaudit)");
		return -1;
	}
	f = fopen(LSM_FILE, "r");
	if (!f) {
		msg("cannot read %s (%s): mount securityfs there (mount -t securityfs securityfs /sys/kernel/security)",
		     LSM_FILE, strerror(errno));
		return -1;
	}
	if (!fgets(lsms, sizeof(lsms), f))
		lsms[0] = '\0';
	fclose(f);
	lsms[strcspn(lsms, "\n")] = '\0';
	if (!lsm_active(lsms, "bpf")) {
		msg("the bpf LSM is not active (active: %s): boot with lsm=%s%sbpf on the kernel command line (the kernel needs CONFIG_BPF_LSM=y)",
		     lsms[0] ? lsms : "none", lsms, lsms[0] ? "," : "");
		return -1;
	}
	if (want_hash() && !lsm_active(lsms, "ima")) {
		msg("--deny-hash needs IMA, which is not active (active: %s): the kernel needs CONFIG_IMA=y",
		    lsms);
		return -1;
	}
	btf = btf__load_vmlinux_btf();
	if (!btf) {
		msg("kernel %s has no BTF (/sys/kernel/btf/vmlinux): it needs CONFIG_DEBUG_INFO_BTF=y",
		     u.release);
		return -1;
	}
	if (btf__find_by_name_kind(btf, "bpf_copy_from_user_dynptr", BTF_KIND_FUNC) < 0) {
		btf__free(btf);
		msg("kernel %s lacks bpf_copy_from_user_dynptr(): it was built without the BPF series this tool needs; boot a kernel with the series (make run in the series' repository does)",
		     u.release);
		return -1;
	}
	btf__free(btf);
	return 0;
}

