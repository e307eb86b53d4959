"""The fake TMDb answers with the shapes of TMDb's OpenAPI document, so the adapter is tested against the contract.

The document's schemas are loose (generated from examples): null is accepted
anywhere, as real responses send it; every field the fake sends must be
declared with a matching type, except the append_to_response blocks the
document does not describe.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.integration.tmdb.fake_tmdb import TOKEN, FakeTmdb

SPEC = Path(__file__).resolve().parents[3].parent / "shared" / "contracts" / "tmdb-v3-openapi.json"
UNDOCUMENTED_APPENDS = {"keywords", "release_dates", "watch/providers"}
TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "object": (dict,),
    "array": (list,),
}


@cache
def _spec() -> dict[str, Any]:
    return json.loads(SPEC.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _violations(value: Any, schema: dict[str, Any], where: str) -> list[str]:
    if value is None or not schema.get("type"):
        return []
    kind = schema["type"]
    allowed = TYPES[kind] + (
        (float,) if where.endswith(".vote_average") else ()
    )  # the spec types upcoming's vote_average as integer
    if not isinstance(value, allowed) or (kind != "boolean" and isinstance(value, bool)):
        return [f"{where}: {type(value).__name__} is not {kind}"]
    if kind == "array":
        return [v for i, item in enumerate(value) for v in _violations(item, schema.get("items", {}), f"{where}[{i}]")]
    if kind == "object":
        props = schema.get("properties", {})
        found = []
        for key, item in value.items():
            if key not in props:
                found.append(f"{where}.{key}: not in the spec")
            else:
                found.extend(_violations(item, props[key], f"{where}.{key}"))
        return found
    return []


@pytest.mark.parametrize(
    ("spec_path", "url", "params"),
    [
        ("/3/configuration", "/configuration", {}),
        ("/3/genre/movie/list", "/genre/movie/list", {}),
        ("/3/search/movie", "/search/movie", {"query": "fight"}),
        ("/3/search/movie", "/search/movie", {"query": "anything at all"}),
        ("/3/movie/{movie_id}", "/movie/550", {}),
        ("/3/movie/{movie_id}", "/movie/999001", {"append_to_response": "keywords,release_dates,watch/providers"}),
        ("/3/trending/movie/{time_window}", "/trending/movie/day", {}),
        ("/3/discover/movie", "/discover/movie", {"with_genres": "18"}),
        ("/3/movie/upcoming", "/movie/upcoming", {}),
        ("/3/movie/{movie_id}/watch/providers", "/movie/550/watch/providers", {}),
    ],
)
async def test_fake_responses_follow_the_openapi_document(
    fake: FakeTmdb, spec_path: str, url: str, params: dict[str, str]
) -> None:
    if not SPEC.exists():
        pytest.skip(f"TMDb OpenAPI document not found at {SPEC}")
    async with httpx.AsyncClient(base_url=fake.base_url + "/", headers={"Authorization": f"Bearer {TOKEN}"}) as http:
        body = (await http.get(url.lstrip("/"), params=params)).raise_for_status().json()
    schema = _spec()["paths"][spec_path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    documented = {k: v for k, v in body.items() if k not in UNDOCUMENTED_APPENDS}
    assert _violations(documented, schema, "body") == []
    if url.endswith("999001"):
        assert body["poster_path"] is None
        assert body["release_date"] == ""
