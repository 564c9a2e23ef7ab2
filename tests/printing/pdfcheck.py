"""Looking inside PDFs in tests: extracted text, page sizes, fonts, a page rendered to pixels."""

from __future__ import annotations

import io

from pypdf import PdfReader

MM = 72 / 25.4


def reader(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in reader(pdf).pages)


def page_sizes_mm(pdf: bytes) -> list[tuple[float, float]]:
    return [(float(p.mediabox.width) / MM, float(p.mediabox.height) / MM) for p in reader(pdf).pages]


def fonts_of(pdf: bytes) -> dict[str, bool]:
    """Every font a page uses: its base name -> whether its program is embedded."""
    found: dict[str, bool] = {}

    def visit(resources):
        if resources is None:
            return
        resources = resources.get_object()
        fonts = resources.get("/Font")
        if fonts is not None:
            for ref in fonts.get_object().values():
                font = ref.get_object()
                base = str(font.get("/BaseFont"))
                descriptor = font.get("/FontDescriptor")
                if descriptor is None and "/DescendantFonts" in font:
                    descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
                embedded = False
                if descriptor is not None:
                    d = descriptor.get_object()
                    embedded = any(k in d for k in ("/FontFile", "/FontFile2", "/FontFile3"))
                found[base] = embedded
        xobjects = resources.get("/XObject")
        if xobjects is not None:
            for ref in xobjects.get_object().values():
                visit(ref.get_object().get("/Resources"))

    for page in reader(pdf).pages:
        visit(page.get("/Resources"))
    return found


def render_gray(pdf: bytes, page: int = 0, dpi: float = 150):
    """Page ``page`` as a PIL greyscale image, rendered by QtPdf on white. Needs a QGuiApplication."""
    from PIL import Image
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtPdf import QPdfDocument

    data = QByteArray(pdf)
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    doc = QPdfDocument()
    doc.load(buffer)
    assert doc.status() == QPdfDocument.Status.Ready, doc.error()
    points = doc.pagePointSize(page)
    size = QSize(round(points.width() * dpi / 72), round(points.height() * dpi / 72))
    rendered = doc.render(page, size)
    flat = QImage(size, QImage.Format.Format_Grayscale8)
    flat.fill(255)
    painter = QPainter(flat)
    painter.drawImage(0, 0, rendered)
    painter.end()
    raw = bytes(flat.constBits())
    image = Image.frombuffer("L", (flat.width(), flat.height()), raw, "raw", "L", flat.bytesPerLine(), 1).copy()
    doc.close()
    buffer.close()
    return image


def ink_fraction(image) -> float:
    """Share of pixels darker than mid grey."""
    histogram = image.histogram()
    dark = sum(histogram[:128])
    return dark / (image.width * image.height)
