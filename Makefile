# Workbench for the BPF patch series in patches/: fetch the pinned base,
# apply the series, build the kernel and the selftests, boot, test.
# 'make help' lists the targets.

# The base, pinned here and nowhere else.
BASE_VERSION := 6.12.117-1~deb12u1

# Everything built lives outside the repo.
CACHE   ?= $(HOME)/.cache/bpf-series
TREE    ?= $(CACHE)/linux
# 'make bench' measures a kernel as users run theirs, without the lock and
# RCU debugging of config/debug.config, in its own build directory.
BENCH   := $(if $(filter bench,$(MAKECMDGOALS)),1)
ifneq ($(BENCH),)
ifneq ($(filter-out bench,$(MAKECMDGOALS)),)
$(error make bench builds a kernel of its own: run it alone, not with '$(filter-out bench,$(MAKECMDGOALS))')
endif
endif
BUILD   := $(CACHE)/build$(if $(filter 1,$(KASAN)),-kasan)$(if $(BENCH),-bench)
KOUT    := $(BUILD)/kernel
STOUT   := $(BUILD)/selftests
RESULTS := $(BUILD)/results
TOOLOUT := $(BUILD)/tool
BZIMAGE := $(KOUT)/arch/x86/boot/bzImage
FRAGMENTS := $(filter-out $(if $(BENCH),config/debug.config),$(wildcard config/*.config)) \
	     $(if $(filter 1,$(KASAN)),config/kasan/kasan.config) \
	     $(if $(BENCH),config/bench/bench.config)

export CCACHE_DIR ?= $(CACHE)/ccache
export CCACHE_MAXSIZE ?= 10G
# Reproducible version strings keep ccache hits across rebuilds.
export KBUILD_BUILD_USER := bpf-series
export KBUILD_BUILD_HOST := workbench
export KBUILD_BUILD_TIMESTAMP := $(BASE_VERSION)

SHELL := /bin/bash
S := scripts

.PHONY: help run deps tree kernel selftests guards tool unit replayer vm test bench series series-status checkpatch clean \
	base-tree suites-build suites veristat

help:
	@echo 'The series in patches/ applies to Debian linux-source-6.12 $(BASE_VERSION).'
	@echo 'Built trees live in $(CACHE) (CACHE=...; the kernel tree: TREE=...).'
	@echo
	@echo '  make run            from nothing: build the kernel and execaudit, boot the VM and run'
	@echo '                      the exec audit scenario while execaudit watches (execaudit/scenario.sh)'
	@echo '  make test           from nothing: test_progs with tests/ALLOWLIST and tests/DENYLIST and'
	@echo '                      the execaudit end-to-end test in the VM; ends "N passed, N failed"'
	@echo '  make bench          the series benchmarks (sync-map-access, dynptr-copy, dynptr-malloc, record)'
	@echo '                      in one VM boot, and bpfreplay'"'"'s speed on the host,'
	@echo '                      on a kernel without config/debug.config (build-bench/)'
	@echo '  make vm             boot the kernel to a shell; make vm CMD="..." runs one command'
	@echo '  make deps           apt-get install the toolchain and the pinned kernel source'
	@echo '  make tree           unpack the base into TREE as a git tree and git am the series'
	@echo '  make kernel         configure (config/*.config on tinyconfig) and build bzImage + modules'
	@echo '  make selftests      build test_progs, bench and bpf_testmod.ko with clang-19'
	@echo '  make tool           build execaudit against the series (libbpf, bpftool, vmlinux BTF)'
	@echo '  make suites         BPF CI'"'"'s runners (veristat, test_verifier, test_maps, all of test_progs)'
	@echo '                      on the unpatched base (build-base/) and on the series, compared'
	@echo '  make veristat       the same for veristat alone'
	@echo '  make guards         ABI and build guards on the host: libbpf claims no upstream release,'
	@echo '                      the series BPF programs build against a vmlinux.h without lockdep'
	@echo '  make unit           unit tests of the execaudit option and rule parsing, on the host'
	@echo '  make replayer       build bpfreplay, which replays recorded program runs (bpfreplay/)'
	@echo '  make series         export the commits of TREE into patches/'
	@echo '  make series-status  "in sync" if TREE and patches/ agree, else the difference'
	@echo '  make checkpatch     checkpatch.pl --strict on every patch; fails on any warning'
	@echo '  make clean          remove the build outputs (never the tree or ccache)'
	@echo
	@echo 'KASAN=1 builds and tests a KASAN kernel in a separate build directory.'

deps:
	@. $(S)/lib.sh; timed deps $(S)/deps.sh '$(BASE_VERSION)'

tree: deps
	@. $(S)/lib.sh; timed tree $(S)/tree.sh $(TREE) patches

kernel: tree
	@$(S)/build-kernel.sh $(TREE) $(KOUT) $(FRAGMENTS)

selftests: kernel
	@$(S)/build-selftests.sh $(TREE) $(KOUT) $(STOUT)

guards: selftests
	@. $(S)/lib.sh; timed "libbpf nodes" $(S)/check-libbpf-nodes.sh $(TREE)
	@. $(S)/lib.sh; timed "nolockdep build" $(S)/check-nolockdep.sh $(TREE) $(STOUT)

tool: kernel
	@$(S)/build-tool.sh $(TREE) $(KOUT) $(TOOLOUT)

unit: deps
	@. $(S)/lib.sh; timed "unit tests" make -s -C execaudit unit OUT=$(TOOLOUT)

run: tool
	@$(S)/run.sh $(BZIMAGE) $(TOOLOUT)/execaudit $(BUILD)/run

vm: kernel
	@$(S)/vm.sh $(BZIMAGE) $(BUILD)/vm $(if $(CMD),'$(subst ','\'',$(CMD))')

# A KASAN kernel runs the tests in about 45 minutes: the VM gets 90.
test: selftests guards tool unit replayer
	@$(if $(filter 1,$(KASAN)),VM_TIMEOUT=$${VM_TIMEOUT:-5400}) $(S)/test.sh $(BZIMAGE) $(STOUT) $(RESULTS) tests/ALLOWLIST tests/DENYLIST $(TOOLOUT)/execaudit \
		$(TOOLOUT)/bpfreplay

# bpfreplay, on the host, against the series' uapi header
replayer: tree
	@mkdir -p $(TOOLOUT); . $(S)/lib.sh; timed replayer \
		make -s -C bpfreplay OUT=$(TOOLOUT) UAPI=$(TREE)/tools/include/uapi

bench: selftests replayer
	@$(S)/bench.sh $(BZIMAGE) $(STOUT) $(RESULTS) $(TOOLOUT)/bpfreplay

# BPF CI's checks on the unpatched base and on the series. The base tree
# has the series' leading selftests-only patches, which its selftests need.
BASETREE ?= $(CACHE)/linux-base
BASEOUT  := $(CACHE)/build-base
SUITE_BINS := test_progs veristat test_verifier test_maps
export SUITES

base-tree: tree
	@. $(S)/lib.sh; timed "base tree" $(S)/base-tree.sh $(TREE) $(BASETREE) patches

suites-build: kernel base-tree
	@$(S)/build-selftests.sh $(TREE) $(KOUT) $(STOUT) $(SUITE_BINS)
	@$(S)/build-kernel.sh $(BASETREE) $(BASEOUT)/kernel $(FRAGMENTS)
	@$(S)/build-selftests.sh $(BASETREE) $(BASEOUT)/kernel $(BASEOUT)/selftests $(SUITE_BINS)

veristat: SUITES := veristat
suites veristat: suites-build
	@$(S)/suites.sh $(BASEOUT)/kernel/arch/x86/boot/bzImage $(BASEOUT)/selftests \
		$(BASEOUT)/results tests/DENYLIST.suites
	@$(S)/suites.sh $(BZIMAGE) $(STOUT) $(RESULTS)/suites tests/DENYLIST.suites
	@$(S)/compare.sh $(BASEOUT)/results $(RESULTS)/suites $(STOUT)/veristat \
		$(RESULTS)/suites/compare.txt

series:
	@$(S)/series.sh export $(TREE) patches

series-status:
	@$(S)/series.sh status $(TREE) patches

checkpatch:
	@$(S)/checkpatch.sh $(TREE) patches

clean:
	rm -rf $(CACHE)/build $(CACHE)/build-*
