"""``python -m kumo`` runs the ``kumo`` command."""

from kumo.cli.main import main

main()
