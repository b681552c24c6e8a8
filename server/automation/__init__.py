"""Hub automation (#8): invitations, self-scheduling, calendars, reports, reminders, job queue."""
