"""Returns log: every return, filtered by date, clerk, reason, tender, customer, amount and
approval, with the totals of what matches; Export CSV…; open a return to reprint or void it."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

from desk.errors import InvalidInput
from desk.money import format_money
from desk.services import returns as returns_service
from desk.services.returns import METHOD_LABELS, ReturnQuery
from desk.services.store import current_store
from desk.ui.context import AppContext
from desk.ui.screens.log_base import LogScreen
from desk.ui.widgets.filters import FilterBar, clerk_code, fill_clerk_combo, fill_reason_combo, mark_invalid
from desk.ui.screens.sales import parse_amount_filter
from desk.ui.actions import ScreenKey
from desk.ui.tables.returns_log_table import ReturnsLogTableModel

APPROVAL_CHOICES = (("Any", ""), ("Approved (any)", "approved"), ("Through the queue", "queue"),
                    ("Overridden refusal", "override"), ("No approval", "none"))
STATUS_CHOICES = (("Any", ""), ("Done", "completed"), ("Voided", "voided"))
TENDER_ORDER = ("cash", "card", "gift_card", "other", "store_credit")


class ReturnsLogScreen(LogScreen):
    title = "Returns log"
    action_name = "screen.returns_log"
    permission = "returns.log"
    noun = "return"
    export_title = "Export the returns log"
    refresh_kinds = ("returns", "approvals")
    keys = (ScreenKey("Esc", "Clear the filters"),)  # FilterBar makes the shortcut

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.setObjectName("returnsLogScreen")
        store = current_store()
        self.locale = store.locale if store else "en_GB"
        self.currency = store.currency if store else "GBP"

        heading = QLabel("Returns log")
        heading.setProperty("role", "heading")
        intro = QLabel("Every return from every desk. Filter, then press Enter; open a return to reprint its "
                       "slip or void it.")
        intro.setProperty("role", "muted")
        intro.setWordWrap(True)

        # -- filters ------------------------------------------------------------------------
        self.filters = FilterBar(self, self.search, search_tip="Show the returns that match (Enter)")
        f = self.filters
        self.from_edit = f.edit("fromEdit", "dd/mm/yyyy")
        self.to_edit = f.edit("toEdit", "dd/mm/yyyy")
        self.clerk_combo = f.clerk_combo()
        self.reason_combo = f.combo("reasonCombo", compact=True)
        self.tender_combo = f.combo("tenderCombo", [("Any", "")] + [(METHOD_LABELS.get(m, m), m) for m in TENDER_ORDER],
                                    compact=True)
        self.customer_edit = f.edit("customerEdit", "Name, phone, email")
        self.amount_edit = f.edit("amountEdit", "12.50, 10-20")
        self.approval_combo = f.combo("approvalCombo", APPROVAL_CHOICES, compact=True)
        self.status_combo = f.combo("statusCombo", STATUS_CHOICES, compact=True)
        self.number_edit = f.edit("numberEdit", "R-… or receipt")
        self.search_button, self.clear_button = f.search_button, f.clear_button
        f.add_row(0, (("From", self.from_edit, 110), ("To", self.to_edit, 110), ("Clerk", self.clerk_combo, 140),
                      ("Reason", self.reason_combo, 140), ("Refunded to", self.tender_combo, 130),
                      ("Number", self.number_edit, 140)))
        f.add_row(2, (("Customer", self.customer_edit, 140), ("Amount", self.amount_edit, 110),
                      ("Approval", self.approval_combo, 140), ("Status", self.status_combo, 130)))
        f.add_buttons(3, 4)
        for col in range(6):
            f.grid.setColumnStretch(col, 1)

        # -- the list -------------------------------------------------------------------------
        self._log_table("returnsLogTable", ReturnsLogTableModel(self, locale=self.locale))
        self.model.set_source(lambda q, offset, limit: returns_service.search_returns(self.ctx.staff, q, offset, limit),
                              lambda q: returns_service.count_returns(self.ctx.staff, q))
        self.totals_label = QLabel()
        self.totals_label.setObjectName("logTotals")
        self._lay_out(heading, intro, self.filters, self.totals_label,
                      export_tip="Write the returns that match to a CSV file",
                      open_tip="See the selected return: lines, refunds, approval; reprint or void it")
        self.install_keys()

        ctx.events.changed.connect(self._on_changed)
        ctx.events.session_changed.connect(self._on_session_changed)
        self._fill_choices()
        self._set_message("")
        self.totals = None
        if ctx.staff is not None:
            self.search()

    def _fill_choices(self) -> None:
        """The reasons (from the policy) and the staff (when this person may see the list)."""
        fill_reason_combo(self.reason_combo)
        fill_clerk_combo(self.clerk_combo, self.ctx.staff)

    def money(self, minor: int) -> str:
        return format_money(minor, self.currency, self.locale)

    def totals_text(self) -> str:
        t = self.totals
        if t is None:
            return ""
        shown = self.model.total_count
        head = f"{t.count:,} return{'s' if t.count != 1 else ''} · {self.money(t.total)} refunded"
        if t.fees:
            head += f" · {self.money(t.fees)} restocking fees kept"
        tenders = [f"{METHOD_LABELS.get(m, m)} {self.money(t.by_tender[m])}"
                   for m in sorted(t.by_tender, key=lambda m: TENDER_ORDER.index(m) if m in TENDER_ORDER else 99)]
        text = head + ("  —  " + ", ".join(tenders) if tenders else "")
        query = self.model.query
        if shown != t.count and (query is None or not query.status):
            text += f"  ({shown - t.count} voided not counted)"
        return text

    # -- searching -------------------------------------------------------------------------------
    def build_query(self) -> ReturnQuery:
        """The filters as a ReturnQuery; raises InvalidInput naming the field that is wrong."""
        mark_invalid(self.amount_edit, False)
        days = self.filters.date_range(self.from_edit, self.to_edit, self.locale)
        try:
            exact, low, high = parse_amount_filter(self.amount_edit.text(), self.currency, self.locale)
        except ValueError as err:
            mark_invalid(self.amount_edit, True)
            raise InvalidInput("Amount", str(err)) from None
        if exact is not None:
            low = high = exact
        return ReturnQuery(date_from=days[0], date_to=days[1], clerk_code=clerk_code(self.clerk_combo),
                           reason=self.reason_combo.currentData() or "", tender=self.tender_combo.currentData() or "",
                           customer=self.customer_edit.text().strip(), amount_min=low, amount_max=high,
                           approval=self.approval_combo.currentData() or "", status=self.status_combo.currentData() or "",
                           number=self.number_edit.text().strip())

    def _run(self, query: ReturnQuery) -> None:
        self.model.set_query(query)
        self.totals = returns_service.returns_totals(self.ctx.staff, query)
        self.totals_label.setText(self.totals_text())

    # -- opening and export ----------------------------------------------------------------------------
    def open_row(self, row: int) -> bool:
        from desk.ui.dialogs.return_detail import ReturnDetailDialog

        entry = self.model.row_at(row)
        if entry is None:
            return False
        voided = ReturnDetailDialog.show_return(self.ctx, self, entry.number)
        if voided:
            self.refresh()
        return True

    def exporter(self, query: ReturnQuery):
        actor = self.ctx.staff
        return lambda part: returns_service.export_returns_csv(query, part, actor)
