#!/bin/sh
# ci-deploy.sh: upload a project directory and run one of its flows to the end, for CI.
#
#     AZSHELL_URL=https://azkaban.example.com AZSHELL_USER=ci AZSHELL_PASSWORD=... \
#         examples/scripts/ci-deploy.sh PROJECT DIRECTORY FLOW
#
# stdout       the final execution as JSON (Azkaban's fetchexecflow answer)
# stderr       what happens, and the log of every job that failed
# exit status  0 the flow SUCCEEDED
#              1 it did not (FAILED, KILLED, still running after TIMEOUT), or the upload
#                was refused (the project does not validate)
#              2 bad usage
#              3 the server cannot be reached, or there is no way to log in
#
# JSON is read with jq when it is installed, else with python3.
# AZSHELL names the azshell command (default: azshell); TIMEOUT the seconds to wait (1800).

set -u
AZSHELL=${AZSHELL:-azshell}
TIMEOUT=${TIMEOUT:-1800}

if [ $# -ne 3 ]; then
    echo "usage: $0 PROJECT DIRECTORY FLOW" >&2
    exit 2
fi
project=$1 directory=$2 flow=$3
case "$project$directory$flow" in
    *"'"*) echo "$0: a single quote in the arguments is not supported" >&2; exit 2 ;;
esac

have_jq() {
    command -v jq >/dev/null 2>&1
}

# field NAME: one top-level field of the JSON document on stdin ("" when missing or null)
field() {
    if have_jq; then
        jq -r --arg name "$1" '.[$name] // empty'
    else
        python3 -c 'import json, sys
value = json.load(sys.stdin).get(sys.argv[1])
print("" if value is None else value)' "$1"
    fi
}

# failed_jobs: the ids of the jobs that FAILED, from an execution document on stdin
failed_jobs() {
    if have_jq; then
        jq -r '.nodes[]? | select(.status == "FAILED") | .id'
    else
        python3 -c 'import json, sys
for node in json.load(sys.stdin).get("nodes", []):
    if node.get("status") == "FAILED":
        print(node["id"])'
    fi
}

echo "uploading $directory to $project" >&2
uploaded=$("$AZSHELL" -c "upload '$project' '$directory' --create") || exit $?
echo "$project is at version $(printf '%s\n' "$uploaded" | field version)" >&2

echo "running $project $flow (waiting at most $TIMEOUT s)" >&2
execution=$("$AZSHELL" -c "execute '$project' '$flow' --wait --timeout $TIMEOUT")
status=$?
if [ -z "$execution" ]; then
    exit "$status"  # nothing was started; azshell said why on stderr
fi
printf '%s\n' "$execution"
execid=$(printf '%s\n' "$execution" | field execid)
echo "execution $execid: $(printf '%s\n' "$execution" | field status)" >&2
if [ "$status" -ne 0 ]; then
    for job in $(printf '%s\n' "$execution" | failed_jobs); do
        echo "---- log of job $job of execution $execid ----" >&2
        "$AZSHELL" --output raw -c "log $execid '$job'" >&2
    done
fi
exit "$status"
