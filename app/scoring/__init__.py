"""Answer analysis and competency scoring: evidence first, the interviewer decides."""
