"""`python -m segdsl`: the segdsl command, for when its console script is not on PATH."""

from .cli import main

main(prog_name="segdsl")
