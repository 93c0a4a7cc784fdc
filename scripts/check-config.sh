#!/usr/bin/env bash
# Check that a kernel .config honours config fragments: every option a
# fragment sets (=y, =m, or a value) has that value, and every option it
# unsets ("# CONFIG_X is not set") is not enabled.  Kconfig silently drops
# an option whose dependencies are not met; this makes that loud.
#
# Usage: scripts/check-config.sh [--strict] .config FRAGMENT...
#   --strict  an option that the tree's Kconfig does not define fails too
#             (the tip of the series, which must have all of them)
set -euo pipefail

strict=0
if [ "${1:-}" = --strict ]; then
	strict=1
	shift
fi
config=$1
shift
bad=0

# Without --strict, options that the tree's Kconfig does not define are
# skipped: the same fragments configure the stock kernel and the kernels
# after each patch of the series, which lack the options the series adds
# (CONFIG_DMA_SWIOTLB_TEST, CONFIG_SWIOTLB_DYNAMIC_KUNIT_TEST).  The kernel
# source is the "source" link of an O= build directory, or the directory
# of .config itself.
src=$(dirname "$config")
[ -d "$src/source" ] && src=$src/source
undefined() {
	local sym=${1#CONFIG_}
	! grep -rqsE --include='Kconfig*' \
		"^[[:space:]]*(menu)?config[[:space:]]+${sym}([[:space:]]|\$)" "$src"
}
for frag in "$@"; do
	while IFS= read -r line; do
		case $line in
		CONFIG_*=*)
			opt=${line%%=*}
			if ! grep -qxF -- "$line" "$config"; then
				if [ "$strict" = 0 ] && ! grep -qE "^(# )?${opt}[= ]" "$config" &&
					undefined "$opt"; then
					echo "config: ${frag##*/}: $opt is not defined by this tree's Kconfig, skipped" >&2
					continue
				fi
				have=$(grep -E "^(# )?${opt}[= ]" "$config" || echo "absent")
				echo "config: ${frag##*/} wants $line, .config has: $have" >&2
				bad=1
			fi
			;;
		"# CONFIG_"*" is not set")
			opt=${line#\# }
			opt=${opt%% *}
			if grep -qE "^$opt=" "$config"; then
				echo "config: ${frag##*/} wants $opt unset, .config has: $(grep -E "^$opt=" "$config")" >&2
				bad=1
			fi
			;;
		esac
	done <"$frag"
done
[ "$bad" -eq 0 ] || { echo "config: requested options are missing (unmet dependencies?)" >&2; exit 1; }
