"""Pages of a consultation round: rounds, sorting and answers, symposia, changes and what-if, outputs."""
