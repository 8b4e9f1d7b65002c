from klinke.core.jobs import Job

JOBS = (
    Job("expire introductions", 600, "klinke.exchange.actions.do_expire_introductions"),
    Job("notify expired needs and offers", 3600, "klinke.exchange.actions.do_notify_expired_items"),
    # Builds the shared matching index when there is none, and folds changes into the next.
    Job("fold matching changes", 60, "klinke.exchange.match_index.do_fold_match_changes"),
)
