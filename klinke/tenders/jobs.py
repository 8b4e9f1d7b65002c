from klinke.core.jobs import Job

JOBS = (
    Job(
        "email new fitting tenders (at most daily)",
        3600,
        "klinke.tenders.actions.do_send_tender_digests",
    ),
    Job(
        "remind lead members of tender deadlines",
        3600,
        "klinke.tenders.actions.do_remind_tender_deadlines",
    ),
    # Off unless TENDER_FETCH_URL is set; a day fetched before is skipped (the file is the claim).
    Job(
        "fetch and import yesterday's tenders",
        3600,
        "klinke.tenders.actions.do_fetch_yesterdays_tenders",
    ),
)
