"""eForms notices (UBL 2.3, SDK 1.x, including the German profile eForms-DE) → ``NoticeRecord``.

Safety first: the bytes are checked for a DOCTYPE and XInclude before lxml sees them, lxml runs
with entities, DTDs and the network off and without ``huge_tree`` (so libxml2 keeps its depth and
text-size limits), and the parsed document is checked again for a DOCTYPE. Encoding errors are
libxml2's to report: nothing is decoded by guessing.

Where each field sits is pinned in ``FIELDS``: the ``xpathAbsolute`` of the business term in the
SDK's ``fields/fields.json`` (version ``SDK_VERSION``). The table is compiled at import time into
the faster forms that read it: the notice's fields (the extension's too) and each lot's in one
walk down their child steps (``_ChildPaths``), the organisations with their identifiers and the
buyer's name and country with one XPath union each (``_FieldGroup``); all those relative paths
are derived from the table.
"""

from __future__ import annotations

import codecs
import datetime as dt
import re
import threading
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Final

from lxml import etree

from klinke.tenders.parsers.codes import (
    country_alpha2,
    cpv_code,
    language_alpha2,
    publication_number,
)
from klinke.tenders.parsers.errors import NoticeError
from klinke.tenders.parsers.records import (
    Change,
    Deadline,
    DeadlineKind,
    Lot,
    NoticeRecord,
    NoticeRole,
)

SDK_VERSION: Final = "1.15.1"

# Business term → xpathAbsolute, copied from OP-TED/eForms-SDK 1.15.1 fields/fields.json.
_EXT = "/*/ext:UBLExtensions/ext:UBLExtension/ext:ExtensionContent/efext:EformsExtension"
_LOT = "/*/cac:ProcurementProjectLot[cbc:ID/@schemeName='Lot']"
_ORG = f"{_EXT}/efac:Organizations/efac:Organization/efac:Company"
FIELDS: Final[dict[str, str]] = {
    "BT-701-notice": "/*/cbc:ID[@schemeName='notice-id']",
    "BT-757-notice": "/*/cbc:VersionID",
    "BT-04-notice": "/*/cbc:ContractFolderID",
    "BT-05(a)-notice": "/*/cbc:IssueDate",
    "OPP-010-notice": (
        f"{_EXT}/efac:Publication/efbc:NoticePublicationID[@schemeName='ojs-notice-id']"
    ),
    "BT-02-notice": "/*/cbc:NoticeTypeCode",
    "OPP-070-notice": f"{_EXT}/efac:NoticeSubType/cbc:SubTypeCode",
    "BT-105-Procedure": "/*/cac:TenderingProcess/cbc:ProcedureCode",
    "BT-702(a)-notice": "/*/cbc:NoticeLanguageCode",
    "BT-21-Procedure": "/*/cac:ProcurementProject/cbc:Name",
    "BT-24-Procedure": "/*/cac:ProcurementProject/cbc:Description",
    "OPT-300-Procedure-Buyer": "/*/cac:ContractingParty/cac:Party/cac:PartyIdentification/cbc:ID",
    "OPT-200-Organization-Company": f"{_ORG}/cac:PartyIdentification/cbc:ID",
    "BT-500-Organization-Company": f"{_ORG}/cac:PartyName/cbc:Name",
    "BT-514-Organization-Company": f"{_ORG}/cac:PostalAddress/cac:Country/cbc:IdentificationCode",
    "BT-262-Procedure": (
        "/*/cac:ProcurementProject/cac:MainCommodityClassification/cbc:ItemClassificationCode"
    ),
    "BT-263-Procedure": (
        "/*/cac:ProcurementProject/cac:AdditionalCommodityClassification/cbc:ItemClassificationCode"
    ),
    "BT-5071-Procedure": (
        "/*/cac:ProcurementProject/cac:RealizedLocation/cac:Address/cbc:CountrySubentityCode"
    ),
    "BT-5141-Procedure": (
        "/*/cac:ProcurementProject/cac:RealizedLocation/cac:Address/cac:Country/cbc:IdentificationCode"
    ),
    "BT-727-Procedure": "/*/cac:ProcurementProject/cac:RealizedLocation/cac:Address/cbc:Region",
    "BT-27-Procedure": (
        "/*/cac:ProcurementProject/cac:RequestedTenderTotal/cbc:EstimatedOverallContractAmount"
    ),
    "BT-137-Lot": f"{_LOT}/cbc:ID",
    "BT-21-Lot": f"{_LOT}/cac:ProcurementProject/cbc:Name",
    "BT-262-Lot": (
        f"{_LOT}/cac:ProcurementProject/cac:MainCommodityClassification/cbc:ItemClassificationCode"
    ),
    "BT-263-Lot": (
        f"{_LOT}/cac:ProcurementProject/cac:AdditionalCommodityClassification"
        "/cbc:ItemClassificationCode"
    ),
    "BT-5071-Lot": (
        f"{_LOT}/cac:ProcurementProject/cac:RealizedLocation/cac:Address/cbc:CountrySubentityCode"
    ),
    "BT-5141-Lot": (
        f"{_LOT}/cac:ProcurementProject/cac:RealizedLocation/cac:Address/cac:Country"
        "/cbc:IdentificationCode"
    ),
    "BT-727-Lot": f"{_LOT}/cac:ProcurementProject/cac:RealizedLocation/cac:Address/cbc:Region",
    "BT-27-Lot": (
        f"{_LOT}/cac:ProcurementProject/cac:RequestedTenderTotal/cbc:EstimatedOverallContractAmount"
    ),
    "BT-131(d)-Lot": f"{_LOT}/cac:TenderingProcess/cac:TenderSubmissionDeadlinePeriod/cbc:EndDate",
    "BT-131(t)-Lot": f"{_LOT}/cac:TenderingProcess/cac:TenderSubmissionDeadlinePeriod/cbc:EndTime",
    "BT-1311(d)-Lot": (
        f"{_LOT}/cac:TenderingProcess/cac:ParticipationRequestReceptionPeriod/cbc:EndDate"
    ),
    "BT-1311(t)-Lot": (
        f"{_LOT}/cac:TenderingProcess/cac:ParticipationRequestReceptionPeriod/cbc:EndTime"
    ),
    "BT-630(d)-Lot": (
        f"{_LOT}/cac:TenderingProcess/ext:UBLExtensions/ext:UBLExtension/ext:ExtensionContent"
        "/efext:EformsExtension/efac:InterestExpressionReceptionPeriod/cbc:EndDate"
    ),
    "BT-630(t)-Lot": (
        f"{_LOT}/cac:TenderingProcess/ext:UBLExtensions/ext:UBLExtension/ext:ExtensionContent"
        "/efext:EformsExtension/efac:InterestExpressionReceptionPeriod/cbc:EndTime"
    ),
    "BT-15-Lot": (
        f"{_LOT}/cac:TenderingTerms/cac:CallForTendersDocumentReference"
        "/cac:Attachment[../cbc:DocumentType/text()='non-restricted-document']"
        "/cac:ExternalReference/cbc:URI"
    ),
    "BT-615-Lot": (
        f"{_LOT}/cac:TenderingTerms/cac:CallForTendersDocumentReference"
        "/cac:Attachment[../cbc:DocumentType/text()='restricted-document']"
        "/cac:ExternalReference/cbc:URI"
    ),
    "BT-758-notice": f"{_EXT}/efac:Changes/efbc:ChangedNoticeIdentifier",
    "BT-140-notice": f"{_EXT}/efac:Changes/efac:ChangeReason/cbc:ReasonCode",
    "BT-762-notice": f"{_EXT}/efac:Changes/efac:ChangeReason/efbc:ReasonDescription",
}

