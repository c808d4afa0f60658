"""The independent numeric verifier against closed forms worked out by hand.

The closed forms live here only (never in openeq/): openness SPE, Stackelberg and
Cournot duopoly.
"""
from fractions import Fraction

import pytest
import sympy as sp

from openeq.core.game import Game
from openeq.verify import NumericSolveError, foc_residual, soc_value, solve_numeric


# ---------------------------------------------------------------- games
def openness(tie_G=None):
    g = Game("openness")
    alpha0 = g.parameter("alpha0", "positive")
    delta = g.parameter("delta", "(0, 1)")
    c = g.parameter("c", "positive")
    epsilon = g.parameter("epsilon", "nonnegative")
    gamma = g.parameter("gamma", "nonnegative")
    theta = g.parameter("theta", "[0, 1]")
    p = g.parameter("p", "nonnegative")
    (omega,) = g.move("G", 1, {"omega": "[0, 1]"})
    (alpha1,) = g.move("D", 2, {"alpha1": "[alpha0, oo)"})
    g.payoff("D", (1 - delta * (1 - omega)) * alpha1 - c / 2 * (alpha1 - alpha0) ** 2)
    g.payoff("G", delta * (1 - omega) * alpha1 + epsilon * omega - gamma / 2 * omega**2
             - sp.Piecewise((p, omega < theta), (0, True)))
    if tie_G:
        g.tie_break["G"] = tie_G
    return g


def openness_exact(alpha0, delta, c, epsilon, gamma, theta, p, tie="max"):
    a1 = lambda w: alpha0 + (1 - delta * (1 - w)) / c  # noqa: E731
    UG = lambda w: delta * (1 - w) * a1(w) + epsilon * w - gamma / 2 * w**2  # noqa: E731
    wh = (c * epsilon - c * delta * alpha0 - delta + 2 * delta**2) / (2 * delta**2 + c * gamma)
    wh = min(1, max(0, wh))
    if wh >= theta:
        w, pen = wh, 0
    elif UG(theta) > UG(wh) - p or (UG(theta) == UG(wh) - p and tie == "max"):
        w, pen = theta, 0
    else:
        w, pen = wh, p
    al = a1(w)
    return ({"omega": w, "alpha1": al},
            {"G": UG(w) - pen, "D": (1 - delta * (1 - w)) * al - c / 2 * (al - alpha0) ** 2})


def duopoly(name, players, second_stage):
    """Linear-demand duopoly; the second firm moves at ``second_stage`` (2: Stackelberg, 1: Cournot)."""
    g = Game(name)
    a, c1, c2 = g.parameter("a", "positive"), g.parameter("c1", "nonnegative"), g.parameter("c2", "nonnegative")
    (q1,) = g.move(players[0], 1, {"q1": "[0, oo)"})
    (q2,) = g.move(players[1], second_stage, {"q2": "[0, oo)"})
    g.payoff(players[0], (a - q1 - q2 - c1) * q1)
    g.payoff(players[1], (a - q1 - q2 - c2) * q2)
    return g


def stackelberg():
    return duopoly("stackelberg", ("L", "F"), 2)


def cournot():
    return duopoly("cournot", ("F1", "F2"), 1)


def close(x, y, rtol):
    return abs(x - y) <= rtol * (1 + abs(y))


def check(res, strategies, payoffs, s_tol=1e-6, u_tol=1e-8):
    for k, v in strategies.items():
        assert close(res["strategies"][k], v, s_tol), (k, res["strategies"][k], v)
    for k, v in payoffs.items():
        assert close(res["payoffs"][k], v, u_tol), (k, res["payoffs"][k], v)


