"""The screens of the main window, in navigation order.

Each is a desk.ui.screens.base.Screen; the main window shows the ones the signed-in
person's role may see (``permission``) and reaches each by its action's F-key.
"""

from __future__ import annotations

from desk.ui.screens.approvals import ApprovalsScreen
from desk.ui.screens.archive import ArchiveScreen
from desk.ui.screens.base import Screen
from desk.ui.screens.cases import CasesScreen
from desk.ui.screens.customers import CustomersScreen
from desk.ui.screens.exchange import ExchangeScreen
from desk.ui.screens.exchanges_log import ExchangesLogScreen
from desk.ui.screens.head_office import HeadOfficeScreen
from desk.ui.screens.home import HomeScreen
from desk.ui.screens.orders import OrdersScreen
from desk.ui.screens.returns import ReturnScreen
from desk.ui.screens.returns_log import ReturnsLogScreen
from desk.ui.screens.sales import SalesScreen
from desk.ui.screens.settings import SettingsScreen
from desk.ui.screens.staff import StaffScreen
from desk.ui.screens.vouchers import VouchersScreen

SCREEN_CLASSES: tuple[type[Screen], ...] = (
    HomeScreen,
    SalesScreen,
    ReturnScreen,
    ExchangeScreen,
    OrdersScreen,
    CasesScreen,
    CustomersScreen,
    ApprovalsScreen,
    ReturnsLogScreen,
    ExchangesLogScreen,
    VouchersScreen,
    ArchiveScreen,
    StaffScreen,
    SettingsScreen,
    HeadOfficeScreen,
)

# Screens that open what the scan field reads: action name -> the screen's method that
# takes the code and returns True when it opened something (it is then brought to the front).
SCAN_OPENERS: dict[str, str] = {
    "screen.sales": "open_receipt",
    "screen.returns": "open_code",
    "screen.exchange": "open_code",
    "screen.orders": "open_code",
    "screen.vouchers": "open_code",
    "screen.cases": "open_case",
}

__all__ = ["SCREEN_CLASSES", "SCAN_OPENERS", "Screen", "HomeScreen", "SalesScreen", "ReturnScreen", "ExchangeScreen",
           "OrdersScreen", "CasesScreen", "CustomersScreen", "ApprovalsScreen", "ReturnsLogScreen", "ExchangesLogScreen",
           "VouchersScreen", "ArchiveScreen", "StaffScreen", "SettingsScreen", "HeadOfficeScreen"]
