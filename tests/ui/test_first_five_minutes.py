"""DESIGN.md's first five minutes, through the real screens: the first-run wizard opens the demo
store, sign in with a demo PIN the sign-in screen shows, F2 and a receipt number from the demo,
the sale opens, start a return, pick a line, give a reason, refund, the slip previews and
prints (to PDF: the print dialog's last step is the only thing replaced)."""

from __future__ import annotations

import io

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QWizard

from tests.ui.test_return_screen import when_modal


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("DESK_DATA_DIR", str(tmp_path / "data"))


def a_receipt_to_return():
    """A recent demo sale whose first returnable line the policy lets a clerk take back (1 unit, wrong size)."""
    import datetime as dt

    from desk import clock
    from desk.models import Sale
    from desk.services import returns, sale_lookup
    from desk.services.staff import find_staff

    clerk = find_staff("100")
    since = clock.utcnow() - dt.timedelta(days=20)
    # a till's sale (the demo's exchanges at the desk have receipts of their own)
    for sale in Sale.select().where((Sale.sold_at > since) & (Sale.source == "demo")).order_by(Sale.sold_at.desc()):
        view = sale_lookup.sale_view(sale.id)
        line = next((l for l in view.lines if l.returnable_qty), None)
        if line is None:
            continue
        request = returns.ReturnRequest(lines=[returns.ReturnLineRequest(1, "wrong_size", sale_line_id=line.id)],
                                        sale_id=view.id)
        if returns.preview(clerk, request).decision.allowed:
            return view, line
    raise AssertionError("the demo has no recent sale a clerk may take back")


def test_the_first_five_minutes(qtbot, monkeypatch, sqlite_url, tmp_path):
    from pypdf import PdfReader

    from desk.app import run_gui
    from desk.models import Return
    from desk.services import archive
    from desk.services import demo as demo_service
    from desk.ui.dialogs.first_run import CHOICE, FirstRunWizard
    from desk.ui.dialogs.print_preview import PrintPreviewDialog
    from desk.ui.dialogs.sign_in import SignInDialog
    from desk.ui.main_window import MainWindow
    from desk.ui.screens.returns import DONE, CardReferenceDialog

    real_build = demo_service.build_demo
    monkeypatch.setattr(demo_service, "build_demo",
                        lambda progress=None, **_kw: real_build(seed=5, lines=240, customers=30, progress=progress))
    pdf_path = tmp_path / "slip.pdf"
    monkeypatch.setattr(PrintPreviewDialog, "printers", staticmethod(lambda: ["Desk PDF"]))

    def to_pdf(cls, parent, printer):
        from PySide6.QtPrintSupport import QPrinter

        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(pdf_path))
        return True

    monkeypatch.setattr(PrintPreviewDialog, "choose_printer", classmethod(to_pdf))
    walked: list[str] = []

    # 1. The first-run wizard offers the demo store.
    def wizard(w: FirstRunWizard):
        assert w.currentId() == CHOICE
        qtbot.mouseClick(w.page(CHOICE).demo, Qt.MouseButton.LeftButton)
        w.next()
        assert w.button(QWizard.WizardButton.FinishButton).text() == "Open the demo store"
        walked.append("wizard")
        when_modal(SignInDialog, sign_in, tries=6000)
        qtbot.mouseClick(w.button(QWizard.WizardButton.FinishButton), Qt.MouseButton.LeftButton)

    # 2. Sign in with a demo PIN shown on the sign-in screen.
    def sign_in(dialog: SignInDialog):
        table = dialog.demo_table
        row = next(r for r in range(table.rowCount()) if table.item(r, 2).text() == "Clerk")
        shown_pin = table.item(row, 3).text()
        rect = table.visualRect(table.model().index(row, 1))
        qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        assert dialog.pin_edit.text() == shown_pin
        walked.append(f"sign in as {table.item(row, 0).text()}")
        qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)

    # 3. The main window: F2, a receipt, the sale opens, start a return, refund, print.
    def main_window(app):
        window = next(w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible())
        window.resize(1280, 800)
        with qtbot.waitActive(window):
            window.activateWindow()
        sale, line = a_receipt_to_return()
        qtbot.keyClick(window.nav, Qt.Key.Key_F2)
        assert window.scan_edit.hasFocus()
        qtbot.keyClicks(window.scan_edit, sale.receipt)
        qtbot.keyClick(window.scan_edit, Qt.Key.Key_Return)
        assert window.current_screen_name() == "screen.sales"
        sales = window.current_screen()
        assert sales.detail.sale.receipt == sale.receipt
        walked.append("sale opens")

        qtbot.keyClick(sales.receipt_edit, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)  # Return items
        assert window.current_screen_name() == "screen.returns"
        screen = window.current_screen()
        assert screen.model.row(screen.current_row()).sale_line_id == line.id
        qtbot.keyClick(screen.table, Qt.Key.Key_Plus)  # pick the line
        qtbot.keyClicks(screen.reason_combo, "W")  # wrong size
        assert screen.banner.state == "allowed", screen.banner.reason_lines()
        walked.append("return allowed")

        def tender(dialog):
            qtbot.keyClicks(dialog.edit, "RF-1")
            qtbot.keyClick(dialog.edit, Qt.Key.Key_Return)

        def print_it(dialog):
            assert dialog.doc.kind == "refund"
            qtbot.mouseClick(dialog.print_button, Qt.MouseButton.LeftButton)
            walked.append("slip printed" if dialog.printed else "slip not printed")
            QTimer.singleShot(0, dialog.reject)

        waiting = when_modal(CardReferenceDialog, tender)  # a card-paid sale asks for the terminal's reference
        when_modal(PrintPreviewDialog, print_it, tries=1000)
        qtbot.keyClick(screen.reason_combo, Qt.Key.Key_Return)  # refund
        waiting["stop"] = True
        assert screen.pages.currentIndex() == DONE
        ret = Return.select().order_by(Return.id.desc()).get()
        assert screen.done_number.text() == ret.number and ret.sale_id == sale.id
        slip = archive.search_archive(kind="refund")[0]
        assert slip.number == ret.number
        from pypdf import PdfReader as Reader

        text = "".join(p.extract_text() for p in Reader(io.BytesIO(archive.archived_pdf(slip.id))).pages)
        assert sale.receipt in text and line.description.split(",")[0] in text
        window.close()
        return 0

    monkeypatch.setattr(QApplication, "exec", main_window)
    when_modal(FirstRunWizard, wizard)
    assert run_gui(sqlite_url) == 0
    assert walked == ["wizard", "sign in as 100", "sale opens", "return allowed", "slip printed"]
    assert len(PdfReader(str(pdf_path)).pages) >= 1
