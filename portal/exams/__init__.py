"""Exams: question banks kept in git (`quizzes/`), and later the sittings built on them."""
