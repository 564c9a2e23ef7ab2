from desk.money import format_money
from desk.services.returns import FraudSignals


def test_signals_read_as_sentences():
    signals = FraudSignals(customer_returns_90_days=1, customer_value_90_days=1800, customer_no_receipt_90_days=0,
                           clerk_refunds_today=2, clerk_value_today=2500)
    text = signals.lines(lambda minor: format_money(minor, "GBP"))
    assert text[0].startswith("Customer: 1 return worth £18.00")
    assert text[1].startswith("This clerk today: 2 refunds worth £25.00")
