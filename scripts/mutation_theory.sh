#!/usr/bin/env bash
# Mutation testing of the theory room (src/rnncap/theory) against tests/theory, with mutmut.
# Slow (hours on a shared 2-core machine), hence not in CI. Configuration: [tool.mutmut] in
# pyproject.toml. Usage, from the repository root with the venv active:
#   nice -n 10 scripts/mutation_theory.sh [workers]      # default 2 workers
# Prints the counts and the score = (killed + timeout) / (all - skipped); details with
# `python -m mutmut results` and `python -m mutmut show NAME`.
set -euo pipefail
cd "$(dirname "$0")/.."
export KERAS_BACKEND=torch
unset PYTHONPATH  # mutmut puts mutants/src first and must not see the unmutated src
python -m mutmut run --max-children "${1:-2}" || true
python -m mutmut export-cicd-stats
python - <<'PY'
import json

s = json.load(open("mutants/mutmut-cicd-stats.json"))
tested = s["total"] - s.get("skipped", 0)
killed = s["killed"] + s.get("timeout", 0)
print(json.dumps(s))
print(f"mutation score: {killed}/{tested} = {100 * killed / max(tested, 1):.1f}% killed")
PY
