"""Stylesheets are well formed: an unclosed block swallows every rule after it (a merge once
left `@media print {` open and the project overview's styles applied only on paper)."""

import re
from pathlib import Path

import pytest

STATIC = Path(__file__).resolve().parents[1] / "static"


def _depth_problems(css: str) -> list[str]:
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)  # braces in comments do not count
    css = re.sub(r"\"[^\"]*\"|'[^']*'", '""', css)  # nor in strings
    depth, problems = 0, []
    for number, line in enumerate(css.splitlines(), start=1):
        depth += line.count("{") - line.count("}")
        if depth < 0:
            problems.append(f"line {number}: a '}}' closes nothing")
            depth = 0
    if depth:
        problems.append(f"{depth} block(s) never closed")
    return problems


@pytest.mark.parametrize("path", sorted(STATIC.rglob("*.css")), ids=lambda p: p.name)
def test_every_block_of_the_stylesheet_is_closed(path):
    assert _depth_problems(path.read_text()) == []


def test_the_check_finds_an_unclosed_media_block():
    assert _depth_problems("@media print {\n  .a { color: red; }\n.b { color: blue; }\n") == [
        "1 block(s) never closed"
    ]
    assert _depth_problems(".a { content: '}'; }\n/* { */") == []
