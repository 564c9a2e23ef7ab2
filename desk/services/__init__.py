"""The rules: one module per job, no Qt import anywhere below here."""