# Notice subtype (OPP-070) → form type, from the SDK 1.15.1 notice-types/notice-types.json.
FORM_TYPES: Final[dict[str, str]] = {
    **{str(n): "planning" for n in range(1, 10)},
    **{str(n): "competition" for n in range(10, 25)},
    **{str(n): "dir-awa-pre" for n in range(25, 29)},
    **{str(n): "result" for n in range(29, 38)},
    **{str(n): "cont-modif" for n in range(38, 41)},
    "CEI": "competition",
    "E1": "consultation",
    "E2": "planning",
    "E3": "competition",
    "E4": "result",
    "E5": "completion",
    "E6": "cont-modif",
    "T01": "planning",
    "T02": "result",
    "X01": "bri",
    "X02": "bri",
}
_ROLE_OF_FORM: Final[dict[str, NoticeRole]] = {"competition": "competition", "result": "result"}

# BT-140 (change-corrig-justification) code that withdraws the changed notice.
CANCEL_REASON: Final = "cancel"

ROOT_ELEMENTS: Final = frozenset(
    {
        "{urn:oasis:names:specification:ubl:schema:xsd:ContractNotice-2}ContractNotice",
        "{urn:oasis:names:specification:ubl:schema:xsd:ContractAwardNotice-2}ContractAwardNotice",
        "{urn:oasis:names:specification:ubl:schema:xsd:PriorInformationNotice-2}"
        "PriorInformationNotice",
        # eForms 1.x business registration notices (X01, X02).
        "{http://data.europa.eu/p27/eforms-business-registration-information-notice/1}"
        "BusinessRegistrationInformationNotice",
    }
)

