"""Small helpers plugins share to keep answers compact and edits safe."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import quote, unquote

from .errors import InvalidArguments


def pick(obj: Mapping[str, Any], keys: Iterable[str]) -> dict[str, Any]:
    """Only ``keys`` of ``obj``, in that order, leaving out absent and empty values."""
    return {k: obj[k] for k in keys if k in obj and obj[k] not in (None, "", [], {})}


def page_info(page: int, per_page: int, count: int, total: int | None) -> dict[str, Any]:
    """Pagination facts from Auth0's ``start``/``limit``/``total`` (the reference treats
    ``start`` as a page number and gets every page after the first wrong)."""
    info: dict[str, Any] = {"page": page, "per_page": per_page}
    if total is not None:
        info["total"] = total
        info["has_more"] = page * per_page + count < total
    else:
        info["has_more"] = count == per_page
    return info


def merge_list(current: Sequence[Any] | None, add: Iterable[Any] = (),
               remove: Iterable[Any] = (), *, key: Any = None) -> list[Any]:
    """``current`` plus ``add`` (no duplicates, order kept) minus ``remove``.

    ``key`` extracts the identity of an item (e.g. a scope's ``value``), so adding a scope
    whose value exists replaces its description instead of duplicating it.
    """
    ident = key or (lambda item: item)
    removed = {r if isinstance(r, str) else ident(r) for r in remove}
    result: list[Any] = []
    index: dict[Any, int] = {}
    for item in list(current or []) + list(add):
        k = ident(item)
        if k in removed:
            continue
        if k in index:
            result[index[k]] = item
        else:
            index[k] = len(result)
            result.append(item)
    return result


def changes_path(value: str) -> bool:
    """True if ``value``, once decoded (as often as a proxy might), would move a URL: empty,
    ``.``/``..`` or made of slashes alone, or holding a ``.``/``..`` step between slashes.
    ``https://api.example.com/orders`` (an API identifier) is a fine id; ``..%2f`` is not."""
    decoded = value
    for _ in range(4):
        once = unquote(decoded)
        if once == decoded:
            break
        decoded = once
    parts = decoded.replace("\\", "/").split("/")
    return (not decoded.strip() or all(p in ("", ".", "..") for p in parts)
            or any(p in (".", "..") for p in parts))


def segment(value: str) -> str:
    """Percent-encode one path segment (ids such as ``auth0|123`` or API identifier URLs).

    The one place ids become URL paths: an id that would change which resource the request
    names (``.`` is the list, ``..`` the parent) is refused here, before any URL exists."""
    if changes_path(value):
        shown = value if len(value) <= 40 else value[:40] + "..."
        raise InvalidArguments(
            f"{shown!r} is not an id: it would change the request's path (empty, '.', '..', or "
            "slashes), so nothing was sent. Use the id exactly as a list tool shows it.")
    return quote(value, safe="")
