"""A strict RFC 5545 checker for tests: stricter than the parsers, which forgive too much.

It checks the bytes as written: CRLF line ends, lines of at most 75 octets folded with one
space (never inside a UTF-8 character), well-formed content lines, TEXT values escaped (a
backslash only before ``\\ ; , n N``; no bare ``;``, and a bare ``,`` only between the values
of a multi-valued property), balanced components and the properties RFC 5545 requires.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

MAX_OCTETS = 75
NAME = re.compile(r"[A-Za-z0-9-]+")
PARAM = re.compile(
    r';([A-Za-z0-9-]+)=((?:"[^"\x00-\x08\x0a-\x1f\x7f]*"|[^";:,\x00-\x1f\x7f]*)'
    r'(?:,(?:"[^"]*"|[^";:,]*))*)'
)
# Properties whose value type is TEXT (RFC 5545 §3.8 and the common calendar extensions).
TEXT_PROPERTIES = frozenset(
    {
        "SUMMARY",
        "DESCRIPTION",
        "LOCATION",
        "COMMENT",
        "CONTACT",
        "UID",
        "TZID",
        "TZNAME",
        "PRODID",
        "X-WR-CALNAME",
        "X-WR-CALDESC",
        "X-WR-TIMEZONE",
        "NAME",
    }
)
MULTI_TEXT_PROPERTIES = frozenset({"CATEGORIES", "RESOURCES"})
REQUIRED = {
    "VCALENDAR": {"PRODID", "VERSION"},
    "VEVENT": {"UID", "DTSTAMP", "DTSTART"},
    "VTIMEZONE": {"TZID"},
    "STANDARD": {"DTSTART", "TZOFFSETTO", "TZOFFSETFROM"},
    "DAYLIGHT": {"DTSTART", "TZOFFSETTO", "TZOFFSETFROM"},
}
TEXT_ESCAPE = re.compile(r"\\(.)", re.S)


@dataclass
class Component:
    name: str
    properties: list[tuple[str, dict[str, str], str]] = field(default_factory=list)
    children: list[Component] = field(default_factory=list)

    def values(self, name: str) -> list[str]:
        return [value for prop, _params, value in self.properties if prop == name]

    def walk(self, name: str) -> list[Component]:
        found = [self] if self.name == name else []
        for child in self.children:
            found.extend(child.walk(name))
        return found


class Rfc5545Error(AssertionError):
    pass


def unescape_text(value: str) -> str:
    """A TEXT value as meant, after checking its escapes."""
    for char in re.sub(r"\\.", "", value, flags=re.S):
        if char == "\\":
            raise Rfc5545Error(f"dangling backslash in {value!r}")
    for escaped in TEXT_ESCAPE.findall(value):
        if escaped not in "\\;,nN":
            raise Rfc5545Error(f"invalid escape \\{escaped} in {value!r}")
    return TEXT_ESCAPE.sub(lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def split_unescaped(value: str, separator: str = ",") -> list[str]:
    """The values of a multi-valued property, split at separators that are not escaped."""
    parts, current, escaped = [], "", False
    for char in value:
        if escaped:
            current, escaped = current + "\\" + char, False
        elif char == "\\":
            escaped = True
        elif char == separator:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return parts


def _check_text(name: str, value: str) -> None:
    bare = re.sub(r"\\.", "", value, flags=re.S)
    if ";" in bare:
        raise Rfc5545Error(f"{name}: unescaped ';' in {value!r}")
    if "," in bare and name not in MULTI_TEXT_PROPERTIES:
        raise Rfc5545Error(f"{name}: unescaped ',' in {value!r}")
    if re.search(r"[\x00-\x08\x0a-\x1f\x7f]", value):
        raise Rfc5545Error(f"{name}: control character in {value!r}")
    unescape_text(value)


def unfold(content: bytes) -> list[str]:
    """Logical lines, after checking line ends, line lengths and folding."""
    if not content.endswith(b"\r\n"):
        raise Rfc5545Error("the last line does not end with CRLF")
    physical = content[:-2].split(b"\r\n")
    logical: list[str] = []
    for number, line in enumerate(physical, start=1):
        if b"\n" in line or b"\r" in line:
            raise Rfc5545Error(f"line {number}: bare LF or CR")
        if len(line) > MAX_OCTETS:
            raise Rfc5545Error(f"line {number}: {len(line)} octets > {MAX_OCTETS}")
        try:
            text = line.decode("utf-8")  # a fold inside a character makes a line undecodable
        except UnicodeDecodeError as exc:
            raise Rfc5545Error(f"line {number}: folded inside a UTF-8 character") from exc
        if text[:1] in (" ", "\t"):
            if not logical:
                raise Rfc5545Error("the first line is a continuation")
            logical[-1] += text[1:]
        else:
            if not text:
                raise Rfc5545Error(f"line {number}: empty line")
            logical.append(text)
    return logical


def parse_line(line: str) -> tuple[str, dict[str, str], str]:
    name = NAME.match(line)
    if name is None:
        raise Rfc5545Error(f"no property name in {line!r}")
    position = name.end()
    params: dict[str, str] = {}
    while line[position : position + 1] == ";":
        param = PARAM.match(line, position)
        if param is None:
            raise Rfc5545Error(f"malformed parameter in {line!r}")
        params[param.group(1).upper()] = param.group(2)
        position = param.end()
    if line[position : position + 1] != ":":
        raise Rfc5545Error(f"no ':' after the name and parameters in {line!r}")
    return name.group().upper(), params, line[position + 1 :]


def check_calendar(content: bytes) -> Component:
    """Check ``content`` strictly; the parsed VCALENDAR, with TEXT values still escaped."""
    stack: list[Component] = []
    root: Component | None = None
    for line in unfold(content):
        name, params, value = parse_line(line)
        if name == "BEGIN":
            component = Component(value.upper())
            if stack:
                stack[-1].children.append(component)
            elif root is not None:
                raise Rfc5545Error("more than one top-level component")
            else:
                root = component
            stack.append(component)
            continue
        if name == "END":
            if not stack or stack[-1].name != value.upper():
                raise Rfc5545Error(f"END:{value} does not close the open component")
            stack.pop()
            continue
        if not stack:
            raise Rfc5545Error(f"{name} outside any component")
        if name in TEXT_PROPERTIES or name in MULTI_TEXT_PROPERTIES:
            _check_text(name, value)
        stack[-1].properties.append((name, params, value))
    if stack or root is None or root.name != "VCALENDAR":
        raise Rfc5545Error("the calendar is not one closed VCALENDAR")
    if root.values("VERSION") != ["2.0"]:
        raise Rfc5545Error("VERSION must be 2.0, once")
    zones = {zone.values("TZID")[0] for zone in root.walk("VTIMEZONE") if zone.values("TZID")}
    for kind, required in REQUIRED.items():
        for component in root.walk(kind):
            present = {prop for prop, _params, _value in component.properties}
            if missing := required - present:
                raise Rfc5545Error(f"{kind} lacks {sorted(missing)}")
            for prop in ("UID", "DTSTAMP", "DTSTART", "DTEND", "PRODID", "VERSION"):
                if len(component.values(prop)) > 1:
                    raise Rfc5545Error(f"{kind} has {prop} more than once")
    for event in root.walk("VEVENT"):
        for prop, params, _value in event.properties:
            if "TZID" in params and params["TZID"] not in zones:
                raise Rfc5545Error(f"{prop} names TZID {params['TZID']} without a VTIMEZONE")
    return root
