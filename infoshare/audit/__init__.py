"""For auditors: replay a proposal's history against the current code, rebuild its decision
trail from the history alone, and export both for archiving (protocol 4.14)."""
