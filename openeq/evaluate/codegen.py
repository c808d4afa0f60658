"""C source for the compiled evaluation of an equilibrium (see ``openeq.evaluate.compiled``).

``generate_source(eq)`` writes one fused, branch-free loop over the points: every
region's condition ``d = subject - bound`` with a bound ``M`` on the magnitudes
that enter it (the expression with every term replaced by its absolute value;
quotients by their first-order sensitivity), so that a condition with
``|d| <= TOL * M`` is known to be within rounding of its boundary; the first
region that holds; and a select of each closed form.  Common subexpressions are
shared by ``sympy.cse``.
"""
from __future__ import annotations

import sympy as sp
from sympy.printing.c import C99CodePrinter

__all__ = ["generate_source", "FastpathUnavailable", "TOL", "EQ_TOL", "CODEGEN_VERSION"]

TOL = 1e-10  # a condition with |d| <= TOL * M is within rounding of its boundary
EQ_TOL = 1e-12  # Vectorized's test for "==" conditions
CODEGEN_VERSION = 2  # 2: large integers printed as doubles


class FastpathUnavailable(RuntimeError):
    """No compiled kernel: no compiler, a failed build, or an expression C cannot express."""


class _Printer(C99CodePrinter):
    """C99 with small integer powers written as products (exact, and no libm call)."""

    def _print_Integer(self, expr):
        """Small integers as C integers; others as doubles (a C integer literal past
        2**63 is ill-formed and gcc truncates it, which gave 0 for 2.5e299*a**2)."""
        n = int(expr)
        if abs(n) <= 2 ** 53:
            return str(n)
        try:
            return repr(float(n))
        except OverflowError:
            raise FastpathUnavailable(f"the integer {n} exceeds the range of a double") from None

    def _print_Pow(self, expr):
        b, e = expr.args
        if e.is_Integer and 1 <= abs(int(e)) <= 8:
            n = abs(int(e))
            base = self.parenthesize(b, 100)  # always wrap compound bases
            prod = "*".join([base] * n)
            return f"({prod})" if e > 0 else f"(1.0/({prod}))"
        return super()._print_Pow(expr)


def _ccode(expr, printer=_Printer()):
    return printer.doprint(sp.sympify(expr))


def _mag(e, mags, params):
    """A sympy expression bounding the magnitudes that enter ``e``'s evaluation."""
    if e.is_Number:
        return sp.Abs(e)
    if e in mags:
        return mags[e]
    if e in params:
        return sp.Abs(e)
    if e.is_Add:
        return sp.Add(*[_mag(a, mags, params) for a in e.args])
    if e.is_Mul:
        return sp.Mul(*[_mag(a, mags, params) for a in e.args])
    if e.is_Pow:
        b, n = e.args
        mb = _mag(b, mags, params)
        if n.is_Integer and n > 0:
            return mb ** n
        if n.is_Integer and n < 0:  # |n| M(b) / |b|^(|n|+1): first-order sensitivity of b^n
            return abs(int(n)) * mb / sp.Abs(b) ** (abs(int(n)) + 1)
        if n.is_Rational:
            return sp.Abs(e) * (1 + abs(n) * mb / sp.Abs(b))
        raise FastpathUnavailable(f"power with a symbolic exponent in a condition: {e}")
    if isinstance(e, sp.Abs):
        return _mag(e.args[0], mags, params)
    if isinstance(e, (sp.Max, sp.Min)):
        return sp.Max(*[_mag(a, mags, params) for a in e.args])
    if isinstance(e, sp.Function) and all(a.is_Number or a.free_symbols for a in e.args):
        if isinstance(e, (sp.Piecewise,)):
            raise FastpathUnavailable("a Piecewise inside a region condition")
        return sp.Abs(e) * (1 + sp.Add(*[_mag(a, mags, params) for a in e.args]))
    raise FastpathUnavailable(f"cannot bound the rounding error of {type(e).__name__} in {e}")


