"""Line diffs between two revisions of an article, as plain data for an escaping template."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Literal

LineKind = Literal["same", "added", "removed", "hunk"]


@dataclass(frozen=True)
class DiffLine:
    kind: LineKind
    text: str
    old_number: int | None = None
    new_number: int | None = None


@dataclass(frozen=True)
class Diff:
    lines: list[DiffLine]
    added: int
    removed: int
    title_changed: bool

    @property
    def is_empty(self) -> bool:
        return not self.lines and not self.title_changed


def diff_texts(
    old: str, new: str, *, old_title: str = "", new_title: str = "", context: int = 3
) -> Diff:
    """Changed lines of `new` against `old` with `context` unchanged lines around each change.

    Texts stay text: the template escapes every line, so a diff of hostile Markdown is as
    harmless as the Markdown itself.
    """
    old_lines = old.splitlines()
    new_lines = new.splitlines()
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    lines: list[DiffLine] = []
    added = removed = 0
    for group in matcher.get_grouped_opcodes(context):
        first, last = group[0], group[-1]
        lines.append(
            DiffLine(
                "hunk",
                f"@@ −{first[1] + 1},{last[2] - first[1]} +{first[3] + 1},{last[4] - first[3]} @@",
            )
        )
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                for k in range(i2 - i1):
                    lines.append(DiffLine("same", old_lines[i1 + k], i1 + k + 1, j1 + k + 1))
                continue
            for k in range(i1, i2):
                lines.append(DiffLine("removed", old_lines[k], old_number=k + 1))
                removed += 1
            for k in range(j1, j2):
                lines.append(DiffLine("added", new_lines[k], new_number=k + 1))
                added += 1
    return Diff(lines=lines, added=added, removed=removed, title_changed=old_title != new_title)
