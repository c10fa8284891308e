#!/usr/bin/env bash
# Security checks for CI: bandit (static analysis of our code) and pip-audit (known
# vulnerabilities in installed dependencies). See docs/security.md, "Dependency and code scanning".
set -uo pipefail
cd "$(dirname "$0")/.."
status=0

echo "==> bandit (findings already reviewed are in security/bandit-baseline.json, justified in docs/security.md)"
if ! .venv/bin/bandit -q -r leadership -b security/bandit-baseline.json; then
  echo "bandit: new findings. Fix them, or justify each in docs/security.md and refresh the baseline:" >&2
  echo "  .venv/bin/bandit -q -r leadership -f json -o security/bandit-baseline.json" >&2
  status=1
fi

echo "==> pip-audit (PyPI advisory data)"
report=$(mktemp)
if .venv/bin/pip-audit --skip-editable --progress-spinner off -f json -o "$report" 2>"$report.err"; then
  audit_rc=0
else
  audit_rc=$?
fi
.venv/bin/python - "$report" "$audit_rc" "$report.err" <<'PY'
import json, sys
path, rc, err = sys.argv[1], int(sys.argv[2]), sys.argv[3]
try:
    data = json.load(open(path))
except (OSError, ValueError):
    message = open(err).read().strip().splitlines()[-1:] or ["no output"]
    print(f"pip-audit could not run (advisory service unreachable?): {message[0]}")
    print("WARNING: dependencies were NOT audited in this run.")
    sys.exit(0)
deps = data.get("dependencies", [])
vulnerable = [d for d in deps if d.get("vulns")]
unaudited = [d for d in deps if d.get("skip_reason") and "editable" not in d.get("skip_reason", "")]
for d in vulnerable:
    for v in d["vulns"]:
        print(f"VULNERABLE {d['name']} {d['version']}: {v['id']} fixed in {', '.join(v.get('fix_versions') or ['?'])}")
audited = len(deps) - len(unaudited) - sum(1 for d in deps if "editable" in (d.get("skip_reason") or ""))
print(f"pip-audit: {audited} packages audited, {len(vulnerable)} vulnerable, {len(unaudited)} not known to PyPI's "
      "advisory API (pinned versions from this machine's package mirror) and so not audited.")
sys.exit(1 if vulnerable else 0)
PY
[ $? -eq 0 ] || status=1
rm -f "$report" "$report.err"
exit $status
