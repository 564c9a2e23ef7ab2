"""Settings' "Head office" tab, the store's side: the key head office gave the store, the
automatic end-of-day export, how long the change records are kept, and Export now for managers."""

from __future__ import annotations

from PySide6.QtCore import QTime
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from desk import clock
from desk.services import auth
from desk.services import export as export_service
from desk.services import settings as settings_service
from desk.ui import messages
from desk.ui.context import AppContext
from desk.ui.widgets.field import Field

KEEP_BUNDLES_KEY = settings_service.KEEP_BUNDLES_KEY
KEEP_DAYS_KEY = settings_service.KEEP_DAYS_KEY
KEEP_HINTS = {
    KEEP_BUNDLES_KEY: f"At least {settings_service.KEEP_BUNDLES_MIN}: a week of daily bundles. Each export deletes "
                      "the change records of older bundles once they are also older than the days below.",
    KEEP_DAYS_KEY: f"At least {settings_service.KEEP_DAYS_MIN}, so that head office can still ask for a lost "
                   "bundle's days again. A day export (desk export --day) for a day older than both limits "
                   "sends what was created that day, and says so.",
}
SPIN_STYLE = (
    "QSpinBox { padding: 4px 30px 4px 8px; }"
    "QSpinBox::up-button { subcontrol-origin: border; subcontrol-position: top right; width: 26px; }"
    "QSpinBox::down-button { subcontrol-origin: border; subcontrol-position: bottom right; width: 26px; }"
)


