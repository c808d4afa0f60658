"""Sub-commands contributed by analyses and exporters.

Each module below registers itself with ``openeq.cli.register``:

    @register
    def add(sub, model_cmd):
        p = model_cmd("statics", run, "comparative statics")   # MODEL positional, --no-cache, --progress
        p.add_argument("--json", action="store_true")
"""
import importlib

MODULES = (
    "openeq.analyses.cli",  # derive, statics
    "openeq.plots.cli",  # plot
    "openeq.latex.cli",  # appendix
    "openeq.bargaining.cli",  # bargain
)

for _mod in MODULES:
    try:
        importlib.import_module(_mod)
    except ModuleNotFoundError as _e:  # a module not written yet; anything else is a bug
        if not (_e.name and _mod.startswith(_e.name)):
            raise
