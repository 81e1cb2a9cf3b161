#!/usr/bin/env bash
# bench.sh (make bench): time the whole fleetgen program on synthetic fleets,
# each figure beside its baseline on the same tree in the same run: a cold
# render beside `cp -a` of the rendered tree, a no-op render, a render after
# a one-line change and `fleetgen check` beside `diff -r` of the tree
# against a copy (without out/.fleetgen.lock, which holds the pid of the
# last run). The no-op render, check and validate run twice: without a
# render cache, as CI runs them, and with a warm one, as a developer's
# machine runs them. It prints a Markdown table of medians, ratios,
# targets and peak memory. See docs/performance.md.
#
# Environment:
#   BENCH_RUNS=5                  timed runs of each command (the median is shown)
#   BENCH_SIZES=reference,double  fleets, by synthfleet name (small-half,small: seconds)
#   BENCH_KEEP=1                  keep the work folder (printed at the end)
#   GO=go                         the go command that builds fleetgen
set -euo pipefail
export LC_ALL=C

runs=${BENCH_RUNS:-5}
sizes=${BENCH_SIZES:-reference,double}
keep=${BENCH_KEEP:-}
go=${GO:-go}
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

die() {
	echo "bench: $*" >&2
	exit 1
}
say() { echo "bench: $*" >&2; }

