"""Print preview: the document as it will print (QtPdf), then Print, Save as PDF or Close.

``PrintPreviewDialog.show_document(ctx, parent, doc)`` is what the print path calls. Tests
replace the steps that would open a system dialog: ``choose_save_path`` (the file dialog)
and ``choose_printer`` (the print dialog).

Each page prints at its own size: a receipt roll's page is as long as its content, so the
printer's page layout is set per page before that page is drawn.
"""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QRectF, QSettings, QSize, QSizeF, Qt
from PySide6.QtGui import QKeySequence, QPageLayout, QPageSize, QPainter, QShortcut
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrinterInfo
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from desk.errors import DeskError
from desk.services import documents
from desk.services.documents import RenderedDocument
from desk.ui.context import AppContext
from desk.ui.messages import describe

__all__ = ["PrintPreviewDialog", "paint_pdf", "paper_label", "NO_PRINTER"]

NO_PRINTER = ("No printer is installed on this computer; the document is kept in the archive "
              "and can be saved as PDF.")
NO_PRINTER_NOT_ARCHIVED = "No printer is installed on this computer; save the document as PDF to keep it."

PAPER_LABELS = {"roll": "80 mm receipt roll", "a4": "A4", "letter": "Letter"}

# Pages are rasterised at most at this resolution: a 1200 dpi A4 page would be half a gigabyte.
MAX_RENDER_DPI = 300
MM_PER_POINT = 25.4 / 72


def paper_label(paper: str) -> str:
    return PAPER_LABELS.get(paper, paper)


def _settings() -> QSettings:
    """The app's own settings (the main window keeps its geometry in the same place)."""
    return QSettings("Desk", "Desk")


def printer_key(kind: str) -> str:
    return f"printing/{kind}/printer"


def load_pdf(data: bytes, parent=None) -> tuple[QPdfDocument, QBuffer]:
    """A QPdfDocument read from bytes (keep the buffer alive as long as the document)."""
    buffer = QBuffer(parent)
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    pdf = QPdfDocument(parent)
    pdf.load(buffer)
    return pdf, buffer


def _pages_to_print(printer: QPrinter, count: int) -> list[int]:
    if printer.printRange() == QPrinter.PrintRange.PageRange and printer.fromPage() > 0:
        first = max(1, printer.fromPage())
        last = min(count, printer.toPage() or count)
        return list(range(first - 1, last))
    return list(range(count))


def _layout_for(size_pt: QSizeF) -> QPageLayout:
    page = QPageSize(size_pt, QPageSize.Unit.Point, "", QPageSize.SizeMatchPolicy.ExactMatch)
    return QPageLayout(page, QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0), QPageLayout.Unit.Point)


def paint_pdf(pdf: QPdfDocument, printer: QPrinter) -> int:
    """Print every page of ``pdf`` (or the range chosen) on ``printer``, each at its own size.

    Returns the number of pages sent. Raises DeskError when the printer cannot be started.
    """
    pages = _pages_to_print(printer, pdf.pageCount())
    if not pages:
        return 0
    printer.setFullPage(True)
    printer.setPageLayout(_layout_for(pdf.pagePointSize(pages[0])))
    painter = QPainter()
    if not painter.begin(printer):
        raise DeskError("The printer could not be started: check that it is switched on and connected, "
                        "or save the document as PDF.")
    try:
        device_dpi = printer.resolution()
        dpi = min(device_dpi, MAX_RENDER_DPI)
        for n, index in enumerate(pages):
            size_pt = pdf.pagePointSize(index)
            if n > 0:
                printer.setPageLayout(_layout_for(size_pt))  # takes effect at the next page
                printer.newPage()
            image = pdf.render(index, QSize(max(1, round(size_pt.width() * dpi / 72)),
                                            max(1, round(size_pt.height() * dpi / 72))))
            target = QRectF(0, 0, size_pt.width() * device_dpi / 72, size_pt.height() * device_dpi / 72)
            paper = QRectF(printer.paperRect(QPrinter.Unit.DevicePixel))
            if paper.width() > 0 and paper.height() > 0 and (target.width() > paper.width() + 1
                                                             or target.height() > paper.height() + 1):
                # A printer that kept its own paper: shrink the page to fit, never clip it.
                scale = min(paper.width() / target.width(), paper.height() / target.height())
                target.setSize(target.size() * scale)
            painter.drawImage(target, image)
    finally:
        painter.end()
    return len(pages)


