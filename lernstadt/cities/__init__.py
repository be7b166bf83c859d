"""City packs: everything that makes the platform one particular city, kept as data."""
