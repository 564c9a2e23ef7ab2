"""A form's field: the input, its hint and its inline error line under it (Settings, the head
office export page)."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from desk.ui.widgets.style import repolish

FIELD_ERROR_STYLE = "border: 2px solid #b3261e;"


class Field(QWidget):
    """An input with its hint (if any) and its inline error line underneath, across the column."""

    def __init__(self, editor: QWidget, hint: str = ""):
        super().__init__()
        self.editor = editor
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(4)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(editor)
        if editor.maximumWidth() < 16777215:
            # An editor narrower than the column stays at the left; the hint under it still gets
            # the column's whole width (a hint wrapped in a narrow field overlapped the next row).
            row.addStretch(1)
        box.addLayout(row)
        self.hint = QLabel(hint)
        self.hint.setObjectName("fieldHint")
        self.hint.setProperty("role", "muted")
        self.hint.setWordWrap(True)
        self.hint.setVisible(bool(hint))
        box.addWidget(self.hint)
        self.error = QLabel()
        self.error.setObjectName("fieldError")
        self.error.setWordWrap(True)
        self.error.setProperty("role", "error")
        self.error.hide()
        box.addWidget(self.error)

    def set_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))
        self.editor.setProperty("invalid", bool(text))
        if not isinstance(self.editor, QLineEdit):
            # Kept on this Python object: QObject.property() of a name never set returns None
            # without a reference (PySide6 6.12 on Python 3.11), which in time crashes the process.
            base = getattr(self, "_base_style", None)
            if base is None:
                base = self._base_style = self.editor.styleSheet()
            self.editor.setStyleSheet(base + (type(self.editor).__name__ + " { " + FIELD_ERROR_STYLE + " }" if text else ""))
        repolish(self.editor)
