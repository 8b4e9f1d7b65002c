from klinke.core.jobs import Job

JOBS = (
    Job("close inquiry rounds after 72 hours", 300, "klinke.inquiries.actions.do_close_due_rounds"),
    Job(
        "remind collectives of inquiry rounds ending soon",
        900,
        "klinke.inquiries.actions.do_remind_open_rounds",
    ),
    Job(
        "forget unconfirmed inquiries and old clients' details",
        3600,
        "klinke.inquiries.actions.do_forget_inquiries",
    ),
)
