"""The safety layer: plan, confirm, journal, undo and fencing for every write, in core."""
