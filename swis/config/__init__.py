"""Configuration: one YAML file per authority (:mod:`.authority`) and the book's ``data/book.yml`` (:mod:`.book`)."""

from swis.config.authority import Config, Outcome, load_config, parse_config, short_name, term_order
from swis.config.book import (
    Entry,
    authorities,
    authority_configs,
    authority_entries,
    example_entry,
    load_book_config,
    outcome_labels,
)

__all__ = [
    "Config",
    "Entry",
    "Outcome",
    "authorities",
    "authority_configs",
    "authority_entries",
    "example_entry",
    "load_book_config",
    "load_config",
    "outcome_labels",
    "parse_config",
    "short_name",
    "term_order",
]
