"""The extraction worker: a separate process that reads untrusted pages for `research.collect.isolation`.

Started as `python -m research.collect.extract_worker`. It speaks length-prefixed
frames over stdin/stdout: a JSON request header and the page's UTF-8 bytes in; one
JSON answer out (the extraction, or the error a person can act on). Its parent kills
it at a deadline, so a page built to be slow can stop this process, never the app.
It exits when its stdin closes (its parent went away).
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from research.collect.extract import ExtractError, FieldSpec, extract_page
from research.workers import read_frame, write_frame


def _json_params(params: dict[str, object]) -> dict[str, object]:
    """A keyed refusal's values for the JSON answer: a value in both languages (research.i18n.Named,
    found by its `.sr` without importing the catalogs here) as {"en", "sr"}, anything else as text."""
    out: dict[str, object] = {}
    for name, value in params.items():
        if isinstance(value, str) and hasattr(value, "sr"):
            out[name] = {"en": str(value), "sr": value.sr}
        elif value is None or isinstance(value, (str, int, float, bool)):
            out[name] = value
        else:
            out[name] = str(value)
    return out


def answer(request: dict[str, Any], html: str) -> dict[str, Any]:
    """One page's extraction as a JSON-ready answer; the page's faults are answers too, never a crash."""
    try:
        extraction = extract_page(
            html,
            kind=request.get("kind") or "product",
            url=request.get("url"),
            fields=[FieldSpec.from_dict(f) for f in request.get("fields") or []],
            item_selector=request.get("item_selector"),
            ignore=request.get("ignore") or [],
        )
    except ExtractError as e:
        # The catalog key and values go back too, so the parent rebuilds the refusal in the viewer's language.
        return {"ok": False, "kind": "extract", "message": e.message, "key": e.key, "params": _json_params(e.params)}
    except RecursionError:
        return {"ok": False, "kind": "extract", "message": "The page is nested too deeply to read.",
                "key": "reader.error.too_deep", "params": {}}
    except MemoryError:
        return {"ok": False, "kind": "extract", "message": "The page needs more memory to read than this machine gives it.",
                "key": "reader.error.memory", "params": {}}
    except Exception as e:  # noqa: BLE001 — a bug shows up with its type in the run's message, as in run.py
        return {"ok": False, "kind": "bug", "message": f"Internal error while reading the page ({type(e).__name__}: {e})."}
    return {
        "ok": True, "values": extraction.values, "warnings": extraction.warnings, "text": extraction.text,
        "notes": extraction.notes, "evidence": extraction.evidence,
    }


def main() -> int:
    stdin = sys.stdin.buffer
    # Frames go to the real stdout; anything a library prints goes to stderr instead of
    # corrupting them.
    out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    write_frame(out, json.dumps({"ok": True}).encode())
    while True:
        header = read_frame(stdin)
        body = read_frame(stdin) if header is not None else None
        if header is None or body is None:
            return 0
        result = answer(json.loads(header), body.decode("utf-8", "surrogatepass"))
        write_frame(out, json.dumps(result).encode())


if __name__ == "__main__":
    sys.exit(main())