BASE = dict(alpha0=0.2, delta=0.3, c=2.0, epsilon=0.5, gamma=0.5, theta=0.8, p=0.5)
OPENNESS_POINTS = [
    dict(alpha0=1.0, delta=0.5, c=1.0, epsilon=1.0, gamma=1.0, theta=0.6, p=0.1),  # comply
    BASE,                                                                          # comply
    {**BASE, "theta": 0.0},                                                        # theta = 0: unregulated
    {**BASE, "theta": 1.0, "p": 0.01},                                             # defy
    {**BASE, "theta": 1.0, "p": 5.0},                                              # comply at full openness
    {**BASE, "p": 0.0},                                                            # p = 0: defy for free
    {**BASE, "epsilon": 0.0},                                                      # epsilon = 0
    dict(alpha0=1000.0, delta=0.4, c=3.0, epsilon=0.0, gamma=0.7, theta=0.3, p=0.0),   # large alpha0
    dict(alpha0=1000.0, delta=0.4, c=3.0, epsilon=0.0, gamma=0.7, theta=0.3, p=200.0),
    dict(alpha0=0.5, delta=0.9, c=0.05, epsilon=3.0, gamma=0.1, theta=0.5, p=0.3),     # D fine-tunes far
    dict(alpha0=0.1, delta=0.5, c=1.0, epsilon=0.2, gamma=0.0, theta=0.9, p=0.05),     # gamma = 0
    dict(alpha0=0.05, delta=0.2, c=1.0, epsilon=4.0, gamma=1.0, theta=0.5, p=1.0),     # already open, omega = 1
]


@pytest.mark.parametrize("pt", OPENNESS_POINTS)
def test_openness_against_closed_form(pt):
    s, u = openness_exact(**pt)
    check(solve_numeric(openness(), pt), s, u)
    check(solve_numeric(openness(), pt, precise=True), s, u, 1e-12, 1e-12)


def test_openness_tie_break_at_indifference():
    pt = dict(BASE)
    a1 = lambda w: pt["alpha0"] + (1 - pt["delta"] * (1 - w)) / pt["c"]  # noqa: E731
    UG = lambda w: pt["delta"] * (1 - w) * a1(w) + pt["epsilon"] * w - pt["gamma"] / 2 * w**2  # noqa: E731
    wh = openness_exact(**{**pt, "theta": 0.0})[0]["omega"]
    pt["p"] = UG(wh) - UG(pt["theta"])  # G is exactly indifferent between complying and defying
    assert pt["p"] > 0
    res = solve_numeric(openness(), pt)
    assert res["strategies"]["omega"] == pt["theta"]  # ties comply ("max")
    res = solve_numeric(openness("min"), pt)
    assert close(res["strategies"]["omega"], wh, 1e-6)  # "min": the smaller action


def test_openness_foc_soc():
    # rational point with an interior unregulated optimum (theta = 0)
    P = dict(alpha0=Fraction(1, 5), delta=Fraction(3, 10), c=Fraction(2), epsilon=Fraction(1, 2),
             gamma=Fraction(1, 2), theta=Fraction(0), p=Fraction(1, 2))
    alpha0, delta, c, eps, gam = (P[k] for k in ("alpha0", "delta", "c", "epsilon", "gamma"))
    wh = (c * eps - c * delta * alpha0 - delta + 2 * delta**2) / (2 * delta**2 + c * gam)
    a1 = alpha0 + (1 - delta * (1 - wh)) / c
    assert 0 < wh < 1
    point = {k: sp.Rational(v.numerator, v.denominator) for k, v in P.items()}
    strategies = {"omega": sp.Rational(wh.numerator, wh.denominator), "alpha1": sp.Rational(a1.numerator, a1.denominator)}
    foc = foc_residual(openness(), point, strategies)
    assert set(foc) == {"omega", "alpha1"} and all(abs(v) < 1e-30 for v in foc.values())
    soc = soc_value(openness(), point, strategies)
    assert close(soc["alpha1"], -float(c), 1e-12)
    assert close(soc["omega"], -float(2 * delta**2 / c + gam), 1e-12)
    # the numeric solution is a critical point to float accuracy
    num = solve_numeric(openness(), {k: float(v) for k, v in P.items()})["strategies"]
    assert all(abs(v) < 1e-8 for v in foc_residual(openness(), {k: float(v) for k, v in P.items()}, num).values())
    # a corner (omega at the threshold) has no FOC
    assert set(foc_residual(openness(), BASE, solve_numeric(openness(), BASE)["strategies"])) == {"alpha1"}