NAMESPACES: Final = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "ext": "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2",
    "efac": "http://data.europa.eu/p27/eforms-ubl-extension-aggregate-components/1",
    "efbc": "http://data.europa.eu/p27/eforms-ubl-extension-basic-components/1",
    "efext": "http://data.europa.eu/p27/eforms-ubl-extensions/1",
}

# A deadline this long after the notice's issue date is a placeholder ("31.12.2099"), not a date.
PLACEHOLDER_AFTER = dt.timedelta(days=2 * 366)
# Except in a call for expressions of interest (CEI): its lists run for up to five years.
PLACEHOLDER_AFTER_CEI = dt.timedelta(days=5 * 366)
_ANYWHERE = frozenset({"anyw", "anyw-cou", "anyw-eea"})
_XINCLUDE = b"http://www.w3.org/2001/XInclude"
_LT = ord("<")
_DECLARATIONS = (b"DOCTYPE", b"ENTITY")
_DECLARATION_STARTS = frozenset(declaration[:1] for declaration in _DECLARATIONS)
_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})(Z|[+-]\d{2}:\d{2})?$")
_TIME = re.compile(r"^(\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:\d{2})?$")


def _relative(field: str, base: str) -> str:
    path = FIELDS.get(field, field)
    assert path.startswith(base + "/"), (field, base)
    return path[len(base) + 1 :]


def _xpath(path: str) -> etree.XPath:
    # Plain strings, and no EXSLT regular expressions to register on every call: none is used.
    return etree.XPath(path, namespaces=NAMESPACES, smart_strings=False, regexp=False)


def _steps(path: str) -> list[str]:
    """The location steps of a path, keeping "/" inside predicates."""
    steps, depth, start = [], 0, 0
    for at, char in enumerate(path):
        depth += {"[": 1, "]": -1}.get(char, 0)
        if char == "/" and depth == 0:
            steps.append(path[start:at])
            start = at + 1
    return [*steps, path[start:]]


def _clark(step: str) -> str:
    prefix, local = step.split("[", 1)[0].split(":")
    return f"{{{NAMESPACES[prefix]}}}{local}"


# The nodes of each field of a group; a field with none is not stored (read it with
# ``.get(field, ())``). A plain dict: CPython's fast paths for dict reads and writes take only that.
Found = dict[str, list[etree._Element]]


class _FieldGroup:
    """Several pinned fields read with one XPath union, then sorted out by their last two steps.

    One union costs about half of the separate calls; a field whose last two steps another field
    of the group shares cannot be told apart and is refused here, at import time.
    """

    def __init__(self, paths: dict[str, str]) -> None:
        self.fields = tuple(paths)
        self.by_key: dict[tuple[str | None, str], str] = {}
        for field, path in paths.items():
            steps = _steps(path)
            key = (_clark(steps[-2]) if len(steps) > 1 else None, _clark(steps[-1]))
            assert key not in self.by_key, (field, self.by_key.get(key))
            self.by_key[key] = field
        # Most tags belong to one field of the group: those need no look at the parent.
        tags = [tag for _, tag in self.by_key]
        self.by_tag = {
            tag: field for (_, tag), field in self.by_key.items() if tags.count(tag) == 1
        }
        self.xpath = _xpath(" | ".join(paths.values()))

    def __call__(self, context: etree._Element) -> Found:
        found: Found = {}
        by_tag = self.by_tag
        for node in self.xpath(context):
            field = by_tag.get(node.tag)
            if field is None:
                field = self.field(context, node)
            nodes = found.get(field)
            if nodes is None:
                found[field] = [node]
            else:
                nodes.append(node)
        return found

    def field(self, context: etree._Element, node: etree._Element) -> str:
        """The field of a node whose tag ends several of the group's paths."""
        parent = node.getparent()
        above = None if parent is context or parent is None else str(parent.tag)
        return self.by_key[(above, str(node.tag))]


# One step of a ``_ChildPaths`` tree: the field that ends there (if any), the attribute test of
# its predicate (``[@name='value']``, if any), and the steps below it (if any).
_Step = tuple[str | None, tuple[str, str] | None, "_Steps | None"]
_Steps = dict[str, _Step]  # by Clark name of the child element
_ATTRIBUTE_TEST = re.compile(r"^([^\[]+)\[@([\w-]+)='([^']*)'\]$")


