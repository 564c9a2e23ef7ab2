"""Desk: the customer service desk of a retail store."""

__version__ = "0.1.0"
APP_NAME = "Desk"
ORG_NAME = "Desk"
