"""Desk's benchmark: ``python -m bench [--lines N] [--json FILE] [--keep DIR]``.

Figures, not pass/fail tests. The runner builds a store of N sale lines through the same
code the app uses, then runs every registered measurement against it in the same run and
writes the figures to a JSON file, a table on stdout and a section of docs/benchmarks.md.

Adding figures (later issues): write a module in ``bench/measures/`` with a function
decorated by ``@measurement(...)`` that takes the run's ``Context`` and returns a dict of
keys, declare each key's ``Figure`` (label, unit, target), and import the module in
``bench/measures/__init__.py``. See ``bench/measures/cold_start.py``.
"""

from bench.registry import Context, Figure, Measurement, measurement

__all__ = ["Context", "Figure", "Measurement", "measurement"]