@pytest.mark.parametrize("a,c1,c2", [(10.0, 1.0, 2.0), (100.0, 0.0, 0.0), (5.0, 2.0, 0.5), (1.0, 0.2, 0.3)])
def test_stackelberg(a, c1, c2):
    q1 = (a + c2 - 2 * c1) / 2
    q2 = (a - c2 - q1) / 2
    assert q1 > 0 and q2 > 0
    P = a - q1 - q2
    res = solve_numeric(stackelberg(), dict(a=a, c1=c1, c2=c2))
    check(res, {"q1": q1, "q2": q2}, {"L": (P - c1) * q1, "F": (P - c2) * q2})


@pytest.mark.parametrize("a,c1,c2", [(10.0, 1.0, 2.0), (100.0, 0.0, 0.0), (10.0, 1.0, 9.0)])
def test_cournot(a, c1, c2):
    q1, q2 = (a - 2 * c1 + c2) / 3, (a - 2 * c2 + c1) / 3
    if q2 < 0:  # firm 2 stays out; firm 1 is a monopolist
        q1, q2 = (a - c1) / 2, 0.0
    P = a - q1 - q2
    res = solve_numeric(cournot(), dict(a=a, c1=c1, c2=c2))
    check(res, {"q1": q1, "q2": q2}, {"F1": (P - c1) * q1, "F2": (P - c2) * q2})


def test_two_variable_move_and_real_domain():
    g = Game("two")
    m = g.parameter("m", "real")
    x, y = g.move("A", 1, {"x": "real", "y": "[0, oo)"})
    g.payoff("A", -(x - 1 - m) ** 2 - (y - 2) ** 2 - x * y / 2)
    # FOCs: x = 1 + m - y/4, y = 2 - x/4 (y = 0 when that is negative)
    for mv in (0.0, -40.0, 40.0):
        yv = (32 - 4 * (1 + mv)) / 15
        xv = 1 + mv - yv / 4
        if yv < 0:
            yv, xv = 0.0, 1 + mv
        res = solve_numeric(g, {"m": mv})
        check(res, {"x": xv, "y": yv}, {})


def test_unbounded_payoff_raises():
    g = Game("unbounded")
    (x,) = g.move("A", 1, {"x": "[0, oo)"})
    g.payoff("A", x)
    with pytest.raises(NumericSolveError):
        solve_numeric(g, {})


# ------------------------------------------------- global maxima: the two regression points
def endogenous(G=None):
    """openness-endogenous (G chooses omega and alpha0 jointly), written out here."""
    g = Game("endogenous")
    delta, c, eps, gam = (g.parameter(n, d) for n, d in (("delta", "(0, 1)"), ("c", "positive"),
                                                          ("epsilon", "nonnegative"), ("gamma", "nonnegative")))
    theta, p, c0 = g.parameter("theta", "[0, 1]"), g.parameter("p", "nonnegative"), g.parameter("c0", "positive")
    omega, alpha0 = g.move("G", 1, {"omega": "[0, 1]", "alpha0": "[0, oo)"})
    (alpha1,) = g.move("D", 2, {"alpha1": "[alpha0, oo)"})
    g.payoff("D", (1 - delta * (1 - omega)) * alpha1 - c / 2 * (alpha1 - alpha0) ** 2)
    g.payoff("G", delta * (1 - omega) * alpha1 + eps * omega - gam / 2 * omega**2
             - sp.Piecewise((p, omega < theta), (0, True)) - c0 / 2 * alpha0**2)
    return g


