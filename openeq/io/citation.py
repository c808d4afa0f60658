"""The optional ``source`` field of a model file: the paper the model comes from.

    [source]
    key = "qiu2025openness"
    bibtex = '''@inproceedings{qiu2025openness, author = {...}, title = {...}, year = {2025}}'''
    results = { R1 = "the specialist's best response", R3 = "market equilibria under regulation" }

``bibtex`` holds one entry (or several); each is read field by field and written
anew by :func:`bibtex_entries`, so nothing but the whitelisted entry types and
fields, with plain-text values, reaches BibTeX and LaTeX: no backslashes, braces,
``$``, ``%``, ``#``, ``^``, ``_`` or ``~`` inside a value (``&`` is escaped).
``key`` must name one of the entries; ``results`` maps result keys (``R1``) to the
part of the paper they correspond to.
"""
from __future__ import annotations

import re

__all__ = ["CitationError", "parse_source", "bibtex_entries", "ENTRY_TYPES", "FIELDS"]

ENTRY_TYPES = ("article", "inproceedings", "misc", "book", "techreport", "incollection", "unpublished")
FIELDS = ("author", "title", "booktitle", "journal", "year", "volume", "number", "pages", "publisher",
          "eprint", "archiveprefix", "primaryclass", "note", "doi", "url", "month", "institution", "howpublished")
_KEY = re.compile(r"[A-Za-z][A-Za-z0-9:_\-.]{0,79}\Z")
_VALUE = re.compile(r"[^\\{}$%#^_~\x00-\x1f]*\Z")
_ENTRY = re.compile(r"@\s*([A-Za-z]+)\s*\{\s*([^,\s]+)\s*,(.*?)\}\s*(?=@|\Z)", re.S)
_FIELD = re.compile(r"\s*([A-Za-z]+)\s*=\s*(\{([^{}]*)\}|\"([^\"]*)\"|([0-9]+))\s*(,|\Z)", re.S)
MAX_BIBTEX = 20_000


class CitationError(ValueError):
    """A ``source`` field that is not a plain bibliography entry; the message says why."""


def _entries(text):
    text = text.strip()
    if len(text) > MAX_BIBTEX:
        raise CitationError(f"bibtex is too long ({len(text)} characters, at most {MAX_BIBTEX})")
    out, pos = [], 0
    for m in _ENTRY.finditer(text):
        if text[pos:m.start()].strip():
            raise CitationError(f"unexpected text before an entry: {text[pos:m.start()].strip()[:40]!r}")
        pos = m.end()
        kind, key, body = m.group(1).lower(), m.group(2), m.group(3)
        if kind not in ENTRY_TYPES:
            raise CitationError(f"entry type {kind!r} not allowed (allowed: {', '.join(ENTRY_TYPES)})")
        if not _KEY.match(key):
            raise CitationError(f"entry key {key!r}: letters, digits and : _ - . only")
        fields, rest = {}, body.strip()
        while rest:
            f = _FIELD.match(rest)
            if not f:
                raise CitationError(f"entry {key!r}: cannot read {rest[:40]!r} (write field = {{value}})")
            name = f.group(1).lower()
            value = " ".join((f.group(3) if f.group(3) is not None else f.group(4) if f.group(4) is not None
                              else f.group(5)).split())
            if name not in FIELDS:
                raise CitationError(f"entry {key!r}: field {name!r} not allowed (allowed: {', '.join(FIELDS)})")
            if not _VALUE.match(value):
                raise CitationError(f"entry {key!r}: field {name!r} may hold plain text only "
                                    "(no backslash, braces, $ % # ^ _ ~)")
            fields[name] = value
            rest = rest[f.end():].strip()
        out.append((kind, key, fields))
    if text[pos:].strip() or not out:
        raise CitationError("expected one or more entries such as @article{key, title = {...}, year = {2025}}")
    return out


def parse_source(value) -> dict:
    """The checked ``source`` table: {'key', 'entries', 'results'}."""
    if not isinstance(value, dict):
        raise CitationError("expected a table: source = { key = \"...\", bibtex = \"...\" }")
    unknown = sorted(set(value) - {"key", "bibtex", "results"})
    if unknown:
        raise CitationError(f"unknown key {unknown[0]!r} (allowed: key, bibtex, results)")
    bib, key = value.get("bibtex"), value.get("key")
    if not isinstance(bib, str) or not isinstance(key, str):
        raise CitationError("key and bibtex are required strings")
    entries = _entries(bib)
    if key not in [k for _, k, _ in entries]:
        raise CitationError(f"key {key!r} names none of the bibtex entries")
    results = value.get("results", {})
    if not isinstance(results, dict) or not all(isinstance(k, str) and isinstance(v, str) and len(v) < 300
                                                 and re.fullmatch(r"[A-Za-z0-9_]{1,20}", k) for k, v in results.items()):
        raise CitationError("results must map result keys (R1) to short texts")
    return {"key": key, "entries": entries, "results": dict(results)}


_ACRONYM = re.compile(r"(?<![{\w])([A-Z][A-Za-z]*[A-Z][A-Za-z]*)(?![\w}])")


def _value(name, value):
    """A field's value: ``&`` escaped; in a title, words with two capitals (``AI``,
    ``NeurIPS``) braced so that a bibliography style that lowers a title's case keeps them."""
    value = value.replace("&", "\\&")
    return _ACRONYM.sub(r"{\1}", value) if name in ("title", "booktitle") else value


def bibtex_entries(source) -> str:
    """The entries written anew (values checked at parse time)."""
    out = []
    for kind, key, fields in source["entries"]:
        body = ",\n".join(f"  {name} = {{{_value(name, value)}}}" for name, value in fields.items())
        out.append(f"@{kind}{{{key},\n{body}\n}}\n")
    return "\n".join(out)
