from decimal import Decimal

import pytest

from desk.models.base import TaxRateField


@pytest.mark.parametrize("stored, shown", [(20000, "20"), (8875, "8.875"), (0, "0"), (5000, "5"), (12500, "12.5")])
def test_tax_rate_reads_back_as_a_plain_percent(stored, shown):
    field = TaxRateField()
    assert str(field.python_value(stored)) == shown
    assert field.db_value(Decimal(shown)) == stored
