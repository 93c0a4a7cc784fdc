# swiotlb-elastic workbench entry points.  Every target installs what it
# needs (Debian packages) and builds what is missing, incrementally.
#
#   make test                 series checks + guest tests on stock and patched
#   make check                the series checks only
#   make demo                 the main job: patched kernel, bounced fio I/O
#   make kernel [FLAVOUR=patched|stock] [VARIANT=test|bench]
#   make guest CMD='...' [FLAVOUR=...] [GUEST_ARGS='-a swiotlb=force --edu']
#   make apply                apply patches/ to the cache tree
#   make export               export the cache tree's commits to patches/
#   make send [SEND_DIR=dir]  write the mails of patches/ with To:/Cc: from
#                             get_maintainer.pl (default dir $CACHE/send); no send

FLAVOUR ?= patched
VARIANT ?= test
CMD ?= cat /sys/kernel/debug/swiotlb/io_tlb_nslabs
GUEST_ARGS ?=
SEND_DIR ?=

.PHONY: test check demo kernel guest apply export send
test:
	scripts/test.sh

check:
	scripts/check-series.sh

demo:
	scripts/demo.sh

kernel:
	scripts/build-kernel.sh $(FLAVOUR) $(VARIANT)

guest:
	scripts/build-kernel.sh $(FLAVOUR) $(VARIANT) >/dev/null
	scripts/run-guest.sh -k $(FLAVOUR) -V $(VARIANT) $(GUEST_ARGS) -- $(CMD)

apply:
	scripts/apply-series.sh

export:
	scripts/export-series.sh

send:
	scripts/send.sh $(if $(SEND_DIR),-o $(SEND_DIR))