def endogenous_candidates(delta, c, epsilon, gamma, theta, p, c0):
    """G's value at its best (omega, alpha0) in each regime, by hand: alpha1 = alpha0 +
    (1 - delta(1 - omega))/c; alpha0 = delta(1 - omega)/c0 (interior); omega from the FOC
    -delta*alpha1 + delta**2 (1 - omega)/c + epsilon - gamma*omega = 0 (linear in omega),
    clipped to [0, 1] (defy, below theta), or omega = theta (comply)."""
    def value(w):
        a0 = delta * (1 - w) / c0
        a1 = a0 + (1 - delta * (1 - w)) / c
        return delta * (1 - w) * a1 + epsilon * w - gamma / 2 * w**2 - c0 / 2 * a0**2, a0
    # the FOC in omega: A + B*omega = 0
    A = -delta * (delta / c0 + (1 - delta) / c) + delta**2 / c + epsilon
    B = delta * (delta / c0 - delta / c) - delta**2 / c - gamma
    w_hat = min(1.0, max(0.0, -A / B))
    out = {"comply": (theta, *value(theta))}
    if w_hat < theta:
        v, a0 = value(w_hat)
        out["defy"] = (w_hat, v - p, a0)
    return out


REGRESSION = [
    # the engine's omega = 0, alpha0 = 0.143, U_G = 0.0322 (defy); the old brute force, by coordinate
    # ascent from the lower bounds, stopped at omega = 1, alpha0 = 0 (U_G = 0.03)
    dict(delta=0.5, c=10.0, epsilon=0.05, gamma=0.04, theta=1.0, p=0.02855, c0=3.4965),
    # `verify openness-endogenous --samples 300 --seed 3`: defy (U_G = 1.492615) beats comply (1.486083)
    dict(delta=.632867, c=8.979208, epsilon=3.527976, gamma=4.350624, theta=.809893, p=.058203, c0=.165023),
]


@pytest.mark.parametrize("pt", REGRESSION)
def test_joint_move_finds_the_global_maximum(pt):
    cands = endogenous_candidates(**pt)
    best = max(cands, key=lambda k: cands[k][1])
    assert best == "defy" and cands["defy"][1] > cands["comply"][1] + 1e-3
    w, v, a0 = cands[best]
    res = solve_numeric(endogenous(), pt)
    assert close(res["strategies"]["omega"], w, 1e-6) and close(res["strategies"]["alpha0"], a0, 1e-6)
    assert close(res["payoffs"]["G"], v, 1e-9)


# ------------------------------------------------- the deviation check can fail
def stackelberg_path(a, c1, c2, q1=None, q2=None):
    q1 = (a + c2 - 2 * c1) / 2 if q1 is None else q1
    q2 = max(0.0, (a - c2 - q1) / 2) if q2 is None else q2
    P = a - q1 - q2
    return {"q1": q1, "q2": q2}, {"L": (P - c1) * q1, "F": (P - c2) * q2}


def test_deviation_check_passes_the_equilibrium_and_fails_others():
    from openeq.verify.deviation import check_paths

    g, pt = stackelberg(), dict(a=10.0, c1=1.0, c2=2.0)
    cases = {
        "spe": stackelberg_path(**pt),
        "cournot": stackelberg_path(**pt, q1=(10 - 2 + 2) / 3),           # the leader plays Cournot: deviates
        "follower": stackelberg_path(**pt, q2=0.9 * stackelberg_path(**pt)[0]["q2"]),  # F off its response
        "out of box": stackelberg_path(**pt, q2=-0.5),
    }
    paths, pays = zip(*cases.values())
    bad_payoff = dict(pays[0], L=pays[0]["L"] + 1e-6)
    out = check_paths(g, [pt] * (len(cases) + 1), list(paths) + [paths[0]], list(pays) + [bad_payoff])
    assert out[0] == (True, "agree")
    assert not out[1][0] and "stage 1: L gains" in out[1][1]
    assert not out[2][0] and "stage 2: F gains" in out[2][1]
    assert not out[3][0] and "outside its box" in out[3][1]
    assert not out[4][0] and "claimed payoff of L" in out[4][1]


