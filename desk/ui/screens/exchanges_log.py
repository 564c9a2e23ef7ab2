"""Exchange log: every exchange, filtered by date, clerk, product and reason; Export CSV…; open an
exchange (Enter) to see both halves and the settlement, open its linked return or replacement
sale, reprint its slip or void it."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

from desk.services import exchanges as exchanges_service
from desk.services.exchanges import ExchangeQuery
from desk.services.store import current_store
from desk.ui.actions import ScreenKey
from desk.ui.context import AppContext
from desk.ui.screens.log_base import LogScreen
from desk.ui.widgets.filters import FilterBar, clerk_code, fill_clerk_combo, fill_reason_combo
from desk.ui.tables.exchanges_log_table import ExchangesLogTableModel

STATUS_CHOICES = (("Any", ""), ("Done", "completed"), ("Voided", "voided"))


class ExchangesLogScreen(LogScreen):
    title = "Exchange log"
    action_name = "screen.exchanges_log"
    permission = "returns.log"  # who reads the returns log reads the exchanges (each holds a return)
    noun = "exchange"
    export_title = "Export the exchange log"
    refresh_kinds = ("exchanges", "returns")
    keys = (ScreenKey("Esc", "Clear the filters"),)  # FilterBar makes the shortcut

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.setObjectName("exchangesLogScreen")
        store = current_store()
        self.locale = store.locale if store else "en_GB"

        heading = QLabel("Exchange log")
        heading.setProperty("role", "heading")
        intro = QLabel("Every exchange from every desk: what came back, what went out and the difference. "
                       "Filter, then press Enter; open an exchange to reprint its slip or void it.")
        intro.setProperty("role", "muted")
        intro.setWordWrap(True)

        # -- filters ----------------------------------------------------------------------------
        self.filters = FilterBar(self, self.search, search_tip="Show the exchanges that match (Enter)")
        f = self.filters
        self.from_edit = f.edit("fromEdit", "dd/mm/yyyy")
        self.to_edit = f.edit("toEdit", "dd/mm/yyyy")
        self.clerk_combo = f.clerk_combo()
        self.product_edit = f.edit("productEdit", "SKU or name, in or out")
        self.reason_combo = f.combo("reasonCombo", compact=True)
        self.status_combo = f.combo("statusCombo", STATUS_CHOICES, compact=True)
        self.search_button, self.clear_button = f.search_button, f.clear_button
        f.add_row(0, (("From", self.from_edit, 110), ("To", self.to_edit, 110), ("Clerk", self.clerk_combo, 140),
                      ("Product", self.product_edit, 150), ("Reason", self.reason_combo, 140),
                      ("Status", self.status_combo, 100)))
        f.add_buttons(2, 4)
        for col in range(6):
            f.grid.setColumnStretch(col, 1)

        # -- the list ------------------------------------------------------------------------------
        self._log_table("exchangesLogTable", ExchangesLogTableModel(self, locale=self.locale))
        self.count_label = QLabel()
        self.count_label.setObjectName("logCount")
        self._lay_out(heading, intro, self.filters, self.count_label,
                      export_tip="Write the exchanges that match to a CSV file",
                      open_tip="See the selected exchange: both halves and the settlement; reprint or void it")
        self.install_keys()

        ctx.events.changed.connect(self._on_changed)
        ctx.events.session_changed.connect(self._on_session_changed)
        self._fill_choices()
        self._set_message("")
        if ctx.staff is not None:
            self.search()

    def _fill_choices(self) -> None:
        """The reasons (from the policy) and the staff (when this person may see the list)."""
        reasons = fill_reason_combo(self.reason_combo)
        self.model.reasons = {r.code: r.label for r in reasons}
        fill_clerk_combo(self.clerk_combo, self.ctx.staff)

    # -- searching -----------------------------------------------------------------------------------
    def build_query(self) -> ExchangeQuery:
        """The filters as an ExchangeQuery; raises InvalidInput naming the field that is wrong."""
        days = self.filters.date_range(self.from_edit, self.to_edit, self.locale)
        return ExchangeQuery(date_from=days[0], date_to=days[1], clerk_code=clerk_code(self.clerk_combo),
                             product=self.product_edit.text().strip(), reason=self.reason_combo.currentData() or "",
                             status=self.status_combo.currentData() or "")

    def _run(self, query: ExchangeQuery) -> None:
        self.model.set_query(query)
        n = self.model.total_count
        self.count_label.setText(f"{n:,} exchange{'s' if n != 1 else ''}")

    # -- opening and export ----------------------------------------------------------------------------
    def open_row(self, row: int) -> bool:
        from desk.ui.dialogs.exchange_detail import ExchangeDetailDialog

        entry = self.model.row_at(row)
        if entry is None:
            return False
        dialog = ExchangeDetailDialog.show_exchange(self.ctx, self, entry.number)
        if dialog is None:
            return False
        if dialog.voided:
            self.refresh()
        if dialog.open_sale:
            self.open_sale(dialog.open_sale)
        return True

    def open_sale(self, receipt_no: str) -> bool:
        """Show the sale ``receipt_no`` on the Sales screen."""
        opener = getattr(self.window(), "open_screen", None)
        screen = opener("screen.sales") if callable(opener) else None
        if screen is None:
            return False
        return bool(screen.open_receipt(receipt_no))

    def exporter(self, query: ExchangeQuery):
        return lambda part: exchanges_service.export_exchanges_csv(query, part)
