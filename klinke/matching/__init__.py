"""Matching engine and bilingual text analysis for klinke.

Pure Python, no Django: :mod:`.analysis` turns German/English text into search terms,
:mod:`.engine` ranks candidate documents (offers, collectives, tenders) for a query
document with explained reasons. The Django apps adapt their models to
:class:`~klinke.matching.documents.MatchDocument` and call :func:`~.engine.rank`.
"""
