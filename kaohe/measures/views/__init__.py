"""Pages of scoring schemes (schemes) and of measures documents (documents)."""
