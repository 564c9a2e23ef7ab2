"""Settings screen: one section at a time, chosen from a list on the left (Ctrl+PgDown/PgUp, or a
filter that finds a setting by its words). The sections are desk.services.settings.SECTIONS; each
setting's spec says which section shows it. One Save writes every section but two: the return
policy (desk.ui.screens.policy.PolicyEditor) and the head office export have their own."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QBrush, QColor, QImageReader, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desk.errors import DeskError, InvalidInput
from desk.services import auth, documents
from desk.services import settings as settings_service
from desk.services.settings import SECTIONS
from desk.services import store as store_service
from desk.services.store import StoreDetails
from desk.services.numbers import clean_desk_code
from desk.ui.actions import ScreenKey
from desk.ui.context import AppContext
from desk.ui.desk_identity import desk_code, set_desk_code
from desk.ui.screens.base import Screen
from desk.ui.screens.head_office_export import HeadOfficeExportPage
from desk.ui.screens.policy import PolicyEditor
from desk.ui.widgets.field import Field
from desk.ui.widgets.style import repolish


IDLE_KEY = "idle_lock_minutes"
POLICY_KEY = "returns_policy_text"
LOGO_KEY = "logo_path"
# Service cases: (setting, label, suffix) shown as spin boxes; the goodwill limit is money.
CASE_SPINS = (
    ("cases.first_response_hours", "First response within", " hours"),
    ("cases.resolve_hours.urgent", "Resolve urgent within", " hours"),
    ("cases.resolve_hours.high", "Resolve high within", " hours"),
    ("cases.resolve_hours.normal", "Resolve normal within", " hours"),
    ("cases.resolve_hours.low", "Resolve low within", " hours"),
    ("cases.follow_up_days", "Follow up after", " days"),
    ("cases.follow_up_attempts", "Calls before unreachable", ""),
)
GOODWILL_KEY = "cases.goodwill_limit"
PAPER_NAMES = {"roll": "80 mm receipt roll", "a4": "A4", "letter": "Letter"}
LOGO_FORMATS = ("png", "jpeg", "jpg")
# Settings shown from their specs (desk.services.settings.SPECS): key -> (label, suffix or choice labels)
ORDER_SETTINGS = (
    ("orders.deposit_percent", "Deposit", " %"),
    ("orders.reminder_days", "Remind after", " days"),
    ("orders.collection_days", "Days to collect", " days"),
    ("orders.keep_deposit", "Keep a deposit", {"never": "Never", "after_deadline": "After the collection deadline",
                                               "always": "Always (a manager approves)"}),
)
SETTING_HINTS = {
    "orders.email_subject": "The email sent when an order has arrived.",
    "orders.email_body": "Placeholders: {customer} {order} {items} {balance} {deadline} {store} {store_address}.",
    "smtp.port": "587 for STARTTLS, 465 for SSL/TLS.",
    "orders.keep_deposit": "When a cancelled order's deposit may be kept; a manager approves each time.",
    "smtp.password": "Kept in the store's database: use an account made for sending only.",
    "smtp.tls": "STARTTLS or SSL/TLS, as your email provider says; None only on a trusted network.",
    "voucher_expiry_days": "Days from issue to a voucher's last day (0 = never); a change applies to vouchers already issued too.",
}
EMAIL_SETTINGS = (
    ("smtp.server", "SMTP server", ""),
    ("smtp.port", "Port", ""),
    ("smtp.tls", "Encryption", {"starttls": "STARTTLS", "ssl": "SSL/TLS", "none": "None"}),
    ("smtp.user", "User name", ""),
    ("smtp.password", "Password", ""),
    ("smtp.sender", "Sender (From)", ""),
    ("orders.email_subject", "Subject", ""),
    ("orders.email_body", "Message", ""),
)

VOUCHER_SETTINGS = (("voucher_expiry_days", "Vouchers expire after", " days"),)
# Every setting edited through _spec_editor; each goes to the section its spec names.
SPEC_ROWS = VOUCHER_SETTINGS + ORDER_SETTINGS + EMAIL_SETTINGS
# Sections whose page has its own Save (the screen's Save bar is hidden there).
OWN_SAVE_SECTIONS = ("policy", "export")


def paper_kinds() -> dict[str, str]:
    """The document kinds whose paper is a setting (``paper.<kind>``): kind -> label."""
    return {kind: label for kind, label in documents.kinds().items() if f"paper.{kind}" in settings_service.SPECS}


def check_logo(path: str) -> str:
    """The logo file as stored: '' for none; InvalidInput('Logo', ...) unless it is a readable PNG or JPEG."""
    path = path.strip()
    if not path:
        return ""
    file = Path(path).expanduser()
    if not file.is_file():
        raise InvalidInput("Logo", f"{file} is not there: choose the file again or Clear the logo")
    fmt = bytes(QImageReader.imageFormat(str(file))).decode("ascii", "replace").lower()
    if fmt not in LOGO_FORMATS:
        raise InvalidInput("Logo", f"{file.name} is not a PNG or JPEG picture")
    return str(file)


def _section(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("sectionTitle")
    label.setProperty("role", "subheading")
    return label


class SettingsScreen(Screen):
    title = "Settings"
    action_name = "screen.settings"
    permission = "settings.view"
    keys = (
        ScreenKey("Ctrl+PgDown", "Next section", "next_section"),
        ScreenKey("Ctrl+PgUp", "Previous section", "previous_section"),
        ScreenKey("Ctrl+F", "Find a setting", "focus_filter"),
        ScreenKey("Ctrl+S", "Save the changes of every section"),
        ScreenKey("Ctrl+E", "Export now (Head office export)"),
    )

    def __init__(self, ctx: AppContext, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.setObjectName("settingsScreen")
        self._loading = False
        self.dirty = False

        heading = QLabel("Settings")
        heading.setObjectName("screenTitle")
        heading.setProperty("role", "heading")
        self.subtitle = QLabel()
        self.subtitle.setObjectName("screenSubtitle")
        self.subtitle.setProperty("role", "muted")
        self.subtitle.setWordWrap(True)

        # -- the store's details --------------------------------------------------
        self.name_edit = QLineEdit()
        self.name_edit.setMaxLength(120)
        self.code_edit = QLineEdit()
        self.code_edit.setMaxLength(8)
        self.code_edit.setPlaceholderText("e.g. LDN01")
        self.address_edit = QPlainTextEdit()
        self.address_edit.setTabChangesFocus(True)
        self.address_edit.setFixedHeight(96)
        self.address_edit.setPlaceholderText("Printed on slips, one line per line")
        self.tax_edit = QLineEdit()
        self.tax_edit.setMaxLength(40)
        self.currency_edit = QLineEdit()
        self.currency_edit.setMaxLength(3)
        self.currency_edit.setPlaceholderText("e.g. GBP")
        self.locale_edit = QLineEdit()
        self.locale_edit.setMaxLength(20)
        self.locale_edit.setPlaceholderText("e.g. en_GB")
        self.tax_check = QCheckBox("Shelf prices include tax")
        # -- this desk's behaviour -------------------------------------------------
        self.desk_edit = QLineEdit()
        self.desk_edit.setObjectName("deskNumberEdit")
        self.desk_edit.setMaxLength(4)
        self.desk_edit.setPlaceholderText("e.g. 01")
        self.idle_spin = QSpinBox()
        self.idle_spin.setRange(0, 240)
        self.idle_spin.setSuffix(" min")
        self.idle_spin.setSpecialValueText("Never")
        self.idle_spin.setAccelerated(True)
        # The inner line edit picks up the app's QLineEdit rule; give the arrows room of their own.
        self.idle_spin.setStyleSheet(
            "QSpinBox { padding: 4px 30px 4px 8px; }"
            "QSpinBox::up-button { subcontrol-origin: border; subcontrol-position: top right; width: 26px; }"
            "QSpinBox::down-button { subcontrol-origin: border; subcontrol-position: bottom right; width: 26px; }"
        )

        # -- printing --------------------------------------------------------------------
        self.paper_combos: dict[str, QComboBox] = {}
        for kind in paper_kinds():
            combo = QComboBox()
            combo.setObjectName(f"paperCombo_{kind}")
            for value in settings_service.SPECS[f"paper.{kind}"].choices:
                combo.addItem(PAPER_NAMES.get(value, value), value)
            combo.setMinimumHeight(34)
            combo.setMinimumWidth(220)
            combo.setMaximumWidth(260)
            self.paper_combos[kind] = combo
        self.policy_edit = QPlainTextEdit()
        self.policy_edit.setObjectName("policyEdit")
        self.policy_edit.setTabChangesFocus(True)
        self.policy_edit.setFixedHeight(136)
        self.policy_edit.setPlaceholderText("Printed at the foot of every receipt and slip")
        self.logo_edit = QLineEdit()
        self.logo_edit.setObjectName("logoEdit")
        self.logo_edit.setReadOnly(True)
        self.logo_edit.setPlaceholderText("No logo")
        self.logo_edit.setMinimumHeight(34)
        self.logo_choose_button = QPushButton("Choose…")
        self.logo_choose_button.setObjectName("logoChooseButton")
        self.logo_choose_button.setToolTip("Choose a PNG or JPEG picture to print at the top of documents")
        self.logo_choose_button.setMinimumHeight(34)
        self.logo_choose_button.clicked.connect(self.choose_logo_file)
        self.logo_clear_button = QPushButton("Clear")
        self.logo_clear_button.setObjectName("logoClearButton")
        self.logo_clear_button.setToolTip("Print no logo")
        self.logo_clear_button.setMinimumHeight(34)
        self.logo_clear_button.clicked.connect(self.clear_logo)
        logo_row = QWidget()
        logo_box = QHBoxLayout(logo_row)
        logo_box.setContentsMargins(0, 0, 0, 0)
        logo_box.setSpacing(8)
        logo_box.addWidget(self.logo_edit, 1)
        logo_box.addWidget(self.logo_choose_button)
        logo_box.addWidget(self.logo_clear_button)

        for w in (self.name_edit, self.code_edit, self.tax_edit, self.currency_edit, self.locale_edit, self.idle_spin,
                  self.desk_edit):
            w.setMinimumHeight(34)
        for w in (self.code_edit, self.currency_edit, self.locale_edit, self.idle_spin, self.desk_edit):
            w.setMaximumWidth(200)

        # field name (as services name it in InvalidInput) -> Field; each field's section
        self.fields: dict[str, Field] = {}
        self._forms: dict[str, QFormLayout] = {}
        self._section_pages: dict[str, QWidget] = {}
        self._section_words: dict[str, list[str]] = {key: [title] for key, title in SECTIONS.items()}
        self._field_section: dict[int, str] = {}
        self._add("store", "Store name", self.name_edit)
        self._add("store", "Store code", self.code_edit, "Fixed once the store has sales.")
        self._add("store", "Address", self.address_edit)
        self._add("store", "Tax number", self.tax_edit)
        self._add("store", "Currency", self.currency_edit, "ISO 4217 code. Fixed once the store has sales.")
        self._add("store", "Locale", self.locale_edit, "How dates and amounts are written, e.g. en_GB or de_DE.")
        self._add("store", "Prices include tax", self.tax_check)
        self._add("desk", "Desk number", self.desk_edit,
                  "Part of every document number made on this computer. "
                  "Each desk sharing the store's database needs its own.")
        self._add_spec(IDLE_KEY, "Idle lock", self.idle_spin,
                       "Lock the desk after this many minutes without a key press or click (0 = never).")
        for kind, label in paper_kinds().items():
            self._add_spec(f"paper.{kind}", f"{label} paper", self.paper_combos[kind])
        self._add_spec(POLICY_KEY, "Returns policy", self.policy_edit, "Printed at the foot of every document.")
        self._add_spec(LOGO_KEY, "Logo", logo_row, "A PNG or JPEG picture printed above the store's name.")
        # The row holds the path and its buttons; the path is what is marked when it is wrong.
        self.fields["Logo"].editor = self.logo_edit
        # The other settings: one editor per setting, built from its spec, in its spec's section.
        self.spec_editors: dict[str, QWidget] = {}
        for key, label, extra in SPEC_ROWS:
            if key not in settings_service.SPECS:
                continue
            spec = settings_service.SPECS[key]
            editor = self._spec_editor(key, extra)
            self.spec_editors[key] = editor
            hint = SETTING_HINTS.get(key) or spec.label.split(": ", 1)[-1]
            self._add_spec(key, label, editor, hint[:1].upper() + hint[1:])

        # -- service cases ----------------------------------------------------------------
        self.case_spins: dict[str, QSpinBox] = {}
        for key, label, suffix in CASE_SPINS:
            spec = settings_service.SPECS[key]
            spin = QSpinBox()
            spin.setObjectName(f"spin_{key}")
            spin.setRange(spec.minimum or 0, spec.maximum or 100000)
            spin.setSuffix(suffix)
            spin.setMinimumHeight(34)
            spin.setFixedWidth(200)
            spin.setStyleSheet(self.idle_spin.styleSheet())
            self.case_spins[key] = spin
            self._add_spec(key, label, spin)
        self.goodwill_edit = QLineEdit()
        self.goodwill_edit.setObjectName("goodwillLimitEdit")
        self.goodwill_edit.setMinimumHeight(34)
        self.goodwill_edit.setFixedWidth(200)
        self._add_spec(GOODWILL_KEY, "Goodwill approval above", self.goodwill_edit,
                       "Goodwill store credit above this amount needs a manager.")

        # -- buttons and messages ----------------------------------------------------
        self.save_button = QPushButton("Save  (Ctrl+S)")
        self.save_button.setObjectName("primaryButton")
        self.save_button.setProperty("primary", True)
        self.save_button.setDefault(True)
        self.save_button.setMinimumSize(180, 48)
        self.save_button.setToolTip("Save the settings (Ctrl+S)")
        self.save_button.clicked.connect(self.save)
        self.revert_button = QPushButton("Revert")
        self.revert_button.setMinimumSize(140, 48)
        self.revert_button.setToolTip("Throw away unsaved changes and show what is stored")
        self.revert_button.clicked.connect(self.revert)
        self.save_shortcut = QShortcut(QKeySequence.StandardKey.Save, self)
        self.save_shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.save_shortcut.activated.connect(self._save_shortcut)
        self.message = QLabel()
        self.message.setObjectName("saveMessage")
        self.message.setWordWrap(True)

        buttons = QHBoxLayout()
        buttons.setSpacing(12)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.revert_button)
        buttons.addSpacing(12)
        buttons.addWidget(self.message, 1)
        for b in (self.save_button, self.revert_button):
            b.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

        # The return policy and the head office export have their own Save (separate, audited changes).
        self.policy_editor = PolicyEditor(ctx, save_shortcut=False)  # Ctrl+S is routed by the section shown
        policy_page = QWidget()
        policy_page.setObjectName("returnPolicyPage")
        policy_box = QVBoxLayout(policy_page)
        policy_box.setContentsMargins(0, 0, 0, 0)
        policy_box.addWidget(_section(SECTIONS["policy"]))
        policy_box.addWidget(self.policy_editor, 1)
        self.head_office_page = HeadOfficeExportPage(ctx)
        export_page = QWidget()
        export_page.setObjectName("headOfficeExportSection")
        export_box = QVBoxLayout(export_page)
        export_box.setContentsMargins(0, 0, 0, 0)
        export_box.addWidget(_section(SECTIONS["export"]))
        export_box.addWidget(self.head_office_page, 1)
        self._section_pages["policy"] = policy_page
        self._section_pages["export"] = export_page
        self._section_words["policy"] += ["return window", "receipt", "refund", "fees", "reasons", "tenders"]
        self._section_words["export"] += [spec.label for spec in settings_service.SPECS.values()
                                          if spec.section == "export"]

        # -- the sections: a list on the left, the section shown on the right ----------------
        self.filter_edit = QLineEdit()
        self.filter_edit.setObjectName("settingsFilter")
        self.filter_edit.setPlaceholderText("Find a setting  (Ctrl+F)")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setMinimumHeight(34)
        self.filter_edit.textChanged.connect(self.filter_sections)
        self.filter_edit.returnPressed.connect(self._focus_first_match)
        self.section_list = QListWidget()
        self.section_list.setObjectName("settingsSections")
        self.section_list.setStyleSheet("QListWidget#settingsSections::item { padding-left: 10px; }")
        self.section_list.setToolTip("Ctrl+PgDown / Ctrl+PgUp: next / previous section")
        self.section_keys = list(SECTIONS)
        self.pages = QStackedWidget()
        self.pages.setObjectName("settingsPages")
        for key in self.section_keys:
            item = QListWidgetItem(SECTIONS[key])
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setSizeHint(QSize(0, 40))
            self.section_list.addItem(item)
            self.pages.addWidget(self._section_pages[key])
        self.section_list.setFixedWidth(max(200, self.section_list.sizeHintForColumn(0) + 32))
        self.section_list.currentRowChanged.connect(self._section_changed)
        side = QVBoxLayout()
        side.setSpacing(8)
        side.addWidget(self.filter_edit)
        side.addWidget(self.section_list, 1)
        self.filter_edit.setFixedWidth(self.section_list.width())
        self.save_bar = QWidget()
        self.save_bar.setObjectName("settingsSaveBar")
        self.save_bar.setLayout(buttons)
        buttons.setContentsMargins(0, 0, 0, 0)
        right = QVBoxLayout()
        right.setSpacing(12)
        right.addWidget(self.pages, 1)
        right.addWidget(self.save_bar)
        body = QHBoxLayout()
        body.setSpacing(20)
        body.addLayout(side)
        body.addLayout(right, 1)
        self.install_keys()
        self.section_list.setCurrentRow(0)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        layout.setSpacing(12)
        layout.addWidget(heading)
        layout.addWidget(self.subtitle)
        layout.addLayout(body, 1)

        for edit in (self.name_edit, self.code_edit, self.tax_edit, self.currency_edit, self.locale_edit, self.desk_edit):
            edit.textEdited.connect(self._edited)
            edit.returnPressed.connect(self.save)
        self.address_edit.textChanged.connect(self._edited)
        self.tax_check.toggled.connect(self._edited)
        self.idle_spin.valueChanged.connect(self._edited)
        for spin in self.case_spins.values():
            spin.valueChanged.connect(self._edited)
        self.goodwill_edit.textEdited.connect(self._edited)
        for combo in self.paper_combos.values():
            combo.currentIndexChanged.connect(self._edited)
        self.policy_edit.textChanged.connect(self._edited)
        self.logo_edit.textChanged.connect(self._edited)

        ctx.events.changed.connect(self._on_changed)
        # Bound methods (not lambdas): Qt drops them when this screen is deleted.
        ctx.events.session_changed.connect(self._on_session_changed)
        self._apply_permission()
        self.load()

    def _spec_editor(self, key: str, extra) -> QWidget:
        """An editor for a setting from its spec: a spin box (int), a choice (str with choices),
        a text box (the email's message) or a line."""
        spec = settings_service.SPECS[key]
        if spec.type is int:
            editor = QSpinBox()
            editor.setRange(spec.minimum if spec.minimum is not None else 0,
                            spec.maximum if spec.maximum is not None else 1_000_000)
            if isinstance(extra, str) and extra:
                editor.setSuffix(extra)
            editor.setMaximumWidth(200)
            editor.setStyleSheet(self.idle_spin.styleSheet())
            editor.valueChanged.connect(self._edited)
        elif spec.choices:
            editor = QComboBox()
            names = extra if isinstance(extra, dict) else {}
            for value in spec.choices:
                editor.addItem(names.get(value, value), value)
            editor.setMaximumWidth(320)
            editor.currentIndexChanged.connect(self._edited)
        elif key.endswith("_body"):
            editor = QPlainTextEdit()
            editor.setTabChangesFocus(True)
            editor.setFixedHeight(150)
            editor.textChanged.connect(self._edited)
        else:
            editor = QLineEdit()
            if key.endswith("password"):
                editor.setEchoMode(QLineEdit.EchoMode.Password)
            editor.textEdited.connect(self._edited)
            editor.returnPressed.connect(self.save)
        editor.setObjectName("setting_" + key.replace(".", "_"))
        editor.setMinimumHeight(34)
        return editor

    def _spec_value(self, key: str):
        editor = self.spec_editors[key]
        if isinstance(editor, QSpinBox):
            return editor.value()
        if isinstance(editor, QComboBox):
            return editor.currentData()
        if isinstance(editor, QPlainTextEdit):
            return editor.toPlainText()
        return editor.text().strip()

    def _set_spec_value(self, key: str, value) -> None:
        editor = self.spec_editors[key]
        if isinstance(editor, QSpinBox):
            editor.setValue(int(value))
        elif isinstance(editor, QComboBox):
            editor.setCurrentIndex(max(0, editor.findData(value)))
        elif isinstance(editor, QPlainTextEdit):
            editor.setPlainText(str(value))
        else:
            editor.setText(str(value))

    def _form(self) -> QFormLayout:
        form = QFormLayout()
        form.setHorizontalSpacing(20)
        form.setVerticalSpacing(12)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        return form

    def _section_form(self, section: str) -> QFormLayout:
        """The form of a section's page (made on first use): its title, then its rows."""
        if section not in self._forms:
            form = self._form()
            inner = QWidget()
            inner.setObjectName(f"settingsForm_{section}")
            box = QVBoxLayout(inner)
            box.setContentsMargins(0, 0, 16, 0)
            box.setSpacing(12)
            box.addWidget(_section(SECTIONS[section]))
            box.addLayout(form)
            box.addStretch(1)
            scroll = QScrollArea()
            scroll.setObjectName(f"settingsSection_{section}")
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QFrame.Shape.NoFrame)
            scroll.setWidget(inner)
            self._forms[section] = form
            self._section_pages[section] = scroll
        return self._forms[section]

    def _add(self, section: str, label: str, editor: QWidget, hint: str = "", aliases: tuple[str, ...] = ()) -> None:
        field = Field(editor, hint)
        self._section_form(section).addRow(label, field)
        self._field_section[id(field)] = section
        self._section_words[section] += [label, hint, *aliases]
        self.fields[label] = field
        for alias in aliases:
            self.fields[alias] = field

    def _add_spec(self, key: str, label: str, editor: QWidget, hint: str = "") -> None:
        """A setting's row, in the section its spec names; its errors may name it by label, spec label or key."""
        spec = settings_service.SPECS[key]
        self._add(spec.section, label, editor, hint, aliases=(spec.label, key))

    # -- sections ------------------------------------------------------------------
    def current_section(self) -> str:
        return self.section_keys[max(0, self.pages.currentIndex())]

    def section_of(self, label: str) -> str:
        """The section showing the field ``label`` (a label, spec label or key)."""
        return self._field_section[id(self.fields[label])]

    def show_section(self, section: str) -> None:
        """Bring a section to the front (clearing a filter that hides it)."""
        row = self.section_keys.index(section)
        if self.section_list.item(row).isHidden():
            self.filter_edit.clear()
        self.section_list.setCurrentRow(row)

    def visible_sections(self) -> list[str]:
        return [key for i, key in enumerate(self.section_keys) if not self.section_list.item(i).isHidden()]

    def step_section(self, step: int) -> None:
        """Ctrl+PgDown / Ctrl+PgUp: the next / previous section in the list (wrapping round)."""
        shown = self.visible_sections()
        if not shown:
            return
        here = self.current_section()
        i = shown.index(here) if here in shown else -step
        self.show_section(shown[(i + step) % len(shown)])

    def next_section(self) -> None:
        self.step_section(1)

    def previous_section(self) -> None:
        self.step_section(-1)

    def _section_changed(self, row: int) -> None:
        if row < 0:
            return
        self.pages.setCurrentIndex(row)
        self.save_bar.setVisible(self.section_keys[row] not in OWN_SAVE_SECTIONS)

    def focus_filter(self) -> None:
        self.filter_edit.setFocus()
        self.filter_edit.selectAll()

    def filter_sections(self, text: str) -> None:
        """Show only the sections with a setting whose label or hint holds every word typed."""
        words = text.lower().split()
        for i, key in enumerate(self.section_keys):
            haystack = " ".join(self._section_words[key]).lower()
            self.section_list.item(i).setHidden(not all(w in haystack for w in words))
        shown = self.visible_sections()
        if shown and self.current_section() not in shown:
            self.show_section(shown[0])

    def _focus_first_match(self) -> None:
        """Enter in the filter: the first field of the section shown whose label or hint matches."""
        words = self.filter_edit.text().lower().split()
        section = self.current_section()
        for label, field in self.fields.items():
            if self._field_section[id(field)] != section:
                continue
            if all(w in (label + " " + field.hint.text()).lower() for w in words):
                field.editor.setFocus()
                return
        self.pages.currentWidget().setFocus()

    def _mark_sections(self) -> None:
        """A section with a field in error is written in red in the list."""
        bad = {self._field_section[id(f)] for f in set(self.fields.values()) if f.error.text()}
        for i, key in enumerate(self.section_keys):
            item = self.section_list.item(i)
            item.setText(SECTIONS[key] + ("  ⚠" if key in bad else ""))
            item.setForeground(QColor("#b3261e") if key in bad else QBrush())

    # -- permission ----------------------------------------------------------------
    def can_edit(self) -> bool:
        return auth.can(self.ctx.staff, "settings.edit")

    def _apply_permission(self) -> None:
        editable = self.can_edit()
        for field in set(self.fields.values()):
            field.editor.setEnabled(editable)
        self.logo_choose_button.setVisible(editable)
        self.logo_clear_button.setVisible(editable)
        self.save_button.setVisible(editable)
        self.revert_button.setVisible(editable)
        self.save_shortcut.setEnabled(editable)
        if editable:
            self.subtitle.setText("Ctrl+PgDown / Ctrl+PgUp: next or previous section. "
                                  "Save (Ctrl+S) applies the changes made in every section.")
        else:
            self.subtitle.setText("Read only: only a manager or admin can change these settings.")

    # -- load / revert -------------------------------------------------------------
    def activated(self) -> None:
        self._apply_permission()
        if not self.dirty:
            self.load()
        if not self.policy_editor.dirty:
            self.policy_editor.load()  # another desk may have changed the policy
        self.head_office_page.load()

    def _on_session_changed(self, _staff: object) -> None:
        self._apply_permission()

    def _on_changed(self, kind: str) -> None:
        if kind in ("settings", "store") and not self.dirty:
            self.load()

    def load(self) -> None:
        """Show what is stored."""
        self._loading = True
        try:
            store = store_service.current_store()
            details = store_service.details_of(store) if store is not None else StoreDetails(name="", code="")
            self.name_edit.setText(details.name)
            self.code_edit.setText(details.code)
            self.address_edit.setPlainText(details.address)
            self.tax_edit.setText(details.tax_number)
            self.currency_edit.setText(details.currency)
            self.locale_edit.setText(details.locale)
            self.tax_check.setChecked(bool(details.prices_include_tax))
            self.idle_spin.setValue(int(settings_service.get(IDLE_KEY)))
            self.desk_edit.setText(desk_code())
            for kind, combo in self.paper_combos.items():
                index = combo.findData(settings_service.get(f"paper.{kind}"))
                combo.setCurrentIndex(max(0, index))
            self.policy_edit.setPlainText(settings_service.get(POLICY_KEY))
            self.logo_edit.setText(settings_service.get(LOGO_KEY))
            for key in self.spec_editors:
                self._set_spec_value(key, settings_service.get(key))
            for key, spin in self.case_spins.items():
                spin.setValue(int(settings_service.get(key)))
            self.goodwill_edit.setText(self._money_text(int(settings_service.get(GOODWILL_KEY))))
        finally:
            self._loading = False
        self.dirty = False
        self.clear_errors()

    def revert(self) -> None:
        self.load()
        self.show_message("Reverted to the stored settings.", ok=True)

    def _edited(self, *_args) -> None:
        if not self._loading:
            self.dirty = True
            self.message.clear()

    # -- messages ------------------------------------------------------------------
    def clear_errors(self) -> None:
        for field in set(self.fields.values()):
            field.set_error("")
        self.message.clear()
        self._mark_sections()

    def show_message(self, text: str, ok: bool) -> None:
        self.message.setText(text)
        self.message.setProperty("role", "allowed" if ok else "error")
        repolish(self.message)

    def show_error(self, err: DeskError) -> None:
        field = self.fields.get(err.field) if isinstance(err, InvalidInput) else None
        if field is not None:
            label = next(name for name, f in self.fields.items() if f is field)
            field.set_error(f"{label}: {err.why}")
            section = self._field_section[id(field)]
            self.show_section(section)
            self._mark_sections()
            page = self._section_pages[section]
            if isinstance(page, QScrollArea):
                page.ensureWidgetVisible(field)
            field.editor.setFocus()
            if isinstance(field.editor, QLineEdit):
                field.editor.selectAll()
            self.show_message(f"Not saved. {label}: {err.why}", ok=False)
        else:
            self.show_message(f"Not saved. {err}", ok=False)

    def error_of(self, label: str) -> str:
        """The inline error shown under a field ('' when none)."""
        field = self.fields[label]
        return field.error.text() if field.error.isVisibleTo(self) else ""

    def message_text(self) -> str:
        return self.message.text()

    # -- save ----------------------------------------------------------------------
    def details(self) -> StoreDetails:
        return StoreDetails(
            name=self.name_edit.text(),
            code=self.code_edit.text(),
            currency=self.currency_edit.text(),
            locale=self.locale_edit.text(),
            address=self.address_edit.toPlainText(),
            tax_number=self.tax_edit.text(),
            prices_include_tax=self.tax_check.isChecked(),
        )

    def setting_values(self) -> dict:
        """The settings this screen edits, checked (InvalidInput names the field that is wrong)."""
        values = {IDLE_KEY: self.idle_spin.value()}
        for kind, combo in self.paper_combos.items():
            values[f"paper.{kind}"] = combo.currentData()
        values[POLICY_KEY] = self.policy_edit.toPlainText().strip()
        values[LOGO_KEY] = check_logo(self.logo_edit.text())
        for key in self.spec_editors:
            values[key] = self._spec_value(key)
        for key, spin in self.case_spins.items():
            values[key] = spin.value()
        values[GOODWILL_KEY] = self._goodwill_minor()
        return values

    def _currency(self) -> tuple[str, str]:
        store = store_service.current_store()
        return (store.currency, store.locale) if store is not None else ("GBP", "en_GB")

    def _money_text(self, minor: int) -> str:
        from desk.money import from_minor

        return str(from_minor(minor, self._currency()[0]))

    def _goodwill_minor(self) -> int:
        """The goodwill approval amount typed (e.g. 20.00) in minor units; InvalidInput names the field."""
        from desk.money import parse_amount

        text = self.goodwill_edit.text().strip()
        currency, locale = self._currency()
        try:
            return parse_amount(text or "0", currency, locale)
        except (ValueError, DeskError):
            raise InvalidInput("Goodwill approval above", f"'{text}' is not an amount (e.g. 20.00)") from None

    # -- the logo ------------------------------------------------------------------
    @classmethod
    def choose_logo(cls, parent: QWidget, current: str) -> str | None:
        """The file dialog (tests replace this step): the picture chosen, or None when cancelled."""
        start = str(Path(current).parent) if current else ""
        path, _filter = QFileDialog.getOpenFileName(parent, "Choose the logo", start,
                                                    "Pictures (*.png *.jpg *.jpeg)")
        return path or None

    def choose_logo_file(self) -> None:
        path = self.choose_logo(self, self.logo_edit.text())
        if path:
            self.logo_edit.setText(path)
            self.fields["Logo"].set_error("")

    def clear_logo(self) -> None:
        self.logo_edit.clear()
        self.fields["Logo"].set_error("")

    def show_return_policy(self) -> None:
        """Bring the Return policy section to the front."""
        self.show_section("policy")

    def _save_shortcut(self) -> None:
        if self.current_section() == "policy":
            self.policy_editor.save()
        elif self.current_section() == "export":
            self.head_office_page.save_settings()
        else:
            self.save()

    def save(self) -> bool:
        if not self.can_edit():
            return False
        self.clear_errors()
        details = self.details()
        try:
            details.cleaned()  # check every store field before writing anything
            values = self.setting_values()  # checks the logo before anything is written
            desk = clean_desk_code(self.desk_edit.text())
            store_changes = store_service.update_store(self.ctx.staff, details)
            setting_changes = settings_service.update(self.ctx.staff, values)
        except DeskError as err:
            self.show_error(err)
            return False
        desk_changed = desk != desk_code()
        if desk_changed:
            set_desk_code(desk)
        self.dirty = False
        if store_changes or setting_changes or desk_changed:
            self.ctx.events.emit_changed("settings", "store")
        self.load()
        if store_changes or setting_changes or desk_changed:
            self.show_message("Saved.", ok=True)
        else:
            self.show_message("Nothing to save: no changes.", ok=True)
        return True
