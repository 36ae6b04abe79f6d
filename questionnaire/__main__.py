"""`python -m questionnaire` runs the same command as `muscle-triage`."""

from questionnaire.cli import main

main()
