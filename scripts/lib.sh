# Sourced by the workbench scripts.

# timed LABEL CMD...: run CMD and print its wall time, keeping its status.
timed() {
	local label=$1 start rc
	shift
	start=$(date +%s)
	rc=0
	"$@" || rc=$?
	printf '[time] %-22s %4ds%s\n' "$label" $(($(date +%s) - start)) \
		"$([ $rc -eq 0 ] || echo " (failed, status $rc)")" >&2
	return $rc
}

die() {
	echo "$(basename "$0"): $*" >&2
	exit 1
}
