"""Escape payloads for the hostile-model corpus, each with the evidence it would leave.

Evidence of executed code is a file whose name starts with ``SENTINEL`` anywhere in
the case's scratch directory (the runner looks after every command).  Evidence of a
LaTeX injection is one of the payload's ``leaks`` regular expressions matching the
generated ``.tex`` (the payload reached the document unescaped), the host name or
the leak token in the PDF's text, or a file outside the TeX tree in latexmk's
``main.fls`` record of the files it read.  ``@SCRATCH@`` is replaced by the case's
scratch directory when the file is written.
"""
from __future__ import annotations

SENTINEL = "oeq-sentinel"
LEAK_TOKEN = "OEQLEAKTOKEN7319046285"  # the content of @SCRATCH@/oeq-leak.tex
TOUCH = f"touch {SENTINEL}"

# (name, text, leak regexes): Python that would run if evaluated
PYTHON = [
    ("py-system", f"__import__('os').system('{TOUCH}')", ()),
    ("py-system-pow", f"See __import__('os').system('{TOUCH}')**2", ()),  # issue 10's reproducer
    ("py-open", f"open('{SENTINEL}', 'w').write('x')", ()),
    ("py-open-pow", f"x*open('{SENTINEL}-2', 'w').write('x')**2", ()),
    ("py-exec", f"exec(\"open('{SENTINEL}-3', 'w')\")", ()),
    ("py-eval", f"eval(\"__import__('os').system('{TOUCH}-4')\")**2", ()),
    ("py-lambda", f"(lambda: __import__('os').system('{TOUCH}-5'))()**2", ()),
    ("py-subclasses", "a*().__class__.__base__.__subclasses__()**2", ()),
    ("py-globals", f"Symbol('x').__init__.__globals__['os'].system('{TOUCH}-6')**2", ()),
    ("py-builtins", f"getattr(__builtins__, 'exec')(\"open('{SENTINEL}-7', 'w')\")**2", ()),
    ("py-walrus", f"(o := __import__('os')).system('{TOUCH}-8')**2", ()),
    ("py-import-stmt", f"import os; os.system('{TOUCH}-9')", ()),
]
# sympy-evaluable strings: harmless as text, dangerous (or endless) if evaluated
SYMPY = [
    ("sympy-poly", "a**2 + b*c**3", ()),
    ("sympy-func", "sin(a)**2 + Function('f')(b)**2", ()),
    ("sympy-bomb", "9**9**9*a**2", ()),
    ("sympy-factorial", "factorial(10**7)*a**2", ()),
    ("sympy-integrate", "integrate(exp(-a**2*b), (a, 0, oo))**2", ()),
    ("sympy-symbol", "Symbol('zz', positive=False)**2", ()),
    ("sympy-matrix", "Matrix([[a, b], [c, a]])**2", ()),
    ("sympy-eq", "Eq(a**2, b) & (c*a > 1)", ()),
    ("sympy-names", "I*E**2 + S(1)/N(pi) + gamma(2)*beta(1, 2)", ()),
]
# LaTeX injections: the regexes are the unescaped payload in the .tex
LATEX = [
    ("tex-input", r"\input{/etc/hostname}", (r"\\input\{/etc/hostname\}",)),
    ("tex-protect-input", r"c\protect\input{/etc/hostname}", (r"\\protect\\input",)),  # issue 10's reproducer
    ("tex-input-token", r"\input{@SCRATCH@/oeq-leak}", (r"\\input\{/",)),
    ("tex-write18", rf"\immediate\write18{{{TOUCH}-tex}}", (r"\\write18",)),
    ("tex-openout", rf"\newwrite\oeqf\immediate\openout\oeqf={SENTINEL}-out.tex\immediate\closeout\oeqf",
     (r"\\openout",)),
    ("tex-catcode", r"\catcode`\%=12 \oeqcat", (r"\\catcode",)),
    ("tex-def", r"\def\oeqdef{\input{/etc/hostname}}\oeqdef", (r"\\def\\oeqdef",)),
    ("tex-csname", r"\csname input\endcsname{/etc/hostname}", (r"\\csname",)),
    ("tex-caret", r"^^5cinput{/etc/hostname}", (r"(?<!\\)\^\^5cinput",)),
    ("tex-brace-close", r"x}\oeqbrace{", (r"(?<!\\)\}\\oeqbrace",)),
    ("tex-brace-open", r"x{\oeqopen", (r"(?<![\\])\{\\oeqopen",)),
    ("tex-end-document", r"\end{document}\oeqafter", (r"\\end\{document\}\\oeqafter",)),
    ("tex-percent", r"50%oeqpct of it", (r"(?<!\\)%oeqpct",)),
    ("tex-hash", r"#oeqhash #1", (r"(?<!\\)#oeqhash",)),
    ("tex-amp", r"a &oeqamp b", (r"(?<!\\)&oeqamp",)),
    ("tex-dollar", r"$\input{/etc/hostname}$", (r"\\input\{/etc",)),
    ("tex-verb", r"\verb|\oeqverb|", (r"\\verb\|",)),
    ("tex-usepackage", r"\usepackage{oeqpkg}", (r"\\usepackage\{oeqpkg",)),
    ("tex-includegraphics", r"\includegraphics{/etc/hostname}", (r"\\includegraphics\{/etc",)),
    ("tex-lstinput", r"\lstinputlisting{/etc/passwd}", (r"\\lstinputlisting",)),
    ("tex-control-chars", "a\x00b\x1b[2J\x07c\x0c", ()),
    ("tex-backslashes", "\\\\\\ \\ \\\\", ()),
    ("tex-tilde-caret", "~^_~", ()),
]
ALL = [("python", *p) for p in PYTHON] + [("sympy", *p) for p in SYMPY] + [("latex", *p) for p in LATEX]
