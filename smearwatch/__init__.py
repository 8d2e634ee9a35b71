"""smearwatch: flag coordinated smear campaigns for human review, with the evidence."""

__version__ = "0.1.0"