[[ $runs =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive integer, not \"$runs\""
((BASH_VERSINFO[0] >= 5)) || die "needs bash 5 or later (for \$EPOCHREALTIME)"
[ -x /usr/bin/time ] || die "/usr/bin/time is missing (it measures peak memory): apt-get install time"
for tool in "$go" cp diff find sync sort awk sed grep git; do
	command -v "$tool" >/dev/null || die "$tool is missing"
done
fleets=()
IFS=, read -r -a names <<<"$sizes"
for name in "${names[@]}"; do
	[ -n "$name" ] || continue
	[[ " ${fleets[*]} " != *" $name "* ]] || die "BENCH_SIZES names $name twice"
	fleets+=("$name")
done
((${#fleets[@]} > 0)) || die "BENCH_SIZES names no fleet"

work=$(mktemp -d "${TMPDIR:-/tmp}/fleetgen-bench.XXXXXX")
cleanup() {
	if [ -n "$keep" ]; then
		say "kept $work"
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$work/bin" "$work/results"

say "building fleetgen and synthfleet"
(cd "$repo" && "$go" build -o "$work/bin/fleetgen" ./cmd/fleetgen && "$go" build -o "$work/bin/synthfleet" ./tools/synthfleet)
fleetgen=$work/bin/fleetgen
# Every fleetgen run uses the work folder's render cache, never the
# user's; nocache and coldcache run a command without one and with an
# empty one.
export FLEETGEN_CACHE=$work/cache
nocache=(env FLEETGEN_CACHE=off)
coldcache=(env "FLEETGEN_CACHE=$work/cache-cold")

# Every fleet is written first, so a wrong name fails before any timing.
for fleet in "${fleets[@]}"; do
	mkdir "$work/$fleet"
	"$work/bin/synthfleet" -dir "$work/$fleet" -shape "$fleet" >"$work/results/$fleet.shape" || die "synthfleet -shape $fleet failed"
done

# timed runs "$@" under /usr/bin/time -v, its output in $work/stdout and
# $work/stderr, and sets elapsed (seconds, wall clock), cpu (user + system
# seconds) and rss (peak resident memory, MB). It returns the command's status.
elapsed=0 rss=0 cpu=0
timed() {
	local start end status=0
	start=$EPOCHREALTIME
	/usr/bin/time -v -o "$work/time" "$@" >"$work/stdout" 2>"$work/stderr" || status=$?
	end=$EPOCHREALTIME
	elapsed=$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.4f", e - s }')
	rss=$(awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$work/time")
	cpu=$(awk -F': ' '/(User|System) time \(seconds\)/ { t += $2 } END { printf "%.2f", t }' "$work/time")
	return "$status"
}

# record appends the last run's wall and CPU times to FLEET.OP and keeps
# the peak memory of the fleetgen runs of FLEET.OP.
record() {
	local file=$work/results/$1.$2
	echo "$elapsed" >>"$file.times"
	echo "$cpu" >>"$file.cpu"
	if [ "${3:-}" = fleetgen ]; then
		local peak=0
		[ -f "$file.rss" ] && peak=$(cat "$file.rss")
		((rss > peak)) && peak=$rss
		echo "$peak" >"$file.rss"
	fi
	return 0
}

# median of the times of FLEET.OP, in seconds.
median() {
	sort -g "$work/results/$1.$2.times" | awk '{ t[NR] = $1 }
		END { if (NR % 2) print t[(NR + 1) / 2]; else printf "%.4f\n", (t[NR / 2] + t[NR / 2 + 1]) / 2 }'
}

peak() { cat "$work/results/$1.$2.rss"; }

# written is the number of files the last render wrote, from its summary
# line "out: 12 written, 3 unchanged, 0 removed".
written() {
	local n
	n=$(sed -n 's/^out: \([0-9][0-9]*\) written, .*/\1/p' "$work/stdout")
	[ -n "$n" ] || die "no render summary in: $(cat "$work/stdout")"
	echo "$n"
}

# fleetgen_ok runs fleetgen untimed (a warm-up) and dies when it fails.
fleetgen_ok() {
	"$fleetgen" "$@" >"$work/stdout" 2>"$work/stderr" || die "fleetgen $* failed: $(cat "$work/stderr")"
}

# bench_cold measures cold renders beside cp -a, run by run across all
# fleets: run 1 of every fleet, then run 2, and so on. Creating tens of
# thousands of folders and files costs the kernel more with every tree made
# and deleted before (a 50,000-folder cp -a can go from 4 to 12 s over five
# runs on the same machine), so measuring one fleet after the other would
# charge that drift to the larger one and inflate the doubling ratio;
# interleaved, each fleet's runs see the same drift, as fleetgen and cp -a do.
bench_cold() {
	local fleet i n
	# The warm-up run loads the programs and the inventory into the cache.
	for fleet in "${fleets[@]}"; do
		cd "$work/$fleet"
		say "$fleet: $(cat "$work/results/$fleet.shape")"
		fleetgen_ok render
	done
	for ((i = 1; i <= runs; i++)); do
		for fleet in "${fleets[@]}"; do
			cd "$work/$fleet"
			say "$fleet: cold render $i/$runs"
			rm -rf out copy "$work/cache-cold"
			sync
			timed "${coldcache[@]}" "$fleetgen" render || die "fleetgen render failed: $(cat "$work/stderr")"
			record "$fleet" cold fleetgen
			n=$(written)
			((n > 0)) || die "a cold render wrote no file"
			echo "$n" >"$work/results/$fleet.files"
			sync
			timed cp -a out copy || die "cp -a failed: $(cat "$work/stderr")"
			record "$fleet" cp
		done
	done
	for fleet in "${fleets[@]}"; do
		cd "$work/$fleet"
		find out -type f | wc -l >"$work/results/$fleet.nfiles"
		find out -type d | wc -l >"$work/results/$fleet.ndirs"
		find out -type f -printf '%s\n' | awk '{ n += $1 } END { printf "%.0f\n", n / 1e6 }' >"$work/results/$fleet.mb"
	done
	cd "$work"
}

# bench_fleet measures the rest on the fleet written in $work/FLEET, whose
# out/ and copy/ the cold runs left.
bench_fleet() {
	local fleet=$1 dir=$work/$1 i n
	cd "$dir"

	# No-op render beside diff -r: out/ is already what the inventory
	# renders. The warm-up fills the cache.
	fleetgen_ok render
	"${nocache[@]}" "$fleetgen" render >/dev/null || die "fleetgen render without a cache failed"
	diff -r -x .fleetgen.lock out copy >/dev/null || die "out/ differs from its copy before the no-op renders"
	local how
	for ((i = 1; i <= runs; i++)); do
		say "$fleet: no-op render $i/$runs"
		for how in off warm; do
			local cache=()
			[ "$how" = warm ] || cache=("${nocache[@]}")
			sync
			timed "${cache[@]}" "$fleetgen" render || die "fleetgen render failed: $(cat "$work/stderr")"
			record "$fleet" "noop-$how" fleetgen
			n=$(written)
			((n == 0)) || die "a no-op render wrote $n files"
		done
		sync
		timed diff -r -x .fleetgen.lock out copy || die "diff -r -x .fleetgen.lock out copy: the trees differ"
		record "$fleet" noop-diff
	done

	# A one-line change: one workload cluster's label, changed then changed
	# back, so every run renders a real one-line change.
	local hcl=environments/env01/workload-clusters.hcl line changed=0
	line=$(grep -n -m1 'tier = "shared" }' "$hcl" | cut -d: -f1)
	[ -n "$line" ] || die "no shared workload cluster in $hcl"
	toggle() {
		if ((changed)); then
			sed -i "${line}s/tier = \"shared-bench\" }/tier = \"shared\" }/" "$hcl"
			changed=0
		else
			sed -i "${line}s/tier = \"shared\" }/tier = \"shared-bench\" }/" "$hcl"
			changed=1
		fi
	}
	toggle
	fleetgen_ok render
	for ((i = 1; i <= runs; i++)); do
		say "$fleet: one-line change $i/$runs"
		toggle
		sync
		timed "$fleetgen" render || die "fleetgen render failed: $(cat "$work/stderr")"
		record "$fleet" change-warm fleetgen
		n=$(written)
		((n > 0)) || die "a render after a one-line change wrote no file"
	done
	if ((changed)); then
		toggle
		fleetgen_ok render
	fi
	diff -r -x .fleetgen.lock out copy >/dev/null || die "out/ differs from its copy after the change was undone"

	# CI's check of a pull request: the fleet committed to git, the
	# one-line change rendered, and only the environment it changes
	# checked (check --changed-since), without a cache.
	printf '/out/.fleetgen.lock\n/copy/\n' >.gitignore
	git init -q -b main
	git add -A
	git -c user.name=bench -c user.email=bench@example.com -c commit.gpgsign=false -c gc.auto=0 -c maintenance.auto=false commit -q -m fleet
	toggle
	fleetgen_ok render
	"${nocache[@]}" "$fleetgen" check --changed-since HEAD >/dev/null 2>&1 || die "fleetgen check --changed-since HEAD failed"
	for ((i = 1; i <= runs; i++)); do
		say "$fleet: check of a pull request $i/$runs"
		sync
		timed "${nocache[@]}" "$fleetgen" check --changed-since HEAD || die "fleetgen check --changed-since HEAD failed: $(cat "$work/stdout" "$work/stderr")"
		grep -q 'changed since HEAD .*: env01;' "$work/stderr" || die "check --changed-since did not check env01 alone: $(cat "$work/stderr")"
		record "$fleet" check-pr fleetgen
	done
	toggle
	fleetgen_ok render
	rm -rf .git .gitignore
	diff -r -x .fleetgen.lock out copy >/dev/null || die "out/ differs from its copy after the pull request's check"

	# check beside diff -r, both on the clean tree, and validate: the
	# load and render a check starts with, without reading out/ (without
	# a cache, the floor of check and of a no-op render).
	fleetgen_ok check
	fleetgen_ok validate
	for ((i = 1; i <= runs; i++)); do
		say "$fleet: check $i/$runs"
		for how in off warm; do
			local cache=()
			[ "$how" = warm ] || cache=("${nocache[@]}")
			sync
			timed "${cache[@]}" "$fleetgen" check || die "fleetgen check of a clean tree failed: $(cat "$work/stdout" "$work/stderr")"
			record "$fleet" "check-$how" fleetgen
			timed "${cache[@]}" "$fleetgen" validate || die "fleetgen validate failed: $(cat "$work/stderr")"
			record "$fleet" "validate-$how" fleetgen
		done
		sync
		timed diff -r -x .fleetgen.lock out copy || die "diff -r -x .fleetgen.lock out copy: the trees differ"
		record "$fleet" check-diff
	done

	cd "$work"
	[ -n "$keep" ] || rm -rf "$dir"
}

load_start=$(cut -d' ' -f1-3 /proc/loadavg)
bench_cold
for fleet in "${fleets[@]}"; do
	bench_fleet "$fleet"
done
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

# ratio A B is A / B with two decimals.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "inf" }'; }
# seconds formats a time.
seconds() { awk -v t="$1" 'BEGIN { if (t < 1) printf "%.3f s", t; else printf "%.2f s", t }'; }
# verdict R MAX says whether R ≤ MAX.
verdict() { awk -v r="$1" -v m="$2" 'BEGIN { if (r != "inf" && r + 0 <= m + 0) print "met"; else print "**not met**" }'; }

commit=unknown
if git -C "$repo" rev-parse --short HEAD >/dev/null 2>&1; then
	commit=$(git -C "$repo" rev-parse --short HEAD)
	[ -z "$(git -C "$repo" status --porcelain --untracked-files=no)" ] || commit="$commit + uncommitted changes"
fi
cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)

echo "## fleetgen benchmark"
echo
echo "- machine: $(nproc) cores${cpu:+ ($cpu)}, $(uname -sr); load average $load_start at the start, $load_end at the end"
echo "- $("$go" version)"
echo "- $("$fleetgen" version), commit $commit"
echo "- runs: $runs timed runs of each command, median shown; each command ran once untimed first, so every run is warm (programs, inventory and trees in the page cache); \`sync\` before each timed run, so no run pays for the writeback of the one before"
echo "- peak RSS: the largest maximum resident set size of the fleetgen runs of the row (\`/usr/bin/time -v\`)"
for fleet in "${fleets[@]}"; do
	echo "- $fleet: $(cat "$work/results/$fleet.shape"); out/ holds $(cat "$work/results/$fleet.nfiles") files in $(cat "$work/results/$fleet.ndirs") folders, $(cat "$work/results/$fleet.mb") MB of file data"
done
# Each larger fleet of a pair, by the name of the smaller.
declare -A halves=([double]=reference [small]=small-half)

echo
echo "| fleet | operation | fleetgen | baseline | ratio | target | peak RSS |"
echo "|---|---|---:|---:|---:|---|---:|"
# row FLEET LABEL OP BASEOP BASENAME MAXRATIO prints one line of the table;
# MAXRATIO empty: no target.
row() {
	local t b r target=none
	t=$(median "$1" "$3")
	b=$(median "$1" "$4")
	r=$(ratio "$t" "$b")
	[ -z "$6" ] || target="≤ $6×: $(verdict "$r" "$6")"
	echo "| $1 | $2 | $(seconds "$t") | $(seconds "$b") \`$5\` | ${r}× | $target | $(peak "$1" "$3") MB |"
}
for fleet in "${fleets[@]}"; do
	row "$fleet" "cold render (empty cache)" cold cp "cp -a" 1
	row "$fleet" "no-op render, no cache (CI)" noop-off noop-diff "diff -r" 1
	row "$fleet" "no-op render, warm cache" noop-warm noop-diff "diff -r" 1
	row "$fleet" "one-line change, warm cache" change-warm noop-diff "diff -r" ""
	row "$fleet" "check, no cache (CI)" check-off check-diff "diff -r" 1
	row "$fleet" "check, warm cache" check-warm check-diff "diff -r" 1
	row "$fleet" "check of a pull request (one environment changed), no cache (CI)" check-pr check-diff "diff -r" 1
	row "$fleet" "validate (no out/), no cache" validate-off check-diff "diff -r" ""
	row "$fleet" "validate (no out/), warm cache" validate-warm check-diff "diff -r" ""
	max=0
	for op in cold noop-off noop-warm change-warm check-off check-warm check-pr; do
		p=$(peak "$fleet" "$op")
		((p > max)) && max=$p
	done
	echo "$max" >"$work/results/$fleet.peak"
	# The memory target is the reference fleet's; the double's is linear
	# growth, in the doubling table.
	target="≤ 200 MB: $(verdict "$max" 200)"
	[ -z "${halves[$fleet]:-}" ] || target="none: see doubling"
	echo "| $fleet | peak memory | | | | $target | $max MB |"
done

# Doubling: each fleet beside its half, when both were measured.
doubling=""
for full in "${fleets[@]}"; do
	half=${halves[$full]:-}
	if [ -z "$half" ] || [[ ",$sizes," != *",$half,"* ]]; then
		continue
	fi
	if [ -z "$doubling" ]; then
		echo
		echo "| doubling | operation | half | full | full / half | target | baseline full / half |"
		echo "|---|---|---:|---:|---:|---|---:|"
		doubling=1
	fi
	for spec in "cold render (empty cache):cold:cp" "no-op render, no cache (CI):noop-off:noop-diff" "no-op render, warm cache:noop-warm:noop-diff" \
		"check, no cache (CI):check-off:check-diff" "check, warm cache:check-warm:check-diff"; do
		IFS=: read -r label op base <<<"$spec"
		th=$(median "$half" "$op")
		tf=$(median "$full" "$op")
		r=$(ratio "$tf" "$th")
		echo "| $half → $full | $label | $(seconds "$th") | $(seconds "$tf") | ${r}× | ≤ 2.1×: $(verdict "$r" 2.1) | $(ratio "$(median "$full" "$base")" "$(median "$half" "$base")")× |"
	done
	mh=$(cat "$work/results/$half.peak")
	mf=$(cat "$work/results/$full.peak")
	r=$(ratio "$mf" "$mh")
	echo "| $half → $full | peak memory | $mh MB | $mf MB | ${r}× | ≤ 2.1×: $(verdict "$r" 2.1) | |"
done
if [ -z "$doubling" ]; then
	echo
	echo "Doubling not measured: BENCH_SIZES needs a fleet and its double (reference,double or small-half,small)."
fi

# Every run, so a reader can judge the noise. CPU time beside wall time
# tells work from waiting (disk flushes, other processes).
runs_of() { awk '{ printf "%s" ($1 < 1 ? "%.3f" : "%.2f"), (NR > 1 ? " " : ""), $1 }' "$work/results/$1.$2.$3"; }
echo
echo "Every timed run, in seconds: wall clock, then CPU (user + system) in brackets."
echo
for fleet in "${fleets[@]}"; do
	echo "- $fleet: cold render $(runs_of "$fleet" cold times) [$(runs_of "$fleet" cold cpu)], \`cp -a\` $(runs_of "$fleet" cp times) [$(runs_of "$fleet" cp cpu)];" \
		"no-op render without cache $(runs_of "$fleet" noop-off times) [$(runs_of "$fleet" noop-off cpu)], warm $(runs_of "$fleet" noop-warm times) [$(runs_of "$fleet" noop-warm cpu)], \`diff -r\` $(runs_of "$fleet" noop-diff times);" \
		"one-line change $(runs_of "$fleet" change-warm times) [$(runs_of "$fleet" change-warm cpu)];" \
		"check without cache $(runs_of "$fleet" check-off times) [$(runs_of "$fleet" check-off cpu)], warm $(runs_of "$fleet" check-warm times) [$(runs_of "$fleet" check-warm cpu)], of a pull request $(runs_of "$fleet" check-pr times) [$(runs_of "$fleet" check-pr cpu)], \`diff -r\` $(runs_of "$fleet" check-diff times);" \
		"validate without cache $(runs_of "$fleet" validate-off times) [$(runs_of "$fleet" validate-off cpu)], warm $(runs_of "$fleet" validate-warm times) [$(runs_of "$fleet" validate-warm cpu)]"
done