class _ChildPaths:
    """Pinned fields below one element, read in one walk down their child steps.

    Where the paths are close to the element and share their first steps (the notice's fields
    below the root, a lot's fields below the lot), one walk that visits each element on the way
    once costs less than an XPath union, which walks down again for every path and then sorts
    the nodes back into document order. The walk keeps document order itself: it visits the
    children in order, depth first. Paths with other predicates than an attribute test on a step,
    or that another path would need to tell apart by predicate, are refused here, at import time.
    """

    def __init__(self, paths: dict[str, str]) -> None:
        self.steps: _Steps = {}
        for field, path in paths.items():
            steps = _steps(path)
            below: _Steps | None = self.steps
            for at, step in enumerate(steps):
                assert below is not None
                test = _ATTRIBUTE_TEST.match(step)
                predicate = (test.group(2), test.group(3)) if test else None
                assert "[" not in (test.group(1) if test else step), (field, step)
                tag = _clark(step)
                last = at == len(steps) - 1
                known = below.get(tag)
                if known is None:
                    known = below[tag] = (None, predicate, None)
                assert known[1] == predicate, (field, step)  # one tag, one predicate
                if last:
                    assert known[0] is None, (field, known[0])
                    known = below[tag] = (field, predicate, known[2])
                elif known[2] is None:
                    known = below[tag] = (known[0], predicate, {})
                below = known[2]

    def __call__(self, context: etree._Element) -> Found:
        found: Found = {}
        _walk(context, self.steps, found)
        return found


def _walk(element: etree._Element, steps: _Steps, found: Found) -> None:
    for child in element:
        # The stubs allow any tag that can be set; a parsed element's is a str, and a comment's
        # or entity's (a function) matches no step.
        step = steps.get(child.tag)  # type: ignore[arg-type]
        if step is not None:
            field, predicate, below = step
            if predicate is None or child.get(predicate[0]) == predicate[1]:
                if field is not None:
                    if field in found:
                        found[field].append(child)
                    else:
                        found[field] = [child]
                if below is not None:
                    _walk(child, below, found)


# Compiled once. Notice-level paths start at the root ("/*/a/b" → "a/b" on the root element).
_NOTICE_FIELDS = [
    field for field in FIELDS if field.endswith(("-notice", "-Procedure", "-Procedure-Buyer"))
]
# Every cac:ProcurementProjectLot: lots and a PIN's parts (the predicate of _LOT, whether its
# cbc:ID says "Lot", is checked on the BT-137 nodes, read with the lot's other fields).
_ANY_LOT = _relative(_LOT, "/*").split("[", 1)[0]
_LOT_SCHEME_NAME, _LOT_SCHEME_VALUE = (  # "schemeName", "Lot"
    _LOT.split("[cbc:ID/@", 1)[1].removesuffix("']").split("='")
)
# The extension's notice fields come with the others (the walk passes the extension on its way to
# them), and so do the organisation lists (efac:Organizations), sorted out by ``_organisations``,
# and the lots (below the root with the others), read by ``_IN_LOT``.
_ORGANISATIONS = "organisations"
_LOTS = "lots"
_NOTICE = _ChildPaths(
    {field: _relative(field, "/*") for field in _NOTICE_FIELDS}
    | {_ORGANISATIONS: _relative(_ORG, "/*").removesuffix("/efac:Organization/efac:Company")}
    | {_LOTS: _ANY_LOT}
)
# BT-15 and BT-615 differ only in a predicate on their document reference: the references come
# with the other lot fields, and ``_lot_documents`` sorts them out.
_DOCUMENTS = ("BT-15-Lot", "BT-615-Lot")
_DOCUMENT_REFERENCES = "document-references"
_DOCUMENT_REFERENCE = _relative("BT-15-Lot", _LOT).split("/cac:Attachment", 1)[0]
_DOCUMENT_KINDS: Final = frozenset(
    _relative(field, _LOT).split("text()='", 1)[1].split("'", 1)[0] for field in _DOCUMENTS
)
_IN_LOT = _ChildPaths(
    {
        field: _relative(field, _LOT)
        for field in FIELDS
        if field.endswith("-Lot") and field not in _DOCUMENTS
    }
    # Every main classification, with or without a code: there must be one.
    | {"BT-262-Lot-classification": _relative("BT-262-Lot", _LOT).rsplit("/", 1)[0]}
    | {_DOCUMENT_REFERENCES: _DOCUMENT_REFERENCE}
)
# …/CallForTendersDocumentReference/Attachment/ExternalReference/URI, the same in BT-15 and BT-615,
# read below each document reference with its cbc:DocumentType (the predicate's "../").
_DOCUMENT_TYPE = "document-type"
_DOCUMENT_URIS = {
    _relative(field, _LOT).split("]/", 1)[1].join(["cac:Attachment/", ""]) for field in _DOCUMENTS
}
assert len(_DOCUMENT_URIS) == 1, _DOCUMENT_URIS
_DOCUMENT_URI: Final = "document-uri"
_IN_DOCUMENT_REFERENCE = _ChildPaths(
    {_DOCUMENT_TYPE: "cbc:DocumentType", _DOCUMENT_URI: _DOCUMENT_URIS.pop()}
)
# In an organisation list: every efac:Organization, each followed by its identifiers (OPT-200):
# in document order an identifier comes after its own organisation and before the next one.
_ORGANISATION = "organisation"
_ORGANISATION_ID = "OPT-200-Organization-Company"
_IN_ORGANISATIONS = _FieldGroup(
    {
        _ORGANISATION: "efac:Organization",
        _ORGANISATION_ID: _relative(_ORGANISATION_ID, _ORG.rsplit("/efac:Organization/", 1)[0]),
    }
)
Organisations = list[tuple[etree._Element, list[str]]]  # each with its identifiers (OPT-200)


