"""annotations: readers' notes on documents."""