def _outputs(eq):
    first = eq.regions[0]
    return [str(v) for v in first.strategies], list(first.payoffs)


def _plain(rename, P):
    def plain(e, what):
        e = sp.sympify(e).xreplace(rename)
        if e.has(sp.Piecewise) or e.atoms(sp.core.relational.Relational):
            raise FastpathUnavailable(f"{what} {e} is not a plain expression")
        if e.free_symbols - set(P):
            raise FastpathUnavailable(f"{what} {e} depends on {', '.join(map(str, e.free_symbols - set(P)))}")
        return e
    return plain


def _conditions(eq, plain):
    """One expression d = subject - bound per distinct (d, op); per region, its conditions' indices."""
    conds, cond_ix, region_conds = [], {}, []
    for r in eq.regions:
        mine = []
        for b in r.bounds:
            key = (plain(b.subject - b.bound, "condition"), b.op)
            if key not in cond_ix:
                cond_ix[key] = len(conds)
                conds.append(key)
            mine.append(cond_ix[key])
        region_conds.append(mine)
    return conds, region_conds


def _forms(eq, plain, nstrat, nout):
    """Per output (strategies, then payoffs): its distinct closed forms, each with the regions using it."""
    forms = []
    for j in range(nout):
        seen = {}
        for k, r in enumerate(eq.regions):
            e = list(r.strategies.values())[j] if j < nstrat else list(r.payoffs.values())[j - nstrat]
            seen.setdefault(plain(e, "closed form"), []).append(k)
        forms.append(list(seen.items()))
    return forms


def _values_and_magnitudes(dexprs, oexprs, P):
    """C lines for the shared temporaries, the condition values d_k and their magnitude bounds."""
    allx = dexprs + oexprs
    temps, reduced = sp.cse(allx, symbols=sp.numbered_symbols("t", real=True), order="none")
    red = dict(zip(allx, reduced))
    pset = set(P)
    mags, body = {}, []
    for t, e in temps:  # magnitudes of temporaries no condition needs are dead code to the compiler
        m = sp.Symbol(f"m_{t}", positive=True)
        body.append(f"    const double {t} = {_ccode(e)};")
        body.append(f"    const double {m} = {_ccode(_mag(e, mags, pset))};")
        mags[t] = m
    dnum = {}
    for k, d in enumerate(dexprs):
        dnum[d] = k
        body.append(f"    const double d{k} = {_ccode(red[d])};")
        body.append(f"    const double md{k} = {_ccode(_mag(red[d], mags, pset))};")
    return body, red, dnum


def _region_selection(conds, region_conds, dnum, nregions):
    """C lines: truth (h) and certainty (s) of each condition, and the first region that holds."""
    body = []
    for j, (d, op) in enumerate(conds):
        k = dnum[d]
        if op == "==":
            body.append(f"    const int64_t h{j} = fabs(d{k}) <= {EQ_TOL!r};")
            body.append(f"    const int64_t s{j} = (d{k} == 0.0) | ((fabs(d{k}) > {2 * EQ_TOL!r}) & (fabs(d{k}) > TOL * md{k}));")
        else:
            body.append(f"    const int64_t h{j} = d{k} {op} 0.0;")
            body.append(f"    const int64_t s{j} = (fabs(d{k}) > TOL * md{k}) | ((d{k} == 0.0) & (md{k} == 0.0));")
    hits, unsure = [], []
    for k, cj in enumerate(region_conds):
        holds = " & ".join(f"h{j}" for j in cj) or "1"
        surely_false = " | ".join(f"((1 - h{j}) & s{j})" for j in cj) or "0"
        all_sure = " & ".join(f"s{j}" for j in cj) or "1"
        body.append(f"    const int64_t r{k} = {holds};")
        body.append(f"    const int64_t q{k} = (1 - ({surely_false})) & (1 - ({all_sure}));")
        hits.append(f"r{k}")
        unsure.append(f"q{k}")
    # the first region that holds, without branches (a vectorisable select chain)
    body.append("    int64_t first = -1;")
    for k in reversed(range(nregions)):
        body.append(f"    first += (-r{k}) & ({k} - first);")
    body.append(f"    const int64_t bad = (({' | '.join(unsure) or '0'}) | (({' + '.join(hits) or '0'}) != 1)) != 0;")
    body.append("    region[i] = bad ? -2 - first : first;")
    body.append("    doubtful += bad;")
    return body


