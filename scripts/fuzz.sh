#!/usr/bin/env bash
# Every fuzz target given, in turn (`make fuzz`): go test -fuzz for
# FUZZTIME with FUZZPARALLEL workers, each minimization bounded by
# FUZZMINIMIZETIME. Arguments: package:Target pairs.
#
# Go 1.26's fuzzing coordinator can end a run bounded by time with
# "context deadline exceeded" and no failing input (golang/go#75804, fixed
# in Go 1.27): such a run is reported as a flake and the next target runs.
# Exit status 1 when a target failed otherwise (a failing input is written
# to the package's testdata/fuzz/<Target>/).
#
# Environment: GO (go), FUZZTIME (20s), FUZZPARALLEL (1), FUZZMINIMIZETIME
# (1000x).
set -uo pipefail
cd "$(dirname "$0")/.."

GO=${GO:-go}
FUZZTIME=${FUZZTIME:-20s}
FUZZPARALLEL=${FUZZPARALLEL:-1}
FUZZMINIMIZETIME=${FUZZMINIMIZETIME:-1000x}

log=$(mktemp)
trap 'rm -f "$log"' EXIT
failed=() flaked=()
for t in "$@"; do
	pkg=${t%%:*} name=${t##*:}
	echo "$GO test $pkg -run '^\$' -fuzz '^$name\$' -fuzztime $FUZZTIME -fuzzminimizetime $FUZZMINIMIZETIME -parallel $FUZZPARALLEL"
	if "$GO" test "$pkg" -run '^$' -fuzz "^$name\$" -fuzztime "$FUZZTIME" \
		-fuzzminimizetime "$FUZZMINIMIZETIME" -parallel "$FUZZPARALLEL" 2>&1 | tee "$log"; then
		continue
	fi
	if grep -q 'context deadline exceeded' "$log" && ! grep -q 'Failing input written to' "$log"; then
		echo "fuzz: $t: ended with 'context deadline exceeded' and no failing input (golang/go#75804): flake"
		flaked+=("$t")
	else
		failed+=("$t")
	fi
done
[ ${#flaked[@]} -eq 0 ] || echo "fuzz: flaked at the end of the run (no failing input): ${flaked[*]}"
if [ ${#failed[@]} -gt 0 ]; then
	echo "fuzz: FAILED: ${failed[*]}"
	exit 1
fi
echo "fuzz: $# targets, no failure"
