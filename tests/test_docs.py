"""The docs that describe the code stay true to it."""

from __future__ import annotations

from tests.docs_layout import current, entries, render


def test_the_architecture_layout_lists_every_module_as_its_docstring_says() -> None:
    assert current() == render(), "docs/architecture.md is out of date: run `make docs`"


def test_every_module_opens_with_a_one_line_summary() -> None:
    missing = [name for _, name, text in entries() if not text.endswith(".")]
    assert missing == [], f"no one-line docstring summary: {missing}"