class PrintPreviewDialog(QDialog):
    def __init__(self, ctx: AppContext | None, doc: RenderedDocument, parent: QWidget | None = None, note: str = ""):
        super().__init__(parent)
        self.ctx = ctx
        self.doc = doc
        self.note_text = note
        self.printed = False
        self.saved_path: str | None = None
        self.setObjectName("printPreview")
        self.setWindowTitle(f"Print preview — {doc.title}")

        self.pdf, self._buffer = load_pdf(doc.pdf, self)

        heading = QLabel(doc.title)
        heading.setObjectName("previewTitle")
        heading.setProperty("role", "heading")
        heading.setWordWrap(True)
        self.info = QLabel(self.describe_pages())
        self.info.setObjectName("previewInfo")
        self.info.setProperty("role", "muted")

        self.view = QPdfView(self)
        self.view.setObjectName("previewView")
        self.view.setDocument(self.pdf)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setPageSpacing(12)
        self.view.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

        self.notice = QLabel()
        self.notice.setObjectName("previewNotice")
        self.notice.setWordWrap(True)
        self.notice.setProperty("role", "approval")
        self.note = QLabel(note)
        self.note.setObjectName("archiveNote")
        self.note.setWordWrap(True)
        self.note.setProperty("role", "error")
        self.note.setVisible(bool(note))
        self.status = QLabel()
        self.status.setObjectName("previewStatus")
        self.status.setWordWrap(True)
        self.status.hide()

        self.print_button = QPushButton("Print…")
        self.print_button.setObjectName("printButton")
        self.print_button.setMinimumSize(150, 48)
        self.print_button.setToolTip("Choose a printer and print (Enter)")
        self.print_button.clicked.connect(self.print_document)
        self.save_button = QPushButton("Save as PDF…")
        self.save_button.setObjectName("savePdfButton")
        self.save_button.setMinimumSize(150, 48)
        self.save_button.setToolTip("Save the document as a PDF file (Ctrl+S)")
        self.save_button.clicked.connect(self.save_as_pdf)
        self.close_button = QPushButton("Close")
        self.close_button.setObjectName("closeButton")
        self.close_button.setMinimumSize(120, 48)
        self.close_button.setToolTip("Close the preview (Esc)")
        self.close_button.clicked.connect(self.reject)
        for button in (self.print_button, self.save_button, self.close_button):
            button.setAutoDefault(False)
        save_shortcut = QShortcut(QKeySequence.StandardKey.Save, self)
        save_shortcut.activated.connect(self.save_as_pdf)

        buttons = QHBoxLayout()
        buttons.setSpacing(12)
        buttons.addWidget(self.status, 1)
        buttons.addStretch(0)
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.print_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.setSpacing(10)
        layout.addWidget(heading)
        layout.addWidget(self.info)
        layout.addWidget(self.notice)
        layout.addWidget(self.note)
        if doc.paper == "roll":
            # Fit to width, but a narrow roll is not blown up to the dialog's width.
            self.view.setMaximumWidth(460)
            layout.addWidget(self.view, 1, Qt.AlignmentFlag.AlignHCenter)
        else:
            layout.addWidget(self.view, 1)
        layout.addLayout(buttons)

        self.update_printers()
        self.resize(640 if doc.paper == "roll" else 980, 760)

    # -- what the dialog shows ------------------------------------------------------------
    def page_count(self) -> int:
        return self.pdf.pageCount()

    def describe_pages(self) -> str:
        n = self.pdf.pageCount()
        pages = f"{n} page{'s' if n != 1 else ''}"
        if self.doc.paper == "roll" and n:
            length = round(self.pdf.pagePointSize(0).height() * MM_PER_POINT)
            return f"{paper_label(self.doc.paper)}, {length} mm long · {pages}"
        return f"{paper_label(self.doc.paper)} · {pages}"

    @staticmethod
    def printers() -> list[str]:
        return list(QPrinterInfo.availablePrinterNames())

    def has_printer(self) -> bool:
        return bool(self.printers())

    def update_printers(self) -> None:
        """Enable Print when a printer is installed; otherwise say so plainly."""
        available = self.has_printer()
        self.print_button.setEnabled(available)
        if available:
            self.notice.clear()
            self.notice.hide()
            remembered = self.remembered_printer()
            self.print_button.setToolTip(
                f"Print on {remembered} (Enter)" if remembered else "Choose a printer and print (Enter)")
            self.print_button.setDefault(True)
            self.save_button.setDefault(False)
            self._set_primary(self.print_button)
        else:
            self.notice.setText(NO_PRINTER_NOT_ARCHIVED if self.note_text else NO_PRINTER)
            self.notice.show()
            self.print_button.setDefault(False)
            self.save_button.setDefault(True)
            self._set_primary(self.save_button)

    def _set_primary(self, button: QPushButton) -> None:
        """The default action looks like it: Print, or Save as PDF when there is no printer."""
        for b in (self.print_button, self.save_button):
            b.setProperty("primary", b is button)
            b.style().unpolish(b)
            b.style().polish(b)

    def set_status(self, text: str, ok: bool = True) -> None:
        self.status.setText(text)
        self.status.setProperty("role", "allowed" if ok else "error")
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)
        self.status.setVisible(bool(text))

    # -- printing -----------------------------------------------------------------------------
    def remembered_printer(self) -> str:
        """The printer last used for this kind of document, if it is still installed."""
        name = _settings().value(printer_key(self.doc.kind), "", str) or ""
        return name if name in self.printers() else ""

    def new_printer(self) -> QPrinter:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(self.doc.title)
        remembered = self.remembered_printer()
        if remembered:
            printer.setPrinterName(remembered)
        printer.setFromTo(1, max(1, self.pdf.pageCount()))
        printer.setPrintRange(QPrinter.PrintRange.AllPages)
        return printer

    @classmethod
    def choose_printer(cls, parent: QWidget, printer: QPrinter) -> bool:
        """The system's print dialog (tests replace this step). True when the user chose to print."""
        dialog = QPrintDialog(printer, parent)
        dialog.setWindowTitle("Print")
        dialog.setMinMax(1, max(1, printer.toPage()))
        try:
            return dialog.exec() == QDialog.DialogCode.Accepted
        finally:
            dialog.deleteLater()

    def print_document(self) -> bool:
        """Print: the print dialog (last printer for this kind preselected), then every page."""
        if not self.has_printer():
            self.update_printers()
            return False
        printer = self.new_printer()
        if not self.choose_printer(self, printer):
            self.set_status("Not printed: the print dialog was cancelled.", ok=False)
            return False
        try:
            sent = paint_pdf(self.pdf, printer)
        except DeskError as exc:
            self.set_status(f"Not printed. {describe(exc)}", ok=False)
            return False
        name = printer.printerName()
        if printer.outputFormat() == QPrinter.OutputFormat.NativeFormat and name:
            _settings().setValue(printer_key(self.doc.kind), name)
        self.printed = True
        where = f" to {name}" if name else ""
        self.set_status(f"Sent {sent} page{'s' if sent != 1 else ''}{where}.", ok=True)
        return True

    # -- saving -------------------------------------------------------------------------------
    @classmethod
    def choose_save_path(cls, parent: QWidget, suggested: str) -> str | None:
        """The file dialog (tests replace this step): the path chosen, or None when cancelled."""
        path, _filter = QFileDialog.getSaveFileName(parent, "Save as PDF", suggested, "PDF documents (*.pdf)")
        return path or None

    def suggested_path(self) -> str:
        folder = _settings().value("printing/save_folder", "", str) or ""
        if not folder:
            from PySide6.QtCore import QStandardPaths

            folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        return f"{folder.rstrip('/')}/{self.doc.filename}" if folder else self.doc.filename

    def save_as_pdf(self) -> bool:
        path = self.choose_save_path(self, self.suggested_path())
        if not path:
            return False
        if not path.lower().endswith(".pdf"):
            path += ".pdf"
        try:
            target = documents.save_pdf(self.doc, path)
        except DeskError as exc:
            self.set_status(describe(exc), ok=False)
            return False
        _settings().setValue("printing/save_folder", str(target.parent))
        self.saved_path = str(target)
        self.set_status(f"Saved to {target}.", ok=True)
        return True

    # -- entry point ----------------------------------------------------------------------------
    @classmethod
    def show_document(cls, ctx: AppContext | None, parent: QWidget | None, doc: RenderedDocument,
                      note: str = "") -> bool:
        """Preview ``doc``; True when it was printed or saved before the dialog closed."""
        dialog = cls(ctx, doc, parent, note=note)
        try:
            dialog.exec()
            return dialog.printed or dialog.saved_path is not None
        finally:
            dialog.deleteLater()
