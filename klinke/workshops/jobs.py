from klinke.core.jobs import Job

JOBS = (Job("event reminders", 300, "klinke.workshops.actions.do_send_reminders"),)