def test_deviation_check_judges_ties_on_payoffs():
    from openeq.verify.deviation import check_paths

    pt = dict(BASE)
    wh = openness_exact(**{**pt, "theta": 0.0})[0]["omega"]
    a1 = lambda w: pt["alpha0"] + (1 - pt["delta"] * (1 - w)) / pt["c"]  # noqa: E731
    UG = lambda w: pt["delta"] * (1 - w) * a1(w) + pt["epsilon"] * w - pt["gamma"] / 2 * w**2  # noqa: E731
    pt["p"] = UG(wh) - UG(pt["theta"])  # indifferent: comply (the tie_break) and defy are both optimal
    comply, defy = openness_exact(**pt), openness_exact(**pt, tie="min")
    assert comply[0]["omega"] == pt["theta"] and close(defy[0]["omega"], wh, 1e-12)
    out = check_paths(openness(), [pt, pt], [comply[0], defy[0]], [comply[1], defy[1]])
    assert out == [(True, "agree"), (True, "tie")]
    # a penalty a little higher: defy is now strictly worse, and fails
    hi = dict(pt, p=pt["p"] * 1.01)
    al = a1(wh)
    d_pay = (1 - hi["delta"] * (1 - wh)) * al - hi["c"] / 2 * (al - hi["alpha0"]) ** 2
    out = check_paths(openness(), [hi], [{"omega": wh, "alpha1": al}], [{"G": UG(wh) - hi["p"], "D": d_pay}])
    assert not out[0][0] and "stage 1: G gains" in out[0][1]


def test_no_equilibrium_is_a_failure_with_its_reason():
    from openeq.verify.deviation import check_paths

    g = Game("unbounded")
    (x,) = g.move("A", 1, {"x": "[0, oo)"})
    g.payoff("A", x)
    (ok, detail), = check_paths(g, [{}], [{"x": 1.0}], [{"A": 1.0}])
    assert not ok and "brute force found no equilibrium" in detail and "unbounded" in detail


# ------------------------------------------------- convex, linear, partly concave payoffs
def one_move(payoff, domain="[0, 1]", tie=None):
    g = Game("one")
    g.parameter("m", "[0, 1]")
    g.move("A", 1, {"x": domain})
    g.payoff("A", payoff)
    if tie:
        g.tie_break["A"] = tie
    return g


@pytest.mark.parametrize("m", [0.0, 0.2, 0.49, 0.51, 0.9, 1.0])
def test_convex_payoff_takes_the_farther_end(m):
    res = solve_numeric(one_move("(x - m)**2"), {"m": m})
    assert res["strategies"]["x"] == (1.0 if m < 0.5 else 0.0)
    assert close(res["payoffs"]["A"], max(m, 1 - m) ** 2, 1e-12)


def test_convex_payoff_tie_and_the_stationary_point_fails():
    from openeq.verify.deviation import check_paths

    assert solve_numeric(one_move("(x - m)**2"), {"m": 0.5})["strategies"]["x"] == 1.0
    assert solve_numeric(one_move("(x - m)**2", tie="min"), {"m": 0.5})["strategies"]["x"] == 0.0
    (ok, detail), = check_paths(one_move("(x - m)**2"), [{"m": 0.3}], [{"x": 0.3}], [{"A": 0.0}])
    assert not ok and "gains by deviating" in detail  # the minimiser claimed as the optimum


@pytest.mark.parametrize("m,tie,x", [(0.3, None, 1.0), (0.3, "min", 1.0), (0.5, None, 1.0), (0.5, "min", 0.0),
                                     (0.8, None, 0.0)])
def test_linear_payoff_is_bang_bang_with_tie_break(m, tie, x):
    res = solve_numeric(one_move("(1/2 - m)*x", tie=tie), {"m": m})
    assert res["strategies"]["x"] == x


def regulator():
    """A regulator with surplus weight w taxes a monopolist: q = (a - c - t)/2, the regulator's
    payoff t*q + w*q**2/2 is concave in t for w < 4 and convex for w > 4."""
    g = Game("tax")
    g.parameter("a", "positive"), g.parameter("c", "nonnegative"), g.parameter("w", "nonnegative")
    g.assume("a > c")
    (t,) = g.move("R", 1, {"t": "[0, a - c]"})
    (q,) = g.move("M", 2, {"q": "[0, oo)"})
    g.payoff("M", "(a - q - c - t)*q")
    g.payoff("R", "t*q + w*q**2/2")
    return g


