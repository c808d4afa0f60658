"""Performance benchmarks of openeq (``python -m benchmarks --json [--quick]``).

* ``derive``: wall time of a fresh ``openeq solve openness`` subprocess, cold
  (cache disabled) and warm (a primed temporary cache);
* ``paper``: wall time of ``openeq appendix openness --pdf`` (the main job minus
  installation);
* ``eval``: points per second of the compiled evaluation
  (``openeq.fastpath.evaluate_columns``) over random points of the domain;
* ``numeric``: a generic numeric backward induction with scipy
  (``benchmarks.numeric``), its rate, and its largest error in the leader's
  choice against the closed form;
* ``verify``: rate of ``openeq.verify.check.compare_point``;
* ``batch``: whole-process ``openeq eval openness --points N.csv -o out.csv`` and its peak
  memory, beside the scipy baseline of the same run (``benchmarks.batch``).

A full run writes ``benchmarks/RESULTS.md``.
"""