def _organisations(found: Found) -> Organisations:
    """The organisations of the notice, each with its identifiers."""
    organisations: Organisations = []
    by_tag = _IN_ORGANISATIONS.by_tag  # the two tags differ
    for organisations_list in found.get(_ORGANISATIONS, ()):
        for node in _IN_ORGANISATIONS.xpath(organisations_list):
            if by_tag[node.tag] == _ORGANISATION:
                organisations.append((node, []))
            else:
                organisations[-1][1].append(_normalized_space(node))
    return organisations


_XML_SPACE = re.compile(r"[ \t\r\n]+")
_IN_ORG = _FieldGroup(
    {
        field: _relative(field, _ORG.removesuffix("/efac:Company"))
        for field in FIELDS
        if field.endswith("-Organization-Company") and not field.startswith("OPT-200")
    }
)
_LANGUAGE_ID = "languageID"
_DEADLINE_KINDS: Final[tuple[DeadlineKind, ...]] = ("BT-131", "BT-1311", "BT-630")
# Each deadline with the fields of its date and its time, in that order of preference.
_DEADLINE_FIELDS: Final = tuple(
    (kind, f"{kind}(d)-Lot", f"{kind}(t)-Lot") for kind in _DEADLINE_KINDS
)


_PARSERS = threading.local()


def _parser() -> etree.XMLParser:
    # One parser per thread, reused: lxml parsers keep state and are not shared between threads.
    parser: etree.XMLParser | None = getattr(_PARSERS, "parser", None)
    if parser is None:
        parser = _PARSERS.parser = _new_parser()
    return parser


def _new_parser() -> etree.XMLParser:
    # Whitespace between elements is not kept (pretty-printing: a third of a notice's nodes); the
    # text of an element, blank or not, is, and nothing reads the whitespace between elements.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,
        remove_blank_text=True,
    )


def _check_declarations(data: bytes) -> None:
    # One pass over the rare "!" finds "<!DOCTYPE" and "<!ENTITY" faster than searching for each.
    # Most "!" open comments ("<!--"): the byte after it rules them out first.
    at = data.find(b"!")
    while at != -1:
        if (
            data[at + 1 : at + 2] in _DECLARATION_STARTS
            and at
            and data[at - 1] == _LT
            and data.startswith(_DECLARATIONS, at + 1)
        ):
            raise NoticeError("a DOCTYPE or entity declaration is not allowed")
        at = data.find(b"!", at + 1)
    if _XINCLUDE in data:
        raise NoticeError("XInclude is not allowed")


def _wide_text(data: bytes) -> str | None:
    """The text of a UTF-16 or UTF-32 document (by its byte order mark or its first "<")."""
    head = data[:4]
    if head[:1] == b"<" and head[1:2] != b"\x00":  # most notices: an 8-bit encoding
        return None
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return data.decode("utf-32", errors="replace")
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    if head.startswith(b"<\x00"):
        return data.decode("utf-16-le", errors="replace")
    if head.startswith(b"\x00<"):
        return data.decode("utf-16-be", errors="replace")
    return None


def parse_tree(data: bytes) -> etree._Element:
    """The notice's root element, or ``NoticeError`` for anything hostile or malformed."""
    _check_declarations(data)
    wide = _wide_text(data)
    if wide is not None:
        # UTF-16/32 hides the declarations from the byte check: check the text too.
        _check_declarations(wide.encode("utf-8", errors="replace"))
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as error:
        raise NoticeError(f"not well-formed XML: {error}") from error
    # Another encoding (UTF-16) would hide a DOCTYPE from the byte check above.
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise NoticeError("a DOCTYPE is not allowed")
    if root.tag not in ROOT_ELEMENTS:
        raise NoticeError(f"the root element {root.tag!r} is not an eForms notice")
    return root


