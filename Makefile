# sysmap-seal: seal system mappings at execve(), with a per-process opt-out.
# See README.md. Kernel builds and caches live in $(SYSMAP_CACHE)
# (default ~/.cache/sysmap-seal), outside the repository.

PREFIX ?= /usr/local
S := scripts
# The kernel series the series targets work on: mainline (kernel/mainline/,
# the one for upstream) or 6.12 (kernel/6.12/, its backport).
SERIES ?= mainline
export SYSMAP_SERIES := $(SERIES)

.PHONY: check compat demo kernel-tree export-patches checkpatch bisect-check kernels \
	userspace install fuzz bench fresh-root clean

check:			## install dependencies, build everything, run every test
	@$(S)/check.sh

compat:			## the compatibility suites with Wine and podman (packages: deps.sh compat)
	@SYSMAP_RESULTS=$(CURDIR)/build/results-compat \
		SUITES="seal-compat base-compat seal-wine base-wine seal-podman base-podman" $(S)/check.sh

demo:			## boot the sealing kernel and show what the project does
	@$(S)/demo.sh

kernel-tree:		## print the path of the kernel git tree to edit (SERIES=mainline|6.12)
	@$(S)/kernel-tree.sh dev

export-patches:		## rewrite kernel/$(SERIES)/ from the kernel tree's commits
	@$(S)/export-patches.sh

checkpatch:		## checkpatch.pl --strict over every patch of both series
	@SYSMAP_SERIES=mainline $(S)/checkpatch.sh && SYSMAP_SERIES=6.12 $(S)/checkpatch.sh

bisect-check:		## build every prefix of the series, sealing on and off
	@$(S)/bisect-check.sh

kernels:		## build the sealing and the baseline test kernels of both series
	@$(S)/build-kernel.sh mainline-x86_64-seal
	@$(S)/build-kernel.sh mainline-x86_64-base
	@$(S)/build-kernel.sh x86_64-seal
	@$(S)/build-kernel.sh x86_64-base

userspace:		## build libsysmap, sysmapctl and the unit tests
	@$(S)/build-userspace.sh

install: userspace	## install sysmapctl and its man page under PREFIX
	cmake --install build/userspace --prefix "$(PREFIX)"

fuzz:			## fuzz the procfs parsers for a bounded time
	@$(S)/fuzz.sh

bench:			## sealing cost, measured side by side in one boot
	@$(S)/bench.sh

fresh-root:		## deps.sh and the host tests in a fresh debootstrap root
	@tests/harness/fresh-root.sh

clean:			## remove build/ (the kernel cache stays)
	rm -rf build
