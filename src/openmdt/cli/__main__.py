"""`python -m openmdt.cli`: the same as the `openmdt` command."""

from openmdt.cli import main

main()