def parse_notice(data: bytes) -> NoticeRecord:
    """One eForms notice, normalised."""
    root = parse_tree(data)
    return _record(root)


# The helpers below run for every field of every notice: they take the node lists straight from
# the groups (``found.get(field, ())``: most fields are absent from most notices) and read each
# node's text once, in place, rather than through further layers of small functions.


def _texts(nodes: Sequence[etree._Element]) -> list[str]:
    """The stripped texts of ``nodes``, without the empty ones."""
    if not nodes:  # most fields of most notices
        return []
    return [text for node in nodes if (text := (node.text or "").strip())]


def _first(nodes: Sequence[etree._Element]) -> str | None:
    """The first non-empty stripped text of ``nodes``."""
    for node in nodes:
        if text := (node.text or "").strip():
            return text
    return None


def _required(found: Found, field: str, name: str) -> str:
    for node in found.get(field, ()):
        if text := (node.text or "").strip():
            return text
    raise NoticeError(f"{name} ({field.split('-notice')[0]}) is missing")


def _by_language(nodes: Sequence[etree._Element], default: str, *, lines: bool) -> dict[str, str]:
    texts: dict[str, str] = {}
    for node in nodes:
        text = (node.text or "").strip()
        if not text:
            continue
        code = node.get(_LANGUAGE_ID)
        language = language_alpha2(code) if code else default
        if language is None:
            raise NoticeError(f"unknown language code {code!r}")
        if language in texts:
            continue
        # Pretty-printed XML indents continuation lines; the text does not mean that indent.
        if "\n" in text:
            text = (
                "\n".join([line.strip() for line in text.splitlines()])
                if lines
                else " ".join(text.split())
            )
        texts[language] = text
    return texts


def _decimal(node: etree._Element, field: str) -> Decimal:
    text = (node.text or "").strip()
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise NoticeError(f"{field}: {text!r} is not a number") from None
    if not value.is_finite() or value < 0:
        raise NoticeError(f"{field}: {text!r} is not an amount")
    return value


def _amount(nodes: Sequence[etree._Element], field: str) -> tuple[Decimal | None, str | None]:
    if not nodes:
        return None, None
    return _decimal(nodes[0], field), nodes[0].get("currencyID")


def _cpvs(nodes: Sequence[etree._Element], field: str) -> list[str]:
    codes: list[str] = []
    for node in nodes:
        if text := (node.text or "").strip():
            code = cpv_code(text)
            if code is None:
                raise NoticeError(f"{field}: {text!r} is not a CPV code")
            codes.append(code)
    return codes


def _countries(nodes: Sequence[etree._Element]) -> list[str]:
    return [
        code
        for node in nodes
        if (text := (node.text or "").strip()) and (code := country_alpha2(text))
    ]


def _anywhere(nodes: Sequence[etree._Element]) -> bool:
    """BT-727: one of the regions says "anywhere"."""
    return any((node.text or "").strip() in _ANYWHERE for node in nodes)


def _deadline(
    date_text: str, time_text: str | None, kind: DeadlineKind, latest: dt.date | None
) -> Deadline:
    date_match = _DATE.match(date_text)
    time_match = _TIME.match(time_text) if time_text else None
    if date_match is None or (time_text and time_match is None):
        raise NoticeError(f"{kind}: {date_text!r} {time_text or ''} is not a date".rstrip())
    day, date_offset = date_match.groups()
    if time_match:
        clock, time_offset = time_match.groups()
        offset = time_offset or date_offset or ""
        written = f"{day}T{clock}{offset}"
    else:
        # A date without a time closes at the end of that day.
        offset = date_offset or ""
        written = f"{day}{offset}"
        clock = "23:59:59"
    try:
        moment = dt.datetime.fromisoformat(f"{day}T{clock}{offset}")
    except ValueError:
        raise NoticeError(f"{kind}: {written!r} is not a date") from None
    if moment.tzinfo is None:  # eForms requires an offset; without one, read it as UTC
        moment = moment.replace(tzinfo=dt.UTC)
    utc = moment.astimezone(dt.UTC)
    placeholder = latest is not None and utc.date() > latest
    return Deadline(kind=kind, written=written, utc=utc, placeholder=placeholder)


