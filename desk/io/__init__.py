"""Formats that cross the store's walls: the tills' sales files, export bundles."""
