"""policyreader: read and collate Chinese policy documents."""
