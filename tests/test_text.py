"""The one rule for free text that the store records: names that could run as formulas, markup, control and
direction characters are refused with a message naming the problem."""

from __future__ import annotations

import pytest

from valuechain import text


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ('=HYPERLINK("http://evil.example","x")', "formula"),
        ("@SUM(1+1)*cmd|' /C calc'!A0", "formula"),
        ("+cmd|' /C calc'!A0", "formula"),
        ("<img src=x onerror=alert(1)>", "markup"),
        ("Anna\x07", "control character"),
        ("report\u202efdp.exe", "reverses the direction"),
        ("name\u2067x", "reverses the direction"),
        ("x" * 201, "longer than 200"),
        ("  ", "empty"),
    ],
)
def test_bad_names_are_refused_with_the_reason(name: str, why: str) -> None:
    problem = text.problem(name, "dataset name")
    assert problem is not None and why in problem and problem.startswith("The dataset name")
    assert "\u202e" not in problem and "\x07" not in problem  # the message shows U+202E, not the character


@pytest.mark.parametrize("name", ["Eurostat sbs_r_nuts2021", "Övre Norrland – SCB (2023)", "-5 % scenario", "A+B"])
def test_ordinary_names_pass(name: str) -> None:
    assert text.problem(name, "dataset name") is None


def test_bidi_characters_are_removed_for_display() -> None:
    assert text.without_bidi("evil\u202efdp.exe\u2066\u2069") == "evilfdp.exe"
