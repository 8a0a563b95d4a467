"""The ``kumo`` command."""
