"""Rendered templates keep their line breaks: ``trim_blocks`` eats the newline after a block tag."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from locales import TEMPLATES_DIR, render, use_locale

TAG = re.compile(r"\{%-?.*?[-+]?%\}|\{#.*?#\}")


@pytest.mark.parametrize("locale", ["ko", "en"])
def test_consent_paragraphs_are_separated_by_an_empty_line(locale):
    with use_locale(locale):
        general = render("consent_general.j2")
        sensitive = render("consent_sensitive.j2")
    for number in (2, 3, 4):
        assert f"\n\n{number}. " in general, general
    assert "1. " in general.split("\n\n")[1]
    assert general.count("\n\n") == 5  # title, four paragraphs, the question
    assert sensitive.count("\n\n• ") == 4 and sensitive.count("\n\n") == 5, sensitive
    for text in (general, sensitive):
        assert "2026.1" not in text and "버전" not in text and "version" not in text  # stored, not shown


def test_the_korean_consent_reads_as_paragraphs():
    with use_locale("ko"):
        general = render("consent_general.j2")
    assert general.startswith("<b>개인정보 수집·이용 동의</b>\n\n1. ")
    assert "보내 드리려고요.\n\n2. " in general


@pytest.mark.parametrize("path", sorted(Path(TEMPLATES_DIR).glob("*.j2")), ids=lambda p: p.name)
def test_no_line_of_text_ends_in_a_tag_that_eats_its_newline(path):
    """A line that prints text and ends in a block tag needs ``+%}`` or an empty line after it."""
    lines = path.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, 1):
        stripped = line.rstrip()
        if not stripped.endswith("%}") or stripped.endswith("+%}"):
            continue
        prints = TAG.sub("", stripped).strip()
        following = lines[number] if number < len(lines) else ""
        assert not prints or following.strip() == "", f"{path.name}:{number}: {line!r} runs into the next line"
