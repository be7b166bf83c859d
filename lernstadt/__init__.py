"""lernstadt: software for a learning city."""