def _lot_deadline(in_lot: Found, latest: dt.date | None) -> Deadline | None:
    """BT-131, else BT-1311, else BT-630; a placeholder if it is after ``latest``."""
    for kind, date_field, time_field in _DEADLINE_FIELDS:
        date_text = _first(in_lot.get(date_field, ()))
        if date_text is not None:
            time_text = _first(in_lot.get(time_field, ()))
            return _deadline(date_text, time_text, kind, latest)
    return None


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


def _issue_date(found: Found) -> dt.date:
    text = _required(found, "BT-05(a)-notice", "the issue date")
    match = _DATE.match(text)
    try:
        return dt.date.fromisoformat(match.group(1) if match else "")
    except ValueError:
        raise NoticeError(f"BT-05: {text!r} is not a date") from None


def _role(form_type: str, list_name: str | None, change: Change | None) -> NoticeRole:
    if change is not None or list_name == "change":
        reason = change.reason_code if change is not None else None
        return "cancellation" if reason == CANCEL_REASON else "change"
    return _ROLE_OF_FORM.get(form_type, "other")


def _change(found: Found, language: str) -> Change | None:
    """BT-758 and BT-140 (BT-762), if the notice changes another one."""
    changed = _first(found.get("BT-758-notice", ()))
    reasons = _texts(found.get("BT-140-notice", ()))
    if changed is None and not reasons:
        return None
    return Change(
        changes_notice_id=changed,
        reason_code=CANCEL_REASON
        if CANCEL_REASON in reasons
        else (reasons[0] if reasons else None),
        description=_by_language(found.get("BT-762-notice", ()), language, lines=True),
    )


def _normalized_space(node: etree._Element) -> str:
    """XPath's ``normalize-space()`` of an element."""
    text = node.text or "" if not len(node) else "".join(node.itertext())
    if text.isascii():
        # In ASCII, str.split() splits on XML's four blanks and on control characters that XML
        # does not allow in a document: the same result as the expression below, a little faster.
        return " ".join(text.split())
    return _XML_SPACE.sub(" ", text).strip(" ")


def _buyer(identified: Organisations, found: Found, language: str) -> tuple[str | None, str | None]:
    """The first buyer's name (in the notice language if it has several) and country."""
    organisation = None
    buyer_id = _first(found.get("OPT-300-Procedure-Buyer", ()))
    for candidate, ids in identified:
        if not any(ids):
            raise NoticeError("an organisation without its identifier (OPT-200)")
        if organisation is None and buyer_id is not None and buyer_id in ids:
            organisation = candidate
    if buyer_id is None:
        return None, None
    if organisation is None:
        raise NoticeError(f"the buyer {buyer_id!r} (OPT-300) is not among the organisations")
    in_org = _IN_ORG(organisation)
    names = _by_language(in_org.get("BT-500-Organization-Company", ()), language, lines=False)
    countries = _countries(in_org.get("BT-514-Organization-Company", ()))
    name = names.get(language) or next(iter(names.values()), None)
    return name, countries[0] if countries else None


def _lot_documents(in_lot: Found, public: list[str], restricted: list[str]) -> None:
    """Add the lot's document URLs: public (BT-15) and for registered bidders (BT-615)."""
    for reference in in_lot.get(_DOCUMENT_REFERENCES, ()):
        in_reference = _IN_DOCUMENT_REFERENCE(reference)
        kinds = [kind.text or "" for kind in in_reference.get(_DOCUMENT_TYPE, ())]
        if _DOCUMENT_KINDS.isdisjoint(kinds):
            continue  # neither BT-15 nor BT-615
        urls = _texts(in_reference.get(_DOCUMENT_URI, ()))
        (public if kinds == ["non-restricted-document"] else restricted).extend(urls)


def _is_lot(in_lot: Found) -> bool:
    """XPath's ``[cbc:ID/@schemeName='Lot']``: one of its identifiers says it is a lot."""
    for node in in_lot.get("BT-137-Lot", ()):
        if node.get(_LOT_SCHEME_NAME) == _LOT_SCHEME_VALUE:
            return True
    return False