@pytest.mark.parametrize("w", [0.0, 1.0, 1.9, 3.0, 3.9, 4.5, 8.0])
def test_partly_concave_regulator(w):
    a, c = 10.0, 2.0
    s = a - c
    t = s * (2 - w) / (4 - w) if w < 2 else 0.0  # interior for w < 2, the corner t = 0 beyond
    q = (s - t) / 2
    res = solve_numeric(regulator(), dict(a=a, c=c, w=w))
    check(res, {"t": t, "q": q}, {"R": t * q + w * q**2 / 2, "M": q * q})


def test_partly_concave_regulator_wrong_corner_fails():
    from openeq.verify.deviation import check_paths

    pt = dict(a=10.0, c=2.0, w=5.0)  # convex: t* = 0, not the far end a - c
    (ok, detail), = check_paths(regulator(), [pt], [{"t": 8.0, "q": 0.0}], [{"R": 0.0, "M": 0.0}])
    assert not ok and "stage 1: R gains" in detail


def test_brute_force_is_independent_of_the_symbolic_path():
    """The brute force and the deviation check import nothing of openeq outside openeq.verify
    but the core data (games, moves, domains: what they check, never how the engine solves
    it); openeq.analyses.crosscheck, which compares the engine with them, sits above both."""
    import ast
    from pathlib import Path

    here = Path(__file__).resolve().parents[1] / "openeq" / "verify"
    for path in sorted(here.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                mod = node.module or ""
                assert node.level <= 1 and (not mod.startswith("openeq") or mod.startswith("openeq.core.")), \
                    (path.name, mod)
            elif isinstance(node, ast.Import):
                assert not any(a.name.startswith("openeq") and not a.name.startswith("openeq.core.")
                               for a in node.names), path.name


def separate_projects():
    """A leader funds two projects, each run by its own follower at the last stage: the
    followers' payoffs, boxes and constraints do not involve each other's choices."""
    g = Game("separate-projects")
    a = g.parameter("a", "positive")
    b = g.parameter("b", "positive")
    (s,) = g.move("L", 1, {"s": "[0, 1]"})
    (x,) = g.move("F1", 2, {"x": "[0, oo)"})
    (y,) = g.move("F2", 2, {"y": "[0, s]"})
    g.payoff("F1", (a + s) * x - x**2)
    g.payoff("F2", b * y - y**2 / 2)
    g.payoff("L", x + y - 2 * s**2)
    return g


def test_independent_simultaneous_movers_answer_once():
    """The last stage's movers of separate_projects are independent (one best response each
    is their Nash equilibrium); Cournot's are not.  The answer matches the hand-worked one:
    x = (a + s)/2, y = min(b, s); at a = 1, b = 1/10 the leader's (1 + s)/2 + min(b, s) - 2 s^2
    rises up to s = b and peaks at s = 1/8 beyond it (63.125/100 > 63/100 at s = b)."""
    from openeq.verify.model import model

    assert model(separate_projects()).separable == [False, True]
    assert model(cournot()).separable == [False]
    a, b, s = 1.0, 0.1, 0.125
    res = solve_numeric(separate_projects(), dict(a=a, b=b))
    check(res, {"s": s, "x": (a + s) / 2, "y": min(b, s)},
          {"L": (a + s) / 2 + min(b, s) - 2 * s**2, "F1": ((a + s) / 2) ** 2, "F2": b * min(b, s) - min(b, s) ** 2 / 2})


def test_inner_stages_in_blocks_give_the_same_answer(monkeypatch):
    """An inner stage solves its contexts in blocks (bounded memory); the contexts are
    independent, so blocks of any size give the same equilibrium, to the last bit."""
    from openeq.verify import search

    game, pt = separate_projects(), dict(a=1.0, b=0.1)
    whole = solve_numeric(game, pt)
    monkeypatch.setattr(search, "CHUNK_EVALS", 50.0)  # blocks of 50 // m^1 = a few contexts
    assert solve_numeric(game, pt) == whole
