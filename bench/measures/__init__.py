"""The benchmark's measurements, in the order they run. Import a new module here to add its figures."""

from bench.measures import cold_start  # noqa: F401  (issue 2: cold start and memory)
