#!/usr/bin/env bash
# Check that a kernel .config honours config fragments: every option a
# fragment sets (=y, =m, or a value) has that value, and every option it
# unsets ("# CONFIG_X is not set") is not enabled.  Kconfig silently drops
# an option whose dependencies are not met; this makes that loud.
#
# Usage: scripts/check-config.sh .config FRAGMENT...
set -euo pipefail

config=$1
shift
bad=0

# Options that the tree's Kconfig does not define are skipped: the same
# fragments configure the stock kernel, which lacks the series' options
# (CONFIG_SWIOTLB_ELASTIC...).  The kernel source is the "source" link of an
# O= build directory, or the directory of .config itself.
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
				if ! grep -qE "^(# )?${opt}[= ]" "$config" && undefined "$opt"; then
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
