"""The signs behind a proposition, as one lemma with a table, and how they were established.

A derived result carries claims ``Claim(text, expr, sign, proved, samples)``, e.g.
``"d omega > 0 (comply, closed)"``.  Each text is read as *quantity*, *relation* and
*case* (the trailing parenthesis); claims with the same quantity and the same
established sign are one row, their cases listed together.  A row's sign is marked
:math:`\\dagger` when it is certified numerically (observed at every sampled point)
and not proved.

:func:`established` is the one sentence per proposition that says how it was
established: proved symbolically, or which claims are certified at how many points
and why they are not proved.
"""
from __future__ import annotations

import re

from openeq.export.latex.wording import referee

__all__ = ["parse_claim", "claims_lemma", "established"]

_REL = re.compile(r"\s*(has no definite sign|>=|<=|=|<|>)\s*(0|p|[-\w.]*)?\s*$")
_SIGN_TEX = {"+": "> 0", "-": "< 0", "0": "= 0", "+0": r"\ge 0", "-0": r"\le 0"}


def _split_note(text):
    """``"quantity = 0 (case): why"`` -> (``"quantity = 0 (case)"``, ``"why"``): the note
    is after a colon outside parentheses."""
    depth = 0
    for i, ch in enumerate(text):
        depth += (ch == "(") - (ch == ")")
        if ch == ":" and depth == 0 and text[i + 1:i + 2] == " ":
            return text[:i], text[i + 2:]
    return text, ""


def _trailing_group(text):
    """(text before, content of the trailing balanced parenthesis) or (text, "")."""
    text = text.rstrip()
    if not text.endswith(")"):
        return text, ""
    depth = 0
    for i in range(len(text) - 1, -1, -1):
        depth += (text[i] == ")") - (text[i] == "(")
        if depth == 0:
            before = text[:i].rstrip()
            if not before or before[-1] in "(*/^_" or before[-1].isalnum() and not text[i - 1].isspace():
                return text, ""  # a call such as N''(delta*): part of the quantity
            return before, text[i + 1:-1]
    return text, ""


def parse_claim(text, labels=()):
    """(quantity, case, note) of a claim's text; quantity is None if the text is not
    of the form ``quantity op value (case)``."""
    s = referee(text, labels)
    s, note = _split_note(s)
    s, case = _trailing_group(s)
    m = _REL.search(s)
    if not m or not s[:m.start()].strip():
        return None, case, note
    return s[:m.start()].strip(), case, note


def _cell(c):
    """The sign column of one claim: (LaTeX math, certified-only)."""
    if c.sign == "?" and "no definite sign" in c.text:
        return r"\gtrless 0", not c.proved
    return _SIGN_TEX.get(c.sign, "?"), not c.proved


def _group_cases(cases):
    """``["comply, closed", "comply, interior"]`` -> ``"comply (closed, interior)"``."""
    heads = {}
    for case in cases:
        head, _, rest = case.partition(", ")
        heads.setdefault(head, []).append(rest)
    out = []
    for head, rests in heads.items():
        rests = [r for r in rests if r]
        out.append(f"{head} ({', '.join(rests)})" if rests else head)
    return "; ".join(out)


def _rows(doc, res):
    labels = doc.eq.labels
    rows, index = [], {}
    for c in res.claims:
        quantity, case, note = parse_claim(c.text, labels)
        sign, certified = _cell(c)
        key = (quantity if quantity is not None else referee(c.text, labels), sign, certified, note)
        if key not in index:
            index[key] = len(rows)
            rows.append({"quantity": key[0], "parsed": quantity is not None, "sign": sign, "certified": certified,
                         "note": note, "cases": [], "samples": 0, "exprs": []})
        row = rows[index[key]]
        if case and case not in row["cases"]:
            row["cases"].append(case)
        row["samples"] = max(row["samples"], c.samples or 0)
        row["exprs"].append(c.expr)
    return rows


def claims_lemma(doc, res, label) -> list:
    """A lemma stating every claim of ``res`` in one table (LaTeX lines)."""
    if not res.claims:
        return []
    rows = _rows(doc, res)
    dagger = any(r["certified"] for r in rows)
    out = [r"\begin{lemma}\label{%s}" % label,
           r"The signs used in the proof of Proposition~\ref{%s} are those of Table~\ref{%s}." % (
               label.replace("lem:", "prop:"), label.replace("lem:", "tab:")) +
           (r" A sign marked ${}^{\dagger}$ is certified numerically, not proved." if dagger else ""),
           r"\end{lemma}",
           r"\begin{table}[H]", r"\centering\small",
           r"\caption{Signs used in the proof of Proposition~\ref{%s}.}\label{%s}" % (
               label.replace("lem:", "prop:"), label.replace("lem:", "tab:")),
           r"\begin{tabular}{@{}p{0.34\linewidth}lp{0.44\linewidth}@{}}", r"\toprule",
           r"Quantity & Sign & Where \\", r"\midrule"]
    for r in rows:
        quantity = doc.text(r["quantity"])
        sign = f"${r['sign']}$" + (r"${}^{\dagger}$" if r["certified"] else "")
        where = doc.text(_group_cases(r["cases"])) if r["cases"] else "everywhere"
        if r["note"]:
            where += "; " + doc.text(r["note"])
        out.append(f"{quantity} & {sign} & {where} \\\\")
    out += [r"\bottomrule", r"\end{tabular}", r"\end{table}"]
    return out


def established(doc, res, lemma=None) -> str:
    """One sentence: how the proposition was established."""
    ref = r" (Lemma~\ref{%s})" % lemma if lemma and res.claims else ""
    certified = [c for c in res.claims if not c.proved]
    if not certified:
        if res.claims:
            return f"Every sign used below{ref} is proved symbolically under the parameters' domains."
        return "The closed forms follow from Proposition~\\ref{prop:spe} by substitution and differentiation."
    n = max((c.samples for c in certified), default=0)
    both = [c for c in certified if c.sign == "?" and "no definite sign" in c.text]
    grid = [c for c in certified if c.expr is None]
    rest = len(certified) - len(both) - len(grid)
    why = []
    if rest:
        why.append(f"{rest} sign{'s are' if rest > 1 else ' is'} certified by evaluation at up to {n} sampled "
                   "points of the region, because no symbolic certificate of the sign was found")
    if both:
        why.append(f"{len(both)} sign change{'s are' if len(both) > 1 else ' is'} shown by sampled points of "
                   "both signs")
    if grid:
        k = max(c.samples for c in grid)
        why.append(f"{len(grid)} optimality claim{'s are' if len(grid) > 1 else ' is'} checked on a grid of "
                   f"{k} points, because the optimum is over a choice that has no closed-form comparison")
    proved = len(res.claims) - len(certified)
    lead = (f"Of the {len(res.claims)} claims used below{ref}, {proved} {'is' if proved == 1 else 'are'} proved "
            "symbolically; " if proved else f"The claim{'s' if len(res.claims) > 1 else ''} used below{ref}: ")
    tail = (" The statement holds as proved where it rests on the proved claims, and as certified (marked "
            "${}^{\\dagger}$) where it rests on the others." if proved else
            " The statement rests on this certification (marked ${}^{\\dagger}$).")
    return lead + "; ".join(why) + "." + tail