def _record(root: etree._Element) -> NoticeRecord:
    found = _NOTICE(root)
    organisations = _organisations(found)
    notice_id = _required(found, "BT-701-notice", "the notice identifier")
    version = _required(found, "BT-757-notice", "the notice version")
    subtype = _required(found, "OPP-070-notice", "the notice subtype")
    form_type = FORM_TYPES.get(subtype)
    if form_type is None:
        raise NoticeError(f"unknown notice subtype {subtype!r} (eForms SDK {SDK_VERSION})")
    notice_type = _required(found, "BT-02-notice", "the notice type")
    language_code = _required(found, "BT-702(a)-notice", "the notice language")
    language = language_alpha2(language_code)
    if language is None:
        raise NoticeError(f"BT-702: unknown language code {language_code!r}")
    change = _change(found, language)
    role = _role(form_type, found["BT-02-notice"][0].get("listName"), change)
    procedure_id = _first(found.get("BT-04-notice", ()))
    if procedure_id is None:
        if role != "other":
            raise NoticeError("the procedure identifier (BT-04) is missing")
        procedure_id = notice_id  # a planning notice without a procedure stands for itself
    issued = _issue_date(found)
    latest_deadline = issued + (PLACEHOLDER_AFTER_CEI if subtype == "CEI" else PLACEHOLDER_AFTER)
    publication = _first(found.get("OPP-010-notice", ()))

    lots: list[Lot] = []
    deadline: Deadline | None = None
    documents: list[str] = []  # BT-15, and if there is none, BT-615 (for registered bidders)
    restricted: list[str] = []
    cpvs = _cpvs(found.get("BT-262-Procedure", ()), "BT-262")
    additional = _cpvs(found.get("BT-263-Procedure", ()), "BT-263")
    nuts = _texts(found.get("BT-5071-Procedure", ()))
    countries = _countries(found.get("BT-5141-Procedure", ()))
    anywhere = _anywhere(found.get("BT-727-Procedure", ()))
    for lot_element in found.get(_LOTS, ()):
        in_lot = _IN_LOT(lot_element)
        if not _is_lot(in_lot):
            continue  # a part of a PIN
        lot_id = _first(in_lot.get("BT-137-Lot", ()))
        if lot_id is None:
            raise NoticeError("a lot without its identifier (BT-137)")
        get = in_lot.get
        lot_main = _cpvs(get("BT-262-Lot", ()), "BT-262")
        if len(get("BT-262-Lot-classification", ())) > 1:
            raise NoticeError(f"lot {lot_id}: more than one main CPV code (BT-262)")
        if not lot_main and role == "competition":
            raise NoticeError(f"lot {lot_id}: the main CPV code (BT-262) is missing")
        lot_additional = _cpvs(get("BT-263-Lot", ()), "BT-263")
        lot_nuts = _texts(get("BT-5071-Lot", ()))
        countries += _countries(get("BT-5141-Lot", ()))
        anywhere = anywhere or _anywhere(get("BT-727-Lot", ()))
        value, currency = _amount(get("BT-27-Lot", ()), "BT-27")
        if _DOCUMENT_REFERENCES in in_lot:
            _lot_documents(in_lot, documents, restricted)
        cpvs += lot_main
        additional += lot_additional
        nuts += lot_nuts
        title = _by_language(get("BT-21-Lot", ()), language, lines=False)
        lot_deadline = _lot_deadline(in_lot, latest_deadline)
        if lot_deadline is not None and (deadline is None or lot_deadline.utc < deadline.utc):
            deadline = lot_deadline  # the earliest, the first of equals
        lots.append(
            Lot(
                lot_id=lot_id,
                title=title,
                cpv=_unique(lot_main + lot_additional),
                nuts=_unique(lot_nuts),
                deadline=lot_deadline,
                estimated_value=value,
                currency=currency,
            )
        )
    cpv_main = cpvs[0] if cpvs else None
    value, currency = _amount(found.get("BT-27-Procedure", ()), "BT-27")
    buyer_name, buyer_country = _buyer(organisations, found, language)
    return NoticeRecord(
        notice_id=notice_id,
        version=version,
        procedure_id=procedure_id,
        publication_number=publication_number(publication) if publication else None,
        notice_type=notice_type,
        notice_subtype=subtype,
        role=role,
        procedure_type=_first(found.get("BT-105-Procedure", ())),
        language=language,
        title=_by_language(found.get("BT-21-Procedure", ()), language, lines=False),
        description=_by_language(found.get("BT-24-Procedure", ()), language, lines=True),
        buyer_name=buyer_name,
        buyer_country=buyer_country,
        cpv_main=cpv_main,
        cpv_additional=tuple(
            [code for code in dict.fromkeys(cpvs + additional) if code != cpv_main]
        ),
        nuts=_unique(nuts),
        country=_unique(countries),
        anywhere=anywhere,
        deadline=deadline,
        estimated_value=value,
        currency=currency,
        lots=tuple(lots),
        documents_url=_web_address(documents + restricted),
        changes=change,
        issue_date=issued,
        source_format="eforms",
    )


def _web_address(urls: list[str]) -> str | None:
    """The first of ``urls`` that a browser opens (documents also come as e-mail addresses)."""
    for url in urls:
        if url.startswith(_WEB):
            return url
    return None


_WEB = ("https://", "http://")
