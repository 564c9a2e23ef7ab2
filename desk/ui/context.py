"""What every screen is given: the database it runs on, who is signed in, the event hub."""

from __future__ import annotations

from dataclasses import dataclass, field

from desk.models import Staff
from desk.ui.events import EventHub


@dataclass
class AppContext:
    db_url: str
    events: EventHub = field(default_factory=EventHub)
    staff: Staff | None = None

    def set_staff(self, staff: Staff | None) -> None:
        self.staff = staff
        self.events.session_changed.emit(staff)
