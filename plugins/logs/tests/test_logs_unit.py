"""Unit tests of the logs plugin's pure parts: the compact rows over every recorded Auth0 logs
response, the event-type table, and the Lucene query builder."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from auth0_mcp import ToolError
from auth0_mcp.testing.shared import fixtures_dir, shared_path
from auth0_mcp_logs import query, rows
from auth0_mcp_logs.event_types import ALIASES, MEANINGS, expand, meaning

FIXTURES = fixtures_dir(__file__)
CODES_DOC = shared_path("reference", "openapi", "log-event-type-codes.mdx", near=__file__)
NOW = dt.datetime(2025, 3, 10, 12, 0, 0, tzinfo=dt.UTC)


def recorded(prefix: str) -> list[tuple[str, dict]]:
    files = sorted(FIXTURES.glob(f"{prefix}*.json"))
    if not files:
        pytest.skip(f"no recorded fixtures {prefix}* in {FIXTURES}")
    return [(f.name, json.loads(f.read_text())) for f in files]


def test_every_recorded_log_list_parses_into_compact_rows():
    sizes = []
    for name, fixture in recorded("logs__get_logs__"):
        events = fixture["response"]["body"]
        assert isinstance(events, list), name
        fields = [f for f in (fixture["request"]["query"].get("fields") or "").split(",") if f]
        projected = fields and fixture["request"]["query"].get("include_fields") != "false"
        table = rows.table(events, fields if projected else None)
        assert len(table["logs"]) == len(events), name
        for event, row in zip(events, table["logs"], strict=True):
            assert len(row) == len(table["columns"]), name
            assert row[-1] == (event.get("log_id") or event["_id"]), name
            if not projected:
                assert row[1] == event.get("type", ""), name
                text = json.dumps(row, separators=(",", ":"), ensure_ascii=False)
                sizes.append(len(text.encode()))
        for code in table.get("types", {}):
            assert code in MEANINGS, f"{name}: type {code} has no meaning"
        summary = rows.counts(events)
        assert summary["total"] == len(events)
        assert sum(t["count"] for t in summary["by_type"]) == len(events)
    assert sizes, "no compact rows were measured"
    assert sum(sizes) / len(sizes) < 145, f"average row is {sum(sizes) / len(sizes):.0f} bytes"
    assert max(sizes) < 230


def test_recorded_single_events_have_known_types():
    for name, fixture in recorded("logs__get_logs_id__"):
        event = fixture["response"]["body"]
        assert meaning(event["type"]) == MEANINGS[event["type"]], name
        assert rows.row(event)[-1] == event["log_id"]


def test_projection_keeps_the_log_id_from_underscore_id():
    event = {"date": "2021-09-03T20:16:31.489Z", "_id": "900123"}
    table = rows.table([event], ["date"])
    assert table == {"columns": ["date", "log_id"],
                     "logs": [["2021-09-03T20:16:31.489Z", "900123"]]}


def test_compact_row_shortens_and_falls_back():
    event = {"date": "2021-09-03T20:16:29.970Z", "type": "s", "description": "Success Login",
             "client_id": "abc", "client_name": "", "user_id": "auth0|1", "ip": "192.0.2.1",
             "log_id": "9001"}
    assert rows.row(event) == ["2021-09-03T20:16:29Z", "s", "", "auth0|1", "", "192.0.2.1",
                               "9001"]
    long = dict(event, description="x" * 200)
    assert len(rows.row(long)[2]) == rows.DESCRIPTION_MAX
    assert rows.short_date("2021-09-03") == "2021-09-03"


def test_top_counts_fold_the_tail():
    from collections import Counter

    counter = Counter({f"10.0.0.{i}": 20 - i for i in range(12)})
    top = rows.top(counter, 10)
    assert len(top) == 11 and top["(2 others)"] == 9 + 10


def test_meanings_cover_every_documented_code():
    if not CODES_DOC.exists():
        pytest.skip("log event type code list not present")
    documented = set(re.findall(r"^\| `([a-z_0-9]+)`", CODES_DOC.read_text(), re.M))
    assert len(documented) >= 160
    assert documented <= set(MEANINGS)
    assert all(len(m) <= 50 for m in MEANINGS.values())
    for codes in ALIASES.values():
        assert set(codes) <= set(MEANINGS)
    assert meaning("nope") == "(unknown code)"


def test_aliases_expand_without_duplicates():
    assert expand(["login", "failed_login", "sapi"]) == ["s", "f", "fp", "fu", "sapi"]


def test_query_quotes_and_escapes_every_value():
    q = query.build(ip="192.108.92.3", user='bob"o\\x', client="My App", now=NOW)
    assert q == ('ip:"192.108.92.3" AND (user_id:"bob\\"o\\\\x" OR user_name:"bob\\"o\\\\x")'
                 ' AND (client_id:"My App" OR client_name:"My App")')


def test_query_types_aliases_and_time_window():
    q = query.build(types=["login"], since="24h", until="2025-03-10", now=NOW)
    assert q == ('(type:"s" OR type:"f" OR type:"fp" OR type:"fu") AND '
                 "date:[2025-03-09T12:00:00.000Z TO 2025-03-10T00:00:00.000Z]")
    assert query.build(types=["fp"], since="2w", now=NOW) == (
        'type:"fp" AND date:[2025-02-24T12:00:00.000Z TO *]')
    assert query.build(until="2025-03-01T10:30:00+02:00", now=NOW) == (
        "date:[* TO 2025-03-01T08:30:00.000Z]")
    assert query.build(q="connection:foo", now=NOW) == "(connection:foo)"
    assert query.build(now=NOW) == ""


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"types": ["failed_logins"]}, "unknown log type"),
    ({"since": "2025-02-30"}, "not a valid date"),
    ({"since": "1d", "until": "2d"}, "is after until"),
    ({"since": "99999999d"}, "too far back"),  # before year 1: was an OverflowError
    ({"since": "9999999999999999999999w"}, "too far back"),
])
def test_query_rejects_bad_input(kwargs, message):
    with pytest.raises(ToolError, match=message):
        query.build(now=NOW, **kwargs)


def test_time_pattern_is_what_the_schema_enforces():
    pattern = re.compile(query.TIME_PATTERN)
    for ok in ("30m", "24h", "7d", "2w", "2025-03-01", "2025-03-01T10:00:00Z"):
        assert pattern.match(ok)
    for bad in ("yesterday", "24", "2025/03/01", "7 d"):
        assert not pattern.match(bad)


def test_specs_are_valid_and_small():
    """The logs share of the 600-bytes-per-tool budget of the reference-equivalent tools
    (list/get logs here; list/get/create/update forms in the forms plugin take 2,260)."""
    import jsonschema

    from auth0_mcp.cli.tools_cmd import tool_json
    from auth0_mcp.plugins import validate_spec
    from auth0_mcp_logs import plugin, tools

    specs = plugin.auth0_mcp_register_tools()
    assert {s.name for s in specs} == {"auth0_list_logs", "auth0_get_log", "auth0_search_logs"}
    for spec in specs:
        assert validate_spec(spec) == [], spec.name
        assert spec.read_only and spec.idempotent and spec.required_scopes == ("read:logs",)
        jsonschema.validate(spec.example, spec.input_schema)
    assert sum(len(tool_json(t).encode()) for t in (tools.list_logs, tools.get_log)) <= 1340
    assert len(tool_json(tools.search_logs).encode()) <= 1600
