# shellcheck shell=bash
# shellcheck disable=SC2154 # $run, $start and $pairs are the sourcing script's
# What bench/run.sh (x86_64) and bench/arm64.sh share: the revisions in a
# run's meta file and the boot of one guest.  Sourced after scripts/lib.sh,
# with $run (the run's directory) set.  Never run.

# meta_revisions COMMAND: the lines of the meta file that name the run and
# what it measured: the date, COMMAND, the base and series commits, the
# revision each bench kernel was built from, the project's commit and the
# host.
meta_revisions() {
	local f dirty=""
	echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "command=$1"
	echo "series_commit=$(git -C "$DEV_TREE" rev-parse series)"
	echo "base_commit=$(git -C "$DEV_TREE" rev-parse base)"
	for f in stock patched; do
		echo "${f}_kernel_rev=$(cat "$(build_dir "$f" bench)/.swiotlb-elastic-rev" 2>/dev/null || echo unknown)"
	done
	[ -z "$(git -C "$PROJECT_ROOT" status --porcelain -- bench)" ] || dirty=" + uncommitted changes in bench/"
	echo "project_commit=$(git -C "$PROJECT_ROOT" rev-parse --short HEAD)$dirty"
	echo "host=$(nproc) CPUs, $(awk '/^MemTotal/ { printf "%d GiB", $2 / 1048576 }' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg)"
}

# meta_end: the lines of the meta file written after the boots: the time
# taken since $start, and the revision of each bench kernel again, since
# a rebuild during the run (another job sharing the cache) voids it.
meta_end() {
	local f
	echo "elapsed_s=$(($(date +%s) - start))"
	for f in stock patched; do
		echo "${f}_kernel_rev_end=$(cat "$(build_dir "$f" bench)/.swiotlb-elastic-rev" 2>/dev/null || echo unknown)"
	done
}

# guest NAME FLAVOUR LABEL TIMEOUT [run-guest options] -- COMMAND: one
# boot of the bench kernel of $KARCH; its output lands in $run/NAME.out
# whatever happens, and a line "NAME FLAVOUR START END STATUS" in
# $run/boots, in the order of the boots.
guest() {
	local name=$1 flavour=$2 label=$3 timeout=$4 rc=0 t0
	shift 4
	log "$name: $label"
	t0=$(date +%s)
	"$PROJECT_ROOT/scripts/run-guest.sh" --arch "$KARCH" -q -V bench -k "$flavour" -t "$timeout" \
		-o "$run/$name" "$@" >"$run/$name.out" 2>"$run/$name.err" || rc=$?
	echo "$name $flavour $t0 $(date +%s) $rc" >>"$run/boots"
	if [ "$rc" != 0 ]; then
		echo "S kernel=$label scenario=$name reason=guest_exit_status_$rc" >>"$run/$name.out"
		log "$name: guest exit status $rc (see $run/$name.err)"
	fi
}

# run_pairs: call the sourcing script's boot_all P FLAVOUR for each of
# $pairs pairs, stock first in odd pairs and patched first in even ones.
run_pairs() {
	local p f order
	for ((p = 1; p <= pairs; p++)); do
		if ((p % 2)); then order=(stock patched); else order=(patched stock); fi
		for f in "${order[@]}"; do
			boot_all "$p" "$f"
		done
	done
}

# keep_raw OUTFILE: the raw guest output, compressed, next to the results.
keep_raw() {
	tar -C "$(dirname "$run")" -cJf "${1%.md}-raw.tar.xz" "$(basename "$run")"
	log "results: $1 (raw: $run, ${1%.md}-raw.tar.xz)"
}
