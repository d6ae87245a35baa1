"""Text safety for Streamlit markdown: stored or typed text must show literally."""

from __future__ import annotations

import re

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def escape_markdown(text: str) -> str:
    """Backslash-escape every markdown-significant character so text renders as typed."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)
