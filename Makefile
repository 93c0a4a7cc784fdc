# swiotlb-elastic workbench entry points.  Every target installs what it
# needs (Debian packages) and builds what is missing, incrementally.
#
#   make test                 series checks + guest tests on stock and patched
#   make test-arm64           the embedded case: arm64 kernels and guests
#                             (QEMU virt, RAM above 4 GiB, no swiotlb=force)
#   make check                the series checks only
#   make demo                 the main job: patched kernel, bounced fio I/O
#   make kernel [FLAVOUR=patched|stock] [VARIANT=test|bench] [ARCH=x86_64|arm64]
#   make guest CMD='...' [FLAVOUR=...] [ARCH=...] [GUEST_ARGS='-a swiotlb=force --edu']
#   make apply                apply patches/ to the cache tree
#   make export               export the cache tree's commits to patches/
#   make send [SEND_DIR=dir]  write the mails of patches/ with To:/Cc: from
#                             get_maintainer.pl (default dir $CACHE/send); no send

FLAVOUR ?= patched
VARIANT ?= test
CMD ?= cat /sys/kernel/debug/swiotlb/io_tlb_nslabs
GUEST_ARGS ?=
SEND_DIR ?=
ARCH ?= x86_64

.PHONY: test test-arm64 check demo kernel guest apply export send
test:
	scripts/test.sh

test-arm64:
	scripts/test-arm64.sh

check:
	scripts/check-series.sh

demo:
	scripts/demo.sh

kernel:
	scripts/build-kernel.sh --arch $(ARCH) $(FLAVOUR) $(VARIANT)

guest:
	scripts/build-kernel.sh --arch $(ARCH) $(FLAVOUR) $(VARIANT) >/dev/null
	scripts/run-guest.sh --arch $(ARCH) -k $(FLAVOUR) -V $(VARIANT) $(GUEST_ARGS) -- $(CMD)

apply:
	scripts/apply-series.sh

export:
	scripts/export-series.sh

send:
	scripts/send.sh $(if $(SEND_DIR),-o $(SEND_DIR))
