"""Context footprint: what tools/list and typical answers cost the model.

    python benchmarks/context.py [--json]
"""

from __future__ import annotations

import argparse
import json
import subprocess

from _common import CLEAN_ENV, EXE, StdioSession, emit, print_table, server_env, start_sandbox

from auth0_mcp.reference import REFERENCE_EQUIVALENT


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    listed = json.loads(subprocess.run([EXE, "tools", "list", "--json"], capture_output=True,
                                       text=True, env=CLEAN_ENV, check=True).stdout)
    rows = [{"tool": t["name"], "bytes": t["bytes"], "tokens": t["tokens"],
             "reference_equivalent": t["name"] in REFERENCE_EQUIVALENT} for t in listed["tools"]]
    equivalent = [r for r in rows if r["reference_equivalent"]]
    # tools/list is a JSON array of the tool objects: sum of entries plus separators
    equivalent_bytes = sum(r["bytes"] for r in equivalent) + len(equivalent) + 11
    proc, base, client_id, secret = start_sandbox()
    try:
        session = StdioSession(server_env(base, client_id, secret))
        apps = session.call("auth0_list_applications", {"per_page": 5})
        logs = session.call("auth0_list_logs", {"per_page": 50})
        session.close()
    finally:
        proc.terminate()
        proc.wait()
    app_items = apps["structuredContent"]["applications"]
    answers = {
        "list 5 applications: structuredContent bytes": len(json.dumps(
            apps["structuredContent"], separators=(",", ":"))),
        "list 5 applications: bytes per application": round(sum(
            len(json.dumps(a, separators=(",", ":"))) for a in app_items) / len(app_items), 1),
        "list 5 applications: text content bytes": len(apps["content"][0]["text"]),
        "list 50 logs: structuredContent bytes": len(json.dumps(
            logs["structuredContent"], separators=(",", ":"))),
        "list 50 logs: text content bytes": len(logs["content"][0]["text"]),
    }
    results = {"tools": rows, "all_tools_bytes": listed["tools_list_bytes"],
               "all_tools_count": len(rows), "reference_equivalent_bytes": equivalent_bytes,
               "reference_equivalent_count": len(equivalent),
               "reference_equivalent_missing": sorted(set(REFERENCE_EQUIVALENT) -
                                                      {r["tool"] for r in rows}),
               "answers": answers}
    if args.json:
        emit(results, True)
        return
    print_table("tools/list cost per tool", rows)
    print_table("totals", [
        {"set": f"all installed ({len(rows)} tools)", "bytes": listed["tools_list_bytes"],
         "approx_tokens": round(listed["tools_list_bytes"] / 4)},
        {"set": f"reference-equivalent ({len(equivalent)} tools)", "bytes": equivalent_bytes,
         "approx_tokens": round(equivalent_bytes / 4)},
        {"set": "reference server (23 tools, measured)", "bytes": 36700, "approx_tokens": 9175},
    ])
    print_table("typical answers", [{"answer": k, "bytes": v} for k, v in answers.items()])
    if results["reference_equivalent_missing"]:
        print("missing reference-equivalent tools:", results["reference_equivalent_missing"])


if __name__ == "__main__":
    main()
