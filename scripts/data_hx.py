#!/usr/bin/env python3
"""Rename every bare htmx attribute (``hx-get=``) in klinke's templates to ``data-hx-get=``.

HTML allows no ``hx-*`` attributes, htmx reads ``data-hx-*`` just as well, and the Nu Html
Checker then finds nothing to complain about. Idempotent: run it again after merging branches
that add templates (``python scripts/data_hx.py``); ``--check`` only lists what it would change
and exits 1 if anything would. ``klinke/core/tests/test_valid_html.py`` fails on a bare one.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "klinke"
# An attribute name starts after whitespace; ``data-hx-`` is preceded by "-", so never matches.
BARE_HX = re.compile(r"(?<=\s)hx-(?=[a-z][a-z-]*\s*=)")


def templates(root: Path = ROOT) -> list[Path]:
    return sorted(p for p in root.rglob("*.html") if "templates" in p.parts)


def converted(text: str) -> str:
    return BARE_HX.sub("data-hx-", text)


def main(argv: list[str]) -> int:
    check = "--check" in argv
    changed = []
    for path in templates():
        text = path.read_text(encoding="utf-8")
        new = converted(text)
        if new != text:
            changed.append(path)
            if not check:
                path.write_text(new, encoding="utf-8")
    for path in changed:
        print(("would change " if check else "changed ") + str(path.relative_to(ROOT.parent)))
    return 1 if check and changed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
