"""Runs on state, the repeated runs cron makes: the ledger (one SQLite file) and its
migrations, when to fetch (schedule), the lock, local-file stamps, the config file
(``ingest.toml``), and the keeper that gives the engine its memory across runs."""
