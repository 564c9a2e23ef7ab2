"""The Qt binding must not lose references to None or True: a desk runs all day.

PySide6 6.12.0 on Python 3.11 dropped one reference to None on every Qt call that returns
nothing (and to True on every Signal.emit); after a few thousand calls the process aborts with
"Fatal Python error: none_dealloc". pyproject.toml keeps the binding on a version without it;
this test runs such a loop in a fresh process so that an upgrade brings the bug back loudly.
"""

import subprocess
import sys
import textwrap


def test_a_long_day_of_qt_calls_does_not_abort():
    script = textwrap.dedent(
        """
        import sys
        from PySide6.QtCore import QObject, Signal
        from PySide6.QtWidgets import QApplication, QLabel

        class Hub(QObject):
            changed = Signal(str)

        app = QApplication(sys.argv[:1])
        hub = Hub()
        hub.changed.connect(lambda kind: None)
        label = QLabel()
        none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
        for _ in range(50_000):
            label.setText("x")
            label.setVisible(False)
            hub.changed.emit("sales")
        print(abs(sys.getrefcount(None) - none_before) < 100, abs(sys.getrefcount(True) - true_before) < 100)
        """
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                         env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"})
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.split() == ["True", "True"]
