#!/bin/sh
# Step 2 of a trial: a script. Its params ($ALLOT_PARAMS_FILE, also $JOB_PARAMS_FILE) hold the
# simulation's numbers, filled in by allot from its result; it leaves its own in
# $ALLOT_RESULT_FILE.
exec python3 - <<'PY'
import json, os
p = json.load(open(os.environ["ALLOT_PARAMS_FILE"]))
json.dump({"efficiency": round(p["hits"] / p["events"], 4), "energy": p["energy"]},
          open(os.environ["ALLOT_RESULT_FILE"], "w"))
PY
