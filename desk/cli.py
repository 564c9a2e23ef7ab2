"""The `desk` command line: the jobs that need no screen, and the GUI when no job is named.

    desk [--db URL]                      start the app
    desk init --name N --code C ...      create the store and its first admin
    desk demo [--seed N]                 build the demo store
    desk verify-audit                    walk the audit chain
    desk import-sales FILE [--format F]  import the tills' sales
    desk show-sale RECEIPT --json        print one sale for scripts
    desk export [--day DATE] --out DIR   write the signed bundle for head office
    desk set-ho-key KEY                  enter the key head office gave this store
    desk ho-register-store CODE NAME     (head office) register a store, print its key
    desk ho-import BUNDLE...             (head office) check and import bundles
    desk ho-coverage --from D --to D     (head office) which bundles arrived, day by day
    desk ho-store-days CODE [--closed-weekdays sun] [--closed D,D] [--open D,D]
                                         (head office) the days a store trades
    desk ho-report NAME --from D --to D  (head office) a report across stores [--csv FILE]

Every refusal is one message on stderr that says what is wrong and what to do, with a
non-zero exit: 1 for a refusal of the job (bad input, a store that exists already, a
broken audit chain), 2 for a database that cannot be used and for a wrong command line.
The command line never reads standard input.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Callable, Sequence

from desk import __version__

EXIT_OK = 0
EXIT_REFUSED = 1
EXIT_DATABASE = 2
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


def version_text() -> str:
    from desk.models.db import sqlite_version

    try:
        sqlite = ".".join(map(str, sqlite_version()))
    except Exception:  # pragma: no cover - the bundled SQLite is a dependency
        sqlite = "unavailable"
    return f"desk {__version__} (SQLite {sqlite})"


class _VersionAction(argparse.Action):
    """--version: prints the version and the bundled SQLite's, then exits 0."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None):
        super().__init__(option_strings=option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        parser._print_message(version_text() + "\n", sys.stdout)
        parser.exit()


def _global_options(parser: argparse.ArgumentParser, *, top: bool) -> None:
    # The top parser sets the defaults; a subcommand's copy of an option only overrides
    # them when it is given, so `desk --db X init` and `desk init --db X` both work.
    parser.add_argument(
        "--db",
        metavar="URL",
        default=None if top else argparse.SUPPRESS,
        help="database: sqlite:///PATH or postgresql://USER@HOST:PORT/NAME "
        "(default: SQLite in your data folder)",
    )
    parser.add_argument("--version", action=_VersionAction, help="print the version and exit")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="desk",
        description="Desk: the customer service desk of a retail store. With no command, starts the app.",
    )
    _global_options(parser, top=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, help: str, func: Callable[[argparse.Namespace], int]) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=help)
        _global_options(p, top=False)
        p.set_defaults(func=func)
        return p

    p = command("init", "create the store and its first admin in an empty database", cmd_init)
    p.add_argument("--name", required=True, help="the store's name")
    p.add_argument("--code", required=True, help="the store code, 2 to 8 letters or digits (e.g. LDN01)")
    p.add_argument("--currency", required=True, help="ISO 4217 currency code (e.g. GBP)")
    p.add_argument("--locale", default="en_GB", help="locale for money and dates (default en_GB)")
    p.add_argument("--address", default="", help="the store's address (use \\n for new lines)")
    p.add_argument("--tax-number", default="", help="VAT or tax number printed on documents")
    p.add_argument("--prices-exclude-tax", action="store_true", help="prices are shown before tax (tax added on top)")
    p.add_argument("--admin-code", required=True, help="the first admin's staff code")
    p.add_argument("--admin-pin", required=True, help="the first admin's PIN, 4 to 8 digits")
    p.add_argument("--admin-name", default="Administrator", help="the first admin's name")

    p = command("demo", "build the demo store in an empty database", cmd_demo)
    p.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    p.add_argument("--lines", type=_positive_int, default=20_000, help="sale lines to make (default 20000)")
    p.add_argument("--customers", type=_positive_int, default=2_000, help="customers to make (default 2000)")

    command("verify-audit", "check that the audit trail is whole; names the first event that does not match", cmd_verify_audit)

    p = command("import-sales", "import sales from a till's export file", cmd_import_sales)
    p.add_argument("file", metavar="FILE", help="the file: canonical CSV or JSON Lines, Shopify orders CSV, Square item sales CSV")
    p.add_argument("--format", choices=["canonical", "shopify", "square"], default=None,
                   help="the file's format (default: detected from its header)")

    p = command("show-sale", "print a sale by its receipt number", cmd_show_sale)
    p.add_argument("receipt", metavar="RECEIPT", help="the receipt number")
    p.add_argument("--json", action="store_true", help="print JSON for scripts")

    p = command("print", "render a document (a receipt reprint, a gift receipt ...) to a PDF file", cmd_print)
    p.add_argument("kind", metavar="KIND", help="the kind of document: receipt, gift, refund, voucher, exchange, order, collection, case, case_letter")
    p.add_argument("number", metavar="NUMBER", help="its number: for receipt and gift, the sale's receipt number "
                   "(or a gift receipt code to print that gift receipt again); for refund, the return "
                   "number (R-...); for voucher, the voucher code (V-...); for exchange, the exchange number (X-...); for order and collection, the special order's number (O-...); for case and case_letter, the case number (C-...)")
    p.add_argument("--out", required=True, metavar="FILE.pdf", help="the PDF file to write")
    p.add_argument("--paper", choices=["roll", "a4", "letter"], default=None,
                   help="80 mm roll, A4 or Letter (default: the paper chosen in Settings for this kind)")
    p.add_argument("--letter", action="store_true",
                   help="with kind case (C-...): the letter to the customer instead of the case summary")

    p = command("export", "write the signed bundle for head office: what changed since the last one, or one day", cmd_export)
    when = p.add_mutually_exclusive_group()
    when.add_argument("--since-last", action="store_true", help="everything changed since the last bundle (the default)")
    when.add_argument("--day", type=_date, metavar="DATE", help="everything created or changed on that day (YYYY-MM-DD)")
    p.add_argument("--out", required=True, metavar="DIR", help="the folder to write the bundle to")

    p = command("set-ho-key", "enter the key head office gave this store when it registered it", cmd_set_ho_key)
    p.add_argument("key", metavar="KEY", help="the 64-digit key")

    p = command("ho-register-store", "(head office) register a store and print the key it enters once", cmd_ho_register)
    p.add_argument("code", metavar="CODE", help="the store's code, as in its own database (e.g. LDN01)")
    p.add_argument("name", metavar="NAME", help="the store's name")

    p = command("ho-import", "(head office) check and import the stores' bundles", cmd_ho_import)
    p.add_argument("bundles", nargs="+", metavar="BUNDLE", help="bundle files (.zip)")

    p = command("ho-coverage", "(head office) which bundles arrived, are missing or were refused, store by day", cmd_ho_coverage)
    p.add_argument("--from", dest="date_from", type=_date, required=True, metavar="DATE", help="first day (YYYY-MM-DD)")
    p.add_argument("--to", dest="date_to", type=_date, required=True, metavar="DATE", help="last day (YYYY-MM-DD)")

    p = command("ho-store-days", "(head office) the days a store trades: coverage expects no bundle on the others",
                cmd_ho_store_days)
    p.add_argument("code", metavar="CODE", help="the registered store's code")
    p.add_argument("--closed-weekdays", metavar="DAYS",
                   help="the weekdays it does not trade, e.g. sun or sat,sun; none: it trades every day")
    p.add_argument("--closed", metavar="DATES", default="", help="add closed dates, e.g. 2026-12-25,2026-12-26")
    p.add_argument("--open", dest="reopen", metavar="DATES", default="",
                   help="take dates off the closed list (it trades after all)")

    p = command("ho-report", "(head office) a report across stores", cmd_ho_report)
    p.add_argument("name", metavar="NAME", help="refunds_by_store, refunds_by_reason, refunds_by_tender, refunds_by_clerk, "
                   "approval_rates, no_receipt_returns, vouchers_outstanding, orders_overdue, open_orders_by_status, "
                   "cases_by_category, satisfaction_by_store")
    p.add_argument("--from", dest="date_from", type=_date, required=True, metavar="DATE", help="first day (YYYY-MM-DD)")
    p.add_argument("--to", dest="date_to", type=_date, required=True, metavar="DATE", help="last day (YYYY-MM-DD)")
    p.add_argument("--csv", metavar="FILE", help="also write the report to this CSV file")
    return parser