class HeadOfficeExportPage(QWidget):
    """The key, the automatic export and Export now (Ctrl+E)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("headOfficeExportPage")

        intro = QLabel("Bundles of this store's returns, exchanges, vouchers, approvals and audit trail go to head "
                       "office, signed with the key head office gave the store. A record changed after it was "
                       "sent goes again in the next bundle.")
        intro.setWordWrap(True)
        intro.setProperty("role", "muted")

        self.key_status = QLabel()
        self.key_status.setObjectName("hoKeyStatus")
        self.key_edit = QLineEdit()
        self.key_edit.setObjectName("hoKeyEdit")
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_edit.setPlaceholderText("The 64-digit key from head office")
        self.key_edit.setMinimumHeight(34)
        self.key_edit.returnPressed.connect(self.save_key)
        self.key_button = QPushButton("Save key")
        self.key_button.setObjectName("hoKeySaveButton")
        self.key_button.setMinimumHeight(34)
        self.key_button.clicked.connect(self.save_key)
        key_row = QHBoxLayout()
        key_row.addWidget(self.key_edit, 1)
        key_row.addWidget(self.key_button)

        self.auto_check = QCheckBox("Export the day's bundle automatically after closing time")
        self.auto_check.setObjectName("hoAutoCheck")
        self.closing_edit = QTimeEdit()
        self.closing_edit.setObjectName("hoClosingEdit")
        self.closing_edit.setDisplayFormat("HH:mm")
        self.closing_edit.setMinimumHeight(34)
        self.closing_edit.setMaximumWidth(140)
        self.folder_edit = QLineEdit()
        self.folder_edit.setObjectName("hoFolderEdit")
        self.folder_edit.setPlaceholderText("The folder bundles are written to")
        self.folder_edit.setMinimumHeight(34)
        self.folder_button = QPushButton("Choose…")
        self.folder_button.setMinimumHeight(34)
        self.folder_button.clicked.connect(self.choose_folder)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder_edit, 1)
        folder_row.addWidget(self.folder_button)
        # How long the change records are kept (what `desk export --day` re-reads a day from).
        self.keep_spins: dict[str, QSpinBox] = {}
        self.keep_hints: dict[str, QLabel] = {}
        keep_cells = {}
        for key, suffix in ((KEEP_BUNDLES_KEY, " bundles"), (KEEP_DAYS_KEY, " days")):
            spec = settings_service.SPECS[key]
            spin = QSpinBox()
            spin.setObjectName("hoKeep_" + key.rsplit(".", 1)[-1])
            spin.setRange(spec.minimum, spec.maximum)
            spin.setSuffix(suffix)
            spin.setToolTip(spec.label)
            spin.setMinimumHeight(34)
            spin.setFixedWidth(200)
            spin.setStyleSheet(SPIN_STYLE)
            self.keep_spins[key] = spin
            keep_cells[key] = Field(spin, KEEP_HINTS[key])
            self.keep_hints[key] = keep_cells[key].hint
        self.save_button = QPushButton("Save")
        self.save_button.setObjectName("hoSaveButton")
        self.save_button.setMinimumHeight(40)
        self.save_button.clicked.connect(self.save_settings)

        self.export_button = QPushButton("Export now  (Ctrl+E)")
        self.export_button.setObjectName("hoExportButton")
        self.export_button.setProperty("role", "primary")
        self.export_button.setMinimumHeight(48)
        self.export_button.setMaximumWidth(360)
        self.export_button.clicked.connect(self.export_now)
        QShortcut(QKeySequence("Ctrl+E"), self, activated=self.export_now)
        self.last_label = QLabel()
        self.last_label.setObjectName("hoLastBundle")
        self.last_label.setWordWrap(True)

        form = QFormLayout()
        form.setHorizontalSpacing(20)
        form.setVerticalSpacing(12)
        form.addRow("Head office key", self.key_status)
        form.addRow("", key_row)
        form.addRow("", self.auto_check)
        form.addRow("Closing time", self.closing_edit)
        form.addRow("Bundle folder", folder_row)
        form.addRow("Keep change records of the last", keep_cells[KEEP_BUNDLES_KEY])
        form.addRow("and for at least", keep_cells[KEEP_DAYS_KEY])
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)

        box = QVBoxLayout(self)
        box.setContentsMargins(8, 12, 8, 8)
        box.setSpacing(14)
        box.addWidget(intro)
        box.addLayout(form)
        box.addLayout(buttons)
        box.addSpacing(8)
        box.addWidget(self.export_button)
        box.addWidget(self.last_label)
        box.addStretch(1)
        self.load()

    def load(self) -> None:
        fingerprint = export_service.key_status()
        self.key_status.setText(f"Set (fingerprint {fingerprint})" if fingerprint else "Not set: exports are refused until it is")
        self.auto_check.setChecked(bool(settings_service.get("export.auto")))
        self.closing_edit.setTime(QTime.fromString(str(settings_service.get("export.closing_time")), "HH:mm"))
        self.folder_edit.setText(str(settings_service.get("export.folder") or ""))
        for key, spin in self.keep_spins.items():
            spin.setValue(int(settings_service.get(key)))
        last = export_service.last_bundle()
        if last is None:
            self.last_label.setText("No bundle written yet.")
        else:
            when = clock.to_local(last.created_at).strftime("%d %b %Y %H:%M")
            self.last_label.setText(f"Last bundle: number {last.number}, written {when} ({last.file_name}).")
        may = auth.can(self.ctx.staff, "export.run")
        for w in (self.key_edit, self.key_button, self.auto_check, self.closing_edit, self.folder_edit,
                  self.folder_button, *self.keep_spins.values(), self.save_button, self.export_button):
            w.setEnabled(may)

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Folder for head office bundles", self.folder_edit.text())
        if folder:
            self.folder_edit.setText(folder)

    def save_key(self) -> bool:
        ok, fingerprint = messages.attempt(self, export_service.set_ho_key, self.ctx.staff, self.key_edit.text())
        if ok:
            self.key_edit.clear()
            self.ctx.events.changed.emit("settings")
            self.load()
        return ok

    def save_settings(self) -> bool:
        values = {
            "export.auto": self.auto_check.isChecked(),
            "export.closing_time": self.closing_edit.time().toString("HH:mm"),
            "export.folder": self.folder_edit.text().strip(),
            **{key: spin.value() for key, spin in self.keep_spins.items()},
        }
        ok, _ = messages.attempt(self, settings_service.update, self.ctx.staff, values)
        if ok:
            self.ctx.events.changed.emit("settings")
            self.load()
        return ok

    def export_now(self) -> None:
        if not self.export_button.isEnabled():
            return
        folder = self.folder_edit.text().strip()
        if not folder:
            folder = QFileDialog.getExistingDirectory(self, "Write the bundle to", "")
            if not folder:
                return
        ok, result = messages.attempt(self, export_service.export_bundle, self.ctx.staff, folder)
        if ok:
            self.load()
            self.last_label.setText(result.message())
