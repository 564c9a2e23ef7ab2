"""The benchmark's measurements, in the order they run. Import a new module here to add its figures."""

from bench.measures import cold_start  # noqa: F401  (foundation: cold start and memory)
from bench import sales as _sales  # sales ledger: import throughput, receipt lookup, customer search
from bench import returns  # noqa: F401,E402  (returns: commit of a return)

_sales.register()
from bench import printing as _printing  # noqa: E402  (printing: building a 20-line document)

_printing.register()
from bench import head_office as _head_office  # noqa: E402  (head office: import into PostgreSQL, a day's export)

_head_office.register()
