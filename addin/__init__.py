"""What the user installs and runs: the ``llm-tco`` command line and the xlwings add-in set-up."""
