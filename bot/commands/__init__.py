"""Sub-commands of the ``quizbot`` command line, one module per group."""
