# Debugging aid: runs the script given to tests/vm/run.sh in VM_EXEC (copied to $OUT/exec.sh).
. "$OUT/exec.sh"
