"""Consultation on draft measures (征求意见): rounds, comments, symposia, sorting, dispositions."""
