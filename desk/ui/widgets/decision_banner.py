"""The policy's decision, shown the same way everywhere: green allowed, amber needs approval,
red refused, with every reason in words."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from desk.services.policy import ALLOWED, NEEDS_APPROVAL, REFUSED, Decision
from desk.ui.theme import ALLOWED as GREEN
from desk.ui.theme import NEEDS_APPROVAL as AMBER
from desk.ui.theme import REFUSED as RED

# state -> (border/heading colour, background)
_LOOK = {
    ALLOWED: (GREEN, "#e8f4eb"),
    NEEDS_APPROVAL: (AMBER, "#fdf3e1"),
    REFUSED: (RED, "#fbe9e7"),
    "idle": ("#5b6675", "#eef1f5"),
}

HEADINGS = {
    ALLOWED: "Allowed",
    NEEDS_APPROVAL: "Needs a manager's approval",
    REFUSED: "Refused",
}


class DecisionBanner(QFrame):
    """``show_decision(decision)``; ``show_idle(text)`` before there is anything to decide."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("decisionBanner")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.state = "idle"
        self.heading = QLabel(self)
        self.heading.setObjectName("decisionHeading")
        self.heading.setWordWrap(True)
        self.reasons = QLabel(self)
        self.reasons.setObjectName("decisionReasons")
        self.reasons.setWordWrap(True)
        self.reasons.setTextFormat(Qt.TextFormat.PlainText)
        self.notes = QLabel(self)
        self.notes.setObjectName("decisionNotes")
        self.notes.setWordWrap(True)
        self.notes.setTextFormat(Qt.TextFormat.PlainText)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 10, 16, 10)
        layout.setSpacing(4)
        layout.addWidget(self.heading)
        layout.addWidget(self.reasons)
        layout.addWidget(self.notes)
        self.show_idle("Choose what the customer brings back.")

    def _paint(self, state: str) -> None:
        self.state = state
        colour, background = _LOOK[state]
        self.setStyleSheet(
            f"QFrame#decisionBanner {{ background: {background}; border: 1px solid {colour};"
            f" border-left: 6px solid {colour}; border-radius: 6px; }}"
            f" QLabel#decisionHeading {{ color: {colour}; font-size: 13pt; font-weight: 600; }}"
            " QLabel#decisionReasons { color: #1b2430; }"
            " QLabel#decisionNotes { color: #5b6675; }"
        )

    def show_idle(self, text: str) -> None:
        self._paint("idle")
        self.heading.setText(text)
        self.reasons.clear()
        self.reasons.hide()
        self.notes.clear()
        self.notes.hide()

    def show_decision(self, decision: Decision) -> None:
        self._paint(decision.outcome)
        heading = HEADINGS.get(decision.outcome, decision.label)
        if decision.outcome == REFUSED and decision.overridable:
            heading += " — a manager can override it"
        elif decision.outcome == REFUSED:
            heading += " — nobody can override this"
        self.heading.setText(heading)
        reasons = list(decision.reasons)
        self.reasons.setText("\n".join(f"• {r[:1].upper()}{r[1:]}" for r in reasons))
        self.reasons.setVisible(bool(reasons))
        notes = list(decision.notes)
        self.notes.setText("Notes: " + "; ".join(notes) if notes else "")
        self.notes.setVisible(bool(notes))

    def reason_lines(self) -> list[str]:
        """The reasons as shown, one per line (what a test reads)."""
        text = self.reasons.text()
        return [line[2:] for line in text.splitlines()] if text else []
