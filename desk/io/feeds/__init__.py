"""One module per till file format; ``desk.io.pos_feeds`` is the entry point."""
