"""The exam-submission load scenario: prepare a database, let locust take the exam,
check afterwards that no acknowledged answer was lost. `run.py` ties them together."""
