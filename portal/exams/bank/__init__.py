"""Question banks: the files in `quizzes/`, their checker, Moodle importers, the loader
into the database and the scoring rules."""
