"""PySide6 only: screens read and write through desk.services, never through models directly."""