def _date(text: str):
    import datetime as dt

    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date: write it as YYYY-MM-DD") from None


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


# -- running a command --------------------------------------------------------------------


def _say(text: str = "") -> None:
    print(text, file=sys.stdout)


def _err(text: str) -> None:
    print(f"desk: {text}", file=sys.stderr)


def _open(args: argparse.Namespace):
    from desk.models.db import open_database

    return open_database(args.db)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (the console script exits with it)."""
    parser = build_parser()
    try:
        args = parser.parse_args(list(argv) if argv is not None else None)
    except SystemExit as exc:  # --help, --version and usage errors (argparse printed them)
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else EXIT_USAGE)

    from desk.models.db import default_url

    args.db = args.db or default_url()
    if args.command is None:
        try:
            from desk.app import run_gui  # Qt is imported only for the GUI
        except ImportError as exc:
            if not _is_qt_import_error(exc):
                raise
            _err(f"The window cannot start: Qt could not be loaded ({exc}). On Debian or Ubuntu install Qt's "
                 "system libraries (sudo apt install libegl1 libgl1 libxkbcommon-x11-0 libxcb-cursor0 libfontconfig1 "
                 "libdbus-1-3) and start Desk again. The commands (desk --help) work without them.")
            return EXIT_DATABASE
        return run_gui(args.db)
    return _run(args)


def _is_qt_import_error(exc: ImportError) -> bool:
    text = f"{getattr(exc, 'name', '') or ''} {exc}"
    return "PySide6" in text or "shiboken" in text or ".so" in text


def _run(args: argparse.Namespace) -> int:
    import peewee

    from desk.errors import DatabaseProblem, DeskError
    from desk.models.db import close_database, describe_write_error, first_line

    try:
        return args.func(args)
    except DatabaseProblem as exc:
        _err(str(exc))
        return EXIT_DATABASE
    except DeskError as exc:
        errors = list(getattr(exc, "errors", None) or [])
        if errors:
            # A refused import: its summary, then every bad row (row, column, reason), one a line.
            _err(str(exc).splitlines()[0])
            for error in errors:
                print(f"  {error}", file=sys.stderr)
        else:
            _err(str(exc))
        return EXIT_REFUSED
    except peewee.DatabaseError as exc:  # OperationalError and friends during a write
        _err(f"The database refused the change ({first_line(exc)}). {describe_write_error(exc)}")
        return EXIT_DATABASE
    except KeyboardInterrupt:
        _err("Interrupted; nothing was saved.")
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # `desk show-sale ... | head`: the reader left; not an error of ours
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return EXIT_OK
    finally:
        try:
            close_database()
        except Exception:  # closing after a failure must not hide the failure
            pass


# -- the commands --------------------------------------------------------------------------


def cmd_init(args: argparse.Namespace) -> int:
    from desk.models.db import describe_url
    from desk.services.store import StoreDetails, init_store

    details = StoreDetails(
        name=args.name,
        code=args.code,
        currency=args.currency,
        locale=args.locale,
        address=args.address.replace("\\n", "\n"),
        tax_number=args.tax_number,
        prices_include_tax=not args.prices_exclude_tax,
    )
    # Check the input before touching the database, so a typo never creates a file.
    from desk.services.auth import validate_code, validate_pin

    details.cleaned()
    validate_code(args.admin_code, "Admin code")
    validate_pin(args.admin_pin, "Admin PIN")
    opened = _open(args)
    store, admin = init_store(details, args.admin_code, args.admin_pin, args.admin_name)
    _say(f"Created store {store.code}: {store.name}")
    _say(f"  currency {store.currency}, locale {store.locale}, prices "
         + ("include tax" if store.prices_include_tax else "exclude tax (tax added on top)"))
    if store.tax_number:
        _say(f"  tax number {store.tax_number}")
    _say("  desk 01: Service desk 1")
    _say(f"  admin {admin.code}: {admin.name} (signs in with the PIN given)")
    _say(f"Database: {describe_url(opened.url)}")
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from desk.models.db import describe_url
    from desk.services.demo import DEMO_STAFF, build_demo

    opened = _open(args)
    progress = _demo_progress() if sys.stderr.isatty() else None
    result = build_demo(seed=args.seed, lines=args.lines, customers=args.customers, progress=progress)
    if progress:
        print(file=sys.stderr)
    _say(f"Built the demo store {result.store_code}: {result.products} products, {result.customers} customers, "
         f"{result.sales} sales with {result.lines} sale lines, {result.returns} returns and {result.exchanges} exchanges.")
    _say(f"Database: {describe_url(opened.url)}")
    _say("")
    _say("Demo staff (public demo PINs, shown on the sign-in screen of the demo store):")
    width = max(len(s.name) for s in DEMO_STAFF)
    from desk.services.auth import ROLES

    for s in DEMO_STAFF:
        _say(f"  {s.code:>4}  {s.name:<{width}}  {ROLES.get(s.role, s.role):<11}  PIN {s.pin}")
    return EXIT_OK


def _demo_progress() -> Callable[[str, int, int], None]:
    def report(stage: str, done: int, total: int) -> None:
        pct = 100 * done // total if total else 100
        print(f"\rBuilding {stage}: {done:,} of {total:,} lines ({pct}%)", end="", file=sys.stderr, flush=True)

    return report


def cmd_verify_audit(args: argparse.Namespace) -> int:
    from desk.services.audit import verify_chain
    from desk.services.auth import command_line_actor, require

    _open(args)
    require(command_line_actor(), "audit.verify")
    report = verify_chain()
    if report.ok:
        _say(report.message())
        return EXIT_OK
    _err(report.message() + " The audit trail has been tampered with or damaged: keep a copy of this "
         "database and tell head office.")
    return EXIT_REFUSED


def cmd_import_sales(args: argparse.Namespace) -> int:
    from desk.services.auth import command_line_actor

    path = os.path.expanduser(args.file)
    if not os.path.exists(path):
        _err(f"No such file: {args.file}. Check the path and try again; nothing was imported.")
        return EXIT_REFUSED
    if os.path.isdir(path):
        _err(f"{args.file} is a folder, not a file. Give the export file itself; nothing was imported.")
        return EXIT_REFUSED
    try:
        from desk.services import sales_import  # issue 3's service: imported only when used
    except ModuleNotFoundError as exc:
        if exc.name != "desk.services.sales_import":
            raise
        _err("This version of Desk cannot import sales files yet: install a newer version.")
        return EXIT_REFUSED
    _open(args)

    progress = _import_progress() if sys.stderr.isatty() else None
    try:
        result = sales_import.import_file(command_line_actor(), path, fmt=args.format, progress=progress)
    finally:
        if progress:
            print(file=sys.stderr)
    _say(_describe_result(result, args.file))
    return EXIT_OK


def _import_progress() -> Callable[..., None]:
    def report(*values) -> None:
        nums = [v for v in values if isinstance(v, int)]
        if len(nums) >= 2 and nums[1]:
            text = f"{nums[0]:,} of {nums[1]:,}"
        elif nums:
            text = f"{nums[0]:,}"
        else:
            text = " ".join(map(str, values))
        print(f"\rImporting: {text}", end="", file=sys.stderr, flush=True)

    return report


def _describe_result(result, file: str) -> str:
    """What an import did, in words."""
    get = lambda name: getattr(result, name, 0) or 0  # noqa: E731
    fmt = getattr(result, "format", "")
    head = f"Imported {file}" + (f" ({fmt})" if fmt else "")
    if getattr(result, "already_imported", False) and not get("sales_added"):
        return f"{head}: this file was imported before; nothing changed."
    parts = [f"{get('sales_added'):,} sales with {get('lines_added'):,} lines added"]
    if get("sales_skipped"):
        parts.append(f"{get('sales_skipped'):,} already in the ledger")
    if get("refunds_added"):
        parts.append(f"{get('refunds_added'):,} refunds recorded as returns")
    if get("products_created"):
        parts.append(f"{get('products_created'):,} new products")
    if get("customers_created"):
        parts.append(f"{get('customers_created'):,} new customers")
    return f"{head}: " + ", ".join(parts) + "."


def cmd_show_sale(args: argparse.Namespace) -> int:
    _open(args)
    from desk.services import sale_lookup  # issue 3's service: imported only when used
    from desk.services.auth import command_line_actor

    sale = sale_lookup.sale_json(args.receipt, actor=command_line_actor())
    if args.json:
        _say(json.dumps(sale, ensure_ascii=False, indent=2))
        return EXIT_OK
    when = str(sale.get("date", ""))
    try:
        import datetime as dt

        when = dt.datetime.fromisoformat(when).astimezone().strftime("%Y-%m-%d %H:%M %Z")
    except ValueError:
        pass
    _say(f"Receipt {sale.get('receipt')}  {when}  {sale.get('currency')}")
    for line in sale.get("lines", []):
        returned = f"  (returned {line.get('returned_qty')})" if line.get("returned_qty") else ""
        _say(f"  {line.get('line'):>3}  {line.get('sku', ''):<12} {line.get('description', ''):<40} "
             f"{line.get('qty'):>3} x {line.get('unit_price'):>9}  paid {line.get('paid'):>9}{returned}")
    for tender in sale.get("tenders", []):
        last4 = f" ****{tender['last4']}" if tender.get("last4") else ""
        _say(f"  tender {tender.get('method')}{last4}: {tender.get('amount')}")
    _say(f"  total {sale.get('total')}")
    if sale.get("status") == "voided":
        _say("  VOIDED: this sale no longer counts in the ledger's figures")
    return EXIT_OK


def cmd_print(args: argparse.Namespace) -> int:
    _open(args)
    from desk.errors import DeskError
    from desk.services import archive, documents
    from desk.services.auth import command_line_actor

    actor = command_line_actor()
    kind = "case_letter" if getattr(args, "letter", False) and args.kind.strip().lower() == "case" else args.kind
    doc = documents.render(kind, args.number, actor, args.paper)
    target = documents.save_pdf(doc, args.out)  # DeskError naming the path when it cannot be written
    _say(f"{doc.title}: {doc.paper} PDF written to {target}.")
    try:  # the file is what was asked for: a full archive folder is a warning, not a failure
        archive.archive(doc, actor)
    except DeskError as exc:
        _err(f"warning: {exc}")
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from desk.services.auth import command_line_actor
    from desk.services.export import export_bundle

    _open(args)
    result = export_bundle(command_line_actor(), args.out, day=args.day)
    _say(result.message())
    return EXIT_OK


def cmd_set_ho_key(args: argparse.Namespace) -> int:
    from desk.services.auth import command_line_actor
    from desk.services.export import set_ho_key

    _open(args)
    fingerprint = set_ho_key(command_line_actor(), args.key)
    _say(f"Head office key saved (fingerprint {fingerprint}). Bundles are signed with it from now on.")
    return EXIT_OK


def cmd_ho_register(args: argparse.Namespace) -> int:
    from desk.io.bundles import key_fingerprint
    from desk.services.auth import command_line_actor
    from desk.services.head_office import register_store

    _open(args)
    store, key = register_store(command_line_actor(), args.code, args.name)
    _say(f"Registered store {store.code}: {store.name}")
    _say("Key (give it to the store; it enters it once with desk set-ho-key, or in Settings):")
    _say(f"  {key}")
    _say(f"Fingerprint {key_fingerprint(key)}: the store's Settings show the same once the key is entered.")
    return EXIT_OK


def cmd_ho_import(args: argparse.Namespace) -> int:
    from desk.services.auth import command_line_actor
    from desk.services.head_office import import_bundle

    _open(args)
    actor = command_line_actor()
    refused = 0
    for path in args.bundles:
        result = import_bundle(actor, os.path.expanduser(path))
        if result.status == "refused":
            refused += 1
            _err(result.message())
        else:
            _say(result.message())
            for c in result.conflicts:
                _say(f"  conflict: {c.kind} {c.uuid} version {c.version}")
    return EXIT_REFUSED if refused else EXIT_OK


def cmd_ho_coverage(args: argparse.Namespace) -> int:
    from desk.services.head_office import coverage

    _open(args)
    from desk.services.auth import command_line_actor, require

    require(command_line_actor(), "ho.reports")
    cov = coverage(args.date_from, args.date_to)
    marks = {"arrived": "+", "missing": "!", "refused": "x", "closed": "-", "none": "."}
    width = max([5] + [len(code) for code, _ in cov.stores])
    _say(" " * width + "  " + "".join(d.strftime("%d")[-2:] + " " for d in cov.days))
    for code, _ in cov.stores:
        _say(f"{code:<{width}}  " + "".join(f" {marks[cov.cell(code, d).status]} " for d in cov.days))
    _say("+ arrived   ! missing   x refused   - closed   . not due")
    for code, _ in cov.stores:
        for d in cov.days:
            cell = cov.cell(code, d)
            if cell.status in ("missing", "refused"):
                _say(f"  {code} {d.isoformat()}: {cell.note}")
    return EXIT_OK


def cmd_ho_store_days(args: argparse.Namespace) -> int:
    from desk.services import head_office as ho
    from desk.services.auth import command_line_actor

    _open(args)
    calendar = ho.trading_calendar(args.code)
    if args.closed_weekdays is not None or args.closed or args.reopen:
        weekdays = calendar.closed_weekdays if args.closed_weekdays is None else ho.parse_weekdays(args.closed_weekdays)
        dates = (set(calendar.closed_dates) | set(ho.parse_dates(args.closed))) - set(ho.parse_dates(args.reopen))
        calendar = ho.set_trading_calendar(command_line_actor(), args.code, weekdays, dates)
    _say(calendar.describe())
    return EXIT_OK


def cmd_ho_report(args: argparse.Namespace) -> int:
    from desk.services.auth import command_line_actor
    from desk.services.ho_reports import run_report, write_csv

    _open(args)
    report = run_report(command_line_actor(), args.name, args.date_from, args.date_to)
    _say(f"{report.title}, {args.date_from.isoformat()} to {args.date_to.isoformat()}")
    table = [report.columns] + [[report.as_text(r, c) for c in report.columns] for r in report.rows]
    widths = [max(len(str(row[i])) for row in table) for i in range(len(report.columns))]
    for row in table:
        _say("  ".join(str(v).ljust(w) if i == 0 or not str(v).replace(".", "").replace("-", "").isdigit()
                       else str(v).rjust(w) for i, (v, w) in enumerate(zip(row, widths))).rstrip())
    if not report.rows:
        _say("(no records in these days)")
    if args.csv:
        n = write_csv(report, args.csv)
        _say(f"{n} rows written to {args.csv}.")
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