def _selects(forms, red):
    """C lines: one flat select per closed form, on a double copy of ``first`` (nested ?: and
    chains of integer == tests, which gcc turns into a switch, defeat its vectoriser)."""
    body = ["    const double fd = (double) first;"]
    for j, fj in enumerate(forms):
        body.append(f"    double v{j} = NAN;")
        for e, ks in reversed(fj):
            test = " | ".join(f"(fd == {k}.0)" for k in ks)
            body.append(f"    v{j} = ({test}) ? {_ccode(red[e])} : v{j};")
        body.append(f"    o{j}[i] = v{j};")
    return body


def _translation_unit(game, nregions, P, body, nin, nout):
    loads = [f"    const double {P[j]} = in{j}[i];" for j in range(nin)]
    params = ", ".join([f"const double *restrict in{j}" for j in range(nin)] + ["int64_t *restrict region"]
                       + [f"double *restrict o{j}" for j in range(nout)])
    call = ", ".join([f"in[{j}]" for j in range(nin)] + ["region"] + [f"out[{j}]" for j in range(nout)])
    return "\n".join([
        f"/* openeq fastpath kernel, codegen {CODEGEN_VERSION}: model {game.name}, {nregions} regions */",
        "#include <math.h>",
        "#include <stdint.h>",
        f"#define TOL {TOL!r}",
        "",
        "static int64_t kernel(int64_t start, int64_t stop, " + params + ") {",
        "  int64_t doubtful = 0;",
        "  for (int64_t i = start; i < stop; i++) {",
        *loads, *body,
        "  }",
        "  return doubtful;",
        "}",
        "",
        "/* Points start..stop-1 of the contiguous columns in[0..]: region[i] = the index of the",
        "   region that holds, or -2 - (the first region that holds in floating point, -1 if none)",
        "   when the point is within rounding of a boundary; out[j][i] = strategies then payoffs.",
        "   Returns the number of points within rounding of a boundary. */",
        "int64_t openeq_eval(int64_t start, int64_t stop, const double *const *in, int64_t *region, double *const *out) {",
        f"  return kernel(start, stop, {call});",
        "}",
        "",
    ])


def generate_source(eq):
    """C source of the kernel and its layout: (source, names, strategy names, payoff names).

    The loop body is straight-line code (no branches: every distinct closed form is
    computed and the chosen region's is selected), so the compiler vectorises it."""
    game = eq.game
    names = list(game.parameters)
    P = sp.symbols(f"p0:{len(names)}", real=True)
    plain = _plain(dict(zip([game.parameters[n].symbol for n in names], P)), P)
    snames, pnames = _outputs(eq)
    for r in eq.regions:
        if [str(v) for v in r.strategies] != snames or list(r.payoffs) != pnames:
            raise FastpathUnavailable("regions disagree on their strategies or payoffs")
    conds, region_conds = _conditions(eq, plain)
    nout = len(snames) + len(pnames)
    forms = _forms(eq, plain, len(snames), nout)
    dexprs = list(dict.fromkeys(d for d, _ in conds))
    oexprs = list(dict.fromkeys(e for fj in forms for e, _ in fj))
    body, red, dnum = _values_and_magnitudes(dexprs, oexprs, P)
    body += _region_selection(conds, region_conds, dnum, len(eq.regions))
    body += _selects(forms, red)
    src = _translation_unit(game, len(eq.regions), P, body, len(names), nout)
    return src, names, snames, pnames
