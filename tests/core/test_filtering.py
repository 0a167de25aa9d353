"""--tools / --read-only / scopes filtering fails closed (the reference exposed every tool
for --tools ",")."""

from __future__ import annotations

import pytest

from auth0_mcp import arg, tool
from auth0_mcp.filtering import FilterError, FilterSettings, decide, glob_to_regex, visible


async def _noop(ctx, args):
    return {}


def spec(name: str, read_only: bool, scopes=("read:clients",)):
    return tool(name=name, title=name, read_only=read_only, scopes=scopes,
                description="d")(_noop)


SPECS = [
    spec("auth0_list_applications", True),
    spec("auth0_get_application", True),
    spec("auth0_create_application", False, ("create:clients",)),
    spec("auth0_list_logs", True, ("read:logs",)),
]


def names(settings: FilterSettings) -> list[str]:
    return [s.name for s in visible(decide(SPECS, settings))]


def test_glob_semantics_are_the_references():
    assert glob_to_regex("auth0_list_*").fullmatch("auth0_list_logs")
    assert glob_to_regex("auth0_get_applicatio?").fullmatch("auth0_get_application")
    assert not glob_to_regex("AUTH0_*").fullmatch("auth0_list_logs")  # case-sensitive
    assert not glob_to_regex("auth0.list").fullmatch("auth0_list")  # dots are literal


def test_patterns_are_or_ed_and_read_only_always_wins():
    s = FilterSettings.resolve("auth0_list_*,auth0_create_application", True, {})
    assert names(s) == ["auth0_list_applications", "auth0_list_logs"]


@pytest.mark.parametrize("value", [",", " , ", ""])
def test_a_tools_value_naming_nothing_is_an_error(value):
    with pytest.raises(FilterError):
        FilterSettings.resolve(value, False, {})


def test_pattern_matching_nothing_is_an_error_naming_it():
    with pytest.raises(FilterError, match="Invalid tool: auth0_nope"):
        decide(SPECS, FilterSettings.resolve("auth0_nope", False, {}))
    with pytest.raises(FilterError, match="No tools match the pattern: x\\*"):
        decide(SPECS, FilterSettings.resolve("x*", False, {}))


def test_env_precedence():
    env = {"AUTH0_MCP_TOOLS": "auth0_list_logs", "AUTH0_MCP_READ_ONLY": "true"}
    assert FilterSettings.resolve(None, False, env).patterns == ("auth0_list_logs",)
    assert FilterSettings.resolve("*", False, env).patterns == ("auth0_list_logs",)
    assert FilterSettings.resolve("auth0_get_*", False, env).patterns == ("auth0_get_*",)
    assert FilterSettings.resolve(None, False, env).read_only is True
    # the env var can turn read-only on, never off
    assert FilterSettings.resolve(None, True, {"AUTH0_MCP_READ_ONLY": "false"}).read_only
    with pytest.raises(FilterError):
        FilterSettings.resolve(None, False, {"AUTH0_MCP_READ_ONLY": "maybe"})
    with pytest.raises(FilterError):
        FilterSettings.resolve(None, False, {"AUTH0_MCP_TOOLS": ","})


def test_scopes_hide_tools_the_token_cannot_use_and_say_why():
    s = FilterSettings.resolve(None, False, {}, granted_scopes={"read:clients"})
    decisions = decide(SPECS, s)
    assert [d.spec.name for d in decisions if d.visible] == [
        "auth0_list_applications", "auth0_get_application"]
    reasons = {d.spec.name: d.reason for d in decisions}
    assert reasons["auth0_list_logs"] == "token lacks scope read:logs"


def test_arg_helper_is_usable_without_default():
    import attrs

    @attrs.frozen
    class A:
        x: int = arg(description="x")

    assert A(1).x == 1


PATTERNS = {
    # a whole name never selects the longer names that start with it
    "auth0_get_action": {"auth0_get_action"},
    "auth0_update_action": {"auth0_update_action"},
    "auth0_delete_application": {"auth0_delete_application"},
    # a glob is anchored at both ends
    "auth0_*_application": {"auth0_create_application", "auth0_delete_application",
                            "auth0_get_application", "auth0_update_application"},
    "auth0_list_action?": {"auth0_list_actions"},
    "*_form": {"auth0_create_form", "auth0_delete_form", "auth0_get_form",
               "auth0_publish_form", "auth0_update_form"},
}


@pytest.mark.parametrize("pattern", sorted(PATTERNS))
async def test_tools_patterns_match_whole_names_in_a_real_session(auth0_mcp, pattern):
    """A substring match would expose auth0_update_action_bindings and
    auth0_delete_application_grant to a user who asked for one tool."""
    async with auth0_mcp.session(tools=pattern) as client:
        names = {t.name for t in (await client.list_tools()).tools}
        assert names == PATTERNS[pattern]
        hidden = sorted({"auth0_update_action_bindings", "auth0_delete_application_grant"}
                        - names)[0]
        refused = await client.call_tool(hidden, {})
        assert refused.is_error


def test_every_pattern_selects_exactly_what_fnmatch_would(auth0_mcp):
    import fnmatch

    from auth0_mcp.runtime import RunOptions

    names = [t.name for t in auth0_mcp.catalog(RunOptions()).tools]
    for pattern in [*PATTERNS, "auth0_*", "auth0_list_*", "*grant*", "auth0_?et_log"]:
        shown = visible(decide(auth0_mcp.catalog(RunOptions()).tools,
                               FilterSettings.resolve(pattern, False, {})))
        assert {s.name for s in shown} == set(fnmatch.filter(names, pattern)), pattern
