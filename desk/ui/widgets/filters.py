"""What the logs' filter rows share: the reason and clerk choices, and restyling a widget whose
role or invalid mark changed."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QWidget

from desk.models import Staff
from desk.services import auth
from desk.services import policy as policy_service
from desk.services import staff as staff_service


def repolish(widget: QWidget) -> None:
    """Apply the stylesheet again after a dynamic property (role, invalid) changed."""
    widget.style().unpolish(widget)
    widget.style().polish(widget)


def fill_reason_combo(combo: QComboBox) -> list:
    """"Any" and the policy's return reasons, keeping the one chosen; returns the reasons."""
    chosen = combo.currentData()
    combo.clear()
    combo.addItem("Any", "")
    reasons = policy_service.load_policy().reasons
    for r in reasons:
        combo.addItem(r.label, r.code)
    combo.setCurrentIndex(max(0, combo.findData(chosen or "")))
    return reasons


def fill_clerk_combo(combo: QComboBox, actor: Staff | None) -> None:
    """An editable clerk choice: blank, then the staff when ``actor`` may see the list; the
    text typed stays."""
    text = combo.currentText()
    combo.clear()
    combo.addItem("", "")
    if actor is not None and auth.can(actor, "staff.view"):
        for s in staff_service.list_staff(actor):
            combo.addItem(f"{s.code} — {s.name}", s.code)
    combo.setEditText(text)
