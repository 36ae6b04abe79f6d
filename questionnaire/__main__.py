"""`python -m questionnaire` runs the same command as `muscle-triage`."""

from questionnaire.entry import main

main()
