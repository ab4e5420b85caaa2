"""HEAD is answered like GET on every URL pattern of the site: same status, same
headers that matter, no body.

The patterns are found by walking the resolver and filled with values that
exist (the demo Opinion, a note, a tag, a flag), so the views get past
their 404s; anonymously and signed in as an editor. Django's admin is left out.
"""

from __future__ import annotations

import pytest
from django.test import Client

from .urlwalk import encode, routes

PAGES = [r for r in routes() if not r.view_name.startswith("admin:")]


def _path(route, sample) -> str:
    values = {}
    for name, _converter in route.arguments:
        if name == "pk" and "flag" in route.view_name:
            values[name] = str(sample["flag"])
        else:
            values[name] = encode(str(sample.get(name, "1")))
    return route.fill(values)


@pytest.mark.parametrize("who", ["anonymous", "editor"])
def test_head_is_answered_like_get_everywhere(sample, editor, who):
    client = Client()
    if who == "editor":
        client.force_login(editor)
    differ = []
    answered = 0
    for route in PAGES:
        path = _path(route, sample)
        get = client.get(path)
        head = client.head(path)
        if get.status_code != head.status_code:
            differ.append(
                f"{route.view_name} {path}: GET {get.status_code}, HEAD {head.status_code}"
            )
            continue
        if get.status_code == 200:
            answered += 1
            assert head.content == b"", path
            assert head["Content-Type"] == get["Content-Type"], path
    assert not differ, "\n".join(differ)
    assert answered >= 20  # the walk reached the pages, not only their 404s
