"""The first-run wizard: set up a store and its first admin, or open the demo store."""

from __future__ import annotations

import functools

from PySide6.QtWidgets import QLabel, QProgressDialog, QWizard

from desk.models import Staff, Store
from desk.services import auth
from desk.services import demo as demo_service
from desk.services.store import current_store
from desk.ui.dialogs.first_run import ADMIN, CHOICE, DEMO, STORE, FirstRunWizard


def open_wizard(qtbot, ctx) -> FirstRunWizard:
    wizard = FirstRunWizard(ctx, None)
    qtbot.addWidget(wizard)
    wizard.show()
    return wizard


def fill_store(wizard: FirstRunWizard, code: str = "LDN01") -> None:
    page = wizard.page(STORE)
    page.name.setText("Camden Lights")
    page.code.setText(code)
    page.address.setPlainText("4 Parkway\nLondon NW1 7AA")
    page.tax_number.setText("GB 555 1234 00")
    page.currency.setCurrentText("EUR")
    page.locale.setCurrentText("de_DE")
    page.prices_include_tax.setChecked(False)


def fill_admin(wizard: FirstRunWizard, pin: str = "582014", again: str | None = None) -> None:
    page = wizard.page(ADMIN)
    page.name.setText("Rosa Admin")
    page.code.setText("950")
    page.pin.setText(pin)
    page.pin_again.setText(pin if again is None else again)


def finish(wizard: FirstRunWizard) -> None:
    wizard.button(QWizard.WizardButton.FinishButton).click()


def test_wizard_creates_the_store_and_its_first_admin(qtbot, ctx):
    wizard = open_wizard(qtbot, ctx)
    assert wizard.currentId() == CHOICE
    assert not wizard.page(CHOICE).demo.isChecked()
    wizard.next()
    assert wizard.currentId() == STORE
    fill_store(wizard)
    wizard.next()
    assert wizard.currentId() == ADMIN
    fill_admin(wizard)
    finish(wizard)

    assert wizard.created == "store"
    assert wizard.result() == QWizard.DialogCode.Accepted
    store = current_store()
    assert (store.name, store.code, store.currency, store.locale) == ("Camden Lights", "LDN01", "EUR", "de_DE")
    assert store.address == "4 Parkway\nLondon NW1 7AA"
    assert store.tax_number == "GB 555 1234 00"
    assert store.prices_include_tax is False
    assert store.is_demo is False
    admin = auth.sign_in("950", "582014")
    assert (admin.name, admin.role) == ("Rosa Admin", "admin")


def test_a_bad_store_code_is_named_and_the_page_stays(qtbot, ctx):
    wizard = open_wizard(qtbot, ctx)
    wizard.next()
    fill_store(wizard, code="x!")
    wizard.next()
    assert wizard.currentId() == STORE
    page = wizard.page(STORE)
    assert page.error.text() == "Store code: must be 2 to 8 letters or digits, e.g. LDN01"
    assert page.code.property("invalid") is True
    assert Store.select().count() == 0

    page.code.setText("LDN01")
    wizard.next()
    assert wizard.currentId() == ADMIN
    assert page.error.text() == ""


def test_an_easy_admin_pin_is_refused_on_its_page_and_nothing_is_written(qtbot, ctx):
    wizard = open_wizard(qtbot, ctx)
    wizard.next()
    fill_store(wizard)
    wizard.next()
    fill_admin(wizard, pin="1111")
    finish(wizard)
    assert wizard.currentId() == ADMIN
    assert wizard.created is None
    assert wizard.page(ADMIN).error.text().startswith("PIN: 1111 is too easy to guess")
    assert Store.select().count() == 0
    assert Staff.select().count() == 0


def test_pins_that_differ_are_refused_before_anything_is_written(qtbot, ctx):
    wizard = open_wizard(qtbot, ctx)
    wizard.next()
    fill_store(wizard)
    wizard.next()
    fill_admin(wizard, pin="582014", again="582015")
    finish(wizard)
    assert wizard.currentId() == ADMIN
    assert wizard.page(ADMIN).error.text() == "PIN again: does not match the PIN"
    assert Store.select().count() == 0


def test_the_demo_option_builds_the_demo_store(qtbot, ctx, monkeypatch):
    small = functools.partial(demo_service.build_demo, lines=300, customers=30)
    progress_seen = []

    def build(progress=None, **kwargs):
        def spy(stage, done, total):
            progress_seen.append((stage, done, total))
            progress(stage, done, total)

        return small(progress=spy, **kwargs)

    monkeypatch.setattr(demo_service, "build_demo", build)
    wizard = open_wizard(qtbot, ctx)
    wizard.page(CHOICE).demo.setChecked(True)
    wizard.next()
    assert wizard.currentId() == DEMO
    assert "Harbour Street Home & Style" in wizard.page(DEMO).findChild(QLabel).text()
    assert wizard.button(QWizard.WizardButton.FinishButton).text() == "Open the demo store"
    finish(wizard)

    assert wizard.created == "demo"
    assert wizard.result() == QWizard.DialogCode.Accepted
    store = current_store()
    assert store.is_demo and store.code == "DEMO"
    assert progress_seen and progress_seen[-1][1] == progress_seen[-1][2] == 300
    demo_clerk = next(p for p in demo_service.DEMO_STAFF if p.role == "clerk")
    assert auth.sign_in(demo_clerk.code, demo_clerk.pin).role == "clerk"


def test_cancelling_the_demo_build_leaves_the_database_empty(qtbot, ctx, monkeypatch):
    real = demo_service.build_demo

    def build(progress=None, **kwargs):
        def cancel_midway(stage, done, total):
            if done > 0:
                for dialog in wizard.findChildren(QProgressDialog):
                    dialog.cancel()
            progress(stage, done, total)

        return real(lines=300, customers=30, progress=cancel_midway, **kwargs)

    monkeypatch.setattr(demo_service, "build_demo", build)
    wizard = open_wizard(qtbot, ctx)
    wizard.page(CHOICE).demo.setChecked(True)
    wizard.next()
    finish(wizard)
    assert wizard.created is None
    assert wizard.currentId() == DEMO
    assert wizard.page(DEMO).error.text() == "The demo store was not built: cancelled. Nothing was saved."
    assert Store.select().count() == 0
    assert Staff.select().count() == 0
