"""The one look: every picture the stylesheet names exists, so no arrow draws as an empty box."""

import re
from pathlib import Path

from desk.ui import theme


def test_every_url_in_the_stylesheet_points_at_a_file():
    text = theme.stylesheet()
    urls = re.findall(r"url\(([^)]+)\)", text)
    assert urls, "the combo box and spin box arrows are pictures named in the stylesheet"
    for url in urls:
        assert Path(url).is_absolute(), url
        assert Path(url).is_file(), url
