"""What a person is told: the notification centre, its words, its letters and digests."""
