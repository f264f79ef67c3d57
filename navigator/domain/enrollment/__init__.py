"""Enrollment: applications, acceptance and holds, waitlists, attendance and captures,
corrections, offers at the desk, statements."""
